#include "procmatch/supplier_index.h"

#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "procmatch/certification.h"
#include "procmatch/internal/index_data.h"
#include "procmatch/internal/supplier_doc.h"
#include "procmatch/snapshot.h"
#include "procmatch/text_analyzer.h"
#include "tests/doc_readback.h"
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

// An index built of `profiles`, each of which must be valid.
std::shared_ptr<const SupplierIndex> Built(
    const std::vector<v1::SupplierProfile>& profiles) {
  SupplierIndex::Builder builder;
  for (const v1::SupplierProfile& p : profiles) {
    EXPECT_TRUE(builder.Add(p).ok()) << p.id();
  }
  return *std::move(builder).Build();
}

// The index built of `profiles`, the same restored from its snapshot's
// bytes, and the same mapped from the snapshot written to a file named
// after `name`: the three ways a doc is made.
std::vector<std::shared_ptr<const SupplierIndex>> BuiltRestoredAndMapped(
    const std::vector<v1::SupplierProfile>& profiles, absl::string_view name) {
  std::shared_ptr<const SupplierIndex> built = Built(profiles);
  const std::string bytes = SaveSnapshot(*built);
  const std::string path =
      absl::StrCat(::testing::TempDir(), "/", name, "_", getpid(), ".snap");
  {
    std::ofstream file(path, std::ios::binary);
    file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  absl::StatusOr<std::shared_ptr<const SupplierIndex>> restored =
      LoadSnapshot(bytes);
  EXPECT_TRUE(restored.ok()) << restored.status();
  absl::StatusOr<std::shared_ptr<const SupplierIndex>> mapped =
      LoadSnapshotFile(path);
  EXPECT_TRUE(mapped.ok()) << mapped.status();
  std::remove(path.c_str());
  if (!restored.ok() || !mapped.ok()) return {};
  return {built, *std::move(restored), *std::move(mapped)};
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

// malloc's bytes in use, in every arena and in blocks of their own mapping.
int64_t MallocInUseBytes() {
  const struct mallinfo2 info = mallinfo2();
  return static_cast<int64_t>(info.uordblks + info.hblkhd);
}

// IndexData::CountMemory, the heap an index holds counted from capacities,
// is what malloc says a load keeps: its twin is the allocator's in-use
// bytes, before and after a load, once the load's static data (taxonomies,
// concept model) exist. The load runs on a thread of its own (one build
// thread), so that it allocates from an arena of its own and not from
// blocks this thread's cache keeps of the first load (malloc counts those as
// in use: up to 7 blocks of each of 64 sizes), and that cache is given back
// when the thread ends. Within 1%: the count leaves out the index object,
// the mapping's record and the options.
TEST(SupplierIndexMemoryTest, CountedHeapIsWhatMallocHolds) {
  const std::string path = absl::StrCat(
      ::testing::TempDir(), "/supplier_index_memory_", getpid(), ".snapshot");
  Options options;
  options.build_threads = 1;
  {
    SupplierIndex::Builder builder(options);
    for (const v1::SupplierProfile& p : testing::RandomSuppliers(600, 41)) {
      ASSERT_TRUE(builder.Add(p).ok());
    }
    const std::string bytes = SaveSnapshot(**std::move(builder).Build());
    std::ofstream file(path, std::ios::binary);
    file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  ASSERT_TRUE(LoadSnapshotFile(path, options).ok());  // The static data.
  const int64_t before = MallocInUseBytes();
  absl::StatusOr<std::shared_ptr<const SupplierIndex>> loaded =
      absl::UnknownError("not loaded");
  std::thread([&] { loaded = LoadSnapshotFile(path, options); }).join();
  const int64_t held = MallocInUseBytes() - before;
  std::remove(path.c_str());
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  if (held == 0) GTEST_SKIP() << "malloc does not report (a sanitizer's)";
  const internal::IndexData::MemoryUsage usage = Data(**loaded).CountMemory();
  int64_t parts = 0;
  for (const auto& part : usage.parts) parts += part.bytes;
  EXPECT_EQ(parts, usage.heap_bytes);
  EXPECT_GT(usage.profile_bytes, 600 * 100);
  EXPECT_NEAR(static_cast<double>(usage.heap_bytes), static_cast<double>(held),
              0.01 * held);
}

// A concept keeps its code only as the packed BCD form (8 bytes a concept):
// code() decodes it back, for codes of every depth and random eight-digit
// numbers, and a built, a restored and a mapped index hold the same
// concepts, code for code.
TEST(SupplierIndexConceptsTest, PackedConceptsDecodeToTheirCodes) {
  std::mt19937 rng(43);
  std::uniform_int_distribution<uint32_t> eight_digits(0, 99999999);
  std::vector<uint32_t> digits = {1,        9,        10000000, 35000000,
                                  35600000, 35613000, 35613009, 99999999};
  for (int i = 0; i < 20000; ++i) digits.push_back(eight_digits(rng));
  for (uint32_t d : digits) {
    const CpvCode code = CpvCode::FromDigits(d);
    const internal::SupplierDoc::ConceptRef c(code, 0.25f);
    ASSERT_EQ(c.code(), code) << d;
    ASSERT_EQ(c.bcd, code.bcd()) << d;
    ASSERT_EQ(c.weight, 0.25f);
  }
  std::shared_ptr<const SupplierIndex> built =
      Built(testing::RandomSuppliers(200, 47));
  absl::StatusOr<std::shared_ptr<const SupplierIndex>> restored =
      LoadSnapshot(SaveSnapshot(*built));
  ASSERT_TRUE(restored.ok()) << restored.status();
  int concepts = 0;
  for (int d = 0; d < built->size(); ++d) {
    const auto ours = Data(*built).doc(d).parts.concepts();
    const auto theirs = Data(**restored).doc(d).parts.concepts();
    ASSERT_EQ(ours.size(), theirs.size()) << built->id(d);
    for (size_t i = 0; i < ours.size(); ++i) {
      EXPECT_TRUE(CpvTaxonomy::Builtin().Contains(ours[i].code()));
      EXPECT_EQ(ours[i].code(), theirs[i].code());
      EXPECT_EQ(ours[i].bcd, ours[i].code().bcd());
      EXPECT_EQ(ours[i].weight, theirs[i].weight);
      ++concepts;
    }
  }
  EXPECT_GT(concepts, 200);
}

// FindDoc's binary search over the docs in id order finds every supplier and
// no id that is not one, as a scan does: ids one character longer or
// shorter, or differing in the last, sort next to real ones.
TEST(SupplierIndexFindDocTest, FindsWhatAScanFinds) {
  const std::vector<v1::SupplierProfile> added =
      testing::RandomSuppliers(300, 53);
  std::shared_ptr<const SupplierIndex> index = Built(added);
  auto scan = [&](const std::string& id) {
    for (int d = 0; d < index->size(); ++d) {
      if (index->id(d) == id) return d;
    }
    return -1;
  };
  std::vector<std::string> ids = {"", " ", "\xff"};
  for (const v1::SupplierProfile& p : added) {
    ids.push_back(p.id());
    ids.push_back(p.id() + "0");
    ids.push_back(p.id().substr(0, p.id().size() - 1));
    std::string other = p.id();
    other.back() = static_cast<char>(other.back() + 1);
    ids.push_back(other);
  }
  int found = 0;
  for (const std::string& id : ids) {
    const int d = scan(id);
    EXPECT_EQ(index->FindDoc(id), d) << id;
    found += d >= 0;
  }
  EXPECT_GE(found, 300);
}

// A loaded index codes each supplier's past contracts in one block
// (internal::ContractStore): every record decodes, field for field, to what
// its profile's contract says, built, restored and mapped. The contracts
// carry what the random corpus leaves out (values, notices, activities,
// several codes, none, a buyer name past 64 KiB, dates before and long
// after 2000-01-01, the day dates count from, a contract with no text at
// all, a supplier with more contracts than a byte counts).
TEST(SupplierIndexContractsTest, ContractsReadBackAsTheProfileSaysThem) {
  std::vector<v1::SupplierProfile> added = testing::RandomSuppliers(120, 29);
  const char* const kCodes[] = {"35613000", "50640000", "73410000"};
  for (size_t i = 0; i < added.size(); ++i) {
    for (int k = 0; k < added[i].past_contracts_size(); ++k) {
      v1::PastContract& c = *added[i].mutable_past_contracts(k);
      const size_t variant = i + k;
      if (variant % 3 == 0) {
        c.mutable_value()->set_amount(1000.0 * (variant + 1));
        c.mutable_value()->set_currency(variant % 2 == 0 ? "EUR" : "SEK");
        c.set_source_notice_id(absl::StrCat(variant, "-2021"));
      }
      if (variant % 4 == 1) c.set_buyer_activity("Défense");
      if (variant % 5 == 2) c.clear_cpv_codes();
      if (variant % 5 == 3) {
        for (const char* code : kCodes) c.add_cpv_codes(code);
      }
      if (variant % 7 == 4) c.clear_buyer_name();
      if (variant % 6 == 5) {
        const int year = variant % 12 == 5 ? 1987 : 2090;
        c.mutable_award_date()->set_year(year);
        c.mutable_award_date()->set_month(1);
        c.mutable_award_date()->set_day(1);
      }
      if (variant % 11 == 6) c.clear_award_date();
    }
  }
  added[5].add_past_contracts()->set_buyer_name(std::string(70000, 'A'));
  v1::PastContract* epoch = added[6].add_past_contracts();
  epoch->mutable_award_date()->set_year(2000);
  epoch->mutable_award_date()->set_month(1);
  epoch->mutable_award_date()->set_day(1);
  epoch = added[6].add_past_contracts();
  epoch->mutable_award_date()->set_year(1999);
  epoch->mutable_award_date()->set_month(12);
  epoch->mutable_award_date()->set_day(31);
  v1::Money* cents = added[7].add_past_contracts()->mutable_value();
  cents->set_amount(0.1);
  cents->set_currency("EUR");
  for (int k = 0; k < 300; ++k) {
    v1::PastContract* c = added[8].add_past_contracts();
    c->add_cpv_codes(kCodes[k % 3]);
    c->set_buyer_country("NL");
    c->mutable_award_date()->set_year(2000 + k % 30);
    c->mutable_award_date()->set_month(1 + k % 12);
    c->mutable_award_date()->set_day(1 + k % 28);
  }
  const std::vector<std::shared_ptr<const SupplierIndex>> indexes =
      BuiltRestoredAndMapped(added, "supplier_index_contracts");
  ASSERT_EQ(indexes.size(), 3u);
  int records = 0;
  for (const std::shared_ptr<const SupplierIndex>& index : indexes) {
    for (const v1::SupplierProfile& p : added) {
      const internal::SupplierDoc& doc =
          Data(*index).doc(index->FindDoc(p.id()));
      EXPECT_EQ(testing::ContractsDifference(p, doc.contracts), "");
      records += p.past_contracts_size();
    }
  }
  EXPECT_GT(records, 3 * (120 + 300));
}

// The capability levels, one block of words per supplier with each tag an
// index into the doc's tags (internal::CapabilityLevels), read back what
// the profile's capabilities with a level say, in order, built and
// restored. Besides the random corpus's: several codes and tags, a tag
// twice, tags that fold to one, a capability without a level.
TEST(SupplierIndexCapabilitiesTest, LevelsReadBackAsTheProfileSaysThem) {
  std::vector<v1::SupplierProfile> added = testing::RandomSuppliers(120, 31);
  for (size_t i = 0; i < added.size(); ++i) {
    for (int k = 0; k < added[i].capabilities_size(); ++k) {
      v1::Capability& c = *added[i].mutable_capabilities(k);
      const size_t variant = i + k;
      if (variant % 3 == 0) {
        c.add_cpv_codes("35613000");
        c.add_cpv_codes("73410000");
        c.add_tags("Sécurité");
        c.add_tags("securite");
      }
      if (variant % 4 == 1) c.add_tags("UAV");
      if (variant % 5 == 2) c.set_technology_readiness(0);
    }
  }
  SupplierIndex::Builder builder;
  for (const v1::SupplierProfile& p : added) ASSERT_TRUE(builder.Add(p).ok());
  std::shared_ptr<const SupplierIndex> built = *std::move(builder).Build();
  absl::StatusOr<std::shared_ptr<const SupplierIndex>> restored =
      LoadSnapshot(SaveSnapshot(*built));
  ASSERT_TRUE(restored.ok()) << restored.status();
  int levels = 0, tags = 0;
  for (const SupplierIndex* index : {built.get(), restored->get()}) {
    for (const v1::SupplierProfile& p : added) {
      const internal::SupplierDoc& doc =
          Data(*index).doc(index->FindDoc(p.id()));
      auto level = doc.capability_levels.begin();
      for (const v1::Capability& c : p.capabilities()) {
        if (c.technology_readiness() == 0) continue;
        SCOPED_TRACE(absl::StrCat(p.id(), " level ", levels));
        ASSERT_NE(level, doc.capability_levels.end());
        const internal::CapabilityLevel l = *level;
        EXPECT_EQ(l.trl(), c.technology_readiness());
        ASSERT_EQ(l.cpv_size(), static_cast<size_t>(c.cpv_codes_size()));
        for (int k = 0; k < c.cpv_codes_size(); ++k) {
          EXPECT_EQ(l.cpv(k), Cpv(c.cpv_codes(k).c_str()));
        }
        ASSERT_EQ(l.tags().size(), static_cast<size_t>(c.tags_size()));
        for (int k = 0; k < c.tags_size(); ++k) {
          ASSERT_LT(l.tags()[k], doc.parts.tags().size());
          EXPECT_EQ(doc.parts.tags()[l.tags()[k]], FoldText(c.tags(k)));
          ++tags;
        }
        ++level;
        ++levels;
      }
      EXPECT_EQ(level, doc.capability_levels.end()) << p.id();
    }
  }
  EXPECT_GT(levels, 2 * 120);
  EXPECT_GT(tags, 2 * 120);
}

// The fields most suppliers leave empty, one block per supplier and none
// when all are empty (internal::RarelySetFields), read back what the
// profile says, in order, built, restored and mapped. Besides the random
// corpus's certificates, clearances, cleared staff and languages:
// alternative names (one empty, one long), several clearances and staff
// counts, a certificate without a date, and suppliers with none of them.
TEST(SupplierIndexRarelySetTest, FieldsReadBackAsTheProfileSaysThem) {
  std::vector<v1::SupplierProfile> added = testing::RandomSuppliers(150, 37);
  for (size_t i = 0; i < added.size(); ++i) {
    v1::SupplierProfile& p = added[i];
    if (i % 6 == 0) {
      p.clear_certifications();
      p.clear_facility_clearances();
      p.clear_cleared_staff();
      p.clear_languages();
      continue;
    }
    if (i % 3 == 1) {
      p.add_alternative_names(absl::StrCat("Alias ", i));
      p.add_alternative_names(i % 2 == 0 ? "" : std::string(300, 'n'));
    }
    if (i % 4 == 2) {
      v1::FacilityClearance* fc = p.add_facility_clearances();
      fc->set_level(v1::CLEARANCE_LEVEL_SECRET);
      v1::ClearedStaff* cs = p.add_cleared_staff();
      cs->set_level(v1::CLEARANCE_LEVEL_SECRET);
      cs->set_count(static_cast<int>(i));
    }
    if (i % 5 == 3) p.add_certifications()->set_scheme("ISO 27001 ");
  }
  const std::vector<std::shared_ptr<const SupplierIndex>> indexes =
      BuiltRestoredAndMapped(added, "supplier_index_rarely_set");
  ASSERT_EQ(indexes.size(), 3u);
  auto day = [](bool has, const v1::Date& d) {
    return has ? absl::CivilDay(d.year(), d.month(), d.day())
               : internal::NoExpiry();
  };
  int empty = 0, certificates = 0, clearances = 0, names = 0, languages = 0;
  for (const std::shared_ptr<const SupplierIndex>& index : indexes) {
    for (const v1::SupplierProfile& p : added) {
      SCOPED_TRACE(p.id());
      const internal::RarelySetFields& f =
          Data(*index).doc(index->FindDoc(p.id())).rarely_set;
      std::vector<std::string> expected_names(p.alternative_names().begin(),
                                              p.alternative_names().end());
      std::vector<std::string> got_names;
      for (absl::string_view n : f.alternative_names()) {
        got_names.emplace_back(n);
      }
      EXPECT_EQ(got_names, expected_names);
      names += static_cast<int>(got_names.size());
      ASSERT_EQ(f.facility_clearances().size(),
                static_cast<size_t>(p.facility_clearances_size()));
      for (int k = 0; k < p.facility_clearances_size(); ++k) {
        const v1::FacilityClearance& fc = p.facility_clearances(k);
        EXPECT_EQ(f.facility_clearances()[k].level, fc.level());
        EXPECT_EQ(f.facility_clearances()[k].until,
                  day(fc.has_valid_until(), fc.valid_until()));
        ++clearances;
      }
      std::vector<std::pair<int, int>> staff;
      for (const v1::ClearedStaff& cs : p.cleared_staff()) {
        staff.emplace_back(cs.level(), cs.count());
      }
      const std::vector<std::pair<int, int>> got_staff(
          f.cleared_staff().begin(), f.cleared_staff().end());
      EXPECT_EQ(got_staff, staff);
      ASSERT_EQ(f.certificates().size(),
                static_cast<size_t>(p.certifications_size()));
      int k = 0;
      for (const internal::Certificate& c : f.certificates()) {
        const v1::Certification& want = p.certifications(k++);
        EXPECT_EQ(c.scheme_key, NormalizeScheme(want.scheme()));
        EXPECT_EQ(c.scheme, want.scheme());
        EXPECT_EQ(c.until, day(want.has_valid_until(), want.valid_until()));
        ++certificates;
      }
      std::vector<std::string> got_languages;
      for (absl::string_view l : f.languages()) got_languages.emplace_back(l);
      EXPECT_EQ(got_languages, std::vector<std::string>(p.languages().begin(),
                                                        p.languages().end()));
      languages += static_cast<int>(got_languages.size());
      const bool none = p.alternative_names().empty() &&
                        p.facility_clearances().empty() &&
                        p.cleared_staff().empty() &&
                        p.certifications().empty() && p.languages().empty();
      EXPECT_EQ(f.AllocatedBytes() == 0, none);
      empty += none;
    }
  }
  EXPECT_GT(empty, 3 * 20);
  EXPECT_GT(names, 3 * 90);
  EXPECT_GT(clearances, 3 * 80);
  EXPECT_GT(certificates, 3 * 100);
  EXPECT_GT(languages, 3 * 100);
}

// The offered codes are kept once, as their BCD forms: decoded, they are
// the profile's and its capabilities' codes, unique and ascending, built
// and restored.
TEST(SupplierIndexOfferedTest, OfferedCodesDecodeToTheProfilesCodes) {
  std::vector<v1::SupplierProfile> added = testing::RandomSuppliers(200, 59);
  added[0].add_cpv_codes("35613000");
  added[0].add_capabilities()->add_cpv_codes("35613000");  // Twice.
  const std::vector<std::shared_ptr<const SupplierIndex>> indexes =
      BuiltRestoredAndMapped(added, "supplier_index_offered");
  ASSERT_EQ(indexes.size(), 3u);
  int codes = 0;
  for (const std::shared_ptr<const SupplierIndex>& index : indexes) {
    for (const v1::SupplierProfile& p : added) {
      std::set<CpvCode> expected;
      for (const std::string& c : p.cpv_codes())
        expected.insert(Cpv(c.c_str()));
      for (const v1::Capability& cap : p.capabilities()) {
        for (const std::string& c : cap.cpv_codes()) {
          expected.insert(Cpv(c.c_str()));
        }
      }
      std::vector<CpvCode> decoded;
      for (uint32_t bcd :
           Data(*index).doc(index->FindDoc(p.id())).parts.offered_bcd()) {
        decoded.push_back(internal::CpvOfBcd(bcd));
        EXPECT_EQ(decoded.back().bcd(), bcd);
      }
      EXPECT_EQ(decoded, std::vector<CpvCode>(expected.begin(), expected.end()))
          << p.id();
      codes += static_cast<int>(decoded.size());
    }
  }
  EXPECT_GT(codes, 3 * 200);
}

// CpvOfBcd against one nibble a digit, on random words (nibbles above 9
// included) and on every builtin code's BCD form.
TEST(SupplierIndexOfferedTest, CpvOfBcdEqualsTheNibbleByNibbleSum) {
  const auto reference = [](uint32_t bcd) {
    uint32_t digits = 0;
    for (int shift = 28; shift >= 0; shift -= 4) {
      digits = digits * 10 + (bcd >> shift & 0xf);
    }
    return digits;
  };
  std::vector<uint32_t> words = {0, 0xffffffffu, 0x99999999u, 0x35613000u};
  const CpvTaxonomy& cpv = CpvTaxonomy::Builtin();
  for (int i = 0; i < cpv.size(); ++i) words.push_back(cpv.CodeAt(i).bcd());
  std::mt19937 rng(73);
  for (int i = 0; i < 100000; ++i) words.push_back(rng());
  for (uint32_t w : words) {
    ASSERT_EQ(internal::CpvOfBcd(w).digits(), reference(w)) << w;
  }
}

// The id, the name, the tags and the concepts share the offered codes' one
// block (internal::SupplierParts): read back, they are what the profile
// says (the tags folded, unique, ascending, and found by HasTag where a scan
// finds them), built, restored and mapped, and the concepts are the built
// index's, bit for bit. Besides the random corpus: a long name, a name in
// several scripts, tags given twice or folding to one, and a supplier
// without tags, codes or concept texts.
TEST(SupplierIndexPartsTest, PartsReadBackAsTheProfileSaysThem) {
  std::vector<v1::SupplierProfile> added = testing::RandomSuppliers(150, 61);
  added[0].set_name(std::string(300, 'N'));
  added[1].set_name("Κρήτη Ρομποτική — Škoda Défense");
  added[2].add_capabilities()->add_tags("Drones");
  added[2].add_capabilities()->add_tags("DRONES");
  added[2].add_capabilities()->add_tags("Drones");
  v1::SupplierProfile& bare = added[3];
  bare.clear_cpv_codes();
  bare.clear_capabilities();
  bare.clear_past_contracts();
  bare.clear_description();
  const std::vector<std::shared_ptr<const SupplierIndex>> indexes =
      BuiltRestoredAndMapped(added, "supplier_index_parts");
  ASSERT_EQ(indexes.size(), 3u);
  const internal::IndexData& built = Data(*indexes[0]);
  int tags = 0, concepts = 0, absent = 0;
  for (const std::shared_ptr<const SupplierIndex>& index : indexes) {
    for (const v1::SupplierProfile& p : added) {
      SCOPED_TRACE(p.id());
      const internal::SupplierParts& parts =
          Data(*index).doc(index->FindDoc(p.id())).parts;
      EXPECT_EQ(parts.id(), p.id());
      EXPECT_EQ(parts.name(), p.name());
      std::set<std::string> expected_tags;
      for (const v1::Capability& c : p.capabilities()) {
        for (const std::string& t : c.tags()) expected_tags.insert(FoldText(t));
      }
      std::vector<std::string> got_tags;
      for (absl::string_view t : parts.tags()) got_tags.emplace_back(t);
      EXPECT_EQ(got_tags, std::vector<std::string>(expected_tags.begin(),
                                                   expected_tags.end()));
      tags += static_cast<int>(got_tags.size());
      for (const std::string& t : expected_tags) {
        EXPECT_TRUE(parts.HasTag(t)) << t;
        for (const std::string& near :
             {t + "x", t.substr(0, t.size() - 1), "x" + t}) {
          EXPECT_EQ(parts.HasTag(near), expected_tags.count(near) > 0) << near;
          absent += expected_tags.count(near) == 0;
        }
      }
      EXPECT_FALSE(parts.HasTag("\xff"));
      const auto want = built.doc(built.FindDoc(p.id())).parts.concepts();
      ASSERT_EQ(parts.concepts().size(), want.size());
      for (size_t i = 0; i < want.size(); ++i) {
        EXPECT_EQ(parts.concepts()[i].bcd, want[i].bcd);
        EXPECT_EQ(parts.concepts()[i].weight, want[i].weight);
        ++concepts;
      }
    }
  }
  const internal::SupplierParts& empty =
      built.doc(built.FindDoc(bare.id())).parts;
  EXPECT_THAT(empty.tags(), IsEmpty());
  EXPECT_THAT(empty.offered_bcd(), IsEmpty());
  EXPECT_GT(tags, 3 * 90);
  EXPECT_GT(concepts, 3 * 150);
  EXPECT_GT(absent, 3 * 300);
}

// SupplierParts' block gives back what it was assigned, part for part, for
// random parts: ids and names of 0 to 40 bytes (any byte), 0 to 12 tags, 0
// to 30 offered codes, 0 to 20 concepts of any builtin code (its 16-bit
// ordinal) with weights of any bits in (0, 1], and a block assigned again.
TEST(SupplierIndexPartsTest, RandomPartsReadBackBitForBit) {
  std::mt19937 rng(71);
  const CpvTaxonomy& cpv = CpvTaxonomy::Builtin();
  for (int i = 0; i < cpv.size(); ++i) {
    ASSERT_EQ(internal::ConceptRef::OfOrdinal(i, 0.5f).code(), cpv.CodeAt(i));
  }
  auto text = [&](size_t most) {
    std::string t(rng() % (most + 1), ' ');
    for (char& c : t) c = static_cast<char>(rng());
    return t;
  };
  internal::SupplierParts parts;
  for (int round = 0; round < 2000; ++round) {
    const std::string id = text(40), name = text(40);
    std::set<std::string> tag_set;
    for (int t = rng() % 13; t > 0; --t) tag_set.insert(text(20));
    const std::vector<std::string> tags(tag_set.begin(), tag_set.end());
    std::set<uint32_t> offered_set;
    for (int c = rng() % 31; c > 0; --c) {
      offered_set.insert(cpv.CodeAt(rng() % cpv.size()).bcd());
    }
    const std::vector<uint32_t> offered(offered_set.begin(), offered_set.end());
    std::vector<internal::ConceptRef> concepts;
    std::vector<uint16_t> ordinals;
    for (int c = rng() % 21; c > 0; --c) {
      float weight;
      do {
        const uint32_t bits = static_cast<uint32_t>(rng());
        std::memcpy(&weight, &bits, sizeof(weight));
      } while (!(weight > 0 && weight <= 1));
      if (c == 1) weight = 1;
      ordinals.push_back(static_cast<uint16_t>(rng() % cpv.size()));
      concepts.emplace_back(cpv.CodeAt(ordinals.back()), weight);
    }
    // Every other round with the ordinals given (a snapshot's): the same.
    ASSERT_TRUE(
        parts
            .Assign({id, name, offered, tags, concepts,
                     round % 2 == 0 ? absl::Span<const uint16_t>() : ordinals})
            .ok());
    SCOPED_TRACE(round);
    EXPECT_EQ(parts.id(), id);
    EXPECT_EQ(parts.name(), name);
    EXPECT_EQ(std::vector<uint32_t>(parts.offered_bcd().begin(),
                                    parts.offered_bcd().end()),
              offered);
    std::vector<std::string> got_tags;
    for (absl::string_view t : parts.tags()) got_tags.emplace_back(t);
    EXPECT_EQ(got_tags, tags);
    ASSERT_EQ(parts.concepts().size(), concepts.size());
    for (size_t c = 0; c < concepts.size(); ++c) {
      EXPECT_EQ(parts.concepts()[c].bcd, concepts[c].bcd);
      EXPECT_EQ(parts.concepts().ordinal(c), ordinals[c]);
      uint32_t got_bits, want_bits;
      const float got_weight = parts.concepts()[c].weight;
      std::memcpy(&got_bits, &got_weight, sizeof(got_bits));
      std::memcpy(&want_bits, &concepts[c].weight, sizeof(want_bits));
      EXPECT_EQ(got_bits, want_bits);
    }
    // 6 head words, 4 bytes an offered code and a tag, 6 a concept.
    size_t chars = id.size() + name.size();
    for (const std::string& t : tags) chars += t.size();
    EXPECT_EQ(parts.AllocatedBytes(), 24 + 4 * (offered.size() + tags.size()) +
                                          6 * concepts.size() + chars);
  }
}

// The keyword texts are made on first use, once: threads asking at the same
// time get the same text, the profile's KeywordText as written and folded,
// and later calls the same object.
TEST(SupplierIndexKeywordTextsTest, MadeOnceAndAsTheProfileSays) {
  const std::vector<v1::SupplierProfile> added =
      testing::RandomSuppliers(40, 67);
  std::shared_ptr<const SupplierIndex> index = Built(added);
  for (const v1::SupplierProfile& p : added) {
    const internal::SupplierDoc& doc = Data(*index).doc(index->FindDoc(p.id()));
    const std::string* folded[4];
    const std::string* as_written[4];
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        // Half the threads ask for each form first.
        if (t % 2 == 0) {
          folded[t] = &doc.keyword_texts.Folded(doc.profile_bytes);
          as_written[t] = &doc.keyword_texts.AsWritten(doc.profile_bytes);
        } else {
          as_written[t] = &doc.keyword_texts.AsWritten(doc.profile_bytes);
          folded[t] = &doc.keyword_texts.Folded(doc.profile_bytes);
        }
      });
    }
    for (std::thread& t : threads) t.join();
    EXPECT_EQ(*as_written[0], internal::KeywordText(p));
    EXPECT_EQ(*folded[0], FoldText(internal::KeywordText(p)));
    for (int t = 0; t < 4; ++t) {
      EXPECT_EQ(folded[t], folded[0]);
      EXPECT_EQ(as_written[t], as_written[0]);
    }
    EXPECT_EQ(&doc.keyword_texts.Folded(doc.profile_bytes), folded[0]);
  }
}

// The coded term list (gaps between ids and frequencies in varints, a skip
// entry every 16 terms) gives back the counts it was made of and the
// frequency of any term id, as a scan of the counts does: lists of every
// length around the runs' edges and far past them, ids and frequencies that
// take one byte, several, or all 32 bits.
TEST(SupplierIndexTermsTest, TermListAgreesWithItsCounts) {
  std::mt19937 random(16);
  for (int trial = 0; trial < 300; ++trial) {
    // Every fourth list holds ids and frequencies past 2^24 and 2^8, whose
    // gaps and frequencies take several bytes of varint.
    const bool wide = trial % 4 == 3;
    const uint32_t id_range = trial % 2 == 0 ? 64 : (1u << 24) + 64;
    std::map<uint32_t, uint32_t> chosen;
    const int n = static_cast<int>(trial % 10 == 9 ? 200 + random() % 2000
                                                   : random() % 60);
    for (int i = 0; i < n; ++i) {
      chosen[random() % (1u << 24)] = 1 + random() % 255;
      chosen[random() % 64] = 1 + random() % 255;
    }
    if (wide) {
      if (trial % 8 == 3) {
        chosen[(1u << 24) + random() % 64] = 3;
      } else {
        chosen[random() % 64] = 256 + random() % 100000;
      }
    }
    const internal::TermCounts counts(chosen.begin(), chosen.end());
    const internal::TermList list(counts);
    ASSERT_EQ(list.size(), counts.size());
    EXPECT_EQ(internal::TermCounts(list.begin(), list.end()), counts);
    std::vector<uint32_t> probes = {0, (1u << 24) - 1, 1u << 24, ~0u};
    for (const auto& [term, frequency] : counts) {
      probes.push_back(term);
      probes.push_back(term + 1);
    }
    for (int i = 0; i < 50; ++i) probes.push_back(random() % id_range);
    for (uint32_t term : probes) {
      auto it = chosen.find(term);
      EXPECT_EQ(list.Frequency(term), it == chosen.end() ? 0 : it->second)
          << "term " << term << " in trial " << trial;
    }
  }
  // Edges of the coding: gaps and frequencies either side of a varint
  // byte's boundary, 24-bit ids and 8-bit frequencies and just past them,
  // the largest id and a frequency of 2^31.
  const uint32_t last = (1u << 24) - 1;
  for (const internal::TermCounts& counts :
       {internal::TermCounts{{0, 255}, {last, 255}},
        internal::TermCounts{{0, 1}, {last, 256}},
        internal::TermCounts{{7, 1}, {last + 1, 255}},
        internal::TermCounts{{last, 1}, {~0u, 1u << 31}},
        internal::TermCounts{{31, 3}, {63, 4}, {95, 3}, {126, 4}},
        internal::TermCounts{
            {0, 127}, {128, 128}, {16511, 16383}, {32895, 16384}}}) {
    const internal::TermList list(counts);
    EXPECT_EQ(internal::TermCounts(list.begin(), list.end()), counts);
    for (const auto& [term, frequency] : counts) {
      EXPECT_EQ(list.Frequency(term), frequency) << "term " << term;
      if (term > 0) EXPECT_EQ(list.Frequency(term - 1), 0u) << term - 1;
    }
  }
}

// One pass over a term list (TermList::Frequencies) gives, for any
// ascending query ids, what Frequency gives id by id: lists of a few terms
// to many runs, ids spread or clustered, queries of a few ids (whole runs
// skipped) or many, with ids absent, before the first and after the last.
TEST(SupplierIndexTermsTest, TermListFrequenciesAgreeWithFrequency) {
  std::mt19937 random(1614);
  int skipped_queries = 0;
  for (int trial = 0; trial < 400; ++trial) {
    const uint32_t spread = trial % 3 == 0 ? 100 : trial % 3 == 1 ? 5000 : ~0u;
    const size_t n = std::min<size_t>(
        spread / 2, trial % 5 == 4 ? 300 + random() % 700 : random() % 70);
    std::set<uint32_t> ids;
    while (ids.size() < n) ids.insert(1 + random() % spread);
    internal::TermCounts counts;
    for (uint32_t id : ids) {
      counts.emplace_back(id, 1 + (random() % 7 == 0 ? random() % 1000 : 2));
    }
    const internal::TermList list(counts);
    std::set<uint32_t> wanted = {0};
    if (trial % 2 == 0) wanted.insert(~0u);
    const size_t probes = trial % 4 == 0 ? 3 : 1 + random() % 200;
    for (size_t i = 0; i < probes; ++i) {
      const uint32_t id = 1 + random() % spread;
      wanted.insert(id);
      if (!ids.empty() && random() % 2 == 0) {
        auto it = ids.lower_bound(id);
        if (it != ids.end()) wanted.insert(*it + random() % 3 - 1);
      }
    }
    const std::vector<uint32_t> terms(wanted.begin(), wanted.end());
    std::vector<uint32_t> frequencies(terms.size(), 77);
    list.Frequencies(terms, absl::MakeSpan(frequencies));
    for (size_t i = 0; i < terms.size(); ++i) {
      EXPECT_EQ(frequencies[i], list.Frequency(terms[i]))
          << "term " << terms[i] << " in trial " << trial;
    }
    skipped_queries += n > 64 && terms.size() < n / 16 ? 1 : 0;
  }
  EXPECT_GT(skipped_queries, 5);  // Queries that skip runs.
  // No terms, and no query ids.
  std::vector<uint32_t> none(2, 77);
  internal::TermList().Frequencies({0, 5}, absl::MakeSpan(none));
  EXPECT_EQ(none, std::vector<uint32_t>(2, 0));
  internal::TermList({{3, 1}}).Frequencies({}, {});
}

// Every doc's coded term list holds what analysis counts of its profile's
// text, (term, frequency) for (term, frequency), and gives each term's
// frequency and 0 for the ids beside them and any other, built, restored
// and mapped. Besides the random corpus's texts: a word 300 times (a
// frequency of two bytes), a text of many distinct words (many runs).
TEST(SupplierIndexTermsTest, TermListsHoldTheAnalysedCounts) {
  std::vector<v1::SupplierProfile> added = testing::RandomSuppliers(150, 59);
  std::string repeated, distinct;
  for (int i = 0; i < 300; ++i) absl::StrAppend(&repeated, "drones ");
  for (int i = 0; i < 400; ++i) absl::StrAppend(&distinct, "w", i, "x ");
  added[3].set_description(repeated);
  added[4].set_description(distinct);
  added[5].set_description(absl::StrCat(repeated, distinct));
  const std::vector<std::shared_ptr<const SupplierIndex>> indexes =
      BuiltRestoredAndMapped(added, "supplier_index_terms");
  ASSERT_EQ(indexes.size(), 3u);
  std::mt19937 random(61);
  int64_t pairs = 0, long_lists = 0;
  for (const std::shared_ptr<const SupplierIndex>& index : indexes) {
    const internal::IndexData& data = Data(*index);
    const size_t terms = data.Vocabulary().size();
    for (const v1::SupplierProfile& p : added) {
      SCOPED_TRACE(p.id());
      absl::StatusOr<internal::AnalyzedSupplier> analyzed =
          internal::AnalyzeProfile(p, data.options());
      ASSERT_TRUE(analyzed.ok()) << analyzed.status();
      std::map<uint32_t, uint32_t> expected;
      for (const auto& [text, count] : analyzed->terms) {
        const int64_t id = data.TermId(text);
        ASSERT_GE(id, 0) << text;
        expected[static_cast<uint32_t>(id)] = count;
      }
      const internal::TermList& list = data.doc(index->FindDoc(p.id())).terms;
      ASSERT_EQ(list.size(), expected.size());
      ASSERT_EQ(internal::TermCounts(list.begin(), list.end()),
                internal::TermCounts(expected.begin(), expected.end()));
      // The listed ids, those beside them, 0 and 2^32 - 1; then any.
      ASSERT_EQ(testing::TermListDifference(list), "");
      for (int i = 0; i < 20; ++i) {
        const uint32_t term = random() % (terms + 2);
        auto it = expected.find(term);
        ASSERT_EQ(list.Frequency(term), it == expected.end() ? 0 : it->second)
            << "term " << term;
      }
      pairs += static_cast<int64_t>(expected.size());
      long_lists += expected.size() > 100;
    }
  }
  EXPECT_GT(pairs, 3 * 150 * 10);
  EXPECT_GE(long_lists, 3 * 2);
}

// The terms are numbered as numbering every term in input order, one
// supplier after another, would number them: a term gets the next id where
// it is first seen. Over more suppliers than a batch of analysis (4,096),
// on one thread and on three, and for an update's new terms after the
// index's own.
TEST(SupplierIndexTermsTest, TermsNumberedInOrderOfFirstSight) {
  const std::vector<v1::SupplierProfile> suppliers =
      testing::RandomSuppliers(4500, 71);
  const std::vector<v1::SupplierProfile> upserts =
      testing::RandomSuppliers(40, 72);
  std::vector<std::string> expected;
  absl::flat_hash_set<std::string> seen;
  auto see = [&](const v1::SupplierProfile& p) {
    absl::StatusOr<internal::AnalyzedSupplier> analyzed =
        internal::AnalyzeProfile(p, Options());
    ASSERT_TRUE(analyzed.ok()) << analyzed.status();
    for (const auto& [term, count] : analyzed->terms) {
      if (seen.insert(term).second) expected.push_back(term);
    }
  };
  for (const v1::SupplierProfile& p : suppliers) see(p);
  const size_t before_update = expected.size();
  v1::SupplierUpdate update;
  for (v1::SupplierProfile p : upserts) {
    p.set_id(absl::StrCat("U", p.id()));  // Not among the suppliers.
    see(p);
    *update.add_upserts() = std::move(p);
  }
  for (int threads : {1, 3}) {
    SCOPED_TRACE(threads);
    Options options;
    options.build_threads = threads;
    SupplierIndex::Builder builder(options);
    for (const v1::SupplierProfile& p : suppliers) {
      ASSERT_TRUE(builder.Add(p).ok());
    }
    absl::StatusOr<std::shared_ptr<const SupplierIndex>> index =
        std::move(builder).Build();
    ASSERT_TRUE(index.ok()) << index.status();
    const std::vector<absl::string_view> built = Data(**index).Vocabulary();
    ASSERT_EQ(built.size(), before_update);
    for (size_t id = 0; id < built.size(); ++id) {
      ASSERT_EQ(built[id], expected[id]) << "term id " << id;
    }
    absl::StatusOr<std::shared_ptr<const SupplierIndex>> updated =
        (*index)->ApplyUpdate(update);
    ASSERT_TRUE(updated.ok()) << updated.status();
    const std::vector<absl::string_view> after = Data(**updated).Vocabulary();
    ASSERT_EQ(after.size(), expected.size());
    for (size_t id = 0; id < after.size(); ++id) {
      ASSERT_EQ(after[id], expected[id]) << "term id " << id;
    }
  }
}

// AnalyzeProfile's terms in the order of the strings (std::string's <, byte
// by byte), which numbers the vocabulary the same in every process: it sorts
// them by their first eight bytes as a number, then by the strings. Random
// texts of words in scripts that stay above 0x7f when folded (Greek,
// Cyrillic), with accents, and sharing eight bytes or more with another word,
// in languages with and without a stemmer.
TEST(SupplierIndexTermsTest, AnalyzedTermsInStringOrder) {
  const char* const kWords[] = {"δίκτυο",        "ασφάλεια",
                                "επικοινωνίες",  "συντήρηση",
                                "мрежа",         "сигурност",
                                "комуникации",   "поддръжка",
                                "interoperable", "interopérer",
                                "international", "internet",
                                "surveillance",  "surveillances",
                                "maintenancier", "maintenance",
                                "abcdefgh",      "abcdefghij",
                                "abcdefgh-ij",   "zz",
                                "öffentlich",    "ab",
                                "système",       "5.56"};
  const char* const kLanguages[] = {"el", "bg", "en", "fr", "de", "ga", ""};
  std::mt19937 rng(2026);
  auto pick = [&](int n) { return static_cast<int>(rng() % n); };
  for (int trial = 0; trial < 300; ++trial) {
    v1::SupplierProfile p = Profile(R"pb(id: "T-1" name: "Term Order")pb");
    std::string text;
    for (int w = pick(12); w >= 0; --w) {
      absl::StrAppend(&text, text.empty() ? "" : " ", kWords[pick(24)]);
    }
    p.set_description(text);
    p.set_description_language(kLanguages[pick(7)]);
    absl::StatusOr<internal::AnalyzedSupplier> analyzed =
        internal::AnalyzeProfile(p, Options());
    ASSERT_TRUE(analyzed.ok()) << analyzed.status();
    const auto& terms = analyzed->terms;
    for (size_t i = 1; i < terms.size(); ++i) {
      ASSERT_LT(terms[i - 1].first, terms[i].first)
          << "trial " << trial << ": " << text;
    }
  }
}

// A doc holds its countries and turnover currency inline (internal::IsoCode):
// a code longer than an ISO code, which validation refuses, is an error of
// analysis, not a code cut short.
TEST(SupplierIndexCodesTest, LongerThanAnIsoCodeIsAnError) {
  v1::SupplierProfile p =
      Profile(R"pb(
        id: "BE-9" name: "Vlaamse Dronebouw NV" country: "BE"
      )pb");
  absl::StatusOr<internal::AnalyzedSupplier> analyzed =
      internal::AnalyzeProfile(p, Options());
  ASSERT_TRUE(analyzed.ok()) << analyzed.status();
  EXPECT_EQ(analyzed->doc->country.view(), "BE");
  EXPECT_TRUE(analyzed->doc->executive_country.empty());
  p.set_executive_management_country("BELG");
  analyzed = internal::AnalyzeProfile(p, Options());
  EXPECT_THAT(analyzed.status().message(),
              HasSubstr("supplier \"BE-9\": executive_management_country: "
                        "\"BELG\" is not an ISO code"));
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
