// File: tests/doc_readback.h
//
// The read-back twins of a supplier doc's coded blocks (issue 16): what a
// doc's ContractStore decodes against what its profile's past contracts
// say, and what a TermList's Frequency answers against what iterating it
// gives. Shared by the tests that read back built, restored and mapped
// indexes (tests/supplier_index_test.cc) and the snapshot fuzz target
// (tests/fuzz/snapshot_fuzzer.cc), which reads back every index a hostile
// snapshot loads into. Each returns "" when the two agree, else the first
// difference, in words.
#ifndef PROCMATCH_TESTS_DOC_READBACK_H_
#define PROCMATCH_TESTS_DOC_READBACK_H_

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "procmatch/cpv.h"
#include "procmatch/internal/supplier_doc.h"
#include "procmatch/text_analyzer.h"
#include "procmatch/v1/supplier.pb.h"

namespace procmatch {
namespace testing {

// The first field in which record `r` differs from the past contract `c`
// it was made of, "" when none. A value is kept only when above 0, with
// its currency (as AnalyzeProfile keeps it); every code of `c` must parse.
inline std::string ContractDifference(const v1::PastContract& c,
                                      const internal::ContractRecord& r) {
  std::vector<CpvCode> cpv;
  std::vector<uint32_t> bcd;
  for (const std::string& code : c.cpv_codes()) {
    cpv.push_back(*CpvTaxonomy::Builtin().Parse(code));
    bcd.push_back(cpv.back().bcd());
  }
  if (std::vector<CpvCode>(r.cpv().begin(), r.cpv().end()) != cpv) {
    return "cpv";
  }
  if (std::vector<uint32_t>(r.cpv_bcd().begin(), r.cpv_bcd().end()) != bcd) {
    return "cpv_bcd";
  }
  if (r.has_date() != c.has_award_date()) return "has_date";
  if (c.has_award_date() &&
      r.date() != absl::CivilDay(c.award_date().year(), c.award_date().month(),
                                 c.award_date().day())) {
    return absl::StrCat("date ", absl::FormatCivilTime(r.date()));
  }
  const bool valued = c.has_value() && c.value().amount() > 0;
  if (r.value() != (valued ? c.value().amount() : 0)) {
    return absl::StrCat("value ", r.value());
  }
  if (r.value_currency() != (valued ? c.value().currency() : "")) {
    return "value_currency";
  }
  if (r.buyer_key() != FoldText(c.buyer_name())) return "buyer_key";
  if (r.buyer_country() != c.buyer_country()) return "buyer_country";
  if (r.buyer_name() != c.buyer_name()) return "buyer_name";
  if (r.source_notice_id() != c.source_notice_id()) return "source_notice_id";
  const std::string activity_key =
      c.buyer_activity().empty() || c.buyer_country().empty()
          ? ""
          : absl::StrCat(c.buyer_country(), "/", FoldText(c.buyer_activity()));
  if (r.activity_key() != activity_key) return "activity_key";
  return "";
}

// The first difference between `profile`'s past contracts and the records
// `contracts` decodes, in number or field for field; "" when none.
inline std::string ContractsDifference(
    const v1::SupplierProfile& profile,
    const internal::ContractStore& contracts) {
  if (contracts.size() != static_cast<size_t>(profile.past_contracts_size())) {
    return absl::StrCat(profile.id(), ": ", contracts.size(), " contracts");
  }
  int k = 0;
  for (const internal::ContractRecord& r : contracts) {
    const std::string difference =
        ContractDifference(profile.past_contracts(k), r);
    if (!difference.empty()) {
      return absl::StrCat(profile.id(), " contract ", k, ": ", difference);
    }
    ++k;
  }
  if (k != profile.past_contracts_size()) {
    return absl::StrCat(profile.id(), ": ", k, " contracts iterated");
  }
  return "";
}

// The first term whose Frequency differs from the count iterating `list`
// gives it (the ids beside each listed one, and 0 and 2^32 - 1, must have
// their listed count or 0), or where the iteration is not by increasing id
// or size() differs from it; "" when none.
inline std::string TermListDifference(const internal::TermList& list) {
  std::vector<std::pair<uint32_t, uint32_t>> counts(list.begin(), list.end());
  if (counts.size() != list.size()) {
    return absl::StrCat(counts.size(), " terms iterated, size ", list.size());
  }
  auto listed = [&](uint32_t term) -> uint32_t {
    auto it = std::lower_bound(counts.begin(), counts.end(),
                               std::make_pair(term, uint32_t{0}));
    return it != counts.end() && it->first == term ? it->second : 0;
  };
  std::vector<uint32_t> probes = {0, ~0u};
  for (size_t i = 0; i < counts.size(); ++i) {
    if (i > 0 && counts[i].first <= counts[i - 1].first) {
      return absl::StrCat("term ", counts[i].first, " iterated after ",
                          counts[i - 1].first);
    }
    probes.insert(probes.end(),
                  {counts[i].first - 1, counts[i].first, counts[i].first + 1});
  }
  for (uint32_t term : probes) {
    if (list.Frequency(term) != listed(term)) {
      return absl::StrCat("term ", term, ": Frequency ", list.Frequency(term),
                          ", listed ", listed(term));
    }
  }
  return "";
}

}  // namespace testing
}  // namespace procmatch

#endif  // PROCMATCH_TESTS_DOC_READBACK_H_
