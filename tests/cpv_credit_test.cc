// The fast CPV credit (BCD compare) against its reference (CpvTaxonomy) on
// real codes: every code against random others, and against its own
// relatives, where the cases differ most.
#include "procmatch/internal/cpv_credit.h"

#include <random>

#include "gtest/gtest.h"

namespace procmatch {
namespace internal {
namespace {

void ExpectSame(const CpvTaxonomy& cpv, CpvCode t, CpvCode s) {
  int fast_depth = -1, ref_depth = -1;
  const CreditScorer scorer(cpv, t);
  const double fast = scorer.Credit(s.bcd(), &fast_depth);
  const double ref = ReferenceCredit(cpv, t, s, &ref_depth);
  ASSERT_EQ(fast, ref) << t.ToString() << " vs " << s.ToString();
  ASSERT_EQ(fast_depth, ref_depth) << t.ToString() << " vs " << s.ToString();
}

TEST(CpvCreditTest, BcdPacksDigits) {
  EXPECT_EQ(CpvCode::FromDigits(35613000).bcd(), 0x35613000u);
  EXPECT_EQ(CpvCode::FromDigits(3000000).bcd(), 0x03000000u);
}

TEST(CpvCreditTest, FastEqualsReferenceOnRandomPairs) {
  const CpvTaxonomy& cpv = CpvTaxonomy::Builtin();
  std::mt19937 rng(20261129);
  std::uniform_int_distribution<int> any(0, cpv.size() - 1);
  for (int i = 0; i < cpv.size(); ++i) {
    const CpvCode t = cpv.CodeAt(i);
    for (int k = 0; k < 20; ++k) ExpectSame(cpv, t, cpv.CodeAt(any(rng)));
    // Relatives: neighbours in code order share long prefixes.
    for (int j = std::max(0, i - 12); j < std::min(cpv.size(), i + 12); ++j) {
      ExpectSame(cpv, t, cpv.CodeAt(j));
    }
  }
}

TEST(CpvCreditTest, KnownCases) {
  const CpvTaxonomy& cpv = CpvTaxonomy::Builtin();
  auto credit = [&](uint32_t t, uint32_t s) {
    int d;
    return CreditScorer(cpv, CpvCode::FromDigits(t))
        .Credit(CpvCode::FromDigits(s).bcd(), &d);
  };
  EXPECT_EQ(credit(35613000, 35613000), 1.0);
  EXPECT_EQ(credit(35600000, 35613000), 0.9);  // More specific offer.
  EXPECT_EQ(credit(35613000, 35600000), 0.8);  // Broader offer.
  EXPECT_EQ(credit(35613000, 35710000), 0.2);  // Same division only.
  EXPECT_EQ(credit(35613000, 72000000), 0.0);
}

}  // namespace
}  // namespace internal
}  // namespace procmatch
