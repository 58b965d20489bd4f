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
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "procmatch/certification.h"
#include "procmatch/cpv.h"
#include "procmatch/dates.h"
#include "procmatch/internal/index_data.h"
#include "procmatch/nuts.h"
#include "procmatch/text_analyzer.h"
#include "procmatch/track_record.h"
#include "procmatch/validation.h"

namespace procmatch {
namespace {

using internal::IndexData;
using internal::SupplierDoc;

constexpr int kDefaultMinQualified = 3;
constexpr int kDefaultNutsLevel = 2;
constexpr int kTopWinners = 4;

// An area of the request, parsed and analysed once.
struct Area {
  const v1::CapabilityArea* spec = nullptr;
  std::vector<CpvCode> codes;
  std::vector<std::string> tags;  // Folded, as the index holds them.
  // Term ids of each keyword; a keyword with a term nobody uses is dropped,
  // since no supplier can hold all its terms.
  std::vector<std::vector<uint32_t>> keywords;
  std::vector<std::string> cert_keys;  // NormalizeScheme().
};

struct Context {
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
  int min_qualified = kDefaultMinQualified;
  std::vector<Area> areas;
  // Ids and source notice ids of the given tenders: a past contract from
  // one of them is the same award.
  absl::flat_hash_set<std::string> notice_ids;
  // "country|CompanyNameKey(name)" of every indexed name -> profile id, so
  // that a notice's winner and the profile of the same company are one
  // supplier in the concentration. Built only when there are notices.
  absl::flat_hash_map<std::string, std::string> supplier_of_name;
};

std::string NameKey(absl::string_view country, absl::string_view name) {
  return absl::StrCat(country, "|", CompanyNameKey(name));
}

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
      const v1::SupplierProfile& p = *ctx.data->doc(d).profile;
      ctx.supplier_of_name.emplace(NameKey(p.country(), p.name()), p.id());
      for (const std::string& name : p.alternative_names()) {
        ctx.supplier_of_name.emplace(NameKey(p.country(), name), p.id());
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
      doc.country != ctx.request->country()) {
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

bool UnderArea(const Area& area, CpvCode code) {
  for (CpvCode a : area.codes) {
    if (a.Covers(code)) return true;
  }
  return false;
}

bool HasTag(const Area& area, const std::string& folded_tag) {
  return std::find(area.tags.begin(), area.tags.end(), folded_tag) !=
         area.tags.end();
}

// The definition of "has the capability", read off the profile's analysed
// form; the fast path finds the same suppliers through the postings.
bool Capable(const Area& area, const SupplierDoc& doc) {
  for (CpvCode c : doc.offered_cpv) {
    if (UnderArea(area, c)) return true;
  }
  for (const internal::ContractRecord& r : doc.contracts) {
    for (CpvCode c : r.cpv) {
      if (UnderArea(area, c)) return true;
    }
  }
  for (const std::string& tag : doc.tags) {
    if (HasTag(area, tag)) return true;
  }
  for (const std::vector<uint32_t>& keyword : area.keywords) {
    bool all = true;
    for (uint32_t term : keyword) {
      all =
          all && std::binary_search(doc.terms.begin(), doc.terms.end(),
                                    std::make_pair(term, uint32_t{0}),
                                    [](const std::pair<uint32_t, uint32_t>& a,
                                       const std::pair<uint32_t, uint32_t>& b) {
                                      return a.first < b.first;
                                    });
    }
    if (all) return true;
  }
  return false;
}

// Highest facility clearance valid at the as-of date (0: none).
int ValidClearance(const Context& ctx, const SupplierDoc& doc) {
  int level = 0;
  for (const internal::DatedLevel& c : doc.facility_clearances) {
    if (c.until >= ctx.as_of) level = std::max(level, c.level);
  }
  return level;
}

bool HoldsCertificate(const Context& ctx, const SupplierDoc& doc,
                      const std::string& key) {
  for (const internal::Certificate& c : doc.certificates) {
    if (c.scheme_key == key && c.until >= ctx.as_of) return true;
  }
  return false;
}

// A capability under the area's codes or tags at the area's TRL or above.
bool MeetsReadiness(const Context& ctx, const Area& area,
                    const SupplierDoc& doc) {
  const int min = area.spec->min_technology_readiness();
  if (min == 0) return true;
  for (const v1::Capability& cap : doc.profile->capabilities()) {
    if (cap.technology_readiness() < min) continue;
    for (const std::string& tag : cap.tags()) {
      if (HasTag(area, FoldText(tag))) return true;
    }
    for (const std::string& code : cap.cpv_codes()) {
      absl::StatusOr<CpvCode> c = ctx.cpv->Parse(code);
      if (c.ok() && UnderArea(area, *c)) return true;
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
      const auto& p = ctx.data->TermPostings(terms[i]);
      std::vector<uint32_t> kept;
      auto it = p.begin();
      for (uint32_t d : docs) {
        it = std::lower_bound(it, p.end(), std::make_pair(d, uint32_t{0}));
        if (it != p.end() && it->first == d) kept.push_back(d);
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

struct Winner {
  std::string id;
  std::string name;
  std::string country;
};

// One contract (or, without winners, one tender: demand only).
struct AwardRecord {
  const std::vector<CpvCode>* cpv = nullptr;
  std::string buyer_country;
  bool has_date = false;
  absl::CivilDay date;
  bool valued = false;
  double value = 0;
  std::vector<Winner> winners;
};

bool InPeriod(const Context& ctx, const AwardRecord& r) {
  if (!ctx.has_start && !ctx.has_end) return true;
  if (!r.has_date) return false;
  return (!ctx.has_start || r.date >= ctx.start) &&
         (!ctx.has_end || r.date <= ctx.end);
}

bool BuyerInScope(const Context& ctx, const std::string& buyer_country) {
  return ctx.request->country().empty() ||
         buyer_country == ctx.request->country();
}

void ParseInto(const Context& ctx, const std::string& code,
               std::vector<CpvCode>* out) {
  absl::StatusOr<CpvCode> c = ctx.cpv->Parse(code);
  if (c.ok()) out->push_back(*c);
}

// Hands every award record in scope and period to `take`, always in the
// same order: the tenders' awards, then the profiles' past contracts.
void ForEachAwardRecord(const Context& ctx,
                        const std::vector<v1::Tender>& tenders,
                        const std::function<void(const AwardRecord&)>& take) {
  std::vector<CpvCode> codes;
  for (const v1::Tender& t : tenders) {
    if (!BuyerInScope(ctx, t.buyer().country())) continue;
    std::vector<CpvCode> tender_codes;
    if (!t.main_cpv().empty()) ParseInto(ctx, t.main_cpv(), &tender_codes);
    for (const std::string& c : t.additional_cpv()) {
      ParseInto(ctx, c, &tender_codes);
    }
    AwardRecord r;
    r.buyer_country = t.buyer().country();
    if (t.has_published()) {
      r.has_date = true;
      r.date = UtcDay(t.published());
    }
    if (t.awards_size() == 0) {
      for (const v1::Lot& lot : t.lots()) {
        if (!lot.main_cpv().empty())
          ParseInto(ctx, lot.main_cpv(), &tender_codes);
        for (const std::string& c : lot.additional_cpv()) {
          ParseInto(ctx, c, &tender_codes);
        }
      }
      r.cpv = &tender_codes;
      if (InPeriod(ctx, r)) take(r);
      continue;
    }
    for (const v1::ContractAward& a : t.awards()) {
      codes.clear();
      for (const v1::Lot& lot : t.lots()) {
        if (a.lot_id().empty() || lot.id() != a.lot_id()) continue;
        if (!lot.main_cpv().empty()) ParseInto(ctx, lot.main_cpv(), &codes);
        for (const std::string& c : lot.additional_cpv()) {
          ParseInto(ctx, c, &codes);
        }
      }
      if (codes.empty()) codes = tender_codes;
      AwardRecord ar = r;
      ar.cpv = &codes;
      if (a.has_award_date() && CheckDate(a.award_date()).ok()) {
        ar.has_date = true;
        ar.date = ToCivilDay(a.award_date());
      }
      if (!InPeriod(ctx, ar)) continue;
      // A notice with one award that states no value of its own: the
      // notice's value is the award's (the reduced TED JSON has only that).
      const v1::Money& value = a.has_value() || t.awards_size() > 1
                                   ? a.value()
                                   : t.estimated_value();
      ar.valued = value.currency() == ctx.currency &&
                  std::isfinite(value.amount()) && value.amount() > 0;
      ar.value = ar.valued ? value.amount() : 0;
      for (const v1::Awardee& w : a.winners()) {
        auto known = ctx.supplier_of_name.find(NameKey(w.country(), w.name()));
        std::string id = known != ctx.supplier_of_name.end()
                             ? known->second
                             : TrackRecordSupplierId(w);
        if (id.empty()) id = absl::StrCat("?", w.name());
        ar.winners.push_back({std::move(id), w.name(), w.country()});
      }
      if (ar.winners.empty()) ar.winners.push_back({"?", "", ""});
      take(ar);
    }
  }
  for (int d = 0; d < ctx.data->size(); ++d) {
    const SupplierDoc& doc = ctx.data->doc(d);
    for (size_t i = 0; i < doc.contracts.size(); ++i) {
      const internal::ContractRecord& c = doc.contracts[i];
      if (!BuyerInScope(ctx, c.buyer_country)) continue;
      const v1::PastContract& pc =
          doc.profile->past_contracts(static_cast<int>(i));
      if (!pc.source_notice_id().empty() &&
          ctx.notice_ids.contains(pc.source_notice_id())) {
        continue;
      }
      AwardRecord r;
      r.cpv = &c.cpv;
      r.buyer_country = c.buyer_country;
      r.has_date = c.has_date;
      r.date = c.date;
      if (!InPeriod(ctx, r)) continue;
      r.valued = pc.has_value() && pc.value().currency() == ctx.currency;
      r.value = r.valued ? pc.value().amount() : 0;
      r.winners.push_back(
          {doc.profile->id(), doc.profile->name(), doc.country});
      take(r);
    }
  }
}

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
  std::map<std::string, WinnerTotal> winners;
  std::map<int, YearTotal> years;

  void Add(const Context& ctx, const AwardRecord& r) {
    ++demand;
    if (r.winners.empty()) return;  // A tender without award: demand only.
    ++contracts;
    const std::string& home = ctx.request->country().empty()
                                  ? r.buyer_country
                                  : ctx.request->country();
    const double share = r.value / static_cast<double>(r.winners.size());
    double foreign_here = 0;
    double foreign_part = 0;  // Of this contract, by number.
    for (const Winner& w : r.winners) {
      WinnerTotal& total = winners[w.id];
      if (total.name.empty()) {
        total.name = w.name;
        total.country = w.country;
      }
      const double part = 1.0 / static_cast<double>(r.winners.size());
      total.contracts += part;
      if (!w.country.empty() && w.country != home) foreign_part += part;
      if (!r.valued) continue;
      total.value += share;
      if (w.country.empty()) {
        unknown += share;
      } else if (w.country != home) {
        foreign_here += share;
      }
    }
    foreign_contracts += foreign_part;
    if (r.valued) {
      ++valued;
      value += r.value;
      foreign += foreign_here;
    }
    if (r.has_date) {
      YearTotal& y = years[r.date.year()];
      ++y.contracts;
      y.foreign_contracts += foreign_part;
      if (r.valued) {
        y.value += r.value;
        y.foreign += foreign_here;
      }
    }
  }
};

std::vector<AwardTotals> AwardsInOnePass(
    const Context& ctx, const std::vector<v1::Tender>& tenders) {
  std::vector<AwardTotals> totals(ctx.areas.size());
  absl::flat_hash_map<CpvCode, std::vector<int>> areas_of_code;
  for (size_t a = 0; a < ctx.areas.size(); ++a) {
    for (CpvCode c : ctx.areas[a].codes) {
      std::vector<int>& list = areas_of_code[c];
      if (list.empty() || list.back() != static_cast<int>(a)) {
        list.push_back(static_cast<int>(a));
      }
    }
  }
  std::vector<int> hit;
  ForEachAwardRecord(ctx, tenders, [&](const AwardRecord& r) {
    hit.clear();
    for (CpvCode c : *r.cpv) {
      for (int depth = c.depth(); depth >= 2; --depth) {
        auto it = areas_of_code.find(c.Truncated(depth));
        if (it != areas_of_code.end()) {
          hit.insert(hit.end(), it->second.begin(), it->second.end());
        }
      }
    }
    std::sort(hit.begin(), hit.end());
    hit.erase(std::unique(hit.begin(), hit.end()), hit.end());
    for (int a : hit) totals[a].Add(ctx, r);
  });
  return totals;
}

std::vector<AwardTotals> AwardsPerArea(const Context& ctx,
                                       const std::vector<v1::Tender>& tenders) {
  std::vector<AwardTotals> totals(ctx.areas.size());
  for (size_t a = 0; a < ctx.areas.size(); ++a) {
    ForEachAwardRecord(ctx, tenders, [&](const AwardRecord& r) {
      for (CpvCode c : *r.cpv) {
        if (UnderArea(ctx.areas[a], c)) {
          totals[a].Add(ctx, r);
          return;
        }
      }
    });
  }
  return totals;
}

int CountRecords(const Context& ctx, const std::vector<v1::Tender>& tenders) {
  int n = 0;
  ForEachAwardRecord(ctx, tenders, [&](const AwardRecord&) { ++n; });
  return n;
}

// ---------------------------------------------------------------------------
// The report.

std::string ConcentrationBand(double hhi) {
  if (hhi < 1500) return "unconcentrated";
  if (hhi <= 2500) return "moderately concentrated";
  return "highly concentrated";
}

void FillAwardHistory(const AwardTotals& t, v1::AwardHistory* out) {
  out->set_contracts(t.contracts);
  out->set_valued_contracts(t.valued);
  out->set_value(t.value);
  out->set_foreign_value(t.foreign);
  out->set_foreign_value_share(t.value > 0 ? t.foreign / t.value : 0);
  out->set_unknown_country_value(t.unknown);
  out->set_foreign_contract_share(
      t.contracts > 0 ? t.foreign_contracts / t.contracts : 0);
  out->set_winners(static_cast<int>(t.winners.size()));
  std::vector<std::tuple<double, double, std::string>> ranked;
  double hhi = 0;
  for (const auto& [id, w] : t.winners) {
    if (t.value > 0) {
      const double percent = 100.0 * w.value / t.value;
      hhi += percent * percent;
    }
    ranked.emplace_back(-w.value, -w.contracts, id);
  }
  std::sort(ranked.begin(), ranked.end());
  double top4 = 0;
  for (int i = 0; i < kTopWinners && i < static_cast<int>(ranked.size()); ++i) {
    const std::string& id = std::get<2>(ranked[i]);
    const WinnerTotal& w = t.winners.at(id);
    if (t.value > 0) top4 += w.value / t.value;
    v1::WinnerShare* s = out->add_top_winners();
    s->set_supplier_id(id);
    s->set_contracts(w.contracts);
    s->set_name(w.name);
    s->set_country(w.country);
    s->set_value(w.value);
    s->set_share(t.value > 0 ? w.value / t.value : 0);
  }
  if (t.value > 0) {
    out->set_hhi(hhi);
    out->set_concentration_band(ConcentrationBand(hhi));
    out->set_top4_share(top4);
  }
  for (const auto& [year, y] : t.years) {
    v1::YearTrend* trend = out->add_by_year();
    trend->set_year(year);
    trend->set_contracts(y.contracts);
    trend->set_value(y.value);
    trend->set_foreign_value_share(y.value > 0 ? y.foreign / y.value : 0);
    trend->set_foreign_contracts(y.foreign_contracts);
  }
}

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
    out->add_supplier_ids(doc->profile->id());
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
  FillAwardHistory(awards, out->mutable_award_history());
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
  report.set_award_records(CountRecords(ctx, tenders));
  const std::vector<AwardTotals> awards =
      brute_force ? AwardsPerArea(ctx, tenders) : AwardsInOnePass(ctx, tenders);
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
