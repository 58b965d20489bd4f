#include "benchmarks/corpus_generator.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "procmatch/cpv.h"
#include "procmatch/dates.h"
#include "procmatch/nuts.h"
#include "procmatch/record_io.h"
#include "procmatch/ted_importer.h"

namespace procmatch {
namespace {

// The first `words` words of `text`.
std::string Cut(const std::string& text, int words) {
  std::vector<absl::string_view> w =
      absl::StrSplit(text, ' ', absl::SkipEmpty());
  if (static_cast<int>(w.size()) > words) w.resize(words);
  return absl::StrJoin(w, " ");
}

}  // namespace

absl::StatusOr<CorpusGenerator> CorpusGenerator::FromData(
    const std::string& notices_jsonl, const std::string& nuts_tsv) {
  absl::StatusOr<std::string> notices = ReadFileOrStdin(notices_jsonl);
  if (!notices.ok()) return notices.status();
  absl::StatusOr<std::string> nuts = ReadFileOrStdin(nuts_tsv);
  if (!nuts.ok()) return nuts.status();
  CorpusGenerator g;
  int line = 0;
  for (absl::string_view l : absl::StrSplit(*notices, '\n')) {
    ++line;
    if (l.empty()) continue;
    auto n = ImportTedReducedJson(absl::StrCat(notices_jsonl, ":", line), l);
    if (!n.ok()) continue;
    v1::Tender t = std::move(n->tender);
    std::vector<std::string> codes;
    if (!t.main_cpv().empty()) codes.push_back(t.main_cpv());
    codes.insert(codes.end(), t.additional_cpv().begin(),
                 t.additional_cpv().end());
    for (const v1::Lot& lot : t.lots()) {
      if (!lot.main_cpv().empty()) codes.push_back(lot.main_cpv());
    }
    g.codes_.insert(g.codes_.end(), codes.begin(), codes.end());
    for (const std::string& text : {t.title(), t.description()}) {
      if (text.size() > 20 && !codes.empty()) {
        g.snippets_.push_back({Cut(text, 40), t.language(), codes});
      }
    }
    t.clear_awards();
    if (codes.empty() && t.title().empty()) continue;
    v1::MatchRequest r;
    r.set_request_id(t.id());
    r.mutable_options()->set_top_k(10);
    if (t.has_published()) {
      *r.mutable_options()->mutable_as_of() = ToDate(UtcDay(t.published()));
    }
    *r.mutable_tender() = std::move(t);
    g.requests_.push_back(std::move(r));
  }
  line = 0;
  for (absl::string_view l : absl::StrSplit(*nuts, '\n')) {
    if (++line == 1 || l.size() < 5) continue;
    const std::string code(l.substr(0, 5));
    if (code.substr(2) != "ZZZ") g.nuts3_.push_back(code);
  }
  if (g.codes_.empty() || g.snippets_.empty() || g.nuts3_.empty()) {
    return absl::FailedPreconditionError("no usable notices or NUTS codes");
  }
  return g;
}

std::vector<v1::SupplierProfile> CorpusGenerator::Suppliers(
    int n, uint32_t seed) const {
  std::mt19937_64 rng(seed);
  auto pick = [&](size_t size) {
    return std::uniform_int_distribution<size_t>(0, size - 1)(rng);
  };
  auto chance = [&](double p) { return std::bernoulli_distribution(p)(rng); };
  const CpvTaxonomy& cpv = CpvTaxonomy::Builtin();
  static const char* const kSchemes[] = {"ISO 9001", "AQAP-2110", "AQAP 2310",
                                         "EN 9100", "ISO/IEC 27001"};
  static const v1::EntityType kTypes[] = {v1::ENTITY_TYPE_SME,
                                          v1::ENTITY_TYPE_SME,
                                          v1::ENTITY_TYPE_SME,
                                          v1::ENTITY_TYPE_MICRO_ENTERPRISE,
                                          v1::ENTITY_TYPE_MID_CAP,
                                          v1::ENTITY_TYPE_LARGE_ENTERPRISE,
                                          v1::ENTITY_TYPE_RESEARCH_ORGANISATION,
                                          v1::ENTITY_TYPE_UNIVERSITY};
  std::lognormal_distribution<double> staff(3.5, 1.4);
  std::vector<v1::SupplierProfile> out;
  out.reserve(n);
  for (int i = 0; i < n; ++i) {
    v1::SupplierProfile s;
    s.set_id(absl::StrFormat("G%07d", i));
    const std::string& nuts = nuts3_[pick(nuts3_.size())];
    s.set_country(IsoCountryOfNuts(nuts.substr(0, 2)));
    s.set_executive_management_country(s.country());
    s.set_nuts_code(nuts);
    s.set_third_country_control(chance(0.95)
                                    ? v1::THIRD_COUNTRY_CONTROL_NOT_CONTROLLED
                                    : v1::THIRD_COUNTRY_CONTROL_CONTROLLED);
    s.set_entity_type(kTypes[pick(8)]);
    const int employees = std::max(1, static_cast<int>(staff(rng)));
    s.set_employees(employees);
    v1::AnnualTurnover* t = s.add_turnover();
    t->set_year(2025);
    t->mutable_amount()->set_amount(employees * 150000.0);
    t->mutable_amount()->set_currency("EUR");
    // Capabilities from real notice texts, with their codes.
    const int caps = 1 + static_cast<int>(pick(3));
    for (int k = 0; k < caps; ++k) {
      const Snippet& sn = snippets_[pick(snippets_.size())];
      v1::Capability* c = s.add_capabilities();
      c->set_description(sn.text);
      c->set_language(sn.language);
      c->add_cpv_codes(sn.cpv[pick(sn.cpv.size())]);
      c->set_technology_readiness(1 + static_cast<int>(pick(9)));
    }
    const int codes = 1 + static_cast<int>(pick(4));
    for (int k = 0; k < codes; ++k) {
      const std::string& code = codes_[pick(codes_.size())];
      s.add_cpv_codes(code);
      if (k == 0) {
        absl::StatusOr<CpvCode> c = cpv.Parse(code);
        if (c.ok()) {
          s.set_description(std::string(cpv.Label(*c)));
          s.set_description_language("en");
        }
      }
    }
    s.set_name(
        absl::StrCat(Cut(snippets_[pick(snippets_.size())].text, 2), " ", i));
    if (chance(0.4)) {
      v1::Certification* c = s.add_certifications();
      c->set_scheme(kSchemes[pick(5)]);
      c->mutable_valid_until()->set_year(2025 + static_cast<int>(pick(4)));
      c->mutable_valid_until()->set_month(1 + static_cast<int>(pick(12)));
      c->mutable_valid_until()->set_day(1 + static_cast<int>(pick(28)));
    }
    if (chance(0.25)) {
      v1::FacilityClearance* f = s.add_facility_clearances();
      f->set_level(static_cast<v1::ClearanceLevel>(1 + pick(4)));
      v1::ClearedStaff* cs = s.add_cleared_staff();
      cs->set_level(f->level());
      cs->set_count(1 + static_cast<int>(pick(30)));
    }
    const int contracts = static_cast<int>(pick(5));
    for (int k = 0; k < contracts; ++k) {
      const Snippet& sn = snippets_[pick(snippets_.size())];
      v1::PastContract* pc = s.add_past_contracts();
      pc->set_title(Cut(sn.text, 12));
      pc->set_language(sn.language);
      pc->add_cpv_codes(sn.cpv[0]);
      pc->set_buyer_country(s.country());
      pc->mutable_award_date()->set_year(2016 + static_cast<int>(pick(10)));
      pc->mutable_award_date()->set_month(1 + static_cast<int>(pick(12)));
      pc->mutable_award_date()->set_day(1 + static_cast<int>(pick(28)));
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace procmatch
