#include "procmatch/internal/term_dictionary.h"

#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace procmatch {
namespace internal {
namespace {

// A random term: short or past a string's 15 inline bytes, any byte.
std::string RandomTerm(std::mt19937& rng) {
  std::uniform_int_distribution<int> length(1, rng() % 4 == 0 ? 40 : 8);
  std::uniform_int_distribution<int> byte(0, 255);
  std::string out(length(rng), ' ');
  for (char& c : out)
    c = static_cast<char>(rng() % 3 == 0 ? byte(rng) : 'a' + rng() % 4);
  return out;
}

// The vocabulary's hash set of ids finds what a std::map from the terms
// finds, for every term and for texts next to them (a byte more, a byte
// less, the last byte changed), and gives each id's term back, after a move
// too.
TEST(TermDictionaryTest, FindsWhatAMapFinds) {
  std::mt19937 rng(61);
  std::map<std::string, uint32_t> map;
  std::vector<std::string> terms;
  while (terms.size() < 5000) {
    std::string t = RandomTerm(rng);
    if (map.emplace(t, static_cast<uint32_t>(terms.size())).second) {
      terms.push_back(std::move(t));
    }
  }
  const std::vector<absl::string_view> views(terms.begin(), terms.end());
  TermDictionary made(views);
  const TermDictionary vocabulary = std::move(made);
  ASSERT_EQ(vocabulary.size(), terms.size());
  std::vector<std::string> texts = {"", "zzzz"};
  for (uint32_t id = 0; id < terms.size(); ++id) {
    EXPECT_EQ(vocabulary.term(id), terms[id]);
    texts.push_back(terms[id]);
    texts.push_back(terms[id] + "a");
    texts.push_back(terms[id].substr(0, terms[id].size() - 1));
    std::string other = terms[id];
    other.back() = static_cast<char>(other.back() ^ 1);
    texts.push_back(other);
  }
  int found = 0;
  for (const std::string& text : texts) {
    const auto it = map.find(text);
    const int64_t expected = it == map.end() ? -1 : int64_t{it->second};
    ASSERT_EQ(vocabulary.Find(text), expected) << text;
    found += expected >= 0;
  }
  EXPECT_GE(found, 5000);
  EXPECT_EQ(TermDictionary().Find("a"), -1);
  EXPECT_GT(vocabulary.AllocatedBytes(), terms.size() * 9);
}

// OfDistinct numbers what the constructor numbers when no term repeats, and
// otherwise names the first id whose term an earlier id has, as a map from
// the terms finds it; random vocabularies with repeats planted anywhere.
TEST(TermDictionaryTest, OfDistinctNamesTheFirstRepeatAsAMapFindsIt) {
  std::mt19937 rng(67);
  for (int round = 0; round < 200; ++round) {
    std::vector<std::string> terms;
    const int size = static_cast<int>(rng() % 300);
    for (int i = 0; i < size; ++i) {
      // About one term in fifty repeats one before it.
      terms.push_back(i > 0 && rng() % 50 == 0 ? terms[rng() % i]
                                               : RandomTerm(rng));
    }
    std::map<std::string, uint32_t> first;
    int64_t repeated = -1;
    for (uint32_t id = 0; id < terms.size(); ++id) {
      if (!first.emplace(terms[id], id).second && repeated < 0) repeated = id;
    }
    absl::StatusOr<TermDictionary> made = TermDictionary::OfDistinct(
        std::vector<absl::string_view>(terms.begin(), terms.end()));
    if (repeated >= 0) {
      ASSERT_FALSE(made.ok()) << round;
      EXPECT_EQ(made.status().message(),
                absl::StrCat("term ", repeated, " is a duplicate"));
      continue;
    }
    ASSERT_TRUE(made.ok()) << round << ": " << made.status();
    ASSERT_EQ(made->size(), terms.size());
    for (uint32_t id = 0; id < terms.size(); ++id) {
      EXPECT_EQ(made->term(id), terms[id]);
      EXPECT_EQ(made->Find(terms[id]), id);
    }
  }
}

}  // namespace
}  // namespace internal
}  // namespace procmatch
