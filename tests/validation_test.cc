#include "procmatch/validation.h"

#include <random>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/stubs/logging.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "procmatch/internal/field_checker.h"
#include "procmatch/utf8.h"

namespace procmatch {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

template <typename M>
M Parse(const std::string& text) {
  M m;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &m)) << text;
  return m;
}

// A fictional Flemish drone maker with real codes and a valid KBO number.
v1::SupplierProfile GoodSupplier() {
  return Parse<v1::SupplierProfile>(R"pb(
    id: "BE-0478123490"
    name: "Kempen Avionics NV"
    identifiers { kbo: "0478.123.490" vat: "BE0478123490" ncage: "B8K2L" }
    entity_type: ENTITY_TYPE_SME
    country: "BE"
    executive_management_country: "BE"
    third_country_control: THIRD_COUNTRY_CONTROL_NOT_CONTROLLED
    nuts_code: "BE213"
    languages: [ "nl", "en", "fr" ]
    employees: 85
    turnover {
      amount { amount: 14500000 currency: "EUR" }
      year: 2025
    }
    cpv_codes: [ "35613000-4", "34711200" ]
    capabilities {
      description: "Ontwerp en productie van onbemande luchtvaartuigen voor verkenning"
      language: "nl"
      cpv_codes: "35613000"
      tags: [ "uav", "isr" ]
      technology_readiness: 7
    }
    certifications {
      scheme: "AQAP-2110"
      valid_until { year: 2027 month: 6 day: 30 }
    }
    facility_clearances {
      level: CLEARANCE_LEVEL_SECRET
      authority: "BE NSA"
      framework: "NATO"
      valid_until { year: 2028 month: 1 day: 31 }
    }
    cleared_staff { level: CLEARANCE_LEVEL_SECRET count: 12 }
    past_contracts {
      buyer_name: "Defensie - Materiaalbeheer"
      buyer_country: "BE"
      title: "Levering van mini-UAV systemen"
      language: "nl"
      cpv_codes: "35613000"
      value { amount: 2400000 currency: "EUR" }
      award_date { year: 2023 month: 11 day: 14 }
      role: CONTRACT_ROLE_PRIME
      source_notice_id: "123456-2023"
    }
  )pb");
}

// A tender under the defence directive, with one lot of each kind of rule.
v1::Tender GoodTender() {
  return Parse<v1::Tender>(R"pb(
    id: "BE-MOD-2026-017"
    title: "Systèmes de drones tactiques"
    description: "Fourniture de systèmes de drones tactiques et maintenance"
    language: "fr"
    buyer { name: "Défense belge" country: "BE" main_activity: "DEFENCE" }
    legal_basis: LEGAL_BASIS_DEFENCE_DIRECTIVE_2009_81_EC
    procedure: PROCEDURE_TYPE_RESTRICTED
    notice_kind: NOTICE_KIND_CONTRACT_NOTICE
    published { seconds: 1767225600 }
    submission_deadline { seconds: 1769904000 }
    estimated_value { amount: 8000000 currency: "EUR" }
    nuts_codes: "BE"
    main_cpv: "35613000-4"
    additional_cpv: "50660000"
    security_of_information: true
    security_of_supply: true
    classification: CLEARANCE_LEVEL_SECRET
    requirements {
      id: "R1"
      importance: IMPORTANCE_MANDATORY
      clearance { min_level: CLEARANCE_LEVEL_SECRET min_cleared_staff: 5 }
    }
    requirements {
      id: "R2"
      importance: IMPORTANCE_MANDATORY
      certification { scheme: "AQAP 2110" }
    }
    requirements {
      id: "R3"
      importance: IMPORTANCE_DESIRABLE
      weight: 2
      keyword { pattern: "drone|uav|onbemand" }
    }
    lots {
      id: "1"
      title: "Drones"
      main_cpv: "35613000"
      estimated_value { amount: 6000000 currency: "EUR" }
      nuts_codes: "BE"
      requirements {
        id: "L1-R1"
        importance: IMPORTANCE_MANDATORY
        turnover { lot_value_multiple: 1.5 }
      }
      requirements {
        id: "L1-R2"
        importance: IMPORTANCE_MANDATORY
        establishment {
          allowed_countries: [ "BE", "NL", "LU" ]
          no_third_country_control: true
        }
      }
      requirements {
        id: "L1-R3"
        importance: IMPORTANCE_DESIRABLE
        cpv_experience {
          cpv_codes: "35600000"
          min_contracts: 1
          within_years: 5
        }
      }
    }
    lots {
      id: "2"
      title: "Maintenance"
      main_cpv: "50660000-9"
      requirements {
        id: "L2-R1"
        importance: IMPORTANCE_MANDATORY
        proximity { nuts_code: "BE2" level: 1 }
      }
      requirements {
        id: "L2-R2"
        importance: IMPORTANCE_DESIRABLE
        technology_readiness { min_level: 6 }
      }
      requirements {
        id: "L2-R3"
        importance: IMPORTANCE_MANDATORY
        staff { min_employees: 20 }
      }
      requirements {
        id: "L2-R4"
        importance: IMPORTANCE_DESIRABLE
        language { any_of: [ "fr", "nl" ] }
      }
      requirements {
        id: "L2-R5"
        importance: IMPORTANCE_MANDATORY
        entity_type {
          allowed: [ ENTITY_TYPE_SME, ENTITY_TYPE_MICRO_ENTERPRISE ]
        }
      }
    }
    consortium_rules {
      min_members: 1
      max_members: 4
      min_distinct_countries: 1
      subcontracting_allowed: true
      max_subcontracting_share: 0.3
    }
  )pb");
}

std::vector<std::string> Messages(const std::vector<ValidationProblem>& ps) {
  std::vector<std::string> out;
  for (const ValidationProblem& p : ps) out.push_back(p.ToString());
  return out;
}

class ValidationTest : public ::testing::Test {
 protected:
  std::vector<std::string> Supplier(const v1::SupplierProfile& s) {
    return Messages(validator_.CheckSupplier(s));
  }
  std::vector<std::string> Tender(const v1::Tender& t) {
    return Messages(validator_.CheckTender(t));
  }
  Validator validator_;
};

TEST_F(ValidationTest, GoodRecordsPass) {
  EXPECT_THAT(Supplier(GoodSupplier()), IsEmpty());
  EXPECT_THAT(Tender(GoodTender()), IsEmpty());
  EXPECT_TRUE(validator_.ValidateSupplier(GoodSupplier()).ok());
  EXPECT_TRUE(validator_.ValidateTender(GoodTender()).ok());
}

TEST_F(ValidationTest, SupplierIdAndName) {
  v1::SupplierProfile s = GoodSupplier();
  s.clear_id();
  s.set_name("  ");
  EXPECT_THAT(Supplier(s), AllOf(Contains("supplier \"\": id: is empty"),
                                 Contains("supplier \"\": name: is empty")));
  s.set_id(std::string(129, 'x'));
  EXPECT_THAT(Supplier(s), Contains(HasSubstr("id: is 129 bytes")));
}

// An id is printed in every message about its record: a control character
// in it is refused, and shown escaped in the message that refuses it.
TEST_F(ValidationTest, IdsHoldNoControlCharacters) {
  for (char c : {'\0', '\n', '\r', '\x1b', '\x7f'}) {
    v1::SupplierProfile s = GoodSupplier();
    s.set_id(absl::StrCat("S-", std::string(1, c), "-1"));
    const std::string escaped = absl::StrCat(
        "S-\\x", absl::Hex(static_cast<unsigned char>(c), absl::kZeroPad2),
        "-1");
    EXPECT_THAT(Supplier(s),
                Contains(absl::StrCat("supplier \"", escaped,
                                      "\": id: holds a control character "
                                      "(byte 0x",
                                      escaped.substr(4, 2), " at byte 2)")))
        << static_cast<int>(c);
    auto t = GoodTender();
    t.set_id(s.id());
    EXPECT_THAT(Tender(t), Contains(HasSubstr("id: holds a control character")))
        << static_cast<int>(c);
  }
  // Printable ASCII and UTF-8 pass.
  v1::SupplierProfile s = GoodSupplier();
  s.set_id("S-Z\xc3\xbcrich ~1");
  EXPECT_THAT(Supplier(s), IsEmpty());
}

// Proto3 enums are open: protobuf's parsers keep a number no value names
// ("level": 99 in JSON, any number in binary), validation accepted it, and a
// facility clearance of 99 passed a TOP_SECRET requirement (session 21).
TEST_F(ValidationTest, EnumNumbersTheSchemaDoesNotNameAreRefused) {
  v1::SupplierProfile s = GoodSupplier();
  s.mutable_facility_clearances(0)->set_level(
      static_cast<v1::ClearanceLevel>(99));
  s.mutable_cleared_staff(0)->set_level(static_cast<v1::ClearanceLevel>(-1));
  EXPECT_THAT(
      Supplier(s),
      AllOf(Contains(HasSubstr("facility_clearances[0].level: 99 is not a "
                               "value of ClearanceLevel")),
            Contains(HasSubstr("cleared_staff[0].level: -1 is not a value of "
                               "ClearanceLevel"))));
  // The snapshot loader's validation, which trusts the binary parser for
  // UTF-8 only.
  EXPECT_THAT(internal::ValidateParsedSupplier(validator_, s).message(),
              HasSubstr("facility_clearances[0].level: 99 is not a value of "
                        "ClearanceLevel"));
  v1::Tender t = GoodTender();
  t.set_classification(static_cast<v1::ClearanceLevel>(5));
  t.mutable_requirements(0)->set_importance(static_cast<v1::Importance>(7));
  EXPECT_THAT(Tender(t),
              AllOf(Contains(HasSubstr(
                        "classification: 5 is not a value of ClearanceLevel")),
                    Contains(HasSubstr("requirements[0].importance: 7 is not "
                                       "a value of Importance"))));
  // Every level the schema names passes (but UNSPECIFIED: "is not set").
  const google::protobuf::EnumDescriptor* levels =
      v1::ClearanceLevel_descriptor();
  for (int i = 1; i < levels->value_count(); ++i) {
    s = GoodSupplier();
    s.mutable_facility_clearances(0)->set_level(
        static_cast<v1::ClearanceLevel>(levels->value(i)->number()));
    EXPECT_THAT(Supplier(s), IsEmpty()) << levels->value(i)->name();
  }
}

TEST_F(ValidationTest, SupplierCodes) {
  v1::SupplierProfile s = GoodSupplier();
  s.set_cpv_codes(0, "35613000-5");
  s.mutable_capabilities(0)->set_cpv_codes(0, "3561300");
  s.set_nuts_code("BE299");
  s.set_country("BEL");
  s.set_languages(1, "vl");
  EXPECT_THAT(
      Supplier(s),
      AllOf(Contains("supplier \"BE-0478123490\": cpv_codes[0]: CPV code "
                     "\"35613000-5\" has check digit 5, expected 4"),
            Contains(HasSubstr("capabilities[0].cpv_codes[0]: malformed CPV "
                               "code \"3561300\"")),
            Contains(HasSubstr("nuts_code: unknown NUTS 2021 code \"BE299\"")),
            Contains(HasSubstr("country: \"BEL\" is not an ISO 3166-1")),
            Contains(HasSubstr("languages[1]: \"vl\" is not an ISO 639-1"))));
}

TEST_F(ValidationTest, SupplierRegionMustBeInItsCountry) {
  v1::SupplierProfile s = GoodSupplier();
  s.set_nuts_code("FR101");
  EXPECT_THAT(Supplier(s),
              Contains(HasSubstr("region \"FR101\" is not in the country of "
                                 "establishment \"BE\"")));
  s.set_country("GR");
  s.set_nuts_code("EL303");  // Greek NUTS prefix differs from ISO.
  EXPECT_THAT(Supplier(s), IsEmpty());
}

TEST_F(ValidationTest, SupplierIdentifiers) {
  v1::SupplierProfile s = GoodSupplier();
  s.mutable_identifiers()->set_kbo("0478.123.491");
  s.mutable_identifiers()->set_lei("5493001KJTIIGC8Y1R13");
  s.mutable_identifiers()->set_pic("12345");
  EXPECT_THAT(Supplier(s),
              AllOf(Contains(HasSubstr("identifiers.kbo: enterprise number")),
                    Contains(HasSubstr("identifiers.lei: LEI")),
                    Contains(HasSubstr("identifiers.pic: PIC"))));
}

TEST_F(ValidationTest, SupplierNumbersAndDates) {
  v1::SupplierProfile s = GoodSupplier();
  s.mutable_capabilities(0)->set_technology_readiness(11);
  s.set_employees(-3);
  s.mutable_turnover(0)->mutable_amount()->set_currency("");
  s.add_turnover()->set_year(2025);
  s.mutable_certifications(0)->mutable_valid_until()->set_month(2);
  s.mutable_certifications(0)->mutable_valid_until()->set_day(30);
  s.mutable_facility_clearances(0)->clear_level();
  s.mutable_past_contracts(0)->mutable_value()->set_amount(-1);
  EXPECT_THAT(
      Supplier(s),
      AllOf(Contains(HasSubstr(
                "capabilities[0].technology_readiness: TRL 11 is outside 1-9")),
            Contains(HasSubstr("employees: -3 is negative")),
            Contains(HasSubstr("turnover[0].amount.currency: is empty")),
            Contains(
                HasSubstr("turnover[1].year: turnover for 2025 given twice")),
            Contains(HasSubstr("certifications[0].valid_until: 2027-02-30 is "
                               "not a date")),
            Contains(HasSubstr("facility_clearances[0].level: is not set")),
            Contains(HasSubstr("past_contracts[0].value.amount: -1"))));
}

TEST_F(ValidationTest, InvalidUtf8IsNamedByField) {
  v1::SupplierProfile s = GoodSupplier();
  s.mutable_capabilities(0)->set_description("Li\xe8ge");
  EXPECT_THAT(Supplier(s), Contains("supplier \"BE-0478123490\": "
                                    "capabilities[0].description: is not valid "
                                    "UTF-8 (byte 2)"));
  // A top-level field, and a repeated string inside a repeated message.
  s.set_name("Kempen \xc3");
  s.mutable_capabilities(0)->add_tags("c4\xffisr");
  const std::string bad_tag =
      absl::StrCat("capabilities[0].tags[", s.capabilities(0).tags_size() - 1,
                   "]: is not valid UTF-8 (byte 2)");
  const std::vector<std::string> problems = Supplier(s);
  EXPECT_THAT(problems,
              Contains(HasSubstr("name: is not valid UTF-8 (byte 7)")));
  EXPECT_THAT(problems, Contains(HasSubstr(bad_tag)));
  EXPECT_THAT(problems,
              Contains(HasSubstr("capabilities[0].description: is not valid "
                                 "UTF-8 (byte 2)")));
}

TEST_F(ValidationTest, StatusHasFirstProblemAndCount) {
  v1::SupplierProfile s = GoodSupplier();
  s.set_employees(-1);
  s.add_languages("xx");
  absl::Status status = validator_.ValidateSupplier(s);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("(and 1 more problem)"));
  EXPECT_THAT(status.message(), HasSubstr("supplier \"BE-0478123490\": "));
}

TEST_F(ValidationTest, TenderBasics) {
  v1::Tender t = GoodTender();
  t.clear_id();
  t.clear_title();
  t.clear_description();
  t.mutable_submission_deadline()->set_seconds(t.published().seconds() - 1);
  t.set_main_cpv("35613001");
  t.add_nuts_codes("BE9");
  EXPECT_THAT(
      Tender(t),
      AllOf(Contains("tender \"\": id: is empty"),
            Contains(HasSubstr("title: is empty, and so is the description")),
            Contains(HasSubstr("submission_deadline: is before the "
                               "publication date")),
            Contains(HasSubstr("main_cpv: unknown CPV code \"35613001\"")),
            Contains(HasSubstr("nuts_codes[1]: unknown NUTS"))));
}

TEST_F(ValidationTest, DuplicateLotAndRequirementIds) {
  v1::Tender t = GoodTender();
  t.mutable_lots(1)->set_id("1");
  t.mutable_lots(1)->mutable_requirements(0)->set_id("R1");
  EXPECT_THAT(Tender(t),
              AllOf(Contains(HasSubstr("lots[1].id: duplicate lot id \"1\" "
                                       "(also lots[0])")),
                    Contains(HasSubstr("lots[1].requirements[0].id: duplicate "
                                       "requirement id \"R1\" (also "
                                       "requirements[0])"))));
}

TEST_F(ValidationTest, RequirementRules) {
  v1::Tender t = GoodTender();
  v1::Lot* lot1 = t.mutable_lots(0);
  v1::Lot* lot2 = t.mutable_lots(1);
  t.mutable_requirements(0)->mutable_clearance()->clear_min_level();
  t.mutable_requirements(1)->clear_importance();
  t.mutable_requirements(2)->mutable_keyword()->set_pattern("drone(");
  lot1->mutable_requirements(2)->mutable_cpv_experience()->set_cpv_codes(
      0, "3530000");
  lot2->mutable_requirements(0)->mutable_proximity()->set_level(4);
  lot2->mutable_requirements(1)->mutable_technology_readiness()->set_min_level(
      11);
  lot2->mutable_requirements(2)->mutable_staff()->set_min_employees(0);
  lot2->mutable_requirements(3)->mutable_language()->clear_any_of();
  lot2->mutable_requirements(4)->mutable_entity_type()->add_allowed(
      v1::ENTITY_TYPE_UNSPECIFIED);
  EXPECT_THAT(
      Tender(t),
      AllOf(
          Contains(
              HasSubstr("requirements[0].clearance.min_level: is not set")),
          Contains(HasSubstr("requirements[1].importance: must be MANDATORY")),
          Contains(HasSubstr("requirements[2].keyword.pattern: pattern "
                             "\"drone(\" is not a valid RE2 expression")),
          Contains("tender \"BE-MOD-2026-017\": "
                   "lots[0].requirements[2].cpv_experience.cpv_codes[0]: "
                   "malformed CPV code \"3530000\": expected 8 digits, "
                   "optionally with a check digit (35613000-4)"),
          Contains(HasSubstr("lots[1].requirements[0].proximity.level: 4 is "
                             "outside 0-3")),
          Contains(HasSubstr("lots[1].requirements[1].technology_readiness."
                             "min_level: TRL 11 is outside 1-9")),
          Contains(HasSubstr("lots[1].requirements[2].staff.min_employees: 0 "
                             "is not > 0")),
          Contains(HasSubstr("lots[1].requirements[3].language.any_of: is "
                             "empty")),
          Contains(HasSubstr("lots[1].requirements[4].entity_type.allowed[2]: "
                             "is ENTITY_TYPE_UNSPECIFIED"))));
}

TEST_F(ValidationTest, TurnoverMultipleNeedsAValue) {
  v1::Tender t = GoodTender();
  t.clear_estimated_value();
  t.mutable_lots(0)->clear_estimated_value();
  EXPECT_THAT(Tender(t),
              Contains(HasSubstr("lots[0].requirements[0].turnover.lot_value_"
                                 "multiple: needs an estimated value")));
}

TEST_F(ValidationTest, RequirementWithoutConditionOrWithBadWeight) {
  v1::Tender t = GoodTender();
  v1::Requirement* r = t.add_requirements();
  r->set_id("R9");
  r->set_importance(v1::IMPORTANCE_DESIRABLE);
  r->set_weight(-1);
  t.mutable_requirements(0)->set_weight(3);
  EXPECT_THAT(Tender(t),
              AllOf(Contains(HasSubstr("requirements[3]: has no condition")),
                    Contains(HasSubstr("requirements[3].weight: -1 is not a "
                                       "weight >= 0")),
                    Contains(HasSubstr("requirements[0].weight: a mandatory "
                                       "requirement has no weight"))));
}

TEST_F(ValidationTest, KeywordPatternOverMemoryBudget) {
  Options options;
  options.max_pattern_memory = 1 << 10;
  Validator tight(options);
  v1::Tender t = GoodTender();
  t.mutable_requirements(2)->mutable_keyword()->set_pattern(
      "((a|b|c|d|e)[a-z]{0,40}){20}");
  EXPECT_THAT(Messages(tight.CheckTender(t)),
              Contains(HasSubstr("within the memory budget")));
  EXPECT_THAT(Tender(t), IsEmpty());
}

// A record may hold at most Options::max_keyword_patterns RE2 patterns,
// counted over the tender and its lots: each is compiled and searched in
// every text it is matched against (1,000 cost 27 s of matching for one
// tender). The first one over is named; the rest are not compiled.
TEST_F(ValidationTest, KeywordPatternsPerRecordAreBounded) {
  v1::Tender t = GoodTender();
  ASSERT_TRUE(t.requirements(2).has_keyword());
  ASSERT_GT(t.lots_size(), 0);
  const int max = Options().max_keyword_patterns;
  for (int i = 1; i < max; ++i) {
    v1::Requirement* r = i % 2 == 0 ? t.add_requirements()
                                    : t.mutable_lots(0)->add_requirements();
    *r = t.requirements(2);
    r->set_id(absl::StrCat("kw-", i));
  }
  EXPECT_THAT(Tender(t), IsEmpty());
  // Lots are checked after the tender: the last lot's last pattern is the
  // record's last.
  v1::Lot* last = t.mutable_lots(t.lots_size() - 1);
  v1::Requirement* over = last->add_requirements();
  *over = t.requirements(2);
  over->set_id("kw-over");
  over->mutable_keyword()->set_pattern("drone(");  // Never compiled.
  const std::string field =
      absl::StrCat("lots[", t.lots_size() - 1, "].requirements[",
                   last->requirements_size() - 1, "].keyword.pattern: ");
  EXPECT_THAT(Tender(t),
              ElementsAre(AllOf(
                  HasSubstr(field),
                  HasSubstr(absl::StrCat("is keyword pattern ", max + 1,
                                         " of the record; at most ", max)),
                  HasSubstr("max_keyword_patterns"))));
  Options wider;
  wider.max_keyword_patterns = max + 1;
  over->mutable_keyword()->set_pattern("drone");
  EXPECT_THAT(Messages(Validator(wider).CheckTender(t)), IsEmpty());
}

// A pattern RE2 refuses is quoted in the message cut to 64 bytes with its
// length, as is RE2's own message (which quotes the pattern from the error
// on): a 1 MB pattern made a 2 MB message.
TEST_F(ValidationTest, RefusedPatternIsQuotedShort) {
  v1::Tender t = GoodTender();
  t.mutable_requirements(2)->mutable_keyword()->set_pattern(
      absl::StrCat("(", std::string(1 << 20, 'a')));
  const std::vector<std::string> messages = Tender(t);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_THAT(messages[0],
              AllOf(HasSubstr("requirements[2].keyword.pattern"),
                    HasSubstr("(1048577 bytes)"), HasSubstr("missing )")));
  EXPECT_LT(messages[0].size(), 600u);
}

TEST_F(ValidationTest, ConsortiumRules) {
  v1::Tender t = GoodTender();
  t.mutable_consortium_rules()->set_min_members(5);
  t.mutable_consortium_rules()->set_max_subcontracting_share(1.5);
  t.mutable_consortium_rules()->add_eligible_countries("UK");
  EXPECT_THAT(
      Tender(t),
      AllOf(Contains(HasSubstr("consortium_rules.min_members: 5 is more "
                               "than max_members 4")),
            Contains(HasSubstr("max_subcontracting_share: 1.5 is outside "
                               "0-1")),
            Contains(HasSubstr("eligible_countries[0]: \"UK\""))));
}

TEST_F(ValidationTest, MatchRequest) {
  v1::MatchRequest r;
  r.set_request_id("q1");
  EXPECT_THAT(Messages(validator_.CheckMatchRequest(r)),
              Contains("match request \"q1\": tender: is not set"));
  *r.mutable_tender() = GoodTender();
  r.set_lot_id("7");
  r.mutable_options()->set_top_k(20000);
  r.mutable_options()->mutable_weights()->set_cpv(-0.5);
  r.mutable_options()->mutable_as_of()->set_year(2026);
  EXPECT_THAT(
      Messages(validator_.CheckMatchRequest(r)),
      AllOf(Contains(HasSubstr("lot_id: tender \"BE-MOD-2026-017\" has "
                               "no lot \"7\"")),
            Contains(HasSubstr("options.top_k: 20000 is outside")),
            Contains(HasSubstr("options.weights.cpv: -0.5 is not a "
                               "weight")),
            Contains(HasSubstr("options.as_of: 2026-00-00 is not a date"))));
  r.set_lot_id("2");
  r.mutable_options()->set_top_k(10);
  r.mutable_options()->mutable_weights()->set_cpv(0.5);
  r.mutable_options()->clear_as_of();
  EXPECT_TRUE(validator_.ValidateMatchRequest(r).ok());
  // Errors inside the tender carry the nested path.
  r.mutable_tender()->set_main_cpv("1");
  EXPECT_THAT(Messages(validator_.CheckMatchRequest(r)),
              Contains(HasSubstr("tender.main_cpv: malformed CPV code")));
}

TEST_F(ValidationTest, SupplierUpdate) {
  v1::SupplierUpdate u;
  *u.add_upserts() = GoodSupplier();
  *u.add_upserts() = GoodSupplier();
  u.add_removed_ids("BE-0478123490");
  u.add_removed_ids("");
  u.mutable_upserts(1)->set_employees(-1);
  EXPECT_THAT(
      Messages(validator_.CheckSupplierUpdate(u)),
      AllOf(Contains(HasSubstr("upserts[1].id: supplier \"BE-0478123490\" is "
                               "also upserts[0]")),
            Contains(HasSubstr("upserts[1].employees: -1 is negative")),
            Contains(HasSubstr("removed_ids[0]: supplier \"BE-0478123490\" is "
                               "both upserted and removed")),
            Contains(HasSubstr("removed_ids[1]: is empty"))));
}

TEST_F(ValidationTest, CoverageRequest) {
  v1::CoverageRequest r;
  r.set_country("BE");
  v1::CapabilityArea* a = r.add_areas();
  a->set_id("uav");
  a->add_cpv_codes("35613000");
  a->set_edf_category("AIR");
  v1::AreaKeyword* k = a->add_keywords();
  k->set_text("onbemande luchtvaartuigen");
  k->set_language("nl");
  r.add_nuts_regions("BE2");
  r.set_nuts_level(1);
  r.mutable_award_period()->mutable_start()->set_year(2018);
  r.mutable_award_period()->mutable_start()->set_month(1);
  r.mutable_award_period()->mutable_start()->set_day(1);
  EXPECT_TRUE(validator_.ValidateCoverageRequest(r).ok())
      << validator_.ValidateCoverageRequest(r);
  a->set_min_technology_readiness(10);
  a->add_cpv_codes("3530000");
  a->set_edf_category("SENSORS");
  r.add_areas()->set_id("uav");
  r.add_nuts_regions("FR10");
  r.set_nuts_level(3);
  *r.mutable_award_period()->mutable_end() = v1::Date();
  r.mutable_award_period()->mutable_end()->set_year(2017);
  r.mutable_award_period()->mutable_end()->set_month(12);
  r.mutable_award_period()->mutable_end()->set_day(31);
  EXPECT_THAT(
      Messages(validator_.CheckCoverageRequest(r)),
      AllOf(Contains(HasSubstr("areas[0].min_technology_readiness: TRL 10")),
            Contains(HasSubstr("areas[0].cpv_codes[1]: ")),
            Contains(HasSubstr("areas[0].edf_category: unknown EDF category "
                               "\"SENSORS\"")),
            Contains(HasSubstr("areas[1].id: duplicate area id")),
            Contains(HasSubstr("areas[1]: has neither cpv_codes nor tags nor "
                               "keywords")),
            Contains(HasSubstr("nuts_regions[1]: \"FR10\" is not in BE")),
            Contains(HasSubstr("nuts_level: 3 is not 1 or 2")),
            Contains(HasSubstr("award_period.end: is before "
                               "award_period.start"))));
}

TEST_F(ValidationTest, AlertRule) {
  v1::AlertRule r;
  r.set_id("uav-flanders");
  r.add_cpv_prefixes("3561");
  r.add_exclude_cpv_prefixes("35613");
  r.add_nuts_prefixes("BE2");
  r.add_buyer_countries("BE");
  r.add_languages("nl");
  r.add_notice_kinds(v1::NOTICE_KIND_CONTRACT_NOTICE);
  r.add_keywords("onbemande luchtvaartuigen");
  r.set_keyword_language("nl");
  r.add_keyword_patterns("(?i)drone|uav");
  r.mutable_profile()->set_supplier_id("BE-0410472920");
  r.mutable_profile()->set_min_score(0.5);
  EXPECT_TRUE(validator_.ValidateAlertRule(r).ok())
      << validator_.ValidateAlertRule(r);
  r.add_cpv_prefixes("99");
  r.add_cpv_prefixes("35a");
  r.add_exclude_cpv_prefixes("3");
  r.add_exclude_patterns("[");
  r.mutable_min_value()->set_amount(10);
  r.mutable_min_value()->set_currency("EUR");
  r.mutable_max_value()->set_amount(5);
  r.mutable_max_value()->set_currency("EUR");
  r.add_legal_bases(v1::LEGAL_BASIS_UNSPECIFIED);
  r.add_notice_kinds(v1::NOTICE_KIND_UNSPECIFIED);
  r.add_buyer_countries("XX");
  r.add_languages("");
  r.add_keywords("  ");
  r.mutable_profile()->set_min_score(1.5);
  EXPECT_THAT(
      Messages(validator_.CheckAlertRule(r)),
      AllOf(Contains(HasSubstr("cpv_prefixes[1]: no CPV code starts "
                               "with \"99\"")),
            Contains(HasSubstr("cpv_prefixes[2]: \"35a\" is not 2-8 "
                               "digits")),
            Contains(HasSubstr("exclude_cpv_prefixes[1]: \"3\" is not 2-8")),
            Contains(HasSubstr("exclude_patterns[0]: pattern \"[\"")),
            Contains(HasSubstr("min_value: is more than max_value")),
            Contains(HasSubstr("legal_bases[0]")),
            Contains(HasSubstr("notice_kinds[1]: is NOTICE_KIND_UNSPECIFIED")),
            Contains(HasSubstr("buyer_countries[1]: \"XX\" is not an ISO")),
            Contains(HasSubstr("languages[1]: is empty")),
            Contains(HasSubstr("keywords[1]: is empty")),
            Contains(HasSubstr("profile.min_score: 1.5 is outside 0-1"))));
}

// A pattern that needs more than Options::max_pattern_memory is refused,
// naming the rule, the field and the bound.
TEST(AlertRuleValidation, PatternOverTheMemoryBoundIsRefused) {
  Options options;
  options.max_pattern_memory = 64 << 10;
  Validator validator(options);
  v1::AlertRule r;
  r.set_id("drones-large");
  r.add_keyword_patterns("drone");
  EXPECT_TRUE(validator.ValidateAlertRule(r).ok());
  r.add_keyword_patterns("(drone|uav|quadcopter){1,200}\\w{50,900}");
  const absl::Status s = validator.ValidateAlertRule(r);
  EXPECT_THAT(
      std::string(s.message()),
      AllOf(HasSubstr("alert rule \"drones-large\""),
            HasSubstr("keyword_patterns[1]"), HasSubstr("65536 bytes")));
}

// An alert rule's keyword and exclude patterns count together against
// Options::max_keyword_patterns.
TEST(AlertRuleValidation, PatternsPerRuleAreBounded) {
  Validator validator;
  const int max = Options().max_keyword_patterns;
  v1::AlertRule r;
  r.set_id("many-patterns");
  for (int i = 0; i < max / 2; ++i) r.add_keyword_patterns("drone");
  for (int i = max / 2; i < max; ++i) r.add_exclude_patterns("toy");
  EXPECT_TRUE(validator.ValidateAlertRule(r).ok());
  r.add_exclude_patterns("model");
  r.add_exclude_patterns("[");  // Past the bound: not compiled, not named.
  EXPECT_THAT(Messages(validator.CheckAlertRule(r)),
              ElementsAre(AllOf(HasSubstr(absl::StrCat("exclude_patterns[",
                                                       max - max / 2, "]")),
                                HasSubstr("max_keyword_patterns"))));
}

// A list past what the alert index counts is refused by validation, naming
// the list, before any entry is read (a rule of a million keywords used to
// pass validation and be refused only when compiled, after analysing them).
TEST(AlertRuleValidation, ListsAreBoundedBeforeTheirEntriesAreRead) {
  Validator validator;
  v1::AlertRule r;
  r.set_id("many-keywords");
  for (int i = 0; i < 65535; ++i) r.add_keywords("drone");
  EXPECT_TRUE(validator.ValidateAlertRule(r).ok());
  r.add_keywords("drone");
  r.add_buyer_countries("");  // Not reported: nothing more is read.
  EXPECT_THAT(Messages(validator.CheckAlertRule(r)),
              ElementsAre(AllOf(HasSubstr("alert rule \"many-keywords\""),
                                HasSubstr("keywords"),
                                HasSubstr("65536 entries; at most 65535"))));
}

TEST_F(ValidationTest, AlertRuleUpdate) {
  v1::AlertRuleUpdate u;
  v1::AlertRule* r = u.add_upserts();
  r->set_id("uav-flanders");
  r->add_cpv_prefixes("3561");
  EXPECT_TRUE(validator_.ValidateAlertRuleUpdate(u).ok());
  u.add_upserts()->set_id("uav-flanders");
  u.add_upserts()->add_cpv_prefixes("99");
  u.add_removed_ids("uav-flanders");
  EXPECT_THAT(Messages(validator_.CheckAlertRuleUpdate(u)),
              AllOf(Contains(HasSubstr("upserts[1].id: rule \"uav-flanders\" "
                                       "given twice")),
                    Contains(HasSubstr("upserts[2].id: is empty")),
                    Contains(HasSubstr("upserts[2].cpv_prefixes[0]")),
                    Contains(HasSubstr("removed_ids[0]: is also upserted"))));
}

// An EDF-style call: the maritime autonomy call of the bundled sample, cut
// to two work packages.
v1::ConsortiumRequest GoodConsortiumRequest() {
  v1::ConsortiumRequest r;
  r.set_request_id("EDF-2026-NAVAL-USV");
  v1::Call* call = r.mutable_call();
  call->set_id("EDF-2026-NAVAL-USV");
  call->set_title("Autonomous surface vessels for mine countermeasures");
  call->set_language("en");
  call->mutable_rules()->set_action_type(v1::ACTION_TYPE_DEVELOPMENT);
  call->mutable_rules()->set_max_members(6);
  v1::WorkPackage* wp = call->add_work_packages();
  wp->set_id("WP1");
  wp->set_title("Unmanned surface vessel platform");
  wp->add_cpv_codes("34520000");  // Boats.
  wp->set_min_technology_readiness(5);
  wp = call->add_work_packages();
  wp->set_id("WP2");
  wp->set_title("Sonar and sensor fusion");
  wp->add_cpv_codes("38112000");  // Sonars.
  wp->add_keywords("sonar");
  wp = call->add_work_packages();
  wp->set_id("WP3");
  wp->set_title("Secure communications between vessels");
  wp->add_cpv_codes("32500000");  // Telecommunications equipment.
  return r;
}

TEST_F(ValidationTest, ConsortiumRequest) {
  v1::ConsortiumRequest r = GoodConsortiumRequest();
  EXPECT_THAT(Messages(validator_.CheckConsortiumRequest(r)), IsEmpty());
  r.set_max_proposals(-1);
  r.add_required_supplier_ids("");
  r.add_required_supplier_ids("NL-ZEELAND-MARITIEM");
  r.add_required_supplier_ids("NL-ZEELAND-MARITIEM");
  r.mutable_call()->mutable_work_packages(1)->set_id("WP1");
  r.mutable_call()->mutable_work_packages(1)->set_min_technology_readiness(10);
  r.mutable_call()->mutable_work_packages(1)->add_cpv_codes("3530000");
  v1::Requirement* q = r.mutable_call()->add_requirements();
  q->set_id("wp-min-trl");
  q->set_importance(v1::IMPORTANCE_MANDATORY);
  q->mutable_staff()->set_min_employees(10);
  EXPECT_THAT(
      Messages(validator_.CheckConsortiumRequest(r)),
      AllOf(Contains(HasSubstr("max_proposals: -1 is outside 0-100")),
            Contains(HasSubstr("required_supplier_ids[0]: is empty")),
            Contains(HasSubstr("required_supplier_ids[2]: supplier "
                               "\"NL-ZEELAND-MARITIEM\" is listed twice")),
            Contains(HasSubstr("call.work_packages[1].id: duplicate work "
                               "package id \"WP1\"")),
            Contains(HasSubstr("call.work_packages[1].min_technology_readiness"
                               ": TRL 10 is outside 1-9")),
            Contains(HasSubstr("call.work_packages[1].cpv_codes[1]")),
            Contains(HasSubstr("call.requirements[0].id: \"wp-min-trl\" is "
                               "reserved"))));
}

TEST_F(ValidationTest, ConsortiumRequestWithoutCall) {
  v1::ConsortiumRequest r;
  EXPECT_THAT(Messages(validator_.CheckConsortiumRequest(r)),
              Contains(HasSubstr("call: is not set")));
}

// Rules that no consortium can satisfy are refused with the reason, on the
// rules the search applies (the action type's defaults filled in).
TEST_F(ValidationTest, ContradictoryConsortiumRulesAreRefused) {
  v1::ConsortiumRequest r = GoodConsortiumRequest();
  v1::ConsortiumRules* rules = r.mutable_call()->mutable_rules();
  rules->set_max_members(2);  // A development action needs 3 (art. 10(4)).
  rules->set_min_independent_countries(4);
  rules->add_eligible_countries("NL");
  rules->add_eligible_countries("BE");
  rules->mutable_preferences()->set_national_weight(0.2);
  rules->mutable_preferences()->set_sme_weight(-1);
  EXPECT_THAT(
      Messages(validator_.CheckConsortiumRequest(r)),
      AllOf(Contains(HasSubstr("call.rules.min_members: 3 is more than "
                               "max_members 2: 3 members cannot fit")),
            Contains(HasSubstr("call.rules.min_distinct_countries: 3 is "
                               "more than max_members 2")),
            Contains(HasSubstr("call.rules.min_independent_countries: 4 "
                               "countries cannot be spanned by 3 "
                               "independent members")),
            Contains(HasSubstr("call.rules.eligible_countries: only 2 "
                               "eligible countries (NL, BE) for at least 4")),
            Contains(HasSubstr("call.rules.preferences.national_country: is "
                               "empty but national_weight is set")),
            Contains(HasSubstr("call.rules.preferences.sme_weight: -1 is not "
                               "a weight >= 0"))));
}

// Every member but a required one leads a work package: 3 packages and one
// required member make at most 4 members.
TEST_F(ValidationTest, MoreMembersThanWorkPackagesIsRefused) {
  v1::ConsortiumRequest r = GoodConsortiumRequest();
  r.mutable_call()->mutable_rules()->set_min_members(5);
  r.add_required_supplier_ids("NL-ZEELAND-MARITIEM");
  EXPECT_THAT(Messages(validator_.CheckConsortiumRequest(r)),
              Contains(HasSubstr("call.rules: at least 5 members needed but "
                                 "the call has 3 work packages and 1 required "
                                 "members: at most 4 members")));
  r.mutable_call()->mutable_rules()->set_min_members(4);
  EXPECT_THAT(validator_.CheckConsortiumRequest(r), IsEmpty());
}

TEST_F(ValidationTest, SingleEntityActionsNeedNoPartners) {
  v1::ConsortiumRequest r = GoodConsortiumRequest();
  r.mutable_call()->mutable_rules()->set_action_type(
      v1::ACTION_TYPE_DISRUPTIVE_TECHNOLOGY);
  r.mutable_call()->mutable_rules()->set_max_members(1);
  EXPECT_THAT(validator_.CheckConsortiumRequest(r), IsEmpty());
}

TEST_F(ValidationTest, OwnershipOfSupplier) {
  v1::SupplierProfile s;
  s.set_id("NL-ZEELAND-MARITIEM");
  s.set_name("Zeeland Maritiem Autonoom BV");
  s.mutable_ownership()->set_parent_id("NL-ZEELAND-MARITIEM");
  s.mutable_ownership()->set_ultimate_controller_country("UK");
  s.mutable_ownership()->set_guarantees_given(true);
  s.set_third_country_control(v1::THIRD_COUNTRY_CONTROL_NOT_CONTROLLED);
  EXPECT_THAT(
      Messages(validator_.CheckSupplier(s)),
      AllOf(Contains(HasSubstr("ownership.parent_id: is the supplier itself")),
            Contains(HasSubstr("ownership.ultimate_controller_country: \"UK\""
                               " is not an ISO 3166-1")),
            Contains(HasSubstr("ownership.guarantees_given: is set but "))));
}

}  // namespace
}  // namespace procmatch

namespace procmatch {
namespace {

TEST(AwardValidationTest, WinnersAndLots) {
  Validator validator;
  v1::Tender t;
  t.set_id("TED-620316-2021");
  t.set_title("Award");
  t.add_lots()->set_id("1");
  v1::ContractAward* a = t.add_awards();
  a->set_lot_id("1");
  v1::Awardee* w = a->add_winners();
  w->set_name("Oy IBM Finland Ab");
  w->set_country("FI");
  w->set_nuts_code("FI1B1");
  EXPECT_TRUE(validator.ValidateTender(t).ok()) << validator.ValidateTender(t);
  a->set_lot_id("9");
  w->clear_name();
  w->set_country("SF");
  std::vector<std::string> got;
  for (const auto& p : validator.CheckTender(t)) got.push_back(p.ToString());
  EXPECT_THAT(got, Contains(HasSubstr("awards[0].lot_id: no lot \"9\"")));
  EXPECT_THAT(got, Contains(HasSubstr("awards[0].winners[0].name: is empty")));
  EXPECT_THAT(got, Contains(HasSubstr("awards[0].winners[0].country: \"SF\"")));
}

// Issue 10: a record with a huge id and thousands of bad codes used to
// repeat the whole id in every one of its problems (2.6 GB of messages for a
// 300 KB file). The report is now bounded in count and id length.
TEST_F(ValidationTest, ProblemReportIsBoundedForHostileRecords) {
  v1::SupplierProfile s;
  s.set_id(std::string(64 * 1024, 'x'));
  s.set_name("Hostile NV");
  for (int i = 0; i < 20000; ++i) s.add_cpv_codes("99999999");
  Options options;
  Validator validator(options);
  const std::vector<ValidationProblem> problems = validator.CheckSupplier(s);
  ASSERT_EQ(problems.size(),
            static_cast<size_t>(options.max_problems_per_record) + 1);
  size_t bytes = 0;
  for (const ValidationProblem& p : problems) {
    bytes += p.ToString().size();
    EXPECT_LT(p.record.size(), 128u) << p.record.substr(0, 200);
  }
  EXPECT_LT(bytes, 64u * 1024);
  EXPECT_THAT(problems.back().problem, HasSubstr("more problems not listed"));
  EXPECT_THAT(
      problems.back().problem,
      HasSubstr(absl::StrCat(20000 + 1 - options.max_problems_per_record)));
  EXPECT_THAT(problems.front().record, HasSubstr("65536-byte id"));
}

// The snapshot loader leaves the UTF-8 walk out (ValidateParsedSupplier)
// because protobuf's binary parser refuses invalid UTF-8 in proto3 string
// fields. That holds only if the parser and FirstInvalidUtf8Offset agree on
// what is valid: checked on random strings built from the pieces where
// validators differ (surrogates, overlong forms, code points above
// U+10FFFF, truncated and stray continuation bytes).
TEST(ParsedSupplierTest, ProtobufRefusesExactlyTheInvalidUtf8) {
  const std::vector<std::string> pieces = {"a",
                                           "Z",
                                           "\xc3\xa9",
                                           "\xe2\x82\xac",
                                           "\xf0\x9f\x9a\x81",
                                           "\xed\x9f\xbf",
                                           "\xed\xa0\x80",
                                           "\xed\xbf\xbf",  // surrogates
                                           "\xc0\xaf",
                                           "\xc1\xbf",
                                           "\xe0\x80\xaf",
                                           "\xe0\x9f\xbf",
                                           "\xf0\x8f\xbf\xbf",  // overlong
                                           "\xf4\x8f\xbf\xbf",
                                           "\xf4\x90\x80\x80",
                                           "\xf5\x80\x80\x80",
                                           "\x80",
                                           "\xbf",
                                           "\xc3",
                                           "\xe2\x82",
                                           "\xf0\x9f\x9a",
                                           "\xff",
                                           "\xfe",
                                           std::string(1, '\0')};
  std::mt19937 random(20261129);
  google::protobuf::LogSilencer silence_protobuf;
  int invalid = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string text;
    const int n = 1 + static_cast<int>(random() % 4);
    for (int i = 0; i < n; ++i) text += pieces[random() % pieces.size()];
    // SupplierProfile field 2 (name), length-delimited, written by hand:
    // a serializer might refuse or mend invalid UTF-8.
    std::string wire = "\x12";
    wire += static_cast<char>(text.size());
    wire += text;
    v1::SupplierProfile parsed;
    const bool valid = FirstInvalidUtf8Offset(text) < 0;
    invalid += valid ? 0 : 1;
    EXPECT_EQ(parsed.ParseFromString(wire), valid)
        << absl::CEscape(text) << " (FirstInvalidUtf8Offset says "
        << (valid ? "valid" : "invalid") << ")";
  }
  // The pieces do reach both answers.
  EXPECT_GT(invalid, 2000);
  EXPECT_LT(invalid, 18000);
}

// ValidateParsedSupplier finds every problem ValidateSupplier finds but
// the UTF-8 ones, in the same words.
TEST(ParsedSupplierTest, SameProblemsAsValidateSupplierButUtf8) {
  const Validator validator;
  v1::SupplierProfile s;
  s.set_id("BE-1");
  s.set_name("Firm");
  s.set_country("XX");
  s.add_languages("qq");
  s.set_employees(-2);
  s.add_cpv_codes("99999999");
  const absl::Status full = validator.ValidateSupplier(s);
  EXPECT_FALSE(full.ok());
  EXPECT_EQ(internal::ValidateParsedSupplier(validator, s), full);
  s.Clear();
  s.set_id("BE-1");
  s.set_name("Firm");
  EXPECT_TRUE(internal::ValidateParsedSupplier(validator, s).ok());
  s.set_name("Li\xe8ge");
  EXPECT_FALSE(validator.ValidateSupplier(s).ok());
  EXPECT_TRUE(internal::ValidateParsedSupplier(validator, s).ok());
}

}  // namespace
}  // namespace procmatch
