// File: lib/internal/coverage_awards.h
//
// INTERNAL. The two halves of ComputeCoverage (lib/coverage.h) share the
// request as prepared once (CoverageContext: areas parsed and analysed,
// dates, the scope). This header is that state and the award-history half:
// the records (the given tenders' awards, then the indexed profiles' past
// contracts, deduplicated), their assignment to areas in one pass or, for
// the brute-force twin, area by area, and the totals per area.
//
// Threading: functions only read their arguments.
#ifndef PROCMATCH_LIB_INTERNAL_COVERAGE_AWARDS_H_
#define PROCMATCH_LIB_INTERNAL_COVERAGE_AWARDS_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/types/span.h"
#include "procmatch/cpv.h"
#include "procmatch/internal/index_data.h"
#include "procmatch/nuts.h"
#include "procmatch/v1/coverage.pb.h"
#include "procmatch/v1/tender.pb.h"

namespace procmatch {
namespace internal {

// An area of the request, parsed and analysed once.
struct CoverageArea {
  const v1::CapabilityArea* spec = nullptr;
  std::vector<CpvCode> codes;
  std::vector<std::string> tags;  // Folded, as the index holds them.
  // Term ids of each keyword; a keyword with a term nobody uses is dropped,
  // since no supplier can hold all its terms.
  std::vector<std::vector<uint32_t>> keywords;
  std::vector<std::string> cert_keys;  // NormalizeScheme().
};

struct CoverageContext {
  const IndexData* data = nullptr;
  const v1::CoverageRequest* request = nullptr;
  const CpvTaxonomy* cpv = nullptr;
  absl::CivilDay as_of;
  std::vector<NutsCode> regions;
  bool has_start = false;
  bool has_end = false;
  absl::CivilDay start;
  absl::CivilDay end;
  std::string currency;
  int min_qualified = 3;  // CoverageRequest.min_qualified_suppliers, or 3.
  std::vector<CoverageArea> areas;
  // Ids and source notice ids of the given tenders: a past contract from
  // one of them is the same award.
  absl::flat_hash_set<std::string> notice_ids;
  // "country|CompanyNameKey(name)" of every indexed name -> profile id, so
  // that a notice's winner and the profile of the same company are one
  // supplier in the concentration. Built only when there are notices.
  absl::flat_hash_map<std::string, std::string> supplier_of_name;
};

// True when `code` is at or below one of the area's codes.
inline bool UnderArea(const CoverageArea& area, CpvCode code) {
  for (CpvCode a : area.codes) {
    if (a.Covers(code)) return true;
  }
  return false;
}

// The key under which a company name is resolved to an indexed profile.
std::string NameKey(absl::string_view country, absl::string_view name);

// Views into the profile or notice, valid while the record is handed on.
struct Winner {
  absl::string_view id;
  absl::string_view name;
  absl::string_view country;
};

// One contract (or, without winners, one tender: demand only).
struct AwardRecord {
  absl::Span<const CpvCode> cpv;
  absl::string_view buyer_country;
  bool has_date = false;
  absl::CivilDay date;
  bool valued = false;
  double value = 0;
  std::vector<Winner> winners;
};

struct WinnerTotal {
  std::string name;
  std::string country;
  double value = 0;
  double contracts = 0;
};

struct YearTotal {
  int contracts = 0;
  double value = 0;
  double foreign = 0;
  double foreign_contracts = 0;
};

// One area's award history, added record by record in record order.
struct AwardTotals {
  int demand = 0;
  int contracts = 0;
  int valued = 0;
  double value = 0;
  double foreign = 0;
  double unknown = 0;
  double foreign_contracts = 0;  // Each contract split among its winners.
  absl::flat_hash_map<std::string, WinnerTotal> winners;
  std::map<int, YearTotal> years;

  // Adds one record of the area, in record order (sums are then the same
  // whichever way records reach the area).
  void Add(const CoverageContext& ctx, const AwardRecord& r);
};

// Every area's totals, assigning each record through a map from area code
// to areas (one pass); `records` is set to the records read.
std::vector<AwardTotals> AwardsInOnePass(const CoverageContext& ctx,
                                         const std::vector<v1::Tender>& tenders,
                                         int* records);

// The same, area by area, testing every record against the area: the
// brute-force twin.
std::vector<AwardTotals> AwardsPerArea(const CoverageContext& ctx,
                                       const std::vector<v1::Tender>& tenders);

// The records in scope and period.
int CountAwardRecords(const CoverageContext& ctx,
                      const std::vector<v1::Tender>& tenders);

// The report's award history of one area.
void FillAwardHistory(const AwardTotals& totals, v1::AwardHistory* out);

}  // namespace internal
}  // namespace procmatch

#endif  // PROCMATCH_LIB_INTERNAL_COVERAGE_AWARDS_H_
