#include "procmatch/supplier_index.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "procmatch/internal/index_data.h"
#include "procmatch/snapshot.h"
#include "procmatch/text_analyzer.h"
#include "tests/random_corpus.h"

namespace procmatch {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

v1::SupplierProfile Profile(const std::string& text) {
  v1::SupplierProfile p;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &p)) << text;
  return p;
}

CpvCode Cpv(const char* code) { return *CpvTaxonomy::Builtin().Parse(code); }

const internal::IndexData& Data(const SupplierIndex& index) {
  return internal::IndexAccess::Data(index);
}

class SupplierIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SupplierIndex::Builder builder;
    // Added out of id order on purpose.
    ASSERT_TRUE(builder
                    .Add(Profile(R"pb(
                      id: "BE-2"
                      name: "Vlaamse Dronebouw NV"
                      country: "BE"
                      capabilities {
                        description: "Onbemande luchtvaartuigen"
                        language: "nl"
                        cpv_codes: "35613000"
                        tags: "UAV"
                      }
                      certifications { scheme: "AQAP-2110" }
                    )pb"))
                    .ok());
    ASSERT_TRUE(builder
                    .Add(Profile(R"pb(
                      id: "BE-1"
                      name: "Wallonie Munitions SA"
                      country: "BE"
                      cpv_codes: "35330000"
                      certifications { scheme: "AQAP 2110 Ed. D" }
                      past_contracts { title: "Drones" cpv_codes: "35613000" }
                    )pb"))
                    .ok());
    EXPECT_EQ(builder.size(), 2);
    index_ = *std::move(builder).Build();
  }
  std::shared_ptr<const SupplierIndex> index_;
};

// The index keeps each profile in its binary form (issue 16): what
// profile(), id() and name() give back is the profile as added, field for
// field, built, restored from a snapshot's bytes (since freed) and from a
// snapshot file, whose profiles stay in the mapped file (removed from its
// directory once loaded, as a file replaced by a new one is).
TEST(SupplierIndexProfilesTest, ProfilesComeBackAsAdded) {
  const std::string path = absl::StrCat(
      ::testing::TempDir(), "/supplier_index_test_", getpid(), ".snapshot");
  for (uint32_t seed : {3u, 17u}) {
    const std::vector<v1::SupplierProfile> added =
        testing::RandomSuppliers(150, seed);
    SupplierIndex::Builder builder;
    for (const v1::SupplierProfile& p : added) ASSERT_TRUE(builder.Add(p).ok());
    std::shared_ptr<const SupplierIndex> built = *std::move(builder).Build();
    auto bytes = std::make_unique<std::string>(SaveSnapshot(*built));
    absl::StatusOr<std::shared_ptr<const SupplierIndex>> restored =
        LoadSnapshot(*bytes);
    ASSERT_TRUE(restored.ok()) << restored.status();
    {
      std::ofstream file(path, std::ios::binary);
      file.write(bytes->data(), static_cast<std::streamsize>(bytes->size()));
    }
    bytes.reset();
    absl::StatusOr<std::shared_ptr<const SupplierIndex>> mapped =
        LoadSnapshotFile(path);
    ASSERT_TRUE(mapped.ok()) << mapped.status();
    std::remove(path.c_str());
    for (const SupplierIndex* index :
         {built.get(), restored->get(), mapped->get()}) {
      ASSERT_EQ(index->size(), static_cast<int>(added.size()));
      for (const v1::SupplierProfile& p : added) {
        const int doc = index->FindDoc(p.id());
        ASSERT_GE(doc, 0) << p.id();
        EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
            index->profile(doc), p))
            << p.id();
        EXPECT_EQ(index->id(doc), p.id());
        EXPECT_EQ(index->name(doc), p.name());
      }
    }
  }
}

TEST(SupplierIndexOptionsTest, NegativeLimitsAreRefused) {
  Options options;
  options.max_keyword_patterns = -1;
  SupplierIndex::Builder builder(options);
  absl::StatusOr<std::shared_ptr<const SupplierIndex>> built =
      std::move(builder).Build();
  ASSERT_FALSE(built.ok());
  EXPECT_THAT(built.status().message(),
              HasSubstr("options.max_keyword_patterns: -1 is negative"));
  options.max_keyword_patterns = 0;
  options.build_threads = -2;
  SupplierIndex::Builder threads(options);
  built = std::move(threads).Build();
  ASSERT_FALSE(built.ok());
  EXPECT_THAT(built.status().message(),
              HasSubstr("options.build_threads: -2 is negative"));
}

TEST_F(SupplierIndexTest, DocsAreInIdOrder) {
  ASSERT_EQ(index_->size(), 2);
  EXPECT_EQ(index_->profile(0).id(), "BE-1");
  EXPECT_EQ(index_->profile(1).id(), "BE-2");
  EXPECT_EQ(index_->FindDoc("BE-2"), 1);
  EXPECT_EQ(index_->FindDoc("BE-9"), -1);
  EXPECT_EQ(index_->generation(), 1u);
}

TEST_F(SupplierIndexTest, CpvPostingsAtEveryLevel) {
  // BE-2 offers 35613000; BE-1 has it in a past contract.
  for (const char* code : {"35613000", "35610000", "35600000", "35000000"}) {
    EXPECT_THAT(Data(*index_).CpvPostings(Cpv(code)), ElementsAre(0, 1))
        << code;
  }
  EXPECT_THAT(Data(*index_).CpvPostings(Cpv("35330000")), ElementsAre(0));
  EXPECT_THAT(Data(*index_).CpvPostings(Cpv("35300000")), ElementsAre(0));
  EXPECT_THAT(Data(*index_).CpvPostings(Cpv("35700000")), IsEmpty());
}

TEST_F(SupplierIndexTest, TermsTagsAndCertifications) {
  const std::string stem = (*AnalyzeText("luchtvaartuigen", "nl"))[0];
  const int64_t term = Data(*index_).TermId(stem);
  ASSERT_GE(term, 0);
  EXPECT_THAT(Data(*index_).TermPostings(static_cast<uint32_t>(term)),
              ElementsAre(std::make_pair(1u, 1u)));
  EXPECT_EQ(Data(*index_).TermId("nonexistent"), -1);
  EXPECT_THAT(Data(*index_).TagPostings("uav"), ElementsAre(1));  // Folded.
  // Two spellings of one scheme post together.
  EXPECT_THAT(Data(*index_).CertificationPostings("aqap2110"),
              ElementsAre(0, 1));
  EXPECT_THAT(Data(*index_).CertificationPostings("iso9001"), IsEmpty());
}

TEST(SupplierIndexBuilderTest, BadProfilesAreRejectedAndNamed) {
  SupplierIndex::Builder builder;
  ASSERT_TRUE(builder.Add(Profile(R"pb(id: "BE-1" name: "A")pb")).ok());
  absl::Status dup = builder.Add(Profile(R"pb(id: "BE-1" name: "B")pb"));
  EXPECT_EQ(dup.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(dup.message(), HasSubstr("supplier \"BE-1\": id: added twice"));
  absl::Status bad =
      builder.Add(Profile(R"pb(id: "BE-3" name: "C" cpv_codes: "35613001")pb"));
  EXPECT_THAT(bad.message(),
              HasSubstr("supplier \"BE-3\": cpv_codes[0]: unknown CPV code"));
  // What was accepted is kept.
  EXPECT_EQ(builder.size(), 1);
  auto index = std::move(builder).Build();
  ASSERT_TRUE(index.ok());
  EXPECT_EQ((*index)->size(), 1);
  EXPECT_EQ((*index)->profile(0).name(), "A");
}

// The options given to the builder are kept by every generation and used to
// validate updates.
TEST(SupplierIndexBuilderTest, OptionsAreKeptAcrossGenerations) {
  Options options;
  options.max_problems_per_record = 1;
  options.max_top_k = 7;
  SupplierIndex::Builder builder(options);
  ASSERT_TRUE(builder.Add(Profile(R"pb(id: "BE-1" name: "A")pb")).ok());
  auto index = std::move(builder).Build();
  ASSERT_TRUE(index.ok());
  EXPECT_EQ((*index)->options().max_top_k, 7);
  v1::SupplierUpdate update;
  *update.add_upserts() = Profile(R"pb(id: "BE-2"
                                       name: "B"
                                       cpv_codes: "1"
                                       cpv_codes: "2"
                                       cpv_codes: "3")pb");
  auto refused = (*index)->ApplyUpdate(update);
  ASSERT_FALSE(refused.ok());
  // One problem listed, the others counted: the index's limit applied.
  EXPECT_THAT(refused.status().message(), HasSubstr("(and 1 more problem)"));
  update.mutable_upserts(0)->clear_cpv_codes();
  auto next = (*index)->ApplyUpdate(update);
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ((*next)->generation(), 2u);
  EXPECT_EQ((*next)->options().max_top_k, 7);
}

TEST(SupplierIndexBuilderTest, EmptyIndexIsValid) {
  auto index = SupplierIndex::Builder().Build();
  ASSERT_TRUE(index.ok());
  EXPECT_EQ((*index)->size(), 0);
  EXPECT_THAT(Data(**index).CpvPostings(Cpv("35613000")), IsEmpty());
}

TEST(SupplierIndexBuilderTest, NegativeBuildThreadsIsAnError) {
  Options options;
  options.build_threads = -2;
  SupplierIndex::Builder builder(options);
  ASSERT_TRUE(builder.Add(Profile(R"pb(id: "S1" name: "Acme")pb")).ok());
  auto index = std::move(builder).Build();
  EXPECT_EQ(index.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(index.status().message(), HasSubstr("build_threads: -2"));
}

}  // namespace
}  // namespace procmatch
