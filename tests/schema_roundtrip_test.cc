// Every top-level message of procmatch.v1 survives binary and JSON round
// trips with every field set. Messages are filled by reflection, so a field
// added to the schema is covered without touching this test; the coverage
// check fails if the filler ever stops reaching one.
#include <random>
#include <set>
#include <string>

#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "procmatch/v1/alert.pb.h"
#include "procmatch/v1/consortium.pb.h"
#include "procmatch/v1/coverage.pb.h"
#include "procmatch/v1/match.pb.h"
#include "procmatch/v1/supplier.pb.h"
#include "procmatch/v1/tender.pb.h"

namespace procmatch {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

class RandomFiller {
 public:
  explicit RandomFiller(uint32_t seed) : rng_(seed) {}

  void Fill(Message* m, int depth = 0) {
    const Descriptor* d = m->GetDescriptor();
    const Reflection* r = m->GetReflection();
    if (d->full_name() == "google.protobuf.Timestamp") {
      r->SetInt64(m, d->FindFieldByName("seconds"),
                  std::uniform_int_distribution<int64_t>(0, 4102444800)(rng_));
      r->SetInt32(m, d->FindFieldByName("nanos"),
                  std::uniform_int_distribution<int32_t>(0, 999999999)(rng_));
      Mark(d->field(0));
      Mark(d->field(1));
      return;
    }
    for (int i = 0; i < d->oneof_decl_count(); ++i) {
      const auto* oneof = d->oneof_decl(i);
      if (oneof->is_synthetic()) continue;  // proto3 `optional`
      Set(m, oneof->field(Pick(oneof->field_count())), depth);
    }
    for (int i = 0; i < d->field_count(); ++i) {
      const FieldDescriptor* f = d->field(i);
      if (f->real_containing_oneof() != nullptr) continue;
      Set(m, f, depth);
    }
  }

  const std::set<std::string>& reached() const { return reached_; }

 private:
  int Pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }

  void Mark(const FieldDescriptor* f) { reached_.insert(f->full_name()); }

  std::string Text() {
    static const char* const kWords[] = {
        "Liège",     "drone",     "Straße", "onbemand", "défense", "\"quoted\"",
        "tab\there", "AQAP-2110", "5.56",   "Ελλάδα",   "🛰",    ""};
    return kWords[Pick(12)] + std::to_string(Pick(1000));
  }

  void Set(Message* m, const FieldDescriptor* f, int depth) {
    Mark(f);
    const Reflection* r = m->GetReflection();
    const int count = f->is_repeated() ? 1 + Pick(3) : 1;
    for (int k = 0; k < count; ++k) {
      switch (f->cpp_type()) {
        case FieldDescriptor::CPPTYPE_STRING: {
          const std::string v = Text();
          f->is_repeated() ? r->AddString(m, f, v) : r->SetString(m, f, v);
          break;
        }
        case FieldDescriptor::CPPTYPE_INT32: {
          const int32_t v = Pick(2000) - 100;
          f->is_repeated() ? r->AddInt32(m, f, v) : r->SetInt32(m, f, v);
          break;
        }
        case FieldDescriptor::CPPTYPE_INT64: {
          const int64_t v = int64_t{Pick(1 << 30)} * 4096;
          f->is_repeated() ? r->AddInt64(m, f, v) : r->SetInt64(m, f, v);
          break;
        }
        case FieldDescriptor::CPPTYPE_UINT64: {
          const uint64_t v = uint64_t{static_cast<uint32_t>(Pick(1 << 30))}
                             << 20;
          f->is_repeated() ? r->AddUInt64(m, f, v) : r->SetUInt64(m, f, v);
          break;
        }
        case FieldDescriptor::CPPTYPE_DOUBLE: {
          const double v =
              std::uniform_real_distribution<double>(-1e9, 1e9)(rng_);
          f->is_repeated() ? r->AddDouble(m, f, v) : r->SetDouble(m, f, v);
          break;
        }
        case FieldDescriptor::CPPTYPE_BOOL:
          f->is_repeated() ? r->AddBool(m, f, true) : r->SetBool(m, f, true);
          break;
        case FieldDescriptor::CPPTYPE_ENUM: {
          const auto* e = f->enum_type();
          const auto* v = e->value(1 + Pick(e->value_count() - 1));
          f->is_repeated() ? r->AddEnum(m, f, v) : r->SetEnum(m, f, v);
          break;
        }
        case FieldDescriptor::CPPTYPE_MESSAGE:
          if (depth < 6) {
            Fill(f->is_repeated() ? r->AddMessage(m, f)
                                  : r->MutableMessage(m, f),
                 depth + 1);
          }
          break;
        default:
          FAIL() << "field type not covered by the filler: " << f->full_name();
      }
    }
  }

  std::mt19937 rng_;
  std::set<std::string> reached_;
};

// Every field of `d` and of the messages it reaches.
void AllFields(const Descriptor* d, std::set<std::string>* out,
               std::set<const Descriptor*>* seen) {
  if (!seen->insert(d).second) return;
  for (int i = 0; i < d->field_count(); ++i) {
    out->insert(d->field(i)->full_name());
    if (d->field(i)->message_type() != nullptr) {
      AllFields(d->field(i)->message_type(), out, seen);
    }
  }
}

template <typename T>
class SchemaRoundTripTest : public ::testing::Test {};

using TopLevelMessages =
    ::testing::Types<v1::SupplierProfile, v1::SupplierUpdate, v1::Tender,
                     v1::MatchRequest, v1::MatchResponse, v1::ConsortiumRequest,
                     v1::ConsortiumResponse, v1::CoverageRequest,
                     v1::CoverageReport, v1::AlertRule, v1::Alert>;
TYPED_TEST_SUITE(SchemaRoundTripTest, TopLevelMessages);

TYPED_TEST(SchemaRoundTripTest, BinaryAndJsonRoundTripsKeepEveryField) {
  RandomFiller filler(20261129);
  for (int trial = 0; trial < 40; ++trial) {
    TypeParam original;
    filler.Fill(&original);

    std::string wire;
    ASSERT_TRUE(original.SerializeToString(&wire));
    TypeParam from_wire;
    ASSERT_TRUE(from_wire.ParseFromString(wire));
    EXPECT_TRUE(
        google::protobuf::util::MessageDifferencer::Equals(original, from_wire))
        << original.DebugString();

    for (bool proto_names : {false, true}) {
      google::protobuf::util::JsonPrintOptions print;
      print.preserve_proto_field_names = proto_names;
      std::string json;
      ASSERT_TRUE(
          google::protobuf::util::MessageToJsonString(original, &json, print)
              .ok());
      TypeParam from_json;
      auto status =
          google::protobuf::util::JsonStringToMessage(json, &from_json);
      ASSERT_TRUE(status.ok()) << status << "\n" << json;
      EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(original,
                                                                     from_json))
          << json;
    }
  }
  std::set<std::string> all;
  std::set<const Descriptor*> seen;
  AllFields(TypeParam::descriptor(), &all, &seen);
  for (const std::string& field : all) {
    EXPECT_TRUE(filler.reached().count(field)) << "never filled: " << field;
  }
}

// Contract rules from doc/schema.md that a careless edit could break.
TEST(SchemaContractTest, EnumsStartWithUnspecifiedAndArePrefixed) {
  std::set<const Descriptor*> seen;
  std::set<std::string> fields;
  for (const Descriptor* d :
       {v1::SupplierProfile::descriptor(), v1::Tender::descriptor(),
        v1::MatchRequest::descriptor(), v1::MatchResponse::descriptor(),
        v1::ConsortiumResponse::descriptor(), v1::CoverageReport::descriptor(),
        v1::AlertRule::descriptor()}) {
    AllFields(d, &fields, &seen);
  }
  for (const Descriptor* d : seen) {
    if (d->file()->package() != "procmatch.v1") continue;
    for (int i = 0; i < d->field_count(); ++i) {
      const auto* e = d->field(i)->enum_type();
      if (e == nullptr) continue;
      ASSERT_GE(e->value_count(), 2) << e->full_name();
      EXPECT_EQ(e->value(0)->number(), 0) << e->full_name();
      EXPECT_NE(e->value(0)->name().find("_UNSPECIFIED"), std::string::npos)
          << e->full_name();
    }
  }
}

}  // namespace
}  // namespace procmatch
