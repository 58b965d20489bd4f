// Each requirement kind on its own: met and unmet, and the reason given.
// Requirements are evaluated through Matcher::Explain, as integrators see
// them: a desirable one appears among the match's requirement outcomes, a
// mandatory one that fails excludes the supplier with that reason.
#include <string>

#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "procmatch/matcher.h"

namespace procmatch {
namespace {

using ::testing::HasSubstr;

template <typename M>
M Parse(const std::string& text) {
  M m;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &m)) << text;
  return m;
}

// A fictional Liège maker of optronics, checked against each rule.
constexpr char kSupplier[] = R"pb(
  id: "BE-OPTRO"
  name: "Optronique Mosane SA"
  entity_type: ENTITY_TYPE_SME
  country: "BE"
  executive_management_country: "BE"
  third_country_control: THIRD_COUNTRY_CONTROL_CONTROLLED_WITH_GUARANTEES
  nuts_code: "BE332"
  languages: [ "fr", "en" ]
  employees: 140
  turnover {
    amount { amount: 30000000 currency: "EUR" }
    year: 2024
  }
  turnover {
    amount { amount: 31000000 currency: "EUR" }
    year: 2025
  }
  cpv_codes: "38600000"
  capabilities {
    description: "Caméras thermiques pour la surveillance de nuit"
    language: "fr"
    cpv_codes: "38651000"
    technology_readiness: 7
  }
  capabilities {
    description: "Radar passif expérimental"
    language: "fr"
    cpv_codes: "35720000"
    technology_readiness: 4
  }
  certifications {
    scheme: "AQAP 2110 Ed. D"
    valid_until { year: 2027 month: 6 day: 30 }
  }
  certifications {
    scheme: "EN 9100"
    valid_until { year: 2025 month: 1 day: 31 }
  }
  facility_clearances {
    level: CLEARANCE_LEVEL_CONFIDENTIAL
    valid_until { year: 2028 month: 1 day: 1 }
  }
  facility_clearances {
    level: CLEARANCE_LEVEL_SECRET
    valid_until { year: 2025 month: 12 day: 31 }
  }
  cleared_staff { level: CLEARANCE_LEVEL_CONFIDENTIAL count: 4 }
  past_contracts {
    buyer_name: "Défense"
    buyer_country: "BE"
    title: "Caméras thermiques"
    cpv_codes: "38651000"
    award_date { year: 2019 month: 3 day: 1 }
  }
  past_contracts {
    buyer_name: "Défense"
    buyer_country: "BE"
    title: "Maintenance des caméras"
    cpv_codes: "50660000"
    award_date { year: 2025 month: 9 day: 1 }
  }
)pb";

class EligibilityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SupplierIndex::Builder builder;
    ASSERT_TRUE(builder.Add(Parse<v1::SupplierProfile>(kSupplier)).ok());
    matcher_ = std::make_unique<Matcher>(*std::move(builder).Build());
  }

  // The outcome of `condition` (a Requirement's condition in text format)
  // for the supplier, as of 2026-06-01, on a tender worth EUR 10M in BE.
  v1::RequirementOutcome Outcome(const std::string& condition) {
    v1::MatchRequest request = Parse<v1::MatchRequest>(R"pb(
      tender {
        id: "T"
        title: "Caméras"
        language: "fr"
        main_cpv: "38651000"
        nuts_codes: "BE3"
        estimated_value { amount: 10000000 currency: "EUR" }
      }
      options { as_of { year: 2026 month: 6 day: 1 } }
    )pb");
    v1::Requirement* r = request.mutable_tender()->add_requirements();
    *r = Parse<v1::Requirement>(condition);
    r->set_id("R");
    r->set_importance(v1::IMPORTANCE_DESIRABLE);
    auto desirable = matcher_->Explain(request, "BE-OPTRO");
    EXPECT_TRUE(desirable.ok()) << desirable.status();
    if (!desirable.ok() || desirable->matches_size() != 1) return {};
    const v1::RequirementOutcome outcome =
        desirable->matches(0).requirements(0);
    // The same rule as mandatory: excluded exactly when unmet, same reason.
    r->set_importance(v1::IMPORTANCE_MANDATORY);
    auto mandatory = matcher_->Explain(request, "BE-OPTRO");
    EXPECT_TRUE(mandatory.ok());
    if (outcome.met()) {
      EXPECT_EQ(mandatory->matches_size(), 1) << condition;
    } else {
      EXPECT_EQ(mandatory->excluded_size(), 1) << condition;
      if (mandatory->excluded_size() == 1) {
        EXPECT_EQ(mandatory->excluded(0).reasons(0).reason(), outcome.reason());
      }
    }
    return outcome;
  }

  void ExpectMet(const std::string& condition, const std::string& reason) {
    v1::RequirementOutcome o = Outcome(condition);
    EXPECT_TRUE(o.met()) << condition << ": " << o.reason();
    EXPECT_THAT(o.reason(), HasSubstr(reason)) << condition;
  }
  void ExpectUnmet(const std::string& condition, const std::string& reason) {
    v1::RequirementOutcome o = Outcome(condition);
    EXPECT_FALSE(o.met()) << condition << ": " << o.reason();
    EXPECT_THAT(o.reason(), HasSubstr(reason)) << condition;
  }

  std::unique_ptr<Matcher> matcher_;
};

TEST_F(EligibilityTest, CpvExperience) {
  ExpectMet(R"(cpv_experience { cpv_codes: "38600000" })",
            "1 past contract under 38600000");
  ExpectMet(
      R"(cpv_experience { cpv_codes: "38000000" cpv_codes: "50000000" min_contracts: 2 })",
      "2 past contracts");
  ExpectUnmet(R"(cpv_experience { cpv_codes: "38600000" within_years: 5 })",
              "no past contracts under 38600000");
  ExpectUnmet(R"(cpv_experience { cpv_codes: "35000000" })", "(1 needed)");
}

TEST_F(EligibilityTest, Certification) {
  ExpectMet(R"(certification { scheme: "aqap-2110" })",
            "AQAP 2110 Ed. D certified until 2027-06-30");
  ExpectUnmet(R"(certification { scheme: "EN9100" })",
              "EN 9100 certificate expired on 2025-01-31");
  ExpectUnmet(R"(certification { scheme: "ISO 27001" })",
              "no ISO 27001 certificate");
}

TEST_F(EligibilityTest, Clearance) {
  ExpectMet(R"(clearance { min_level: CLEARANCE_LEVEL_CONFIDENTIAL })",
            "CONFIDENTIAL facility clearance");
  ExpectUnmet(R"(clearance { min_level: CLEARANCE_LEVEL_SECRET })",
              "SECRET facility clearance expired on 2025-12-31");
  ExpectUnmet(R"(clearance { min_level: CLEARANCE_LEVEL_TOP_SECRET })",
              "facility clearance CONFIDENTIAL is below TOP_SECRET");
  ExpectUnmet(
      R"(clearance { min_level: CLEARANCE_LEVEL_RESTRICTED min_cleared_staff: 5 })",
      "4 staff cleared RESTRICTED or above, 5 needed");
}

TEST_F(EligibilityTest, TurnoverUsesTheLatestYear) {
  ExpectMet(R"(turnover { absolute { amount: 31000000 currency: "EUR" } })",
            "turnover EUR 31.0M meets EUR 31.0M");
  ExpectUnmet(R"(turnover { lot_value_multiple: 3.5 })",
              "turnover EUR 31.0M is below EUR 35.0M");
  ExpectUnmet(R"(turnover { absolute { amount: 1 currency: "SEK" } })",
              "turnover in EUR cannot be compared with SEK");
}

TEST_F(EligibilityTest, StaffAndTechnologyReadiness) {
  ExpectMet(R"(staff { min_employees: 140 })", "140 employees");
  ExpectUnmet(R"(staff { min_employees: 141 })", "140 employees, 141 required");
  ExpectMet(R"(technology_readiness { min_level: 7 })", "TRL 7");
  // Only capabilities under the named codes count.
  ExpectUnmet(R"(technology_readiness { min_level: 5 cpv_codes: "35000000" })",
              "TRL 4, TRL 5 required");
  ExpectUnmet(R"(technology_readiness { min_level: 5 cpv_codes: "72000000" })",
              "no technology readiness level stated");
}

TEST_F(EligibilityTest, EstablishmentAndControl) {
  ExpectMet(R"(establishment { allowed_countries: [ "BE", "NL" ] })",
            "established in BE");
  ExpectUnmet(R"(establishment { allowed_countries: "FR" })",
              "established in BE, not an eligible country");
  ExpectUnmet(R"(establishment { no_third_country_control: true })",
              "guarantees not accepted");
  ExpectMet(
      R"(establishment { no_third_country_control: true accept_guarantees: true })",
      "established in BE");
}

TEST_F(EligibilityTest, EntityTypeAndLanguage) {
  ExpectMet(R"(entity_type { allowed: ENTITY_TYPE_SME })", "ENTITY_TYPE_SME");
  ExpectUnmet(R"(entity_type { allowed: ENTITY_TYPE_UNIVERSITY })",
              "entity type ENTITY_TYPE_SME is not allowed");
  ExpectMet(R"(language { any_of: [ "nl", "fr" ] })", "works in fr");
  ExpectUnmet(R"(language { any_of: "de" })", "works in none of de");
}

TEST_F(EligibilityTest, KeywordFoldsCaseAndAccents) {
  ExpectMet(R"(keyword { pattern: "CAMERAS THERMIQUES" })",
            "profile mentions \"cameras thermiques\"");
  ExpectMet(R"(keyword { pattern: "caméra" })", "profile mentions \"camera\"");
  ExpectUnmet(R"(keyword { pattern: "CAMÉRAS" case_sensitive: true })",
              "profile does not match");
  ExpectUnmet(R"(keyword { pattern: "\\bdrone" })", "does not match");
}

TEST_F(EligibilityTest, Proximity) {
  ExpectMet(R"(proximity { level: 1 })", "located in BE332, within BE3");
  ExpectMet(R"(proximity { nuts_code: "BE33" level: 2 })", "within BE33");
  ExpectUnmet(R"(proximity { nuts_code: "BE2" level: 1 })",
              "located in BE332, outside BE2");
}

// Issue 10: values validation accepts overflowed int arithmetic. A window
// near INT_MAX years (365 * years) is "any time", not undefined behaviour.
TEST_F(EligibilityTest, HugeExperienceWindowIsAnyTime) {
  ExpectMet(
      R"(cpv_experience { cpv_codes: "38600000" within_years: 2147483647 })",
      "1 past contract under 38600000");
}

// Issue 10: cleared staff counts whose sum passes INT_MAX printed "-2 staff
// cleared" and excluded a supplier that meets the requirement.
TEST(ClearedStaffTest, CountsSumWithoutOverflow) {
  v1::SupplierProfile s = Parse<v1::SupplierProfile>(kSupplier);
  s.clear_cleared_staff();
  for (int i = 0; i < 2; ++i) {
    v1::ClearedStaff* staff = s.add_cleared_staff();
    staff->set_level(v1::CLEARANCE_LEVEL_CONFIDENTIAL);
    staff->set_count(2147483647);
  }
  SupplierIndex::Builder builder;
  ASSERT_TRUE(builder.Add(s).ok());
  Matcher matcher(*std::move(builder).Build());
  v1::MatchRequest request = Parse<v1::MatchRequest>(R"pb(
    tender {
      id: "T"
      title: "Caméras"
      main_cpv: "38651000"
      requirements {
        id: "FSC"
        importance: IMPORTANCE_MANDATORY
        clearance {
          min_level: CLEARANCE_LEVEL_RESTRICTED
          min_cleared_staff: 2147483647
        }
      }
    }
    options { as_of { year: 2026 month: 6 day: 1 } }
  )pb");
  auto r = matcher.Explain(request, "BE-OPTRO");
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->matches_size(), 1) << r->DebugString();
  EXPECT_THAT(r->matches(0).requirements(0).reason(),
              HasSubstr("CONFIDENTIAL facility clearance"));
}

}  // namespace
}  // namespace procmatch
