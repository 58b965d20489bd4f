#include "procmatch/internal/term_postings.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace procmatch {
namespace internal {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// What each doc holds: (term, frequency) pairs, in any term order.
using DocTerms = std::vector<std::pair<uint32_t, std::vector<TermPosting>>>;

TermPostingStore Store(size_t terms, const DocTerms& docs) {
  return TermPostingStore::Build(terms, [&](auto post) {
    for (const auto& [doc, term_counts] : docs) {
      for (const auto& [term, frequency] : term_counts) {
        post(doc, term, frequency);
      }
    }
  });
}

std::vector<TermPosting> Decoded(const TermPostingList& list) {
  return std::vector<TermPosting>(list.begin(), list.end());
}

TEST(TermPostingStoreTest, KeepsEachTermsPostingsInDocOrder) {
  // Doc 0's terms out of order; term 1 has no postings; frequencies on
  // either side of the two bits a gap carries; the largest doc and gap.
  constexpr uint32_t kLast = std::numeric_limits<uint32_t>::max();
  const TermPostingStore store = Store(3, {{0, {{2, 1}, {0, 3}}},
                                           {7, {{0, 4}}},
                                           {1u << 24, {{2, 0}}},
                                           {kLast, {{0, kLast}, {2, 2}}}});
  ASSERT_EQ(store.size(), 3u);
  EXPECT_THAT(Decoded(store.List(0)),
              ElementsAre(TermPosting{0, 3}, TermPosting{7, 4},
                          TermPosting{kLast, kLast}));
  EXPECT_EQ(store.List(0).size(), 3u);
  EXPECT_THAT(Decoded(store.List(1)), IsEmpty());
  EXPECT_TRUE(store.List(1).empty());
  EXPECT_THAT(Decoded(store.List(2)),
              ElementsAre(TermPosting{0, 1}, TermPosting{1u << 24, 0},
                          TermPosting{kLast, 2}));
}

// A store read in place (FromSection with a file) decodes as one built, and
// holds its file; a list whose bytes change after the check stops the
// process when it is read, whether the change gives a doc past the docs or a
// posting that runs past its list's end.
TEST(TermPostingStoreDeathTest, ListsChangedAfterTheCheckStopTheProcess) {
  // Term 0: doc 5 once (one byte, 5 * 4 + 1); term 1: doc 0 once and doc 7
  // twice (1, then 7 * 4 + 2).
  const TermPostingStore built =
      Store(2, {{0, {{1, 1}}}, {5, {{0, 1}}}, {7, {{1, 2}}}});
  std::string section;
  built.AppendSection({0, 1}, &section);
  auto file = std::make_shared<std::string>(
      section + std::string(kMaxPostingBytes, '\0'));
  absl::StatusOr<TermPostingStore> in_place = TermPostingStore::FromSection(
      absl::string_view(*file).substr(0, section.size()), 2, 8, file);
  ASSERT_TRUE(in_place.ok()) << in_place.status();
  EXPECT_EQ(in_place->MappedBytes(), 3u);
  EXPECT_EQ(built.MappedBytes(), 0u);
  EXPECT_THAT(Decoded(in_place->List(0)), ElementsAre(TermPosting{5, 1}));
  EXPECT_THAT(Decoded(in_place->List(1)),
              ElementsAre(TermPosting{0, 1}, TermPosting{7, 2}));
  char* coded = &(*file)[section.size() - 3];
  ASSERT_EQ(coded[0], 21);
  ASSERT_EQ(coded[1], 1);
  // Doc 9 of 8.
  coded[0] = 9 * 4 + 1;
  EXPECT_DEATH(Decoded(in_place->List(0)), "no longer holds what was checked");
  // A varint continued into term 1's first byte (0): doc 0, within the docs,
  // but read past term 0's one byte.
  coded[0] = static_cast<char>(0x81);
  coded[1] = 0;
  EXPECT_DEATH(Decoded(in_place->List(0)), "no longer holds what was checked");
  // Saving the changed store stops too, rather than write it out.
  std::string again;
  EXPECT_DEATH(in_place->AppendSection({0, 1}, &again),
               "no longer holds what was checked");
  // Put back, it reads and saves as before.
  coded[0] = 21;
  coded[1] = 1;
  EXPECT_THAT(Decoded(in_place->List(0)), ElementsAre(TermPosting{5, 1}));
  in_place->AppendSection({0, 1}, &again);
  EXPECT_EQ(again, section);
}

TEST(TermPostingStoreTest, NoTermsAndNoDocs) {
  EXPECT_EQ(Store(0, {}).size(), 0u);
  EXPECT_TRUE(Store(2, {}).List(1).empty());
  EXPECT_EQ(TermPostingStore().size(), 0u);
}

// The twin: the store's lists against plain (doc, frequency) vectors built
// from the same random docs, with gaps from 1 to over 2^31 and frequencies
// from 0 to 2^32 - 1, so that every varint length is coded.
TEST(TermPostingStoreTest, EqualsPlainListsOnRandomDocs) {
  std::mt19937 rng(20261130);
  for (int round = 0; round < 200; ++round) {
    const uint32_t terms = 1 + rng() % 40;
    // Gaps of one varint length or another, but docs stay below 2^32.
    const int gap_bits = 1 + static_cast<int>(rng() % 31);
    const uint32_t docs = 1 + rng() % 60;
    std::vector<std::vector<TermPosting>> plain(terms);
    DocTerms doc_terms;
    uint64_t doc = rng() % 3;
    for (uint32_t i = 0; i < docs && doc <= 0xffffffffu; ++i) {
      std::vector<TermPosting> counts;
      for (uint32_t t = 0; t < terms; ++t) {
        if (rng() % 3 != 0) continue;
        uint32_t frequency = 1 + rng() % 3;
        switch (rng() % 4) {
          case 0:
            frequency = static_cast<uint32_t>(rng() >> (rng() % 32));
            break;
          case 1:
            frequency = 4 + rng() % 300;
            break;
          default:
            break;
        }
        counts.emplace_back(t, frequency);
        plain[t].emplace_back(static_cast<uint32_t>(doc), frequency);
      }
      std::shuffle(counts.begin(), counts.end(), rng);
      doc_terms.emplace_back(static_cast<uint32_t>(doc), std::move(counts));
      doc += 1 + (rng() & ((uint64_t{1} << gap_bits) - 1));
    }
    const TermPostingStore store = Store(terms, doc_terms);
    ASSERT_EQ(store.size(), terms);
    for (uint32_t t = 0; t < terms; ++t) {
      EXPECT_EQ(store.List(t).size(), plain[t].size()) << "term " << t;
      ASSERT_EQ(Decoded(store.List(t)), plain[t])
          << "round " << round << " term " << t;
    }
  }
}

}  // namespace
}  // namespace internal
}  // namespace procmatch
