#include "procmatch/validation.h"

#include <algorithm>
#include <bitset>
#include <cmath>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "procmatch/dates.h"
#include "procmatch/identifiers.h"
#include "procmatch/internal/field_checker.h"
#include "procmatch/iso_codes.h"
#include "procmatch/text_analyzer.h"
#include "procmatch/utf8.h"

namespace procmatch {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

using internal::CheckConsortiumRules;
using internal::Checker;
using internal::FieldPath;
using internal::Quoted;

std::string SupplierRecord(const v1::SupplierProfile& s,
                           const Options& options) {
  return Quoted("supplier", s.id(), options);
}

// The fields of supplier `s`, named under `p` ("" or "upserts[3]."). The
// field names are FieldPaths: a valid profile, nearly every one a build or a
// load checks, builds none (issue 16). The codes that parse are written
// into `parsed` unless it is null (ValidateParsedSupplier).
void CheckSupplierFields(Checker& c, const v1::SupplierProfile& s,
                         absl::string_view prefix,
                         internal::ParsedSupplierCodes* parsed = nullptr) {
  std::vector<CpvCode>* const cpv_codes =
      parsed == nullptr ? nullptr : &parsed->cpv;
  const FieldPath p = FieldPath::Prefix(prefix);
  c.Id(p.Member("id"), s.id());
  if (absl::StripAsciiWhitespace(s.name()).empty()) {
    c.Add(p.Member("name"), "is empty");
  }
  const v1::SupplierIdentifiers& ids = s.identifiers();
  const FieldPath identifiers = p.Member("identifiers");
  c.Identifier(identifiers.Member("kbo"), ids.kbo(), &CheckKbo);
  c.Identifier(identifiers.Member("vat"), ids.vat(), &CheckVat);
  c.Identifier(identifiers.Member("lei"), ids.lei(), &CheckLei);
  c.Identifier(identifiers.Member("ncage"), ids.ncage(), &CheckNcage);
  c.Identifier(identifiers.Member("pic"), ids.pic(), &CheckPic);
  c.Country(p.Member("country"), s.country());
  c.Country(p.Member("executive_management_country"),
            s.executive_management_country());
  if (!s.nuts_code().empty()) {
    const FieldPath nuts = p.Member("nuts_code");
    c.Nuts(nuts, s.nuts_code(), parsed == nullptr ? nullptr : &parsed->nuts);
    if (!s.country().empty() && s.nuts_code().size() >= 2 &&
        IsoCountryOfNuts(s.nuts_code().substr(0, 2)) != s.country()) {
      c.Add(nuts, absl::StrCat("region \"", s.nuts_code(),
                               "\" is not in the country of establishment \"",
                               s.country(), "\""));
    }
  }
  for (int i = 0; i < s.languages_size(); ++i) {
    c.Language(p.Member("languages", i), s.languages(i));
  }
  if (s.employees() < 0) {
    c.Add(p.Member("employees"), absl::StrCat(s.employees(), " is negative"));
  }
  // The years 1900-2200 seen so far.
  std::bitset<2200 - 1900 + 1> years;
  for (int i = 0; i < s.turnover_size(); ++i) {
    const FieldPath f = p.Member("turnover", i);
    c.Money(f.Member("amount"), s.turnover(i).amount());
    const int year = s.turnover(i).year();
    if (year < 1900 || year > 2200) {
      c.Add(f.Member("year"),
            absl::StrCat(year, " is not a year in 1900-2200"));
    } else if (years.test(year - 1900)) {
      c.Add(f.Member("year"),
            absl::StrCat("turnover for ", year, " given twice"));
    } else {
      years.set(year - 1900);
    }
  }
  c.CpvList(p.Member("cpv_codes"), s.cpv_codes(), cpv_codes);
  for (int i = 0; i < s.capabilities_size(); ++i) {
    const v1::Capability& cap = s.capabilities(i);
    const FieldPath f = p.Member("capabilities", i);
    c.Language(f.Member("language"), cap.language());
    c.CpvList(f.Member("cpv_codes"), cap.cpv_codes(), cpv_codes);
    if (cap.technology_readiness() < 0 || cap.technology_readiness() > 9) {
      c.Add(f.Member("technology_readiness"),
            absl::StrCat("TRL ", cap.technology_readiness(),
                         " is outside 1-9 (0 = not stated)"));
    }
  }
  for (int i = 0; i < s.certifications_size(); ++i) {
    const v1::Certification& cert = s.certifications(i);
    const FieldPath f = p.Member("certifications", i);
    if (absl::StripAsciiWhitespace(cert.scheme()).empty()) {
      c.Add(f.Member("scheme"), "is empty");
    }
    if (cert.has_valid_until()) {
      c.Date(f.Member("valid_until"), cert.valid_until());
    }
  }
  for (int i = 0; i < s.facility_clearances_size(); ++i) {
    const v1::FacilityClearance& fc = s.facility_clearances(i);
    const FieldPath f = p.Member("facility_clearances", i);
    if (fc.level() == v1::CLEARANCE_LEVEL_UNSPECIFIED) {
      c.Add(f.Member("level"), "is not set");
    }
    if (fc.has_valid_until()) c.Date(f.Member("valid_until"), fc.valid_until());
  }
  for (int i = 0; i < s.cleared_staff_size(); ++i) {
    const FieldPath f = p.Member("cleared_staff", i);
    if (s.cleared_staff(i).level() == v1::CLEARANCE_LEVEL_UNSPECIFIED) {
      c.Add(f.Member("level"), "is not set");
    }
    if (s.cleared_staff(i).count() < 0) {
      c.Add(f.Member("count"),
            absl::StrCat(s.cleared_staff(i).count(), " is negative"));
    }
  }
  for (int i = 0; i < s.past_contracts_size(); ++i) {
    const v1::PastContract& pc = s.past_contracts(i);
    const FieldPath f = p.Member("past_contracts", i);
    c.Country(f.Member("buyer_country"), pc.buyer_country());
    c.Language(f.Member("language"), pc.language());
    c.CpvList(f.Member("cpv_codes"), pc.cpv_codes(), cpv_codes);
    if (pc.has_value()) c.Money(f.Member("value"), pc.value());
    if (pc.has_award_date()) c.Date(f.Member("award_date"), pc.award_date());
  }
  c.Language(p.Member("description_language"), s.description_language());
  const v1::Ownership& o = s.ownership();
  const FieldPath ownership = p.Member("ownership");
  if (!o.parent_id().empty() && o.parent_id() == s.id()) {
    c.Add(ownership.Member("parent_id"), "is the supplier itself");
  }
  c.Country(ownership.Member("ultimate_controller_country"),
            o.ultimate_controller_country());
  if (o.guarantees_given() &&
      s.third_country_control() !=
          v1::THIRD_COUNTRY_CONTROL_CONTROLLED_WITH_GUARANTEES) {
    c.Add(ownership.Member("guarantees_given"),
          "is set but third_country_control is not "
          "THIRD_COUNTRY_CONTROL_CONTROLLED_WITH_GUARANTEES");
  }
}

}  // namespace

namespace internal {

void CheckRequirement(Checker& c, const v1::Requirement& r,
                      const std::string& f, bool has_value) {
  c.Id(f + ".id", r.id());
  if (r.importance() == v1::IMPORTANCE_UNSPECIFIED) {
    c.Add(f + ".importance", "must be MANDATORY or DESIRABLE");
  }
  if (!std::isfinite(r.weight()) || r.weight() < 0) {
    c.Add(f + ".weight", absl::StrCat(r.weight(), " is not a weight >= 0"));
  } else if (r.weight() > 0 && r.importance() == v1::IMPORTANCE_MANDATORY) {
    c.Add(f + ".weight", "a mandatory requirement has no weight");
  }
  switch (r.condition_case()) {
    case v1::Requirement::CONDITION_NOT_SET:
      c.Add(f, "has no condition");
      break;
    case v1::Requirement::kCpvExperience: {
      const auto& x = r.cpv_experience();
      if (x.cpv_codes_size() == 0) {
        c.Add(f + ".cpv_experience.cpv_codes", "is empty");
      }
      c.CpvList(f + ".cpv_experience.cpv_codes", x.cpv_codes());
      if (x.min_contracts() < 0) {
        c.Add(f + ".cpv_experience.min_contracts", "is negative");
      }
      if (x.within_years() < 0) {
        c.Add(f + ".cpv_experience.within_years", "is negative");
      }
      break;
    }
    case v1::Requirement::kCertification:
      if (absl::StripAsciiWhitespace(r.certification().scheme()).empty()) {
        c.Add(f + ".certification.scheme", "is empty");
      }
      break;
    case v1::Requirement::kClearance:
      if (r.clearance().min_level() == v1::CLEARANCE_LEVEL_UNSPECIFIED) {
        c.Add(f + ".clearance.min_level", "is not set");
      }
      if (r.clearance().min_cleared_staff() < 0) {
        c.Add(f + ".clearance.min_cleared_staff", "is negative");
      }
      break;
    case v1::Requirement::kTurnover: {
      const auto& t = r.turnover();
      switch (t.threshold_case()) {
        case v1::TurnoverRequirement::kAbsolute:
          c.Money(f + ".turnover.absolute", t.absolute());
          break;
        case v1::TurnoverRequirement::kLotValueMultiple:
          if (!std::isfinite(t.lot_value_multiple()) ||
              t.lot_value_multiple() <= 0) {
            c.Add(f + ".turnover.lot_value_multiple",
                  absl::StrCat(t.lot_value_multiple(), " is not > 0"));
          } else if (!has_value) {
            c.Add(f + ".turnover.lot_value_multiple",
                  "needs an estimated value on the lot or the tender");
          }
          break;
        case v1::TurnoverRequirement::THRESHOLD_NOT_SET:
          c.Add(f + ".turnover",
                "sets neither absolute nor lot_value_multiple");
          break;
      }
      break;
    }
    case v1::Requirement::kStaff:
      if (r.staff().min_employees() <= 0) {
        c.Add(f + ".staff.min_employees",
              absl::StrCat(r.staff().min_employees(), " is not > 0"));
      }
      break;
    case v1::Requirement::kTechnologyReadiness: {
      const int level = r.technology_readiness().min_level();
      if (level < 1 || level > 9) {
        c.Add(f + ".technology_readiness.min_level",
              absl::StrCat("TRL ", level, " is outside 1-9"));
      }
      c.CpvList(f + ".technology_readiness.cpv_codes",
                r.technology_readiness().cpv_codes());
      break;
    }
    case v1::Requirement::kEstablishment: {
      const auto& e = r.establishment();
      for (int i = 0; i < e.allowed_countries_size(); ++i) {
        c.Country(absl::StrCat(f, ".establishment.allowed_countries[", i, "]"),
                  e.allowed_countries(i));
      }
      if (e.allowed_countries_size() == 0 && !e.no_third_country_control()) {
        c.Add(f + ".establishment",
              "sets neither allowed_countries nor no_third_country_control");
      }
      if (e.executive_management_in_allowed_country() &&
          e.allowed_countries_size() == 0) {
        c.Add(f + ".establishment.executive_management_in_allowed_country",
              "needs allowed_countries");
      }
      break;
    }
    case v1::Requirement::kEntityType:
      if (r.entity_type().allowed_size() == 0) {
        c.Add(f + ".entity_type.allowed", "is empty");
      }
      for (int i = 0; i < r.entity_type().allowed_size(); ++i) {
        if (r.entity_type().allowed(i) == v1::ENTITY_TYPE_UNSPECIFIED) {
          c.Add(absl::StrCat(f, ".entity_type.allowed[", i, "]"),
                "is ENTITY_TYPE_UNSPECIFIED");
        }
      }
      break;
    case v1::Requirement::kLanguage:
      if (r.language().any_of_size() == 0) {
        c.Add(f + ".language.any_of", "is empty");
      }
      for (int i = 0; i < r.language().any_of_size(); ++i) {
        c.Language(absl::StrCat(f, ".language.any_of[", i, "]"),
                   r.language().any_of(i));
      }
      break;
    case v1::Requirement::kKeyword:
      c.Pattern(f + ".keyword.pattern", r.keyword().pattern(),
                r.keyword().case_sensitive());
      break;
    case v1::Requirement::kProximity:
      if (!r.proximity().nuts_code().empty()) {
        c.Nuts(f + ".proximity.nuts_code", r.proximity().nuts_code());
      }
      if (r.proximity().level() < 0 || r.proximity().level() > 3) {
        c.Add(f + ".proximity.level",
              absl::StrCat(r.proximity().level(), " is outside 0-3"));
      }
      break;
  }
}

}  // namespace internal

namespace {

using internal::CheckRequirement;

void CheckTenderFields(Checker& c, const v1::Tender& t, const std::string& p) {
  c.Id(p + "id", t.id());
  if (absl::StripAsciiWhitespace(t.title()).empty() &&
      absl::StripAsciiWhitespace(t.description()).empty()) {
    c.Add(p + "title", "is empty, and so is the description");
  }
  c.Language(p + "language", t.language());
  c.Country(p + "buyer.country", t.buyer().country());
  if (!t.buyer().nuts_code().empty())
    c.Nuts(p + "buyer.nuts_code", t.buyer().nuts_code());
  if (t.has_published() && t.has_submission_deadline() &&
      t.submission_deadline().seconds() < t.published().seconds()) {
    c.Add(p + "submission_deadline", "is before the publication date");
  }
  if (t.has_estimated_value())
    c.Money(p + "estimated_value", t.estimated_value());
  for (int i = 0; i < t.nuts_codes_size(); ++i) {
    c.Nuts(absl::StrCat(p, "nuts_codes[", i, "]"), t.nuts_codes(i));
  }
  if (!t.main_cpv().empty()) c.Cpv(p + "main_cpv", t.main_cpv());
  c.CpvList(p + "additional_cpv", t.additional_cpv());

  absl::flat_hash_map<std::string, std::string> requirement_ids;
  auto check_requirements =
      [&](const google::protobuf::RepeatedPtrField<v1::Requirement>& reqs,
          const std::string& prefix, bool has_value) {
        for (int i = 0; i < reqs.size(); ++i) {
          const std::string f = absl::StrCat(prefix, "requirements[", i, "]");
          CheckRequirement(c, reqs[i], f, has_value);
          if (reqs[i].id().empty()) continue;
          auto [it, inserted] = requirement_ids.emplace(reqs[i].id(), f);
          if (!inserted) {
            c.Add(f + ".id",
                  absl::StrCat("duplicate requirement id \"", reqs[i].id(),
                               "\" (also ", it->second, ")"));
          }
        }
      };
  // A tender-level turnover multiple is evaluated per lot: every lot needs
  // a value, its own or the tender's.
  const bool every_lot_has_value =
      t.lots_size() > 0 &&
      std::all_of(t.lots().begin(), t.lots().end(),
                  [](const v1::Lot& lot) { return lot.has_estimated_value(); });
  check_requirements(t.requirements(), p,
                     t.has_estimated_value() || every_lot_has_value);

  absl::flat_hash_map<std::string, int> lot_ids;
  for (int i = 0; i < t.lots_size(); ++i) {
    const v1::Lot& lot = t.lots(i);
    const std::string f = absl::StrCat(p, "lots[", i, "]");
    c.Id(f + ".id", lot.id());
    if (!lot.id().empty()) {
      auto [it, inserted] = lot_ids.emplace(lot.id(), i);
      if (!inserted) {
        c.Add(f + ".id", absl::StrCat("duplicate lot id \"", lot.id(),
                                      "\" (also lots[", it->second, "])"));
      }
    }
    if (!lot.main_cpv().empty()) c.Cpv(f + ".main_cpv", lot.main_cpv());
    c.CpvList(f + ".additional_cpv", lot.additional_cpv());
    if (lot.has_estimated_value()) {
      c.Money(f + ".estimated_value", lot.estimated_value());
    }
    for (int j = 0; j < lot.nuts_codes_size(); ++j) {
      c.Nuts(absl::StrCat(f, ".nuts_codes[", j, "]"), lot.nuts_codes(j));
    }
    check_requirements(lot.requirements(), f + ".",
                       lot.has_estimated_value() || t.has_estimated_value());
  }

  for (int i = 0; i < t.awards_size(); ++i) {
    const v1::ContractAward& a = t.awards(i);
    const std::string f = absl::StrCat(p, "awards[", i, "]");
    if (!a.lot_id().empty() && !lot_ids.contains(a.lot_id()) &&
        t.lots_size() > 0) {
      c.Add(f + ".lot_id", absl::StrCat("no lot \"", a.lot_id(), "\""));
    }
    if (a.has_value()) c.Money(f + ".value", a.value());
    if (a.has_award_date()) c.Date(f + ".award_date", a.award_date());
    for (int j = 0; j < a.winners_size(); ++j) {
      const v1::Awardee& w = a.winners(j);
      const std::string g = absl::StrCat(f, ".winners[", j, "]");
      if (absl::StripAsciiWhitespace(w.name()).empty()) {
        c.Add(g + ".name", "is empty");
      }
      c.Country(g + ".country", w.country());
      if (!w.nuts_code().empty()) c.Nuts(g + ".nuts_code", w.nuts_code());
    }
  }

  CheckConsortiumRules(c, t.consortium_rules(), p + "consortium_rules.");
}

void CheckLotId(Checker& c, const v1::Tender& t, absl::string_view lot_id) {
  if (lot_id.empty()) return;
  for (const v1::Lot& lot : t.lots()) {
    if (lot.id() == lot_id) return;
  }
  c.Add("lot_id",
        absl::StrCat("tender \"", t.id(), "\" has no lot \"", lot_id, "\""));
}

}  // namespace

std::string ValidationProblem::ToString() const {
  if (field.empty()) return absl::StrCat(record, ": ", problem);
  return absl::StrCat(record, ": ", field, ": ", problem);
}

absl::Status ProblemsToStatus(const std::vector<ValidationProblem>& problems) {
  if (problems.empty()) return absl::OkStatus();
  std::string message = problems.front().ToString();
  if (problems.size() > 1) {
    absl::StrAppend(&message, " (and ", problems.size() - 1, " more problem",
                    problems.size() > 2 ? "s" : "", ")");
  }
  return absl::InvalidArgumentError(message);
}

Validator::Validator(const Options& options)
    : cpv_(&CpvOf(options)), nuts_(&NutsOf(options)), options_(options) {}

std::vector<ValidationProblem> Validator::CheckSupplier(
    const v1::SupplierProfile& s) const {
  std::vector<ValidationProblem> out;
  Checker c(*this, "supplier", s.id(), &out);
  c.Values(s, "");
  CheckSupplierFields(c, s, "");
  return out;
}

std::vector<ValidationProblem> Validator::CheckSupplierUpdate(
    const v1::SupplierUpdate& u) const {
  std::vector<ValidationProblem> out;
  Checker c(*this, "supplier update", &out);
  c.Values(u, "");
  absl::flat_hash_map<std::string, int> upserted;
  for (int i = 0; i < u.upserts_size(); ++i) {
    const std::string p = absl::StrCat("upserts[", i, "].");
    Checker sc(*this,
               absl::StrCat("supplier update: ",
                            SupplierRecord(u.upserts(i), options_)),
               &out);
    CheckSupplierFields(sc, u.upserts(i), p);
    if (u.upserts(i).id().empty()) continue;
    auto [it, inserted] = upserted.emplace(u.upserts(i).id(), i);
    if (!inserted) {
      c.Add(p + "id", absl::StrCat("supplier \"", u.upserts(i).id(),
                                   "\" is also upserts[", it->second, "]"));
    }
  }
  absl::flat_hash_set<std::string> removed;
  for (int i = 0; i < u.removed_ids_size(); ++i) {
    const std::string f = absl::StrCat("removed_ids[", i, "]");
    c.Id(f, u.removed_ids(i));
    if (upserted.contains(u.removed_ids(i))) {
      c.Add(f, absl::StrCat("supplier \"", u.removed_ids(i),
                            "\" is both upserted and removed"));
    }
    if (!u.removed_ids(i).empty() && !removed.insert(u.removed_ids(i)).second) {
      c.Add(f, absl::StrCat("supplier \"", u.removed_ids(i),
                            "\" is removed twice"));
    }
  }
  return out;
}

std::vector<ValidationProblem> Validator::CheckTender(
    const v1::Tender& t) const {
  std::vector<ValidationProblem> out;
  Checker c(*this, Quoted("tender", t.id(), options_), &out);
  c.Values(t, "");
  CheckTenderFields(c, t, "");
  return out;
}

std::vector<ValidationProblem> Validator::CheckMatchRequest(
    const v1::MatchRequest& r) const {
  std::vector<ValidationProblem> out;
  Checker c(*this, Quoted("match request", r.request_id(), options_), &out);
  c.Values(r, "");
  if (!r.has_tender()) {
    c.Add("tender", "is not set");
  } else {
    CheckTenderFields(c, r.tender(), "tender.");
    CheckLotId(c, r.tender(), r.lot_id());
  }
  const v1::MatchOptions& o = r.options();
  if (o.top_k() < 0 || o.top_k() > options_.max_top_k) {
    c.Add("options.top_k",
          absl::StrCat(o.top_k(), " is outside 0-", options_.max_top_k));
  }
  if (o.max_excluded() < 0) c.Add("options.max_excluded", "is negative");
  if (o.has_as_of()) c.Date("options.as_of", o.as_of());
  const google::protobuf::Message& w = o.weights();
  const google::protobuf::Reflection* wr = w.GetReflection();
  std::vector<const FieldDescriptor*> set;
  wr->ListFields(w, &set);
  for (const FieldDescriptor* f : set) {
    const double value = wr->GetDouble(w, f);
    if (!std::isfinite(value) || value < 0) {
      c.Add(absl::StrCat("options.weights.", f->name()),
            absl::StrCat(value, " is not a weight >= 0"));
    }
  }
  return out;
}

std::vector<ValidationProblem> Validator::CheckCoverageRequest(
    const v1::CoverageRequest& r) const {
  // The call codes of the European Defence Fund's 17 categories (2021 work
  // programme), e.g. EDF-2021-SENS.
  static const absl::flat_hash_set<std::string>* const kEdfCategories =
      new absl::flat_hash_set<std::string>{
          "MCBRN",  "INFOSUP", "SENS",  "CYBER", "SPACE",   "DIGIT",
          "ENERGY", "MATCOMP", "DIS",   "OPEN",  "GROUND",  "FPM",
          "AIR",    "AIRDEF",  "NAVAL", "UWW",   "SIMTRAIN"};
  std::vector<ValidationProblem> out;
  Checker c(*this, "coverage request", &out);
  c.Values(r, "");
  c.Country("country", r.country());
  if (r.min_qualified_suppliers() < 0) {
    c.Add("min_qualified_suppliers", "is negative");
  }
  if (r.has_as_of()) c.Date("as_of", r.as_of());
  for (int i = 0; i < r.nuts_regions_size(); ++i) {
    const std::string f = absl::StrCat("nuts_regions[", i, "]");
    absl::StatusOr<NutsCode> region = nuts_->Parse(r.nuts_regions(i));
    if (!region.ok()) {
      c.Add(f, std::string(region.status().message()));
    } else if (r.country().empty()) {
      c.Add(f, "needs a country");
    } else if (IsoCountryOfNuts(region->nuts_country()) != r.country()) {
      c.Add(f, absl::StrCat("\"", r.nuts_regions(i), "\" is not in ",
                            r.country()));
    }
  }
  if (r.nuts_level() != 0 && r.nuts_level() != 1 && r.nuts_level() != 2) {
    c.Add("nuts_level", absl::StrCat(r.nuts_level(), " is not 1 or 2"));
  }
  if (r.has_award_period()) {
    const v1::DatePeriod& p = r.award_period();
    if (p.has_start()) c.Date("award_period.start", p.start());
    if (p.has_end()) c.Date("award_period.end", p.end());
    if (p.has_start() && p.has_end() && CheckDate(p.start()).ok() &&
        CheckDate(p.end()).ok() &&
        ToCivilDay(p.end()) < ToCivilDay(p.start())) {
      c.Add("award_period.end", "is before award_period.start");
    }
  }
  if (!r.currency().empty() && !IsIsoCurrency(r.currency())) {
    c.Add("currency", absl::StrCat("\"", r.currency(),
                                   "\" is not an ISO 4217 currency code"));
  }
  if (r.areas_size() == 0) c.Add("areas", "is empty");
  absl::flat_hash_set<std::string> ids;
  for (int i = 0; i < r.areas_size(); ++i) {
    const v1::CapabilityArea& a = r.areas(i);
    const std::string f = absl::StrCat("areas[", i, "]");
    c.Id(f + ".id", a.id());
    if (!a.id().empty() && !ids.insert(a.id()).second) {
      c.Add(f + ".id", absl::StrCat("duplicate area id \"", a.id(), "\""));
    }
    if (a.cpv_codes_size() == 0 && a.tags_size() == 0 &&
        a.keywords_size() == 0) {
      c.Add(f, "has neither cpv_codes nor tags nor keywords");
    }
    c.CpvList(f + ".cpv_codes", a.cpv_codes());
    for (int k = 0; k < a.tags_size(); ++k) {
      if (a.tags(k).empty()) {
        c.Add(absl::StrCat(f, ".tags[", k, "]"), "is empty");
      }
    }
    for (int k = 0; k < a.keywords_size(); ++k) {
      const std::string kf = absl::StrCat(f, ".keywords[", k, "]");
      if (a.keywords(k).text().empty()) c.Add(kf + ".text", "is empty");
      if (!a.keywords(k).language().empty()) {
        c.Language(kf + ".language", a.keywords(k).language());
      }
    }
    if (!a.edf_category().empty() &&
        !kEdfCategories->contains(a.edf_category())) {
      c.Add(f + ".edf_category",
            absl::StrCat("unknown EDF category \"", a.edf_category(),
                         "\" (known: MCBRN, INFOSUP, SENS, CYBER, SPACE, "
                         "DIGIT, ENERGY, MATCOMP, DIS, OPEN, GROUND, FPM, "
                         "AIR, AIRDEF, NAVAL, UWW, SIMTRAIN)"));
    }
    if (a.min_technology_readiness() < 0 || a.min_technology_readiness() > 9) {
      c.Add(f + ".min_technology_readiness",
            absl::StrCat("TRL ", a.min_technology_readiness(),
                         " is outside 1-9 (0 = none)"));
    }
    for (int k = 0; k < a.required_certifications_size(); ++k) {
      if (a.required_certifications(k).empty()) {
        c.Add(absl::StrCat(f, ".required_certifications[", k, "]"), "is empty");
      }
    }
  }
  return out;
}

absl::Status Validator::ValidateSupplier(const v1::SupplierProfile& s) const {
  return ProblemsToStatus(CheckSupplier(s));
}

namespace internal {

absl::Status ValidateParsedSupplier(const Validator& validator,
                                    const v1::SupplierProfile& s,
                                    ParsedSupplierCodes* parsed) {
  std::vector<ValidationProblem> out;
  {
    Checker c(validator, "supplier", s.id(), &out);
    // KnownEnums, Values' enum-only mode: the binary parser has refused
    // invalid UTF-8, but it keeps any enum number.
    c.KnownEnums(s, "");
    CheckSupplierFields(c, s, "", parsed);
  }
  return ProblemsToStatus(out);
}

}  // namespace internal

absl::Status Validator::ValidateSupplierUpdate(
    const v1::SupplierUpdate& u) const {
  return ProblemsToStatus(CheckSupplierUpdate(u));
}
absl::Status Validator::ValidateTender(const v1::Tender& t) const {
  return ProblemsToStatus(CheckTender(t));
}
absl::Status Validator::ValidateMatchRequest(const v1::MatchRequest& r) const {
  return ProblemsToStatus(CheckMatchRequest(r));
}
absl::Status Validator::ValidateConsortiumRequest(
    const v1::ConsortiumRequest& r) const {
  return ProblemsToStatus(CheckConsortiumRequest(r));
}
absl::Status Validator::ValidateCoverageRequest(
    const v1::CoverageRequest& r) const {
  return ProblemsToStatus(CheckCoverageRequest(r));
}
absl::Status Validator::ValidateAlertRule(const v1::AlertRule& r) const {
  return ProblemsToStatus(CheckAlertRule(r));
}
absl::Status Validator::ValidateAlertRuleUpdate(
    const v1::AlertRuleUpdate& u) const {
  return ProblemsToStatus(CheckAlertRuleUpdate(u));
}

}  // namespace procmatch
