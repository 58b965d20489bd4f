#include "tests/random_corpus.h"

#include <random>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "procmatch/cpv.h"

namespace procmatch {
namespace testing {
namespace {

const std::vector<std::string>& CodePool() {
  static const auto* pool = [] {
    auto* codes = new std::vector<std::string>;
    const CpvTaxonomy& cpv = CpvTaxonomy::Builtin();
    for (int i = 0; i < cpv.size(); ++i) {
      const std::string c = cpv.CodeAt(i).ToString();
      for (const char* prefix :
           {"35", "34", "72", "73", "50", "32", "38", "48"}) {
        if (c.compare(0, 2, prefix) == 0 && i % 3 == 0) codes->push_back(c);
      }
    }
    return codes;
  }();
  return *pool;
}

const char* const kWords[] = {
    "drone",     "onbemand",      "luchtvaartuig", "système",
    "radar",     "sensor",        "surveillance",  "munition",
    "Munition",  "onderhoud",     "maintenance",   "logiciel",
    "software",  "communication", "satellite",     "véhicule",
    "voertuig",  "Fahrzeug",      "blindé",        "pantser",
    "cyber",     "sécurité",      "beveiliging",   "Sicherheit",
    "formation", "opleiding",     "research",      "onderzoek",
    "recherche", "naval",         "marine",        "schip",
    "navire",    "optronique",    "thermique",     "AQAP-2110",
    "5.56",      "mine",          "autonome",      "swarm"};
const char* const kLanguages[] = {"fr", "nl", "de", "en"};
const char* const kTags[] = {"uav",   "isr", "c4isr",      "cyber",
                             "naval", "mro", "ammunition", "training"};
const char* const kSchemes[] = {"AQAP-2110", "AQAP 2310", "ISO 9001", "EN 9100",
                                "ISO/IEC 27001"};
const char* const kNuts[] = {"BE100", "BE211", "BE213", "BE234", "BE241",
                             "BE310", "BE323", "BE332", "BE352", "BE2",
                             "BE33",  "FR101", "NL",    "DE212"};

class Draw {
 public:
  explicit Draw(uint32_t seed) : rng_(seed) {}
  int Int(int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng_);
  }
  bool Chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  template <typename T, size_t N>
  const T& Pick(const T (&a)[N]) {
    return a[Int(0, N - 1)];
  }
  const std::string& Code() {
    return CodePool()[Int(0, CodePool().size() - 1)];
  }
  std::string Text(int words) {
    std::string s;
    for (int i = 0; i < words; ++i) {
      absl::StrAppend(&s, i ? " " : "", Pick(kWords));
    }
    return s;
  }
  v1::Date Day(int year_lo, int year_hi) {
    v1::Date d;
    d.set_year(Int(year_lo, year_hi));
    d.set_month(Int(1, 12));
    d.set_day(Int(1, 28));
    return d;
  }

 private:
  std::mt19937 rng_;
};

std::string CountryOf(const std::string& nuts) { return nuts.substr(0, 2); }

v1::Requirement RandomRequirement(Draw& r, int id, bool has_value) {
  v1::Requirement q;
  q.set_id(absl::StrCat("R", id));
  const bool mandatory = r.Chance(0.4);
  q.set_importance(mandatory ? v1::IMPORTANCE_MANDATORY
                             : v1::IMPORTANCE_DESIRABLE);
  if (!mandatory) q.set_weight(r.Int(1, 3));
  switch (r.Int(0, 10)) {
    case 0:
      q.mutable_cpv_experience()->add_cpv_codes(r.Code().substr(0, 2) +
                                                "000000");
      q.mutable_cpv_experience()->set_within_years(r.Int(0, 6));
      break;
    case 1:
      q.mutable_certification()->set_scheme(r.Pick(kSchemes));
      break;
    case 2:
      q.mutable_clearance()->set_min_level(
          static_cast<v1::ClearanceLevel>(r.Int(1, 3)));
      q.mutable_clearance()->set_min_cleared_staff(r.Int(0, 5));
      break;
    case 3:
      if (has_value && r.Chance(0.5)) {
        q.mutable_turnover()->set_lot_value_multiple(0.5 + r.Int(0, 4) * 0.5);
      } else {
        q.mutable_turnover()->mutable_absolute()->set_amount(r.Int(1, 50) *
                                                             1e5);
        q.mutable_turnover()->mutable_absolute()->set_currency("EUR");
      }
      break;
    case 4:
      q.mutable_staff()->set_min_employees(r.Int(1, 200));
      break;
    case 5:
      q.mutable_technology_readiness()->set_min_level(r.Int(1, 9));
      break;
    case 6:
      q.mutable_establishment()->add_allowed_countries("BE");
      q.mutable_establishment()->add_allowed_countries("FR");
      q.mutable_establishment()->add_allowed_countries("NL");
      q.mutable_establishment()->set_no_third_country_control(r.Chance(0.5));
      q.mutable_establishment()->set_accept_guarantees(r.Chance(0.5));
      break;
    case 7:
      q.mutable_entity_type()->add_allowed(v1::ENTITY_TYPE_SME);
      q.mutable_entity_type()->add_allowed(
          static_cast<v1::EntityType>(r.Int(1, 7)));
      break;
    case 8:
      q.mutable_language()->add_any_of(r.Pick(kLanguages));
      break;
    case 9:
      q.mutable_keyword()->set_pattern(r.Chance(0.5) ? "drone|radar|onbemand"
                                                     : "s[eé]curit|beveilig");
      break;
    default:
      q.mutable_proximity()->set_level(r.Int(0, 2));
      break;
  }
  return q;
}

}  // namespace

std::vector<v1::SupplierProfile> RandomSuppliers(int n, uint32_t seed) {
  Draw r(seed);
  std::vector<v1::SupplierProfile> out;
  out.reserve(n);
  for (int i = 0; i < n; ++i) {
    v1::SupplierProfile s;
    s.set_id(absl::StrFormat("S%06d", i));
    s.set_name(absl::StrCat(r.Pick(kWords), " ", r.Pick(kWords), " ", i));
    s.set_entity_type(static_cast<v1::EntityType>(r.Int(0, 7)));
    const std::string nuts = r.Pick(kNuts);
    s.set_country(CountryOf(nuts));
    if (r.Chance(0.9)) s.set_executive_management_country(s.country());
    s.set_third_country_control(
        static_cast<v1::ThirdCountryControl>(r.Int(0, 3)));
    if (r.Chance(0.9)) s.set_nuts_code(nuts);
    const int langs = r.Int(0, 3);
    for (int k = 0; k < langs; ++k) s.add_languages(kLanguages[(i + k) % 4]);
    s.set_employees(r.Chance(0.8) ? r.Int(1, 3000) : 0);
    if (r.Chance(0.8)) {
      v1::AnnualTurnover* t = s.add_turnover();
      t->set_year(2025);
      t->mutable_amount()->set_amount(r.Int(1, 5000) * 1e4);
      t->mutable_amount()->set_currency(r.Chance(0.95) ? "EUR" : "SEK");
    }
    const int codes = r.Int(0, 4);
    for (int k = 0; k < codes; ++k) s.add_cpv_codes(r.Code());
    const int caps = r.Int(0, 3);
    for (int k = 0; k < caps; ++k) {
      v1::Capability* c = s.add_capabilities();
      c->set_language(r.Pick(kLanguages));
      c->set_description(r.Text(r.Int(2, 12)));
      if (r.Chance(0.7)) c->add_cpv_codes(r.Code());
      if (r.Chance(0.5)) c->add_tags(r.Pick(kTags));
      c->set_technology_readiness(r.Int(0, 9));
    }
    const int certs = r.Int(0, 2);
    for (int k = 0; k < certs; ++k) {
      v1::Certification* c = s.add_certifications();
      c->set_scheme(r.Pick(kSchemes));
      if (r.Chance(0.8)) *c->mutable_valid_until() = r.Day(2024, 2029);
    }
    if (r.Chance(0.5)) {
      v1::FacilityClearance* fc = s.add_facility_clearances();
      fc->set_level(static_cast<v1::ClearanceLevel>(r.Int(1, 4)));
      if (r.Chance(0.8)) *fc->mutable_valid_until() = r.Day(2024, 2029);
      v1::ClearedStaff* cs = s.add_cleared_staff();
      cs->set_level(fc->level());
      cs->set_count(r.Int(0, 40));
    }
    const int contracts = r.Int(0, 4);
    for (int k = 0; k < contracts; ++k) {
      v1::PastContract* c = s.add_past_contracts();
      c->set_buyer_name(r.Chance(0.5) ? "Défense" : "Defensie");
      c->set_buyer_country(r.Chance(0.7) ? "BE" : "FR");
      c->set_title(r.Text(r.Int(2, 6)));
      c->set_language(r.Pick(kLanguages));
      c->add_cpv_codes(r.Code());
      if (r.Chance(0.8)) *c->mutable_award_date() = r.Day(2015, 2026);
    }
    if (r.Chance(0.5)) s.set_description(r.Text(r.Int(3, 15)));
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<v1::MatchRequest> RandomRequests(int n, uint32_t seed) {
  Draw r(seed);
  std::vector<v1::MatchRequest> out;
  for (int i = 0; i < n; ++i) {
    v1::MatchRequest q;
    q.set_request_id(absl::StrCat("q", i));
    v1::Tender* t = q.mutable_tender();
    t->set_id(absl::StrCat("T", i));
    t->set_title(r.Text(r.Int(1, 6)));
    if (r.Chance(0.7)) t->set_description(r.Text(r.Int(0, 20)));
    t->set_language(r.Pick(kLanguages));
    t->mutable_buyer()->set_name(r.Chance(0.5) ? "Défense" : "Defensie");
    t->mutable_buyer()->set_country("BE");
    if (r.Chance(0.9)) t->set_main_cpv(r.Code());
    const int extra = r.Int(0, 3);
    for (int k = 0; k < extra; ++k) t->add_additional_cpv(r.Code());
    const bool has_value = r.Chance(0.7);
    if (has_value) {
      t->mutable_estimated_value()->set_amount(r.Int(1, 200) * 1e5);
      t->mutable_estimated_value()->set_currency("EUR");
    }
    if (r.Chance(0.7)) t->add_nuts_codes(r.Pick(kNuts));
    int req_id = 0;
    const int reqs = r.Int(0, 4);
    for (int k = 0; k < reqs; ++k) {
      *t->add_requirements() = RandomRequirement(r, ++req_id, has_value);
    }
    const int lots = r.Chance(0.3) ? r.Int(1, 3) : 0;
    for (int l = 0; l < lots; ++l) {
      v1::Lot* lot = t->add_lots();
      lot->set_id(absl::StrCat(l + 1));
      lot->set_title(r.Text(2));
      lot->set_main_cpv(r.Code());
      if (r.Chance(0.5)) lot->add_nuts_codes(r.Pick(kNuts));
      if (r.Chance(0.5)) {
        *lot->add_requirements() = RandomRequirement(r, ++req_id, has_value);
      }
    }
    if (lots > 0 && r.Chance(0.5)) q.set_lot_id(absl::StrCat(r.Int(1, lots)));
    v1::MatchOptions* o = q.mutable_options();
    o->set_top_k(r.Int(1, 30));
    o->mutable_as_of()->set_year(2026);
    o->mutable_as_of()->set_month(6);
    o->mutable_as_of()->set_day(1);
    if (r.Chance(0.3)) o->add_wanted_tags(r.Pick(kTags));
    if (r.Chance(0.2)) o->set_include_excluded(true);
    if (r.Chance(0.3)) o->mutable_weights()->set_text(r.Int(0, 10) / 10.0);
    if (r.Chance(0.2)) o->mutable_weights()->set_cpv(0);
    out.push_back(std::move(q));
  }
  return out;
}

}  // namespace testing
}  // namespace procmatch
