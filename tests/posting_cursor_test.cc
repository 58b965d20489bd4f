// AdvanceTo and PostingCursor against std::lower_bound and a linear scan, on
// random ascending lists (with repeated docs) and random ascending lookups.
#include "procmatch/internal/posting_cursor.h"

#include <algorithm>
#include <random>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace procmatch {
namespace internal {
namespace {

std::vector<uint32_t> RandomList(std::mt19937* rng) {
  std::uniform_int_distribution<int> size(0, 300), doc(0, 1000);
  std::vector<uint32_t> list(size(*rng));
  for (uint32_t& d : list) d = doc(*rng);
  std::sort(list.begin(), list.end());
  return list;
}

TEST(AdvanceToTest, EqualsLowerBoundFromAnyStart) {
  std::mt19937 rng(16);
  for (int round = 0; round < 2000; ++round) {
    const std::vector<uint32_t> list = RandomList(&rng);
    std::uniform_int_distribution<uint32_t> doc(0, 1010);
    for (int i = 0; i < 20; ++i) {
      const uint32_t d = doc(rng);
      const size_t expected =
          std::lower_bound(list.begin(), list.end(), d) - list.begin();
      // Any start at or before the answer gives the answer.
      std::uniform_int_distribution<size_t> from(0, expected);
      ASSERT_EQ(AdvanceTo(list, from(rng), d), expected) << round;
      ASSERT_EQ(AdvanceTo(list, expected, d), expected);
      ASSERT_EQ(AdvanceTo(list, 0, d), expected);
    }
    ASSERT_EQ(AdvanceTo(list, list.size(), 0), list.size());
  }
}

TEST(PostingCursorTest, FindsWhatAScanFinds) {
  std::mt19937 rng(2026);
  int64_t found = 0, missed = 0;
  for (int round = 0; round < 2000; ++round) {
    const std::vector<uint32_t> list = RandomList(&rng);
    std::vector<std::pair<uint32_t, float>> pairs;
    for (uint32_t d : list) pairs.emplace_back(d, 0.5f);
    PostingCursor<uint32_t> cursor(&list);
    PostingCursor<std::pair<uint32_t, float>> pair_cursor(&pairs);
    std::uniform_int_distribution<uint32_t> step(0, 40);
    for (uint32_t d = step(rng); d < 1010; d += step(rng)) {
      int64_t expected = -1;  // The first position of d, by a scan.
      for (size_t p = 0; p < list.size(); ++p) {
        if (list[p] == d) {
          expected = static_cast<int64_t>(p);
          break;
        }
      }
      ASSERT_EQ(cursor.Find(d), expected) << round << " doc " << d;
      ASSERT_EQ(pair_cursor.Find(d), expected) << round << " doc " << d;
      ++(expected >= 0 ? found : missed);
    }
  }
  // Meaningful only if both outcomes are common.
  EXPECT_GT(found, 10000);
  EXPECT_GT(missed, 10000);
}

}  // namespace
}  // namespace internal
}  // namespace procmatch
