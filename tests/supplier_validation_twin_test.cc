// The supplier checks name each field through a FieldPath, spelled out only
// for a problem (issue 16). Twin: the checks as they were, every field name
// written out before each check, compared problem for problem (record,
// field, words) on random profiles with random faults planted.
#include <cmath>
#include <functional>
#include <iterator>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/struct.pb.h"
#include "gtest/gtest.h"
#include "procmatch/identifiers.h"
#include "procmatch/internal/field_checker.h"
#include "procmatch/iso_codes.h"
#include "procmatch/utf8.h"
#include "procmatch/validation.h"
#include "tests/random_corpus.h"

namespace procmatch {
namespace {

using internal::Checker;

// Checker::Money with its two field names written out.
void WrittenOutMoney(Checker& c, const std::string& field,
                     const v1::Money& money) {
  if (!std::isfinite(money.amount()) || money.amount() < 0) {
    c.Add(field + ".amount",
          absl::StrCat(money.amount(), " is not a finite amount >= 0"));
  }
  if (money.currency().empty()) {
    c.Add(field + ".currency", "is empty");
  } else if (!IsIsoCurrency(money.currency())) {
    c.Add(field + ".currency",
          absl::StrCat("\"", money.currency(),
                       "\" is not an ISO 4217 currency code"));
  }
}

void WrittenOutCpvList(
    Checker& c, const std::string& field,
    const google::protobuf::RepeatedPtrField<std::string>& codes) {
  for (int i = 0; i < codes.size(); ++i) {
    c.Cpv(absl::StrCat(field, "[", i, "]"), codes[i]);
  }
}

// The supplier checks of session 14 (validation.cc), names written out.
void WrittenOutSupplierFields(Checker& c, const v1::SupplierProfile& s,
                              const std::string& p) {
  c.Id(p + "id", s.id());
  if (absl::StripAsciiWhitespace(s.name()).empty())
    c.Add(p + "name", "is empty");
  const v1::SupplierIdentifiers& ids = s.identifiers();
  c.Identifier(p + "identifiers.kbo", ids.kbo(), &CheckKbo);
  c.Identifier(p + "identifiers.vat", ids.vat(), &CheckVat);
  c.Identifier(p + "identifiers.lei", ids.lei(), &CheckLei);
  c.Identifier(p + "identifiers.ncage", ids.ncage(), &CheckNcage);
  c.Identifier(p + "identifiers.pic", ids.pic(), &CheckPic);
  c.Country(p + "country", s.country());
  c.Country(p + "executive_management_country",
            s.executive_management_country());
  if (!s.nuts_code().empty()) {
    c.Nuts(p + "nuts_code", s.nuts_code());
    if (!s.country().empty() && s.nuts_code().size() >= 2 &&
        IsoCountryOfNuts(s.nuts_code().substr(0, 2)) != s.country()) {
      c.Add(p + "nuts_code",
            absl::StrCat("region \"", s.nuts_code(),
                         "\" is not in the country of establishment \"",
                         s.country(), "\""));
    }
  }
  for (int i = 0; i < s.languages_size(); ++i) {
    c.Language(absl::StrCat(p, "languages[", i, "]"), s.languages(i));
  }
  if (s.employees() < 0) {
    c.Add(p + "employees", absl::StrCat(s.employees(), " is negative"));
  }
  absl::flat_hash_set<int> years;
  for (int i = 0; i < s.turnover_size(); ++i) {
    const std::string f = absl::StrCat(p, "turnover[", i, "]");
    WrittenOutMoney(c, f + ".amount", s.turnover(i).amount());
    const int year = s.turnover(i).year();
    if (year < 1900 || year > 2200) {
      c.Add(f + ".year", absl::StrCat(year, " is not a year in 1900-2200"));
    } else if (!years.insert(year).second) {
      c.Add(f + ".year", absl::StrCat("turnover for ", year, " given twice"));
    }
  }
  WrittenOutCpvList(c, p + "cpv_codes", s.cpv_codes());
  for (int i = 0; i < s.capabilities_size(); ++i) {
    const v1::Capability& cap = s.capabilities(i);
    const std::string f = absl::StrCat(p, "capabilities[", i, "]");
    c.Language(f + ".language", cap.language());
    WrittenOutCpvList(c, f + ".cpv_codes", cap.cpv_codes());
    if (cap.technology_readiness() < 0 || cap.technology_readiness() > 9) {
      c.Add(f + ".technology_readiness",
            absl::StrCat("TRL ", cap.technology_readiness(),
                         " is outside 1-9 (0 = not stated)"));
    }
  }
  for (int i = 0; i < s.certifications_size(); ++i) {
    const v1::Certification& cert = s.certifications(i);
    const std::string f = absl::StrCat(p, "certifications[", i, "]");
    if (absl::StripAsciiWhitespace(cert.scheme()).empty()) {
      c.Add(f + ".scheme", "is empty");
    }
    if (cert.has_valid_until()) c.Date(f + ".valid_until", cert.valid_until());
  }
  for (int i = 0; i < s.facility_clearances_size(); ++i) {
    const v1::FacilityClearance& fc = s.facility_clearances(i);
    const std::string f = absl::StrCat(p, "facility_clearances[", i, "]");
    if (fc.level() == v1::CLEARANCE_LEVEL_UNSPECIFIED) {
      c.Add(f + ".level", "is not set");
    }
    if (fc.has_valid_until()) c.Date(f + ".valid_until", fc.valid_until());
  }
  for (int i = 0; i < s.cleared_staff_size(); ++i) {
    const std::string f = absl::StrCat(p, "cleared_staff[", i, "]");
    if (s.cleared_staff(i).level() == v1::CLEARANCE_LEVEL_UNSPECIFIED) {
      c.Add(f + ".level", "is not set");
    }
    if (s.cleared_staff(i).count() < 0) {
      c.Add(f + ".count",
            absl::StrCat(s.cleared_staff(i).count(), " is negative"));
    }
  }
  for (int i = 0; i < s.past_contracts_size(); ++i) {
    const v1::PastContract& pc = s.past_contracts(i);
    const std::string f = absl::StrCat(p, "past_contracts[", i, "]");
    c.Country(f + ".buyer_country", pc.buyer_country());
    c.Language(f + ".language", pc.language());
    WrittenOutCpvList(c, f + ".cpv_codes", pc.cpv_codes());
    if (pc.has_value()) WrittenOutMoney(c, f + ".value", pc.value());
    if (pc.has_award_date()) c.Date(f + ".award_date", pc.award_date());
  }
  c.Language(p + "description_language", s.description_language());
  const v1::Ownership& o = s.ownership();
  if (!o.parent_id().empty() && o.parent_id() == s.id()) {
    c.Add(p + "ownership.parent_id", "is the supplier itself");
  }
  c.Country(p + "ownership.ultimate_controller_country",
            o.ultimate_controller_country());
  if (o.guarantees_given() &&
      s.third_country_control() !=
          v1::THIRD_COUNTRY_CONTROL_CONTROLLED_WITH_GUARANTEES) {
    c.Add(p + "ownership.guarantees_given",
          "is set but third_country_control is not "
          "THIRD_COUNTRY_CONTROL_CONTROLLED_WITH_GUARANTEES");
  }
}

// Checker::Values (KnownEnums without `text`) by definition: the set fields
// listed (ListFields, by number) in every message, each field's path written
// out.
void ListedFieldsValues(Checker& c, const google::protobuf::Message& message,
                        const std::string& path, bool text) {
  const google::protobuf::Reflection* r = message.GetReflection();
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  r->ListFields(message, &fields);
  std::string scratch;
  for (const google::protobuf::FieldDescriptor* f : fields) {
    const bool repeated = f->is_repeated();
    const int n = repeated ? r->FieldSize(message, f) : 1;
    for (int i = 0; i < n; ++i) {
      std::string here =
          path.empty() ? f->name() : absl::StrCat(path, ".", f->name());
      if (repeated) absl::StrAppend(&here, "[", i, "]");
      if (f->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_STRING) {
        if (!text) continue;
        const std::string& value =
            repeated ? r->GetRepeatedStringReference(message, f, i, &scratch)
                     : r->GetStringReference(message, f, &scratch);
        const ptrdiff_t bad = FirstInvalidUtf8Offset(value);
        if (bad >= 0) {
          c.Add(here, absl::StrCat("is not valid UTF-8 (byte ", bad, ")"));
        }
      } else if (f->cpp_type() ==
                 google::protobuf::FieldDescriptor::CPPTYPE_ENUM) {
        const int value = repeated ? r->GetRepeatedEnumValue(message, f, i)
                                   : r->GetEnumValue(message, f);
        bool named = false;
        for (int v = 0; v < f->enum_type()->value_count(); ++v) {
          named = named || f->enum_type()->value(v)->number() == value;
        }
        if (!named) {
          c.Add(here, absl::StrCat(value, " is not a value of ",
                                   f->enum_type()->name()));
        }
      } else if (f->cpp_type() ==
                 google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE) {
        ListedFieldsValues(c,
                           repeated ? r->GetRepeatedMessage(message, f, i)
                                    : r->GetMessage(message, f),
                           here, text);
      }
    }
  }
}

// Every field of C++ type `type` set anywhere in `message`: (message, field,
// index or -1).
struct Slot {
  google::protobuf::Message* message;
  const google::protobuf::FieldDescriptor* field;
  int index;
};
void Slots(google::protobuf::Message* message,
           google::protobuf::FieldDescriptor::CppType type,
           std::vector<Slot>* out) {
  const google::protobuf::Reflection* r = message->GetReflection();
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  r->ListFields(*message, &fields);
  for (const google::protobuf::FieldDescriptor* f : fields) {
    const bool repeated = f->is_repeated();
    const int n = repeated ? r->FieldSize(*message, f) : 1;
    for (int i = 0; i < n; ++i) {
      if (f->cpp_type() == type) {
        out->push_back({message, f, repeated ? i : -1});
      } else if (f->cpp_type() ==
                 google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE) {
        Slots(repeated ? r->MutableRepeatedMessage(message, f, i)
                       : r->MutableMessage(message, f),
              type, out);
      }
    }
  }
}

// Sets up to `faults` random set strings of `message` to invalid UTF-8.
void PlantInvalidUtf8(std::mt19937& rng, int faults,
                      google::protobuf::Message* message) {
  std::vector<Slot> slots;
  Slots(message, google::protobuf::FieldDescriptor::CPPTYPE_STRING, &slots);
  for (; faults > 0 && !slots.empty(); --faults) {
    const Slot& slot = slots[rng() % slots.size()];
    const google::protobuf::Reflection* r = slot.message->GetReflection();
    const std::string bad = rng() % 2 ? "caf\xe9" : "\xed\xa0\x80";
    if (slot.index < 0) {
      r->SetString(slot.message, slot.field, bad);
    } else {
      r->SetRepeatedString(slot.message, slot.field, slot.index, bad);
    }
  }
}

// Sets up to `faults` random set enums of `message` to a number their enum
// does not name (or, at times, to one it does).
void PlantUnknownEnums(std::mt19937& rng, int faults,
                       google::protobuf::Message* message) {
  std::vector<Slot> slots;
  Slots(message, google::protobuf::FieldDescriptor::CPPTYPE_ENUM, &slots);
  for (; faults > 0 && !slots.empty(); --faults) {
    const Slot& slot = slots[rng() % slots.size()];
    const google::protobuf::Reflection* r = slot.message->GetReflection();
    const int named = slot.field->enum_type()->value_count();
    const int values[] = {-1, 99, named, 1 << 30, 1};
    const int value = values[rng() % std::size(values)];
    if (slot.index < 0) {
      r->SetEnumValue(slot.message, slot.field, value);
    } else {
      r->SetRepeatedEnumValue(slot.message, slot.field, slot.index, value);
    }
  }
}

// Validator::CheckSupplier as it was: the record named before any check.
std::vector<ValidationProblem> WrittenOutCheckSupplier(
    const Validator& v, const v1::SupplierProfile& s, bool utf8) {
  std::vector<ValidationProblem> out;
  Checker c(v, internal::Quoted("supplier", s.id(), v.options()), &out);
  ListedFieldsValues(c, s, "", utf8);
  WrittenOutSupplierFields(c, s, "");
  return out;
}

// One of the faults below, or a value from a list of good and bad ones.
template <typename T>
const T& Pick(std::mt19937& rng, const std::vector<T>& values) {
  return values[rng() % values.size()];
}

// Plants one random fault (or a good value where a bad one was) in `s`.
void PlantFault(std::mt19937& rng, v1::SupplierProfile* s) {
  static const std::vector<std::string> kCountries = {"",   "BE", "FR",
                                                      "XX", "be", "BEL"};
  static const std::vector<std::string> kLanguages = {"",   "nl", "fr",
                                                      "qq", "NL", "eng"};
  static const std::vector<std::string> kCodes = {
      "35613000", "35613000-4", "35613000-9",  "99999999",
      "3561300",  "",           "  34711200 ", "72000000-5"};
  static const std::vector<std::string> kCurrencies = {"EUR", "", "XXX", "eur"};
  static const std::vector<double> kAmounts = {
      0, 12.5, -1, std::numeric_limits<double>::infinity(),
      std::numeric_limits<double>::quiet_NaN()};
  static const std::vector<std::string> kIds = {
      "",
      "S-1",
      std::string(129, 'x'),
      std::string(80, 'y'),
      "a\x01z",
      "\x7f",
      "\xc3\xa9t\xc3\xa9" + std::string(70, 'e')};
  const auto date = [&](v1::Date* d) {
    d->set_year(static_cast<int>(1990 + rng() % 50));
    d->set_month(static_cast<int>(rng() % 14));
    d->set_day(static_cast<int>(rng() % 33));
  };
  const auto money = [&](v1::Money* m) {
    m->set_amount(Pick(rng, kAmounts));
    m->set_currency(Pick(rng, kCurrencies));
  };
  const std::vector<std::function<void()>> faults = {
      [&] { s->set_id(Pick(rng, kIds)); },
      [&] {
        s->set_name(Pick(rng, std::vector<std::string>{"", " \t", "N"}));
      },
      [&] { s->mutable_identifiers()->set_kbo(rng() % 2 ? "123" : ""); },
      [&] { s->mutable_identifiers()->set_vat(rng() % 2 ? "BE1" : ""); },
      [&] { s->mutable_identifiers()->set_lei("ZZ"); },
      [&] { s->mutable_identifiers()->set_ncage("!"); },
      [&] { s->mutable_identifiers()->set_pic("12"); },
      [&] { s->set_country(Pick(rng, kCountries)); },
      [&] { s->set_executive_management_country(Pick(rng, kCountries)); },
      [&] {
        s->set_nuts_code(Pick(
            rng, std::vector<std::string>{"", "BE213", "FR101", "ZZ999", "B"}));
      },
      [&] { s->add_languages(Pick(rng, kLanguages)); },
      [&] { s->set_employees(static_cast<int>(rng() % 7) - 3); },
      [&] {
        v1::AnnualTurnover* t = s->add_turnover();
        t->set_year(static_cast<int>(1895 + rng() % 10) +
                    (rng() % 2 ? 0 : 300));
        money(t->mutable_amount());
      },
      [&] {
        const int year = s->turnover_size() > 0 ? s->turnover(0).year() : 2020;
        v1::AnnualTurnover* t = s->add_turnover();
        t->set_year(year);
        money(t->mutable_amount());
      },
      [&] { s->add_cpv_codes(Pick(rng, kCodes)); },
      [&] {
        v1::Capability* cap = s->add_capabilities();
        cap->set_language(Pick(rng, kLanguages));
        cap->add_cpv_codes(Pick(rng, kCodes));
        cap->set_technology_readiness(static_cast<int>(rng() % 13) - 2);
      },
      [&] {
        v1::Certification* cert = s->add_certifications();
        cert->set_scheme(
            Pick(rng, std::vector<std::string>{"", " ", "ISO 9001"}));
        if (rng() % 2) date(cert->mutable_valid_until());
      },
      [&] {
        v1::FacilityClearance* fc = s->add_facility_clearances();
        fc->set_level(static_cast<v1::ClearanceLevel>(rng() % 3));
        if (rng() % 2) date(fc->mutable_valid_until());
      },
      [&] {
        v1::ClearedStaff* cs = s->add_cleared_staff();
        cs->set_level(static_cast<v1::ClearanceLevel>(rng() % 3));
        cs->set_count(static_cast<int>(rng() % 5) - 2);
      },
      [&] {
        v1::PastContract* pc = s->add_past_contracts();
        pc->set_buyer_country(Pick(rng, kCountries));
        pc->set_language(Pick(rng, kLanguages));
        pc->add_cpv_codes(Pick(rng, kCodes));
        if (rng() % 2) money(pc->mutable_value());
        if (rng() % 2) date(pc->mutable_award_date());
      },
      [&] { s->set_description_language(Pick(rng, kLanguages)); },
      [&] {
        s->mutable_ownership()->set_parent_id(rng() % 2 ? s->id() : "P-1");
      },
      [&] {
        s->mutable_ownership()->set_ultimate_controller_country(
            Pick(rng, kCountries));
      },
      [&] {
        s->mutable_ownership()->set_guarantees_given(true);
        s->set_third_country_control(
            static_cast<v1::ThirdCountryControl>(rng() % 4));
      },
      [&] { s->set_description("caf\xe9"); },
  };
  faults[rng() % faults.size()]();
}

void ExpectSameProblems(const std::vector<ValidationProblem>& got,
                        const std::vector<ValidationProblem>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].record, want[i].record) << i;
    EXPECT_EQ(got[i].field, want[i].field) << i;
    EXPECT_EQ(got[i].problem, want[i].problem) << i;
  }
}

TEST(SupplierValidationTwinTest, SameProblemsAsTheWrittenOutChecks) {
  std::mt19937 rng(20261201);
  const std::vector<v1::SupplierProfile> suppliers =
      testing::RandomSuppliers(300, 20261201);
  int invalid = 0;
  int valid_with_codes = 0;
  int valid_with_nuts = 0;
  for (int round = 0; round < 3000; ++round) {
    Options options;
    // A small bound at times, so that problems are also dropped and summed.
    if (round % 3 == 0) options.max_problems_per_record = 1 + rng() % 4;
    options.max_id_bytes_in_messages = round % 2 ? 64 : 8;
    const Validator validator(options);
    v1::SupplierProfile s = suppliers[rng() % suppliers.size()];
    for (int faults = static_cast<int>(rng() % 6); faults > 0; --faults) {
      PlantFault(rng, &s);
    }
    if (round % 4 == 0) PlantInvalidUtf8(rng, 1 + rng() % 3, &s);
    if (round % 5 == 0) PlantUnknownEnums(rng, 1 + rng() % 3, &s);
    SCOPED_TRACE(absl::StrCat("round ", round, ": ", s.ShortDebugString()));
    const std::vector<ValidationProblem> want =
        WrittenOutCheckSupplier(validator, s, /*utf8=*/true);
    invalid += want.empty() ? 0 : 1;
    ExpectSameProblems(validator.CheckSupplier(s), want);
    // The loader's check: the same but the UTF-8 walk, in one status.
    const std::vector<ValidationProblem> parsed =
        WrittenOutCheckSupplier(validator, s, /*utf8=*/false);
    absl::Status want_status = absl::OkStatus();
    if (!parsed.empty()) {
      std::string message = parsed.front().ToString();
      if (parsed.size() > 1) {
        absl::StrAppend(&message, " (and ", parsed.size() - 1, " more problem",
                        parsed.size() > 2 ? "s" : "", ")");
      }
      want_status = absl::InvalidArgumentError(message);
    }
    EXPECT_EQ(internal::ValidateParsedSupplier(validator, s), want_status);
    // The codes it hands to analysis: a valid profile's, each parsed, in
    // field order.
    internal::ParsedSupplierCodes codes;
    EXPECT_EQ(internal::ValidateParsedSupplier(validator, s, &codes),
              want_status);
    if (want_status.ok()) {
      std::vector<CpvCode> want_codes;
      const auto parse = [&](const auto& list) {
        for (const std::string& code : list) {
          want_codes.push_back(*validator.cpv().Parse(code));
        }
      };
      parse(s.cpv_codes());
      for (const v1::Capability& cap : s.capabilities()) {
        parse(cap.cpv_codes());
      }
      for (const v1::PastContract& pc : s.past_contracts()) {
        parse(pc.cpv_codes());
      }
      EXPECT_EQ(codes.cpv, want_codes) << s.id();
      valid_with_codes += !want_codes.empty();
      const NutsCode want_nuts = s.nuts_code().empty()
                                     ? NutsCode()
                                     : *validator.nuts().Parse(s.nuts_code());
      EXPECT_EQ(codes.nuts, want_nuts) << s.id();
      valid_with_nuts += want_nuts.valid();
    }
    // Nested under a prefix, in an update.
    v1::SupplierUpdate update;
    *update.add_upserts() = s;
    std::vector<ValidationProblem> nested;
    {
      Checker c(validator,
                absl::StrCat("supplier update: ",
                             internal::Quoted("supplier", s.id(), options)),
                &nested);
      WrittenOutSupplierFields(c, s, "upserts[0].");
    }
    std::vector<ValidationProblem> got_nested;
    for (const ValidationProblem& p : validator.CheckSupplierUpdate(update)) {
      if (p.record != "supplier update") got_nested.push_back(p);
    }
    ExpectSameProblems(got_nested, nested);
    if (::testing::Test::HasFailure()) break;
  }
  // The faults do make most profiles invalid, and leave some valid.
  EXPECT_GT(invalid, 1500);
  EXPECT_LT(invalid, 2950);
  EXPECT_GT(valid_with_codes, 50);
  EXPECT_GT(valid_with_nuts, 50);
}

// Checks `message` with Checker::Values (KnownEnums without `text`) and
// with its definition, under a limit of problems at times; counts the UTF-8
// and enum problems found.
void ExpectValuesAsListed(std::mt19937& rng,
                          const google::protobuf::Message& message, bool text,
                          int* bad_utf8, int* unknown_enums) {
  Options options;
  if (rng() % 3 == 0) options.max_problems_per_record = 1 + rng() % 4;
  const Validator validator(options);
  const std::string prefix = rng() % 2 ? "" : "record";
  std::vector<ValidationProblem> got;
  std::vector<ValidationProblem> want;
  {
    Checker c(validator, "record", &got);
    if (text) {
      c.Values(message, prefix);
    } else {
      c.KnownEnums(message, prefix);
    }
  }
  {
    Checker c(validator, "record", &want);
    ListedFieldsValues(c, message, prefix, text);
  }
  for (const ValidationProblem& p : want) {
    *bad_utf8 += absl::StrContains(p.problem, "is not valid UTF-8");
    *unknown_enums += absl::StrContains(p.problem, "is not a value of");
  }
  SCOPED_TRACE(message.ShortDebugString());
  ExpectSameProblems(got, want);
}

// The walk of strings and enums on the other records it checks, whose
// messages have oneofs and optional fields: match requests and their
// tenders.
TEST(SupplierValidationTwinTest, ValuesWalkNamesTheFieldsListFieldsNames) {
  std::mt19937 rng(20261202);
  int bad_utf8 = 0;
  int unknown_enums = 0;
  for (v1::MatchRequest request : testing::RandomRequests(500, 20261202)) {
    PlantInvalidUtf8(rng, static_cast<int>(rng() % 3), &request);
    PlantUnknownEnums(rng, static_cast<int>(rng() % 3), &request);
    ExpectValuesAsListed(rng, request, /*text=*/rng() % 4 != 0, &bad_utf8,
                         &unknown_enums);
    if (::testing::Test::HasFailure()) break;
  }
  EXPECT_GT(bad_utf8, 150);
  EXPECT_GT(unknown_enums, 150);
}

// A random google.protobuf.Value up to `depth` levels of structs and lists.
void RandomValue(std::mt19937& rng, int depth, google::protobuf::Value* v) {
  switch (rng() % (depth > 0 ? 6 : 4)) {
    case 0:
      v->set_null_value(google::protobuf::NULL_VALUE);
      break;
    case 1:
      v->set_number_value(static_cast<double>(rng() % 100));
      break;
    case 2:
      v->set_string_value(absl::StrCat("text ", rng() % 100));
      break;
    case 3:
      v->set_bool_value(rng() % 2 == 0);
      break;
    case 4:
      for (int n = static_cast<int>(rng() % 4); n > 0; --n) {
        RandomValue(
            rng, depth - 1,
            &(*v->mutable_struct_value()
                   ->mutable_fields())[absl::StrCat("key ", rng() % 10)]);
      }
      break;
    default:
      for (int n = static_cast<int>(rng() % 4); n > 0; --n) {
        RandomValue(rng, depth - 1, v->mutable_list_value()->add_values());
      }
      break;
  }
}

// A recursive type with maps, strings and an enum, which no record of ours
// is (google.protobuf.Value holds a Struct, a map of strings to Values): the
// walk lists a type's fields while a type below it is still being listed.
// The first record walked is a Struct, so that its list is still empty when
// Value's struct_value meets it again.
TEST(SupplierValidationTwinTest, ValuesWalkFollowsRecursiveTypesAndMaps) {
  std::mt19937 rng(20261201);
  int bad_utf8 = 0;
  int unknown_enums = 0;
  for (int round = 0; round < 400; ++round) {
    google::protobuf::Struct record;
    google::protobuf::Value& value = (*record.mutable_fields())["root"];
    RandomValue(rng, 4, &value);
    google::protobuf::Message* walked = &record;
    if (round > 0 && rng() % 2 == 0) walked = &value;
    PlantInvalidUtf8(rng, static_cast<int>(rng() % 3), walked);
    PlantUnknownEnums(rng, static_cast<int>(rng() % 3), walked);
    ExpectValuesAsListed(rng, *walked, /*text=*/round == 0 || rng() % 4 != 0,
                         &bad_utf8, &unknown_enums);
    if (::testing::Test::HasFailure()) break;
  }
  EXPECT_GT(bad_utf8, 50);
  EXPECT_GT(unknown_enums, 20);
}

}  // namespace
}  // namespace procmatch
