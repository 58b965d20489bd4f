#include "procmatch/internal/coverage_awards.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "procmatch/dates.h"
#include "procmatch/track_record.h"

namespace procmatch {
namespace internal {
namespace {

constexpr int kTopWinners = 4;

bool InPeriod(const CoverageContext& ctx, const AwardRecord& r) {
  if (!ctx.has_start && !ctx.has_end) return true;
  if (!r.has_date) return false;
  return (!ctx.has_start || r.date >= ctx.start) &&
         (!ctx.has_end || r.date <= ctx.end);
}

bool BuyerInScope(const CoverageContext& ctx, absl::string_view buyer_country) {
  return ctx.request->country().empty() ||
         buyer_country == ctx.request->country();
}

void ParseInto(const CoverageContext& ctx, const std::string& code,
               std::vector<CpvCode>* out) {
  absl::StatusOr<CpvCode> c = ctx.cpv->Parse(code);
  if (c.ok()) out->push_back(*c);
}

// Hands every award record in scope and period to `take`, always in the
// same order: the tenders' awards, then the profiles' past contracts.
void ForEachAwardRecord(const CoverageContext& ctx,
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
      r.cpv = tender_codes;
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
      ar.cpv = codes;
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
      std::vector<std::string> ids;  // Reserved: the views stay valid.
      ids.reserve(a.winners_size());
      for (const v1::Awardee& w : a.winners()) {
        auto known = ctx.supplier_of_name.find(NameKey(w.country(), w.name()));
        ids.push_back(known != ctx.supplier_of_name.end()
                          ? known->second
                          : TrackRecordSupplierId(w));
        if (ids.back().empty()) ids.back() = absl::StrCat("?", w.name());
        ar.winners.push_back({ids.back(), w.name(), w.country()});
      }
      if (ar.winners.empty()) ar.winners.push_back({"?", "", ""});
      take(ar);
    }
  }
  // One record for all past contracts: its winner list is reused, not
  // allocated a million times.
  AwardRecord r;
  for (int d = 0; d < ctx.data->size(); ++d) {
    const SupplierDoc& doc = ctx.data->doc(d);
    for (const internal::ContractRecord& c : doc.contracts) {
      if (!BuyerInScope(ctx, c.buyer_country())) continue;
      if (!c.source_notice_id().empty() &&
          ctx.notice_ids.contains(c.source_notice_id())) {
        continue;
      }
      codes.assign(c.cpv().begin(), c.cpv().end());  // Decoded from BCD.
      r.cpv = codes;
      r.buyer_country = c.buyer_country();
      r.has_date = c.has_date();
      r.date = c.date();
      if (!InPeriod(ctx, r)) continue;
      // Valued as an award is: an amount above 0 in the request's currency
      // (the record keeps only those).
      r.valued = c.value() > 0 && c.value_currency() == ctx.currency;
      r.value = r.valued ? c.value() : 0;
      r.winners.clear();
      r.winners.push_back(
          {doc.parts.id(), doc.parts.name(), doc.country.view()});
      take(r);
    }
  }
}

}  // namespace

std::string NameKey(absl::string_view country, absl::string_view name) {
  return absl::StrCat(country, "|", CompanyNameKey(name, "", country));
}

void AwardTotals::Add(const CoverageContext& ctx, const AwardRecord& r) {
  ++demand;
  if (r.winners.empty()) return;  // A tender without award: demand only.
  ++contracts;
  const absl::string_view home =
      ctx.request->country().empty() ? r.buyer_country : ctx.request->country();
  const double share = r.value / static_cast<double>(r.winners.size());
  double foreign_here = 0;
  double foreign_part = 0;  // Of this contract, by number.
  for (const Winner& w : r.winners) {
    auto it = winners.find(w.id);
    if (it == winners.end()) {
      it = winners.emplace(std::string(w.id), WinnerTotal()).first;
      it->second.name = std::string(w.name);
      it->second.country = std::string(w.country);
    }
    WinnerTotal& total = it->second;
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

std::vector<AwardTotals> AwardsInOnePass(const CoverageContext& ctx,
                                         const std::vector<v1::Tender>& tenders,
                                         int* records) {
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
  *records = 0;
  ForEachAwardRecord(ctx, tenders, [&](const AwardRecord& r) {
    ++*records;
    hit.clear();
    for (CpvCode c : r.cpv) {
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

std::vector<AwardTotals> AwardsPerArea(const CoverageContext& ctx,
                                       const std::vector<v1::Tender>& tenders) {
  std::vector<AwardTotals> totals(ctx.areas.size());
  for (size_t a = 0; a < ctx.areas.size(); ++a) {
    ForEachAwardRecord(ctx, tenders, [&](const AwardRecord& r) {
      for (CpvCode c : r.cpv) {
        if (UnderArea(ctx.areas[a], c)) {
          totals[a].Add(ctx, r);
          return;
        }
      }
    });
  }
  return totals;
}

int CountAwardRecords(const CoverageContext& ctx,
                      const std::vector<v1::Tender>& tenders) {
  int n = 0;
  ForEachAwardRecord(ctx, tenders, [&](const AwardRecord&) { ++n; });
  return n;
}

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
  for (const auto& [id, w] : t.winners) {
    ranked.emplace_back(-w.value, -w.contracts, id);
  }
  // Summed in rank order, so that the hash map's order never shows.
  std::sort(ranked.begin(), ranked.end());
  double hhi = 0;
  for (const auto& entry : ranked) {
    if (t.value > 0) {
      const double percent = 100.0 * -std::get<0>(entry) / t.value;
      hhi += percent * percent;
    }
  }
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

}  // namespace internal
}  // namespace procmatch
