#include "procmatch/snapshot.h"

#include <algorithm>
#include <random>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "procmatch/internal/crc32.h"
#include "procmatch/matcher.h"
#include "procmatch/record_io.h"
#include "procmatch/v1/snapshot.pb.h"
#include "tests/random_corpus.h"

namespace procmatch {
namespace {

using ::testing::HasSubstr;

std::shared_ptr<const SupplierIndex> Build(int n, uint32_t seed) {
  SupplierIndex::Builder builder;
  for (const auto& s : testing::RandomSuppliers(n, seed)) {
    EXPECT_TRUE(builder.Add(s).ok());
  }
  return *std::move(builder).Build();
}

// Overwrites the CRC so that a deliberately inconsistent body passes it.
std::string Reseal(std::string bytes) {
  bytes.resize(bytes.size() - 4);
  const uint32_t crc = internal::Crc32(bytes);
  for (int i = 0; i < 4; ++i)
    bytes.push_back(static_cast<char>(crc >> (8 * i)));
  return bytes;
}

TEST(Crc32Test, KnownVector) {
  EXPECT_EQ(internal::Crc32("123456789"), 0xCBF43926u);
  EXPECT_EQ(internal::Crc32(""), 0u);
}

TEST(SnapshotTest, LoadedIndexMatchesExactlyLikeTheSavedOne) {
  auto index = Build(1500, 5);
  v1::SupplierUpdate update;
  update.add_removed_ids(index->profile(3).id());
  auto next = *index->ApplyUpdate(update);  // Generation 2 is kept too.
  const std::string bytes = SaveSnapshot(*next);
  auto loaded = LoadSnapshot(bytes);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ((*loaded)->size(), next->size());
  EXPECT_EQ((*loaded)->generation(), 2u);
  Matcher original(next), restored(*loaded);
  for (const auto& request : testing::RandomRequests(100, 6)) {
    auto a = original.Match(request);
    auto b = restored.Match(request);
    ASSERT_TRUE(a.ok() && b.ok());
    ASSERT_EQ(a->SerializeAsString(), b->SerializeAsString())
        << request.request_id();
  }
  // Saving the loaded index gives the same bytes.
  EXPECT_EQ(SaveSnapshot(**loaded), bytes);
}

TEST(SnapshotTest, EmptyIndex) {
  auto loaded = LoadSnapshot(SaveSnapshot(**SupplierIndex::Builder().Build()));
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ((*loaded)->size(), 0);
}

TEST(SnapshotTest, NotASnapshot) {
  EXPECT_THAT(LoadSnapshot("").status().message(),
              HasSubstr("not a procmatch"));
  EXPECT_THAT(LoadSnapshot("{\"id\": \"S1\"}\n").status().message(),
              HasSubstr("not a procmatch snapshot"));
}

TEST(SnapshotTest, EveryTruncationIsAnError) {
  const std::string bytes = SaveSnapshot(*Build(20, 7));
  for (size_t n = 0; n < bytes.size(); ++n) {
    auto loaded = LoadSnapshot(bytes.substr(0, n));
    ASSERT_FALSE(loaded.ok()) << "accepted " << n << " of " << bytes.size();
    ASSERT_EQ(loaded.status().code(), absl::StatusCode::kDataLoss) << n;
  }
}

TEST(SnapshotTest, CorruptedBytesAreCaughtByTheChecksum) {
  const std::string bytes = SaveSnapshot(*Build(50, 8));
  std::mt19937 rng(9);
  for (int trial = 0; trial < 300; ++trial) {
    std::string bad = bytes;
    const size_t at =
        std::uniform_int_distribution<size_t>(12, bad.size() - 1)(rng);
    bad[at] = static_cast<char>(bad[at] ^ (1 + trial % 255));
    auto loaded = LoadSnapshot(bad);
    ASSERT_FALSE(loaded.ok()) << "byte " << at;
    EXPECT_THAT(loaded.status().message(), HasSubstr("checksum mismatch"));
  }
}

TEST(SnapshotTest, NewerFormatVersionIsRefusedClearly) {
  std::string bytes = SaveSnapshot(*Build(5, 10));
  bytes[8] = static_cast<char>(kSnapshotFormatVersion + 1);
  auto loaded = LoadSnapshot(Reseal(bytes));
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(loaded.status().message(),
              HasSubstr("snapshot format version 2 is newer"));
}

TEST(SnapshotTest, InconsistentRecordsUnderAValidChecksum) {
  // A header that announces one supplier more than the file holds.
  auto index = Build(5, 11);
  std::string body(std::string(SaveSnapshot(*index)).substr(0, 12));
  v1::SnapshotHeader header;
  header.set_suppliers(6);
  ASSERT_TRUE(AppendRecord(header, RecordFormat::kBinaryDelimited, &body).ok());
  body.append(4, '\0');
  auto loaded = LoadSnapshot(Reseal(body));
  EXPECT_THAT(loaded.status().message(),
              HasSubstr("header announces 6 suppliers"));
  // A supplier whose term id lies outside the vocabulary.
  std::string crafted = body.substr(0, 12);
  header.set_suppliers(1);
  ASSERT_TRUE(
      AppendRecord(header, RecordFormat::kBinaryDelimited, &crafted).ok());
  v1::SnapshotSupplier s;
  s.mutable_profile()->set_id("S1");
  s.mutable_profile()->set_name("Zedro Optics SRL");
  s.add_term_ids(7);
  s.add_term_frequencies(1);
  std::string with_terms = crafted;
  ASSERT_TRUE(
      AppendRecord(s, RecordFormat::kBinaryDelimited, &with_terms).ok());
  with_terms.append(4, '\0');
  EXPECT_THAT(LoadSnapshot(Reseal(with_terms)).status().message(),
              HasSubstr("term id 7 outside the vocabulary"));

  // Issue 10: a profile validation refuses, under a correct checksum, is
  // refused on load too: no clearance level 999 "met", no certificate
  // "valid until -2147483641-02-23".
  s.clear_term_ids();
  s.clear_term_frequencies();
  v1::FacilityClearance* fc = s.mutable_profile()->add_facility_clearances();
  fc->set_level(static_cast<v1::ClearanceLevel>(999));
  v1::Date* until =
      s.mutable_profile()->add_certifications()->mutable_valid_until();
  s.mutable_profile()->mutable_certifications(0)->set_scheme("AQAP 2110");
  until->set_year(-2147483641);
  until->set_month(2);
  until->set_day(23);
  ASSERT_TRUE(AppendRecord(s, RecordFormat::kBinaryDelimited, &crafted).ok());
  crafted.append(4, '\0');
  auto smuggled = LoadSnapshot(Reseal(crafted));
  EXPECT_EQ(smuggled.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(smuggled.status().message(), HasSubstr("invalid profile"));
  EXPECT_THAT(smuggled.status().message(), HasSubstr("valid_until"));
}

// Found by the snapshot fuzzer: a string that is not UTF-8 under a correct
// checksum made protobuf print "[libprotobuf ERROR ...]" lines to stderr.
TEST(SnapshotTest, InvalidUtf8UnderAValidChecksumLogsNothing) {
  std::string crafted(std::string(SaveSnapshot(*Build(1, 17))).substr(0, 12));
  v1::SnapshotHeader header;
  header.set_terms(1);
  ASSERT_TRUE(
      AppendRecord(header, RecordFormat::kBinaryDelimited, &crafted).ok());
  // SnapshotTerms field 1 (terms), a string, holding the byte 0xff.
  crafted += std::string("\x03\x0a\x01\xff", 4);
  crafted.append(4, '\0');
  ::testing::internal::CaptureStderr();
  auto loaded = LoadSnapshot(Reseal(crafted));
  const std::string logged = ::testing::internal::GetCapturedStderr();
  EXPECT_THAT(loaded.status().message(), HasSubstr("bad terms"));
  EXPECT_EQ(logged, "");
}

// Issue 10: the checksum covers the version bytes, so a flipped bit there
// is reported as corruption, not as "newer version, rebuild".
TEST(SnapshotTest, FlippedVersionBitIsCorruptionNotANewerFormat) {
  std::string bytes = SaveSnapshot(*Build(5, 13));
  bytes[8] ^= 0x10;  // The format version's low byte: 1 -> 17.
  auto loaded = LoadSnapshot(bytes);
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(loaded.status().message(), HasSubstr("checksum mismatch"));
}

// Term ids follow the order suppliers are added in (and, within a
// supplier, a hash map's); the snapshot is canonical all the same.
TEST(SnapshotTest, SameSuppliersGiveSameBytesInAnyOrder) {
  auto suppliers = testing::RandomSuppliers(600, 14);
  SupplierIndex::Builder forward, backward;
  for (const auto& s : suppliers) ASSERT_TRUE(forward.Add(s).ok());
  std::reverse(suppliers.begin(), suppliers.end());
  for (const auto& s : suppliers) ASSERT_TRUE(backward.Add(s).ok());
  const std::string a = SaveSnapshot(**std::move(forward).Build());
  const std::string b = SaveSnapshot(**std::move(backward).Build());
  ASSERT_EQ(a.size(), b.size());
  EXPECT_TRUE(a == b) << "the snapshots differ";
}

// Analysis on several threads (std::thread; tools/test.sh runs this test
// under TSan): the same index, so the same bytes, for any number of them,
// when building and when loading.
TEST(SnapshotTest, SameBytesForAnyNumberOfBuildThreads) {
  const auto suppliers = testing::RandomSuppliers(5000, 15);
  std::string expected;
  for (int threads : {1, 2, 4}) {
    Options options;
    options.build_threads = threads;
    SupplierIndex::Builder builder(options);
    for (const auto& s : suppliers) ASSERT_TRUE(builder.Add(s).ok());
    auto index = std::move(builder).Build();
    ASSERT_TRUE(index.ok()) << index.status();
    const std::string bytes = SaveSnapshot(**index);
    if (expected.empty()) expected = bytes;
    EXPECT_TRUE(bytes == expected) << threads << " threads";
    auto loaded = LoadSnapshot(bytes, options);
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    EXPECT_TRUE(SaveSnapshot(**loaded) == expected) << threads << " threads";
  }
}

}  // namespace
}  // namespace procmatch
