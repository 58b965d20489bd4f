// Validation of consortium rules and consortium requests (validation.h):
// besides each field, the rules must not contradict each other or the call,
// so that "no eligible consortium" is never the answer to a typing error.
#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "procmatch/internal/consortium_rules.h"
#include "procmatch/internal/field_checker.h"
#include "procmatch/validation.h"

namespace procmatch {
namespace internal {
namespace {

void CheckWeight(Checker& c, const std::string& field, double w) {
  if (!std::isfinite(w) || w < 0) {
    c.Add(field, absl::StrCat(w, " is not a weight >= 0"));
  }
}

}  // namespace

void CheckConsortiumRules(Checker& c, const v1::ConsortiumRules& cr,
                          const std::string& p) {
  for (const auto& [name, value] :
       {std::pair<const char*, int>{"min_members", cr.min_members()},
        {"max_members", cr.max_members()},
        {"min_distinct_countries", cr.min_distinct_countries()},
        {"min_independent_members", cr.min_independent_members()},
        {"min_independent_countries", cr.min_independent_countries()}}) {
    if (value < 0) c.Add(p + name, absl::StrCat(value, " is negative"));
  }
  for (int i = 0; i < cr.eligible_countries_size(); ++i) {
    c.Country(absl::StrCat(p, "eligible_countries[", i, "]"),
              cr.eligible_countries(i));
  }
  if (!std::isfinite(cr.max_subcontracting_share()) ||
      cr.max_subcontracting_share() < 0 || cr.max_subcontracting_share() > 1) {
    c.Add(p + "max_subcontracting_share",
          absl::StrCat(cr.max_subcontracting_share(), " is outside 0-1"));
  }
  absl::flat_hash_set<std::string> required;
  for (int i = 0; i < cr.required_supplier_ids_size(); ++i) {
    const std::string f = absl::StrCat(p, "required_supplier_ids[", i, "]");
    c.Id(f, cr.required_supplier_ids(i));
    if (!required.insert(cr.required_supplier_ids(i)).second) {
      c.Add(f, absl::StrCat("supplier \"", cr.required_supplier_ids(i),
                            "\" is listed twice"));
    }
  }
  const v1::ConsortiumPreferences& pref = cr.preferences();
  CheckWeight(c, p + "preferences.sme_weight", pref.sme_weight());
  CheckWeight(c, p + "preferences.national_weight", pref.national_weight());
  c.Country(p + "preferences.national_country", pref.national_country());
  if (pref.national_weight() > 0 && pref.national_country().empty()) {
    c.Add(p + "preferences.national_country",
          "is empty but national_weight is set");
  }

  // Contradictions, checked on the rules the search will apply.
  const v1::ConsortiumRules r = EffectiveRules(cr);
  const int max = r.max_members();
  auto above_max = [&](const char* name, int value, const char* what) {
    if (max > 0 && value > max) {
      c.Add(p + name, absl::StrCat(value, " is more than max_members ", max,
                                   ": ", value, " ", what, " cannot fit"));
    }
  };
  above_max("min_members", r.min_members(), "members");
  above_max("min_distinct_countries", r.min_distinct_countries(), "countries");
  above_max("min_independent_members", r.min_independent_members(),
            "independent members");
  above_max("required_supplier_ids", cr.required_supplier_ids_size(),
            "required members");
  if (r.min_independent_countries() > 0 &&
      r.min_independent_countries() > r.min_independent_members()) {
    c.Add(p + "min_independent_countries",
          absl::StrCat(r.min_independent_countries(),
                       " countries cannot be spanned by ",
                       r.min_independent_members(),
                       " independent members (min_independent_members)"));
  }
  if (cr.eligible_countries_size() > 0) {
    absl::flat_hash_set<std::string> countries(cr.eligible_countries().begin(),
                                               cr.eligible_countries().end());
    const int n = static_cast<int>(countries.size());
    if (r.min_distinct_countries() > n || r.min_independent_countries() > n) {
      c.Add(p + "eligible_countries",
            absl::StrCat("only ", n, " eligible countries (",
                         absl::StrJoin(cr.eligible_countries(), ", "),
                         ") for at least ",
                         std::max(r.min_distinct_countries(),
                                  r.min_independent_countries()),
                         " distinct countries"));
    }
    if (!pref.national_country().empty() && pref.national_weight() > 0 &&
        !countries.contains(pref.national_country())) {
      c.Add(p + "preferences.national_country",
            absl::StrCat("\"", pref.national_country(),
                         "\" is not an eligible country"));
    }
  }
}

}  // namespace internal

std::vector<ValidationProblem> Validator::CheckConsortiumRequest(
    const v1::ConsortiumRequest& r) const {
  std::vector<ValidationProblem> out;
  internal::Checker c(
      *this, internal::Quoted("consortium request", r.request_id(), options_),
      &out);
  c.Values(r, "");
  if (r.max_proposals() < 0 || r.max_proposals() > 100) {
    c.Add("max_proposals",
          absl::StrCat(r.max_proposals(), " is outside 0-100"));
  }
  if (r.candidates_per_work_package() < 0 ||
      r.candidates_per_work_package() > 200) {
    c.Add("candidates_per_work_package",
          absl::StrCat(r.candidates_per_work_package(), " is outside 0-200"));
  }
  absl::flat_hash_set<std::string> required;
  for (int i = 0; i < r.required_supplier_ids_size(); ++i) {
    const std::string f = absl::StrCat("required_supplier_ids[", i, "]");
    c.Id(f, r.required_supplier_ids(i));
    if (!required.insert(r.required_supplier_ids(i)).second) {
      c.Add(f, absl::StrCat("supplier \"", r.required_supplier_ids(i),
                            "\" is listed twice"));
    }
  }
  if (!r.has_call()) {
    c.Add("call", "is not set");
    return out;
  }
  const v1::Call& call = r.call();
  c.Id("call.id", call.id());
  c.Language("call.language", call.language());
  c.Country("call.buyer.country", call.buyer().country());
  if (call.has_published()) c.Date("call.published", call.published());
  const int packages = call.work_packages_size();
  if (packages == 0 || packages > 32) {
    c.Add("call.work_packages", absl::StrCat(packages, " is outside 1-32"));
  }
  absl::flat_hash_map<std::string, std::string> requirement_ids;
  auto check_requirements =
      [&](const google::protobuf::RepeatedPtrField<v1::Requirement>& reqs,
          const std::string& prefix) {
        for (int i = 0; i < reqs.size(); ++i) {
          const std::string f = absl::StrCat(prefix, "requirements[", i, "]");
          // A call has no value, so a turnover multiple has nothing to
          // multiply.
          internal::CheckRequirement(c, reqs[i], f, /*has_value=*/false);
          const std::string& id = reqs[i].id();
          if (id == internal::kEligibilityRequirementId ||
              id == internal::kTechnologyReadinessRequirementId) {
            c.Add(f + ".id", absl::StrCat("\"", id, "\" is reserved"));
          }
          if (id.empty()) continue;
          auto [it, inserted] = requirement_ids.emplace(id, f);
          if (!inserted) {
            c.Add(f + ".id", absl::StrCat("duplicate requirement id \"", id,
                                          "\" (also ", it->second, ")"));
          }
        }
      };
  check_requirements(call.requirements(), "call.");
  absl::flat_hash_set<std::string> package_ids;
  for (int i = 0; i < packages; ++i) {
    const v1::WorkPackage& wp = call.work_packages(i);
    const std::string f = absl::StrCat("call.work_packages[", i, "]");
    c.Id(f + ".id", wp.id());
    if (!wp.id().empty() && !package_ids.insert(wp.id()).second) {
      c.Add(f + ".id",
            absl::StrCat("duplicate work package id \"", wp.id(), "\""));
    }
    if (wp.cpv_codes_size() == 0 && wp.title().empty() &&
        wp.description().empty() && wp.keywords_size() == 0) {
      c.Add(f, "has no CPV codes, title, description or keywords to match");
    }
    c.CpvList(f + ".cpv_codes", wp.cpv_codes());
    if (wp.min_technology_readiness() < 0 ||
        wp.min_technology_readiness() > 9) {
      c.Add(f + ".min_technology_readiness",
            absl::StrCat("TRL ", wp.min_technology_readiness(),
                         " is outside 1-9 (0 = none)"));
    }
    for (int k = 0; k < wp.keywords_size(); ++k) {
      if (wp.keywords(k).empty()) {
        c.Add(absl::StrCat(f, ".keywords[", k, "]"), "is empty");
      }
    }
    check_requirements(wp.requirements(), f + ".");
  }
  internal::CheckConsortiumRules(c, call.rules(), "call.rules.");
  // The art. 13(3) increase applies to development actions only: a stated
  // preference it cannot serve is refused rather than ignored.
  const v1::FundingRatePreference& funding = call.funding_rate();
  internal::CheckWeight(c, "call.funding_rate.weight_per_point",
                        funding.weight_per_point());
  if (call.rules().action_type() != v1::ACTION_TYPE_DEVELOPMENT) {
    if (funding.weight_per_point() > 0) {
      c.Add("call.funding_rate.weight_per_point",
            "is set but the funding-rate increase (art. 13(3)) applies to "
            "development actions only (call.rules.action_type)");
    }
    if (funding.pesco_project()) {
      c.Add("call.funding_rate.pesco_project",
            "is set but the PESCO increase (art. 13(3)(a)) applies to "
            "development actions only (call.rules.action_type)");
    }
  }

  // Rules the call's shape cannot satisfy: every member other than a
  // required one leads at least one work package.
  absl::flat_hash_set<std::string> all_required = required;
  all_required.insert(call.rules().required_supplier_ids().begin(),
                      call.rules().required_supplier_ids().end());
  const v1::ConsortiumRules eff = internal::EffectiveRules(call.rules());
  const int most = packages + static_cast<int>(all_required.size());
  const int least = std::max({eff.min_members(), eff.min_distinct_countries(),
                              eff.min_independent_members()});
  if (packages > 0 && least > most) {
    c.Add("call.rules",
          absl::StrCat("at least ", least, " members needed but the call has ",
                       packages, " work packages and ", all_required.size(),
                       " required members: at most ", most,
                       " members (each other member leads a work package)"));
  }
  if (eff.max_members() > 0 &&
      static_cast<int>(all_required.size()) > eff.max_members()) {
    c.Add("required_supplier_ids",
          absl::StrCat(all_required.size(),
                       " required members with the call's, more than "
                       "max_members ",
                       eff.max_members()));
  }
  return out;
}

}  // namespace procmatch
