#include "procmatch/internal/requirements.h"

#include <algorithm>
#include <cstdint>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "procmatch/certification.h"
#include "procmatch/internal/keyword_pattern.h"
#include "procmatch/internal/reasons.h"

namespace procmatch {
namespace internal {
namespace {

// Windows longer than this many years mean "any time": they cover every
// date a profile can hold (1900-2200) and keep day arithmetic in range.
constexpr int64_t kLongestWindowYears = 1000;

absl::Status ParseAll(
    const CpvTaxonomy& cpv, const v1::Requirement& r,
    const google::protobuf::RepeatedPtrField<std::string>& codes,
    std::vector<CpvCode>* out) {
  for (const std::string& c : codes) {
    absl::StatusOr<CpvCode> code = cpv.Parse(c);
    if (!code.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "requirement \"", r.id(), "\": ", code.status().message()));
    }
    out->push_back(*code);
  }
  return absl::OkStatus();
}

std::string CodeList(const Query& q, const std::vector<CpvCode>& codes) {
  std::vector<std::string> names;
  for (CpvCode c : codes) names.push_back(CodeAndLabel(*q.cpv, c));
  return absl::StrJoin(names, ", ");
}

// --- cpv_experience ---------------------------------------------------------

absl::Status PrepareCpvExperience(const Query& q, const Options&,
                                  PreparedRequirement* p) {
  return ParseAll(*q.cpv, *p->rule, p->rule->cpv_experience().cpv_codes(),
                  &p->cpv);
}

Outcome CpvExperience(const PreparedRequirement& p, const SupplierDoc& d,
                      const Query& q) {
  const auto& x = p.rule->cpv_experience();
  const int need = std::max(1, x.min_contracts());
  const int64_t years =
      std::min<int64_t>(x.within_years(), kLongestWindowYears);
  const absl::CivilDay since = q.as_of - (365 * years + years / 4);
  int count = 0;
  for (const ContractRecord& c : d.contracts) {
    if (years > 0 && (!c.has_date() || c.date() < since)) continue;
    bool under = false;
    for (CpvCode code : c.cpv()) {
      for (CpvCode w : p.cpv) under = under || w.Covers(code);
    }
    count += under ? 1 : 0;
  }
  const std::string window =
      x.within_years() > 0
          ? absl::StrCat(" in the last ", x.within_years(), " years")
          : "";
  if (count >= need) {
    return {true, absl::StrCat(Count(count, "past contract"), " under ",
                               CodeList(q, p.cpv), window)};
  }
  return {false,
          absl::StrCat(count == 0 ? "no" : absl::StrCat("only ", count),
                       " past contract", count == 1 ? "" : "s", " under ",
                       CodeList(q, p.cpv), window, " (", need, " needed)")};
}

// --- certification ----------------------------------------------------------

absl::Status PrepareCertification(const Query&, const Options&,
                                  PreparedRequirement* p) {
  p->scheme_key = NormalizeScheme(p->rule->certification().scheme());
  return absl::OkStatus();
}

Outcome Certification(const PreparedRequirement& p, const SupplierDoc& d,
                      const Query& q) {
  std::optional<Certificate> expired;
  for (const Certificate& c : d.rarely_set.certificates()) {
    if (c.scheme_key != p.scheme_key) continue;
    if (c.until >= q.as_of) {
      return {true, c.until == NoExpiry()
                        ? absl::StrCat(c.scheme, " certified")
                        : absl::StrCat(c.scheme, " certified until ",
                                       FormatDay(c.until))};
    }
    expired = c;
  }
  if (expired.has_value()) {
    return {false, absl::StrCat(expired->scheme, " certificate expired on ",
                                FormatDay(expired->until))};
  }
  return {false, absl::StrCat("no ", p.rule->certification().scheme(),
                              " certificate")};
}

// --- clearance --------------------------------------------------------------

Outcome Clearance(const PreparedRequirement& p, const SupplierDoc& d,
                  const Query& q) {
  const v1::ClearanceRequirement& r = p.rule->clearance();
  const int min = r.min_level();
  int best_valid = 0;
  const DatedLevel* expired = nullptr;
  for (const DatedLevel& fc : d.rarely_set.facility_clearances()) {
    if (fc.until >= q.as_of) {
      best_valid = std::max(best_valid, fc.level);
    } else if (fc.level >= min) {
      expired = &fc;
    }
  }
  if (best_valid < min) {
    if (expired != nullptr) {
      return {false, absl::StrCat(LevelName(expired->level),
                                  " facility clearance expired on ",
                                  FormatDay(expired->until))};
    }
    if (best_valid == 0) {
      return {false, absl::StrCat("no facility security clearance (",
                                  LevelName(min), " required)")};
    }
    return {false, absl::StrCat("facility clearance ", LevelName(best_valid),
                                " is below ", LevelName(min))};
  }
  const int need_staff = r.min_cleared_staff();
  if (need_staff > 0) {
    // Counts are int32 each; their sum is not.
    int64_t staff = 0;
    for (const auto& [level, count] : d.rarely_set.cleared_staff()) {
      if (level >= min) staff += count;
    }
    if (staff < need_staff) {
      return {false, absl::StrCat(staff, " staff cleared ", LevelName(min),
                                  " or above, ", need_staff, " needed")};
    }
  }
  return {true, absl::StrCat(LevelName(best_valid), " facility clearance")};
}

// --- turnover ---------------------------------------------------------------

Outcome Turnover(const PreparedRequirement& p, const SupplierDoc& d,
                 const Query& q) {
  const v1::TurnoverRequirement& t = p.rule->turnover();
  double threshold;
  std::string currency;
  if (t.has_absolute()) {
    threshold = t.absolute().amount();
    currency = t.absolute().currency();
  } else {
    if (!q.has_value) {
      return {false, "no estimated value to compare turnover with"};
    }
    threshold = t.lot_value_multiple() * q.value;
    currency = q.value_currency;
  }
  if (!d.has_turnover) return {false, "annual turnover not stated"};
  if (d.turnover_currency.view() != currency) {
    return {false, absl::StrCat("turnover in ", d.turnover_currency.view(),
                                " cannot be compared with ", currency)};
  }
  return {d.turnover >= threshold,
          absl::StrCat("turnover ", Amount(d.turnover, currency),
                       d.turnover >= threshold ? " meets " : " is below ",
                       Amount(threshold, currency))};
}

// --- staff ------------------------------------------------------------------

Outcome Staff(const PreparedRequirement& p, const SupplierDoc& d,
              const Query&) {
  const int need = p.rule->staff().min_employees();
  if (d.employees == 0) return {false, "head count not stated"};
  return {d.employees >= need,
          absl::StrCat(d.employees, " employees, ", need, " required")};
}

// --- technology_readiness ---------------------------------------------------

absl::Status PrepareTechnologyReadiness(const Query& q, const Options&,
                                        PreparedRequirement* p) {
  return ParseAll(*q.cpv, *p->rule, p->rule->technology_readiness().cpv_codes(),
                  &p->cpv);
}

Outcome TechnologyReadiness(const PreparedRequirement& p, const SupplierDoc& d,
                            const Query&) {
  const int min = p.rule->technology_readiness().min_level();
  int best = 0;
  for (const CapabilityLevel cap : d.capability_levels) {
    bool counts = p.cpv.empty();
    for (CpvCode u : p.cpv) {
      for (size_t i = 0; i < cap.cpv_size(); ++i) {
        counts = counts || u.Covers(cap.cpv(i));
      }
    }
    if (counts) best = std::max(best, cap.trl());
  }
  if (best == 0) {
    return {false, absl::StrCat("no technology readiness level stated (TRL ",
                                min, " required)")};
  }
  return {best >= min, absl::StrCat("TRL ", best, ", TRL ", min, " required")};
}

// --- establishment ----------------------------------------------------------

Outcome Establishment(const PreparedRequirement& p, const SupplierDoc& d,
                      const Query&) {
  const v1::EstablishmentRequirement& e = p.rule->establishment();
  std::vector<std::string> problems;
  auto allowed = [&](const IsoCode& code) {
    const absl::string_view c = code.view();
    return std::find(e.allowed_countries().begin(), e.allowed_countries().end(),
                     c) != e.allowed_countries().end();
  };
  if (e.allowed_countries_size() > 0) {
    if (d.country.empty()) {
      problems.push_back("country of establishment not stated");
    } else if (!allowed(d.country)) {
      problems.push_back(absl::StrCat("established in ", d.country.view(),
                                      ", not an eligible country"));
    }
    if (e.executive_management_in_allowed_country()) {
      if (d.executive_country.empty()) {
        problems.push_back("country of executive management not stated");
      } else if (!allowed(d.executive_country)) {
        problems.push_back(absl::StrCat("executive management in ",
                                        d.executive_country.view(),
                                        ", not an eligible country"));
      }
    }
  }
  if (e.no_third_country_control()) {
    switch (d.third_country_control) {
      case v1::THIRD_COUNTRY_CONTROL_NOT_CONTROLLED:
        break;
      case v1::THIRD_COUNTRY_CONTROL_CONTROLLED_WITH_GUARANTEES:
        if (!e.accept_guarantees()) {
          problems.push_back(
              "controlled by a non-associated third country (guarantees not "
              "accepted)");
        }
        break;
      case v1::THIRD_COUNTRY_CONTROL_CONTROLLED:
        problems.push_back("controlled by a non-associated third country");
        break;
      default:
        problems.push_back("control by a third country not stated");
    }
  }
  if (problems.empty())
    return {true, absl::StrCat("established in ", d.country.view())};
  return {false, absl::StrJoin(problems, "; ")};
}

// --- entity_type ------------------------------------------------------------

Outcome EntityType(const PreparedRequirement& p, const SupplierDoc& d,
                   const Query&) {
  for (int allowed : p.rule->entity_type().allowed()) {
    if (allowed == d.entity_type) {
      return {true,
              absl::StrCat("entity type ", v1::EntityType_Name(d.entity_type))};
    }
  }
  if (d.entity_type == v1::ENTITY_TYPE_UNSPECIFIED) {
    return {false, "entity type not stated"};
  }
  return {false,
          absl::StrCat("entity type ", v1::EntityType_Name(d.entity_type),
                       " is not allowed")};
}

// --- language ---------------------------------------------------------------

Outcome Language(const PreparedRequirement& p, const SupplierDoc& d,
                 const Query&) {
  const v1::LanguageRequirement& r = p.rule->language();
  for (absl::string_view l : d.rarely_set.languages()) {
    for (const std::string& want : r.any_of()) {
      if (l == want) return {true, absl::StrCat("works in ", l)};
    }
  }
  return {false,
          absl::StrCat("works in none of ", absl::StrJoin(r.any_of(), ", "))};
}

// --- keyword ----------------------------------------------------------------

absl::Status PrepareKeyword(const Query&, const Options& options,
                            PreparedRequirement* p) {
  const v1::KeywordRequirement& k = p->rule->keyword();
  absl::StatusOr<std::unique_ptr<RE2>> re = CompileKeywordPattern(
      k.pattern(), k.case_sensitive(), options.max_pattern_memory);
  if (!re.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("requirement \"", p->rule->id(),
                     "\": keyword: ", re.status().message()));
  }
  p->keyword = *std::move(re);
  return absl::OkStatus();
}

Outcome Keyword(const PreparedRequirement& p, const SupplierDoc& d,
                const Query&) {
  const v1::KeywordRequirement& k = p.rule->keyword();
  // Each form of the text is computed once per supplier and kept.
  const std::string& text = k.case_sensitive()
                                ? d.keyword_texts.AsWritten(d.profile_bytes)
                                : d.keyword_texts.Folded(d.profile_bytes);
  // Group 1 is the text that matched (CompileKeywordPattern).
  re2::StringPiece match;
  if (RE2::PartialMatch(text, *p.keyword, &match)) {
    return {true,
            absl::StrCat("profile mentions \"",
                         absl::string_view(match.data(), match.size()), "\"")};
  }
  return {false, absl::StrCat("profile does not match \"", k.pattern(), "\"")};
}

// --- proximity --------------------------------------------------------------

absl::Status PrepareProximity(const Query& q, const Options& options,
                              PreparedRequirement* p) {
  const std::string& code = p->rule->proximity().nuts_code();
  if (code.empty()) {
    if (!q.places.empty()) p->place = q.places.front();
    return absl::OkStatus();
  }
  absl::StatusOr<NutsCode> place = NutsOf(options).Parse(code);
  if (!place.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "requirement \"", p->rule->id(), "\": ", place.status().message()));
  }
  p->place = *place;
  return absl::OkStatus();
}

Outcome Proximity(const PreparedRequirement& p, const SupplierDoc& d,
                  const Query&) {
  const int level = p.rule->proximity().level();
  if (!p.place.valid()) {
    return {false, "no place of performance to measure proximity"};
  }
  if (!d.location.valid()) return {false, "location not stated"};
  const NutsCode region =
      p.place.level() >= level ? p.place.AtLevel(level) : p.place;
  if (NutsCode::SameRegion(d.location, region, region.level())) {
    return {true, absl::StrCat("located in ", d.location.code(), ", within ",
                               region.code())};
  }
  return {false, absl::StrCat("located in ", d.location.code(), ", outside ",
                              region.code())};
}

// --- the table --------------------------------------------------------------

using Prepare = absl::Status (*)(const Query&, const Options&,
                                 PreparedRequirement*);
using Evaluate = Outcome (*)(const PreparedRequirement&, const SupplierDoc&,
                             const Query&);

struct Kind {
  v1::Requirement::ConditionCase condition;
  Prepare prepare;  // nullptr: nothing to resolve.
  Evaluate evaluate;
};

constexpr Kind kKinds[] = {
    {v1::Requirement::kCpvExperience, PrepareCpvExperience, CpvExperience},
    {v1::Requirement::kCertification, PrepareCertification, Certification},
    {v1::Requirement::kClearance, nullptr, Clearance},
    {v1::Requirement::kTurnover, nullptr, Turnover},
    {v1::Requirement::kStaff, nullptr, Staff},
    {v1::Requirement::kTechnologyReadiness, PrepareTechnologyReadiness,
     TechnologyReadiness},
    {v1::Requirement::kEstablishment, nullptr, Establishment},
    {v1::Requirement::kEntityType, nullptr, EntityType},
    {v1::Requirement::kLanguage, nullptr, Language},
    {v1::Requirement::kKeyword, PrepareKeyword, Keyword},
    {v1::Requirement::kProximity, PrepareProximity, Proximity},
};

const Kind* KindOf(const v1::Requirement& r) {
  for (const Kind& k : kKinds) {
    if (k.condition == r.condition_case()) return &k;
  }
  return nullptr;
}

}  // namespace

absl::Status PrepareRequirement(const Query& q, const Options& options,
                                PreparedRequirement* p) {
  const Kind* kind = KindOf(*p->rule);
  if (kind == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("requirement \"", p->rule->id(), "\": has no condition"));
  }
  return kind->prepare == nullptr ? absl::OkStatus()
                                  : kind->prepare(q, options, p);
}

Outcome EvaluateRequirement(const PreparedRequirement& p, const SupplierDoc& d,
                            const Query& q) {
  const Kind* kind = KindOf(*p.rule);
  if (kind == nullptr) return {false, "requirement has no condition"};
  return kind->evaluate(p, d, q);
}

void AppendOutcome(const v1::Requirement& r, Outcome o,
                   std::vector<v1::RequirementOutcome>* outcomes) {
  v1::RequirementOutcome& out = outcomes->emplace_back();
  out.set_requirement_id(r.id());
  out.set_importance(r.importance());
  out.set_met(o.met);
  out.set_reason(std::move(o.reason));
}

bool Eligible(const Query& q, const SupplierDoc& d,
              std::vector<v1::RequirementOutcome>* reasons) {
  bool eligible = true;
  for (const PreparedRequirement& p : q.requirements) {
    if (p.rule->importance() != v1::IMPORTANCE_MANDATORY) continue;
    Outcome o = EvaluateRequirement(p, d, q);
    if (o.met) continue;
    eligible = false;
    if (reasons == nullptr) return false;
    AppendOutcome(*p.rule, std::move(o), reasons);
  }
  return eligible;
}

}  // namespace internal
}  // namespace procmatch
