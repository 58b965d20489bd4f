#include "procmatch/internal/json_scan.h"

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "procmatch/v1/supplier.pb.h"
#include "procmatch/v1/tender.pb.h"
#include "tests/json_scan_reference.h"

namespace procmatch {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using internal::JsonScanOptions;
using internal::ScanJson;
using ::testing::HasSubstr;

absl::Status Scan(absl::string_view json, const Descriptor* message,
                  int max_depth = 64) {
  JsonScanOptions options;
  options.message = message;
  options.max_depth = max_depth;
  return ScanJson(json, options);
}

TEST(JsonScanTest, ProtoNameAndJsonNameAreOneField) {
  const Descriptor* tender = v1::Tender::descriptor();
  EXPECT_TRUE(Scan(R"({"main_cpv": "1", "title": "x"})", tender).ok());
  absl::Status s = Scan(R"({"main_cpv": "1", "mainCpv": "2"})", tender);
  EXPECT_THAT(s.message(), HasSubstr("field \"main_cpv\" is given twice"));
}

TEST(JsonScanTest, EscapedKeysAreComparedByValue) {
  absl::Status s = Scan(R"({"ab": 1, "a\u0062": 2})", nullptr);
  EXPECT_THAT(s.message(), HasSubstr("field \"ab\" is given twice"));
  EXPECT_TRUE(Scan(R"({"ab": 1, "a\u0063": 2})", nullptr).ok());
}

TEST(JsonScanTest, SameKeyInSiblingObjectsIsFine) {
  EXPECT_TRUE(Scan(R"([{"a": 1}, {"a": 2}, {"b": {"a": 3}}])", nullptr).ok());
  absl::Status s = Scan(R"([{"a": 1}, {"b": {"a": 3, "a": 4}}])", nullptr);
  EXPECT_THAT(s.message(), HasSubstr("field \"[1].b.a\" is given twice"));
}

TEST(JsonScanTest, RepeatedFieldOfArraysIsRefusedWithItsPath) {
  absl::Status s = Scan(R"({"lots": [{"id": "1", "nuts_codes": [["BE"]]}]})",
                        v1::Tender::descriptor());
  EXPECT_THAT(s.message(),
              HasSubstr("field \"lots[0].nuts_codes[0]\": an array inside"));
}

// Protobuf's parser refuses a string that is not UTF-8 too, but names no
// field; the scan names it, element numbers included.
TEST(JsonScanTest, StringNotUtf8IsRefusedWithItsPath) {
  const Descriptor* supplier = v1::SupplierProfile::descriptor();
  EXPECT_TRUE(Scan("{\"name\": \"Li\xC3\xA8ge\"}", supplier).ok());
  EXPECT_EQ(Scan("{\"capabilities\": [{}, {}, {\"description\": "
                 "\"Li\xE8ge\"}]}",
                 supplier)
                .message(),
            "field \"capabilities[2].description\": not valid UTF-8 (byte 2 "
            "of the string)");
  EXPECT_EQ(
      Scan("{\"cpv_codes\": [\"35613000\", \"3561\xFF\"]}", supplier).message(),
      "field \"cpv_codes[1]\": not valid UTF-8 (byte 4 of the string)");
  EXPECT_EQ(Scan("{\"capabilities\": [{\"k\xC3y\": 1}]}", supplier).message(),
            "field \"capabilities[0]\": a key is not valid UTF-8 (byte 1)");
  // A sequence cut short by the closing quote.
  EXPECT_EQ(Scan("{\"a\": {\"b\": \"x\xC3\"}}", nullptr).message(),
            "field \"a.b\": not valid UTF-8 (byte 1 of the string)");
  // Outside strings the bytes are the parser's to refuse.
  EXPECT_TRUE(Scan("{\"a\": 1\xFF}", nullptr).ok());
}

// A \uD800-\uDFFF escape that is not half of a pair decodes to no character:
// protobuf's parser refuses it naming no field; the scan names it, in text
// that is otherwise UTF-8 (session 11 review).
TEST(JsonScanTest, LoneSurrogateEscapeIsRefusedWithItsPath) {
  const Descriptor* supplier = v1::SupplierProfile::descriptor();
  EXPECT_EQ(Scan("{\"capabilities\": [{}, {\"description\": \"ab\\ud800\"}]}",
                 supplier)
                .message(),
            "field \"capabilities[1].description\": not valid UTF-8 (a lone "
            "surrogate escape \\ud800 at byte 2 of the string)");
  // A low half alone, and a high half followed by no low half.
  EXPECT_EQ(Scan("{\"name\": \"\\uDC00\"}", supplier).message(),
            "field \"name\": not valid UTF-8 (a lone surrogate escape "
            "\\uDC00 at byte 0 of the string)");
  EXPECT_EQ(Scan("{\"cpv_codes\": [\"\\ud83d\\u0041\"]}", supplier).message(),
            "field \"cpv_codes[0]\": not valid UTF-8 (a lone surrogate escape "
            "\\ud83d at byte 0 of the string)");
  EXPECT_EQ(Scan("{\"a\\udfff\": 1}", nullptr).message(),
            "field \"\": a key is not valid UTF-8 (a lone surrogate escape "
            "\\udfff at byte 1)");
  // A pair is one character; an escaped backslash escapes nothing after it.
  EXPECT_TRUE(Scan("{\"name\": \"\\ud83d\\ude00\"}", supplier).ok());
  // The pairs at the ends of the range: U+10000 and U+10FFFF.
  EXPECT_TRUE(Scan("{\"name\": \"\\ud800\\udc00\"}", supplier).ok());
  EXPECT_TRUE(Scan("{\"name\": \"\\uDBFF\\uDFFF\"}", supplier).ok());
  EXPECT_TRUE(Scan("{\"name\": \"\\\\ud800\"}", supplier).ok());
  // Without the check (the parser's own refusal is awaited), nothing.
  JsonScanOptions unchecked;
  unchecked.check_utf8 = false;
  EXPECT_TRUE(ScanJson("{\"name\": \"\\ud800\"}", unchecked).ok());
}

// Protobuf's parser refuses a number beyond a double's range ("Number
// exceeds the range of double") naming no field; the scan names it.
TEST(JsonScanTest, NumberBeyondDoubleRangeIsRefusedWithItsPath) {
  const Descriptor* tender = v1::Tender::descriptor();
  EXPECT_EQ(
      Scan("{\"requirements\": [{}, {\"weight\": 1e400}]}", tender).message(),
      "field \"requirements[1].weight\": the number 1e400 is beyond "
      "the range of a double");
  EXPECT_EQ(Scan("{\"a\": [0, -2E+308]}", nullptr).message(),
            "field \"a[1]\": the number -2E+308 is beyond the range of a "
            "double");
  // 309 digits without an exponent; shown cut, with its length.
  const std::string big = "2" + std::string(308, '0');
  EXPECT_EQ(Scan(absl::StrCat("{\"a\": ", big, "}"), nullptr).message(),
            absl::StrCat("field \"a\": the number ", big.substr(0, 24),
                         "... (309 characters) is beyond the range of a "
                         "double"));
  // 400 digits: beyond the range without reading them as a number.
  EXPECT_THAT(
      Scan(absl::StrCat("{\"a\": -1", std::string(399, '7'), "}"), nullptr)
          .message(),
      HasSubstr("(401 characters) is beyond the range of a double"));
  // At the edge, below the smallest double, and not numbers: no refusal
  // here (the parser reads the first ones and refuses the others itself).
  for (const char* fine : {"1.7976931348623157e308", "1e308", "1e-400",
                           "-0e400", "01e999", "1e400e1", "2e", "-", "9"}) {
    EXPECT_TRUE(Scan(absl::StrCat("{\"a\": ", fine, "}"), nullptr).ok())
        << fine;
  }
  // A number where a key belongs is malformed: the parser says so.
  EXPECT_TRUE(Scan("{1e400: 1}", nullptr).ok());
}

// The scan refuses a number exactly when protobuf's parser does because of
// its range: literals around the edge of a double, with exponents and with
// long digit strings.
TEST(JsonScanTest, NumberVerdictAgreesWithProtobufParser) {
  std::mt19937 rng(20261130);
  auto uniform = [&rng](int n) {
    return std::uniform_int_distribution<int>(0, n - 1)(rng);
  };
  int beyond = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string literal = uniform(4) == 0 ? "-" : "";
    literal += std::to_string(1 + uniform(9));
    if (uniform(3) == 0) literal += std::string(300 + uniform(20), '0');
    if (uniform(2) == 0) absl::StrAppend(&literal, ".", uniform(1000));
    if (uniform(4) != 0) {
      absl::StrAppend(&literal, uniform(2) ? "e" : "E",
                      uniform(3) == 0 ? "-" : "", 290 + uniform(40));
    }
    const std::string json = absl::StrCat("{\"x\": ", literal, "}");
    google::protobuf::Struct parsed;
    const bool protobuf_refuses =
        !google::protobuf::util::JsonStringToMessage(json, &parsed).ok();
    const absl::Status scan = Scan(json, nullptr);
    ASSERT_EQ(!scan.ok(), protobuf_refuses) << literal << ": " << scan;
    beyond += protobuf_refuses;
  }
  EXPECT_GT(beyond, 300);
  EXPECT_LT(beyond, 2700);
}

// Protobuf's parser reads strings in single quotes and keys without quotes
// (not JSON): read as JSON, a '"' in single quotes opened a string that hid
// everything up to the next '"' from the scan, so a record could nest past
// the depth limit (a reduced TED JSON line of 20,000 levels took 20 s, and
// longer ones without end), repeat a key or nest arrays unseen (session 21
// fuzzing campaign). Refused, naming the field and the byte.
TEST(JsonScanTest, WhatOnlyProtobufReadsIsRefused) {
  const Descriptor* tender = v1::Tender::descriptor();
  EXPECT_EQ(Scan("{'title': \"a\"}", tender).message(),
            "field \"\": a key in single quotes is not JSON (byte 1)");
  EXPECT_EQ(Scan("{\"lots\": [{\"id\": '1'}]}", tender).message(),
            "field \"lots[0].id\": a string in single quotes is not JSON "
            "(byte 17)");
  EXPECT_EQ(Scan("{\"lots\": [{id: \"1\"}]}", tender).message(),
            "field \"lots[0]\": a key without quotes is not JSON (byte 11)");
  EXPECT_EQ(Scan("{\"title\": \"a\", title: \"b\"}", tender).message(),
            "field \"\": a key without quotes is not JSON (byte 15)");
  EXPECT_EQ(Scan("[\"a\", 'b']", nullptr).message(),
            "field \"[1]\": a string in single quotes is not JSON (byte 6)");
  EXPECT_EQ(Scan("{\"m\": {_k: 1}}", nullptr).message(),
            "field \"m\": a key without quotes is not JSON (byte 7)");
  // The bypass: depth, as the scan misread it, 1; as the parser reads it, 6.
  EXPECT_THAT(Scan("{\"x\": '\"', \"a\": [[[[[]]]]], \"y\": '\"'}", nullptr, 3)
                  .message(),
              HasSubstr("a string in single quotes is not JSON (byte 6)"));
  // Quotes and words inside strings, and the literals, are JSON.
  EXPECT_TRUE(
      Scan("{\"a\": \"it's\", \"b\": true, \"c\": [false, null]}", nullptr)
          .ok());
}

TEST(JsonScanTest, DepthLimit) {
  const std::string deep = std::string(10, '[') + std::string(10, ']');
  EXPECT_TRUE(Scan(deep, nullptr, 10).ok());
  EXPECT_THAT(Scan(deep, nullptr, 9).message(),
              HasSubstr("nested more than 9 levels"));
}

TEST(JsonScanTest, ManyKeysInOneObjectStayLinear) {
  // 200,000 distinct keys, then a repeat of the first: found, and the scan
  // does not compare every key with every other.
  std::string json = "{";
  for (int i = 0; i < 200000; ++i) absl::StrAppend(&json, "\"k", i, "\":0,");
  json += "\"k0\":1}";
  EXPECT_THAT(Scan(json, nullptr).message(),
              HasSubstr("field \"k0\" is given twice"));
}

// Random JSON, well formed or slightly broken, over a message's field names
// (proto and JSON spellings), unknown and escaped keys, nested arrays and
// objects; ScanJson must say exactly what the reference says.
class RandomJson {
 public:
  // With `beyond_json`, now and then a key or string in single quotes (one
  // holding '"' among them) or a key without quotes, which only protobuf's
  // parser reads.
  explicit RandomJson(uint32_t seed, bool beyond_json = false)
      : rng_(seed), beyond_json_(beyond_json) {}

  std::string Document(const Descriptor* message) {
    std::string out;
    Value(message, nullptr, 0, &out);
    if (Chance(0.3)) Mutate(&out);
    return out;
  }

 private:
  bool Chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  int Uniform(int n) {
    return std::uniform_int_distribution<int>(0, n - 1)(rng_);
  }

  std::string Key(const Descriptor* message) {
    static const char* const kKeys[] = {
        "a", "b",    "a\\u0062", "ab",       "\\u0061", "x\\ny",
        "",  "lots", "k\xC3y",   "\xC3\xA9", "k\\ud800"};
    if (message != nullptr && message->field_count() > 0 && Chance(0.7)) {
      const FieldDescriptor* f =
          message->field(Uniform(message->field_count()));
      return Chance(0.5) ? f->name() : f->json_name();
    }
    return kKeys[Uniform(11)];
  }

  void Value(const Descriptor* message, const FieldDescriptor* field, int depth,
             std::string* out) {
    const int kind = depth > 5 ? Uniform(3) : Uniform(6);
    switch (kind) {
      case 0: {
        // Now and then a number beyond a double's range, or near its edge,
        // or not a JSON number at all.
        static const char* const kNumbers[] = {
            "1e400",   "-1.5E+309", "1e308",  "1.7976931348623157e308",
            "1.8e308", "1e-400",    "2e",     "1e400e1",
            "-",       "01e999",    "0.5e99", "-0e400"};
        if (Chance(0.2)) {
          out->append(kNumbers[Uniform(12)]);
        } else {
          absl::StrAppend(out, Uniform(100));
        }
        return;
      }
      case 1: {
        // Now and then not UTF-8: a stray byte, a sequence cut short; or a
        // surrogate escape: alone, in a pair, after an escaped backslash.
        static const char* const kTails[] = {
            "\xC3\xA8",  "\xE8",           "\xC3",
            "\xFF\xFE",  "\\ud800",        "\\uDC00x",
            "\\\\ud800", "\\ud800\\u0041", "\\ud83d\\ude00"};
        if (beyond_json_ && Chance(0.1)) {
          absl::StrAppend(out, "'s", Uniform(5), Chance(0.5) ? "\"" : "", "'");
          return;
        }
        absl::StrAppend(out, "\"s", Uniform(5),
                        Chance(0.3) ? kTails[Uniform(9)] : "", "\"");
        return;
      }
      case 2:
        out->append(Chance(0.5) ? "true" : "null");
        return;
      case 3:
      case 4: {
        const Descriptor* inner = message;
        if (field != nullptr) {
          inner = field->type() == FieldDescriptor::TYPE_MESSAGE
                      ? field->message_type()
                      : nullptr;
        }
        out->push_back('{');
        const int n = Uniform(5);
        for (int i = 0; i < n; ++i) {
          if (i > 0) out->push_back(',');
          const std::string key = Key(inner);
          if (beyond_json_ && Chance(0.1)) {
            // Without quotes where protobuf's parser reads it so.
            const bool bare = !key.empty() && absl::ascii_isalpha(key[0]) &&
                              key.find_first_not_of(
                                  "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ"
                                  "RSTUVWXYZ0123456789_") == std::string::npos;
            absl::StrAppend(out, bare && Chance(0.5) ? "" : "'", key,
                            bare && Chance(0.5) ? "" : "'", ":");
          } else {
            absl::StrAppend(out, "\"", key, "\":");
          }
          const FieldDescriptor* f =
              inner != nullptr ? inner->FindFieldByName(key) : nullptr;
          if (f == nullptr && inner != nullptr) {
            f = inner->FindFieldByCamelcaseName(key);
          }
          Value(inner, f, depth + 1, out);
        }
        out->push_back('}');
        return;
      }
      default: {
        out->push_back('[');
        const int n = Uniform(4);
        for (int i = 0; i < n; ++i) {
          if (i > 0) out->push_back(',');
          Value(message, field, depth + 1, out);
        }
        out->push_back(']');
      }
    }
  }

  void Mutate(std::string* s) {
    static const char kStructural[] = "{}[],:\"\\";
    const int edits = 1 + Uniform(3);
    for (int e = 0; e < edits && !s->empty(); ++e) {
      const size_t at = Uniform(static_cast<int>(s->size()));
      if (Chance(0.5)) {
        s->erase(at, 1);
      } else {
        s->insert(at, 1, kStructural[Uniform(sizeof(kStructural) - 1)]);
      }
    }
  }

  std::mt19937 rng_;
  const bool beyond_json_;
};

// Scans the next document of `random` (the i-th) with ScanJson and its
// reference, which must say the same; ScanJson's verdict.
absl::Status ScanWithTwin(RandomJson& random, int i) {
  static const Descriptor* const kMessages[] = {
      nullptr, v1::Tender::descriptor(), v1::SupplierProfile::descriptor(),
      google::protobuf::Struct::descriptor()};
  const Descriptor* message = kMessages[i % 4];
  const std::string json = random.Document(message);
  JsonScanOptions options;
  options.message = message;
  options.max_depth = 3 + i % 8;
  const absl::Status fast = ScanJson(json, options);
  EXPECT_EQ(fast, reference::ScanJsonReference(json, options)) << json;
  return fast;
}

TEST(JsonScanTest, EqualsReferenceOnRandomJson) {
  RandomJson random(20261129);
  int refused = 0, not_utf8 = 0, surrogates = 0, numbers = 0;
  for (int i = 0; i < 40000 && !HasFailure(); ++i) {
    const absl::Status fast = ScanWithTwin(random, i);
    refused += !fast.ok();
    not_utf8 += absl::StrContains(fast.message(), "UTF-8");
    surrogates += absl::StrContains(fast.message(), "lone surrogate");
    numbers += absl::StrContains(fast.message(), "range of a double");
  }
  // The inputs reach every verdict, not only "OK".
  EXPECT_GT(refused, 4000);
  EXPECT_LT(refused, 36000);
  EXPECT_GT(not_utf8, 1000);
  EXPECT_GT(surrogates, 300);
  EXPECT_GT(numbers, 300);
  // And on what only protobuf's parser reads.
  RandomJson beyond(20261201, /*beyond_json=*/true);
  int not_json = 0;
  for (int i = 0; i < 20000 && !HasFailure(); ++i) {
    not_json +=
        absl::StrContains(ScanWithTwin(beyond, i).message(), "is not JSON");
  }
  EXPECT_GT(not_json, 2000);
}

// How deep `value` nests: 0 for a scalar, 1 for an object or array of
// scalars.
int Depth(const google::protobuf::Value& value) {
  int deepest = 0;
  if (value.has_struct_value()) {
    for (const auto& [key, field] : value.struct_value().fields()) {
      deepest = std::max(deepest, Depth(field));
    }
    return deepest + 1;
  }
  if (value.has_list_value()) {
    for (const auto& element : value.list_value().values()) {
      deepest = std::max(deepest, Depth(element));
    }
    return deepest + 1;
  }
  return 0;
}

// What the scan passes, protobuf's parser reads no deeper than the limit:
// random documents, JSON and what only protobuf's parser reads.
TEST(JsonScanTest, WhatTheScanPassesIsNoDeeperForTheParser) {
  RandomJson random(20261201, /*beyond_json=*/true);
  int parsed = 0, refused = 0;
  for (int i = 0; i < 20000; ++i) {
    const std::string json = random.Document(nullptr);
    const int max_depth = 2 + i % 5;
    if (!Scan(json, nullptr, max_depth).ok()) {
      ++refused;
      continue;
    }
    google::protobuf::Value value;
    if (!google::protobuf::util::JsonStringToMessage(json, &value).ok()) {
      continue;
    }
    ++parsed;
    ASSERT_LE(Depth(value), max_depth) << json;
  }
  EXPECT_GT(parsed, 2000);
  EXPECT_GT(refused, 2000);
}

}  // namespace
}  // namespace procmatch
