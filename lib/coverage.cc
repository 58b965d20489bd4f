#include "procmatch/coverage.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "procmatch/certification.h"
#include "procmatch/cpv.h"
#include "procmatch/dates.h"
#include "procmatch/internal/coverage_awards.h"
#include "procmatch/internal/index_data.h"
#include "procmatch/nuts.h"
#include "procmatch/text_analyzer.h"
#include "procmatch/track_record.h"
#include "procmatch/validation.h"

namespace procmatch {
namespace {

using internal::IndexData;
using internal::SupplierDoc;
using Area = internal::CoverageArea;
using Context = internal::CoverageContext;
using internal::AwardTotals;
using internal::NameKey;
using internal::UnderArea;

constexpr int kDefaultMinQualified = 3;
constexpr int kDefaultNutsLevel = 2;

absl::StatusOr<Context> Prepare(const SupplierIndex& index,
                                const v1::CoverageRequest& request,
                                const std::vector<v1::Tender>& awards) {
  Validator validator(index.options());
  absl::Status valid = validator.ValidateCoverageRequest(request);
  if (!valid.ok()) return valid;
  Context ctx;
  ctx.data = &internal::IndexAccess::Data(index);
  ctx.request = &request;
  ctx.cpv = &CpvOf(index.options());
  ctx.as_of = request.has_as_of()
                  ? ToCivilDay(request.as_of())
                  : absl::ToCivilDay(absl::Now(), absl::UTCTimeZone());
  for (const std::string& r : request.nuts_regions()) {
    ctx.regions.push_back(*NutsOf(index.options()).Parse(r));
  }
  ctx.has_start = request.award_period().has_start();
  ctx.has_end = request.award_period().has_end();
  if (ctx.has_start) ctx.start = ToCivilDay(request.award_period().start());
  if (ctx.has_end) ctx.end = ToCivilDay(request.award_period().end());
  ctx.currency = request.currency().empty() ? "EUR" : request.currency();
  if (request.min_qualified_suppliers() > 0) {
    ctx.min_qualified = request.min_qualified_suppliers();
  }
  for (const v1::CapabilityArea& spec : request.areas()) {
    Area area;
    area.spec = &spec;
    for (const std::string& code : spec.cpv_codes()) {
      area.codes.push_back(*ctx.cpv->Parse(code));
    }
    for (const std::string& tag : spec.tags()) {
      area.tags.push_back(FoldText(tag));
    }
    for (const v1::AreaKeyword& keyword : spec.keywords()) {
      const std::string language = keyword.language().empty()
                                       ? GuessLanguage(keyword.text())
                                       : keyword.language();
      absl::StatusOr<std::vector<std::string>> terms =
          AnalyzeText(keyword.text(), language);
      if (!terms.ok()) return terms.status();  // Validation checked UTF-8.
      std::vector<uint32_t> ids;
      bool known = !terms->empty();
      for (const std::string& term : *terms) {
        const int64_t id = ctx.data->TermId(term);
        known = known && id >= 0;
        if (id >= 0) ids.push_back(static_cast<uint32_t>(id));
      }
      std::sort(ids.begin(), ids.end());
      ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
      if (known) area.keywords.push_back(std::move(ids));
    }
    for (const std::string& scheme : spec.required_certifications()) {
      area.cert_keys.push_back(NormalizeScheme(scheme));
    }
    ctx.areas.push_back(std::move(area));
  }
  if (!awards.empty()) {
    for (int d = 0; d < ctx.data->size(); ++d) {
      const SupplierDoc& doc = ctx.data->doc(d);
      ctx.supplier_of_name.emplace(
          NameKey(doc.country.view(), doc.parts.name()), doc.parts.id());
      for (absl::string_view name : doc.rarely_set.alternative_names()) {
        ctx.supplier_of_name.emplace(NameKey(doc.country.view(), name),
                                     doc.parts.id());
      }
    }
  }
  for (const v1::Tender& t : awards) {
    ctx.notice_ids.insert(t.id());
    if (!t.source_notice_id().empty())
      ctx.notice_ids.insert(t.source_notice_id());
  }
  return ctx;
}

// ---------------------------------------------------------------------------
// Suppliers.

bool InScope(const Context& ctx, const SupplierDoc& doc) {
  if (!ctx.request->country().empty() &&
      doc.country.view() != ctx.request->country()) {
    return false;
  }
  if (ctx.regions.empty()) return true;
  for (NutsCode region : ctx.regions) {
    if (doc.location.valid() && doc.location.level() >= region.level() &&
        doc.location.AtLevel(region.level()) == region) {
      return true;
    }
  }
  return false;
}

bool HasTag(const Area& area, absl::string_view folded_tag) {
  return std::find(area.tags.begin(), area.tags.end(), folded_tag) !=
         area.tags.end();
}

// The definition of "has the capability", read off the profile's analysed
// form; the fast path finds the same suppliers through the postings.
bool Capable(const Area& area, const SupplierDoc& doc) {
  for (uint32_t bcd : doc.parts.offered_bcd()) {
    if (UnderArea(area, internal::CpvOfBcd(bcd))) return true;
  }
  for (const internal::ContractRecord& r : doc.contracts) {
    for (CpvCode c : r.cpv()) {
      if (UnderArea(area, c)) return true;
    }
  }
  for (absl::string_view tag : doc.parts.tags()) {
    if (HasTag(area, tag)) return true;
  }
  for (const std::vector<uint32_t>& keyword : area.keywords) {
    bool all = true;
    for (uint32_t term : keyword) {
      all = all && doc.terms.Frequency(term) > 0;
    }
    if (all) return true;
  }
  return false;
}

// Highest facility clearance valid at the as-of date (0: none).
int ValidClearance(const Context& ctx, const SupplierDoc& doc) {
  int level = 0;
  for (const internal::DatedLevel& c : doc.rarely_set.facility_clearances()) {
    if (c.until >= ctx.as_of) level = std::max(level, c.level);
  }
  return level;
}

bool HoldsCertificate(const Context& ctx, const SupplierDoc& doc,
                      const std::string& key) {
  for (const internal::Certificate& c : doc.rarely_set.certificates()) {
    if (c.scheme_key == key && c.until >= ctx.as_of) return true;
  }
  return false;
}

// A capability under the area's codes or tags at the area's TRL or above.
bool MeetsReadiness(const Context& ctx, const Area& area,
                    const SupplierDoc& doc) {
  const int min = area.spec->min_technology_readiness();
  if (min == 0) return true;
  for (const internal::CapabilityLevel cap : doc.capability_levels) {
    if (cap.trl() < min) continue;
    for (uint32_t tag : cap.tags()) {
      if (HasTag(area, doc.parts.tags()[tag])) return true;
    }
    for (size_t i = 0; i < cap.cpv_size(); ++i) {
      if (UnderArea(area, cap.cpv(i))) return true;
    }
  }
  return false;
}

// What the capable suppliers of one area add up to.
struct SupplyTotals {
  int capable = 0;
  int meeting_clearance = 0;
  int meeting_trl = 0;
  std::vector<int> certs;
  std::vector<const SupplierDoc*> qualified;
};

SupplyTotals CountSupply(const Context& ctx, const Area& area,
                         const std::vector<uint32_t>& capable_docs) {
  SupplyTotals t;
  t.certs.assign(area.cert_keys.size(), 0);
  for (uint32_t d : capable_docs) {
    const SupplierDoc& doc = ctx.data->doc(static_cast<int>(d));
    if (!InScope(ctx, doc)) continue;
    ++t.capable;
    const bool cleared = ValidClearance(ctx, doc) >= area.spec->min_clearance();
    const bool ready = MeetsReadiness(ctx, area, doc);
    bool certified = true;
    for (size_t i = 0; i < area.cert_keys.size(); ++i) {
      const bool holds = HoldsCertificate(ctx, doc, area.cert_keys[i]);
      t.certs[i] += holds;
      certified = certified && holds;
    }
    t.meeting_clearance += cleared;
    t.meeting_trl += ready;
    if (cleared && ready && certified) t.qualified.push_back(&doc);
  }
  return t;
}

// Docs with the area's capability, ascending, from the postings.
std::vector<uint32_t> CandidatesFromPostings(const Context& ctx,
                                             const Area& area) {
  std::vector<uint32_t> out;
  for (CpvCode code : area.codes) {
    const std::vector<uint32_t>& p = ctx.data->CpvPostings(code);
    out.insert(out.end(), p.begin(), p.end());
  }
  for (const std::string& tag : area.tags) {
    const std::vector<uint32_t>& p = ctx.data->TagPostings(tag);
    out.insert(out.end(), p.begin(), p.end());
  }
  for (const std::vector<uint32_t>& keyword : area.keywords) {
    // Intersect the postings, rarest term first.
    std::vector<uint32_t> terms = keyword;
    std::sort(terms.begin(), terms.end(), [&](uint32_t a, uint32_t b) {
      return ctx.data->TermPostings(a).size() <
             ctx.data->TermPostings(b).size();
    });
    std::vector<uint32_t> docs;
    for (const auto& [doc, tf] : ctx.data->TermPostings(terms[0])) {
      docs.push_back(doc);
    }
    for (size_t i = 1; i < terms.size() && !docs.empty(); ++i) {
      // The postings are read in order (they are gap-coded): a merge.
      const internal::TermPostingList p = ctx.data->TermPostings(terms[i]);
      std::vector<uint32_t> kept;
      auto it = p.begin();
      for (uint32_t d : docs) {
        while (it != p.end() && (*it).first < d) ++it;
        if (it == p.end()) break;
        if ((*it).first == d) kept.push_back(d);
      }
      docs = std::move(kept);
    }
    out.insert(out.end(), docs.begin(), docs.end());
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<uint32_t> CandidatesByScan(const Context& ctx, const Area& area) {
  std::vector<uint32_t> out;
  for (int d = 0; d < ctx.data->size(); ++d) {
    if (Capable(area, ctx.data->doc(d)))
      out.push_back(static_cast<uint32_t>(d));
  }
  return out;
}

// ---------------------------------------------------------------------------
// Award history.

// ---------------------------------------------------------------------------
// The report.

std::string Assessment(const v1::AreaCoverage& a, int min_qualified) {
  std::string line;
  if (a.no_supplier()) {
    line = "no qualified supplier in scope";
  } else if (a.single_source()) {
    line = absl::StrCat("single source: ", a.supplier_ids(0));
  } else if (a.gap()) {
    line = absl::StrCat("gap: ", a.qualified_suppliers(),
                        " qualified, fewer than ", min_qualified);
  } else {
    line = absl::StrCat(a.qualified_suppliers(), " qualified");
  }
  const v1::AwardHistory& h = a.award_history();
  if (h.value() > 0) {
    absl::StrAppend(&line, absl::StrFormat("; %.0f%% of award value abroad",
                                           100 * h.foreign_value_share()));
    absl::StrAppend(&line, "; ", h.concentration_band());
  }
  if (a.demand_without_supply())
    absl::StrAppend(&line, "; demand without supply");
  return line;
}

void FillRegions(const std::map<std::string, int>& counts,
                 google::protobuf::RepeatedPtrField<v1::RegionCount>* out) {
  for (const auto& [code, n] : counts) {
    v1::RegionCount* r = out->Add();
    r->set_nuts_code(code);
    r->set_suppliers(n);
  }
}

void FillArea(const Context& ctx, const Area& area, const SupplyTotals& supply,
              const AwardTotals& awards, v1::AreaCoverage* out) {
  *out->mutable_area() = *area.spec;
  const int qualified = static_cast<int>(supply.qualified.size());
  out->set_qualified_suppliers(qualified);
  out->set_capable_suppliers(supply.capable);
  out->set_meeting_clearance(supply.meeting_clearance);
  out->set_meeting_technology_readiness(supply.meeting_trl);
  for (size_t i = 0; i < area.cert_keys.size(); ++i) {
    v1::CertificationCount* c = out->add_certifications();
    c->set_scheme(area.spec->required_certifications(static_cast<int>(i)));
    c->set_suppliers(supply.certs[i]);
  }
  std::map<std::string, int> level1, level2;
  std::map<int, int> clearance;
  int smes = 0, research = 0, others = 0, controlled = 0, unknown = 0;
  for (const SupplierDoc* doc : supply.qualified) {
    out->add_supplier_ids(std::string(doc->parts.id()));
    const int type = doc->entity_type;
    if (type == v1::ENTITY_TYPE_SME ||
        type == v1::ENTITY_TYPE_MICRO_ENTERPRISE) {
      ++smes;
    } else if (type == v1::ENTITY_TYPE_RESEARCH_ORGANISATION ||
               type == v1::ENTITY_TYPE_UNIVERSITY) {
      ++research;
    } else {
      ++others;
    }
    const NutsCode& at = doc->location;
    ++level1[at.valid() && at.level() >= 1 ? std::string(at.AtLevel(1).code())
                                           : ""];
    ++level2[at.valid() && at.level() >= 2 ? std::string(at.AtLevel(2).code())
                                           : ""];
    ++clearance[ValidClearance(ctx, *doc)];
    if (doc->third_country_control == v1::THIRD_COUNTRY_CONTROL_CONTROLLED ||
        doc->third_country_control ==
            v1::THIRD_COUNTRY_CONTROL_CONTROLLED_WITH_GUARANTEES) {
      ++controlled;
    } else if (doc->third_country_control ==
               v1::THIRD_COUNTRY_CONTROL_UNSPECIFIED) {
      ++unknown;
    }
  }
  out->set_smes(smes);
  out->set_research_organisations(research);
  out->set_non_smes(others);
  FillRegions(level2, out->mutable_regions());
  FillRegions(level1, out->mutable_regions_level1());
  for (const auto& [level, n] : clearance) {
    v1::ClearanceCount* c = out->add_clearance_levels();
    c->set_level(static_cast<v1::ClearanceLevel>(level));
    c->set_suppliers(n);
  }
  out->set_third_country_controlled(controlled);
  out->set_third_country_unknown(unknown);
  out->set_third_country_controlled_share(
      qualified > 0 ? static_cast<double>(controlled) / qualified : 0);
  out->set_gap(qualified < ctx.min_qualified);
  out->set_single_source(qualified == 1);
  out->set_no_supplier(qualified == 0);
  internal::FillAwardHistory(awards, out->mutable_award_history());
  out->set_demand_tenders(awards.demand);
  out->set_demand_without_supply(awards.demand > 0 && qualified <= 1);
  out->set_assessment(Assessment(*out, ctx.min_qualified));
}

absl::StatusOr<v1::CoverageReport> Compute(
    const SupplierIndex& index, const v1::CoverageRequest& request,
    const std::vector<v1::Tender>& tenders, bool brute_force) {
  absl::StatusOr<Context> prepared = Prepare(index, request, tenders);
  if (!prepared.ok()) return prepared.status();
  const Context& ctx = *prepared;
  v1::CoverageReport report;
  report.set_country(request.country());
  *report.mutable_as_of() = ToDate(ctx.as_of);
  report.set_nuts_level(request.nuts_level() == 0 ? kDefaultNutsLevel
                                                  : request.nuts_level());
  *report.mutable_nuts_regions() = request.nuts_regions();
  if (request.has_award_period()) {
    *report.mutable_award_period() = request.award_period();
  }
  report.set_min_qualified_suppliers(ctx.min_qualified);
  report.set_currency(ctx.currency);
  int in_scope = 0;
  for (int d = 0; d < ctx.data->size(); ++d)
    in_scope += InScope(ctx, ctx.data->doc(d));
  report.set_suppliers_in_scope(in_scope);
  int records = 0;
  std::vector<AwardTotals> awards;
  if (brute_force) {
    awards = internal::AwardsPerArea(ctx, tenders);
    records = internal::CountAwardRecords(ctx, tenders);
  } else {
    awards = internal::AwardsInOnePass(ctx, tenders, &records);
  }
  report.set_award_records(records);
  for (size_t a = 0; a < ctx.areas.size(); ++a) {
    const Area& area = ctx.areas[a];
    const SupplyTotals supply =
        CountSupply(ctx, area,
                    brute_force ? CandidatesByScan(ctx, area)
                                : CandidatesFromPostings(ctx, area));
    v1::AreaCoverage* out = report.add_areas();
    FillArea(ctx, area, supply, awards[a], out);
    report.set_gaps(report.gaps() + out->gap());
    report.set_single_source_areas(report.single_source_areas() +
                                   out->single_source());
    report.set_uncovered_areas(report.uncovered_areas() + out->no_supplier());
    report.set_demand_without_supply_areas(
        report.demand_without_supply_areas() + out->demand_without_supply());
  }
  return report;
}

}  // namespace

absl::StatusOr<v1::CoverageReport> ComputeCoverage(
    const SupplierIndex& index, const v1::CoverageRequest& request,
    const std::vector<v1::Tender>& awards) {
  return Compute(index, request, awards, /*brute_force=*/false);
}

absl::StatusOr<v1::CoverageReport> ComputeCoverageBruteForce(
    const SupplierIndex& index, const v1::CoverageRequest& request,
    const std::vector<v1::Tender>& awards) {
  return Compute(index, request, awards, /*brute_force=*/true);
}

}  // namespace procmatch
