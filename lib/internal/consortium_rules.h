// File: lib/internal/consortium_rules.h
//
// INTERNAL. The rules a consortium search applies: the call's stated rules
// with the defaults of its EDF action type filled in (doc/consortium.md,
// "The rules"). Validation and the ConsortiumBuilder use the same function,
// so that a request that validates is searched under the rules validated.
#ifndef PROCMATCH_LIB_INTERNAL_CONSORTIUM_RULES_H_
#define PROCMATCH_LIB_INTERNAL_CONSORTIUM_RULES_H_

#include "procmatch/v1/tender.pb.h"

namespace procmatch {
namespace internal {

// Member states of the EU and the EEA associated country Norway
// (Reg. 2021/697 art. 5 and 9(1)), the default eligible countries of an
// EDF call.
inline constexpr const char* kEdfCountries[] = {
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI",
    "FR", "GR", "HR", "HU", "IE", "IT", "LT", "LU", "LV", "MT",
    "NL", "PL", "PT", "RO", "SE", "SI", "SK", "NO"};

// Requirement ids the builder adds to every work package's tender; a call
// may not use them.
inline constexpr char kEligibilityRequirementId[] = "edf-eligible-entity";
inline constexpr char kTechnologyReadinessRequirementId[] = "wp-min-trl";

// `rules` with zero fields set to the defaults of its action type:
// research and development (art. 10(4)): at least 3 members from 3
// countries, 3 of them independent across 2 countries; every EDF action
// type: no uncontrolled third-country control and, when none are listed,
// the EU member states and Norway as eligible countries; disruptive
// technology and studies (art. 10(5)): a single entity is enough.
inline v1::ConsortiumRules EffectiveRules(const v1::ConsortiumRules& rules) {
  v1::ConsortiumRules r = rules;
  const v1::ActionType type = r.action_type();
  if (type == v1::ACTION_TYPE_UNSPECIFIED) return r;
  r.set_no_third_country_control(true);
  if (r.eligible_countries_size() == 0) {
    for (const char* c : kEdfCountries) r.add_eligible_countries(c);
  }
  if (type == v1::ACTION_TYPE_RESEARCH || type == v1::ACTION_TYPE_DEVELOPMENT) {
    if (r.min_members() == 0) r.set_min_members(3);
    if (r.min_distinct_countries() == 0) r.set_min_distinct_countries(3);
    if (r.min_independent_members() == 0) r.set_min_independent_members(3);
    if (r.min_independent_countries() == 0) {
      r.set_min_independent_countries(2);
    }
  }
  return r;
}

}  // namespace internal
}  // namespace procmatch

#endif  // PROCMATCH_LIB_INTERNAL_CONSORTIUM_RULES_H_
