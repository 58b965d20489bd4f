// The fast CPV credit (BCD compare) against its reference (CpvTaxonomy) on
// real codes: every code against random others, and against its own
// relatives, where the cases differ most; and a tender's codes tabled
// (CreditTable) against every pair compared by the reference.
#include "procmatch/internal/cpv_credit.h"

#include <algorithm>
#include <random>
#include <vector>

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

// bcd() against one digit a nibble, on every builtin code, the ends of the
// range and random eight digits.
TEST(CpvCreditTest, BcdEqualsTheDigitByDigitPacking) {
  const auto reference = [](uint32_t digits) {
    uint32_t out = 0;
    for (int shift = 0; shift < 32; shift += 4) {
      out |= (digits % 10) << shift;
      digits /= 10;
    }
    return out;
  };
  std::vector<uint32_t> digits = {0, 1, 9, 10, 9999, 10000, 99999999};
  const CpvTaxonomy& cpv = CpvTaxonomy::Builtin();
  for (int i = 0; i < cpv.size(); ++i) digits.push_back(cpv.CodeAt(i).digits());
  std::mt19937 rng(71);
  for (int i = 0; i < 100000; ++i) digits.push_back(rng() % 100000000);
  for (uint32_t d : digits) {
    ASSERT_EQ(CpvCode::FromDigits(d).bcd(), reference(d)) << d;
  }
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

// A supplier's concept as the index holds it (SupplierDoc::ConceptRef).
struct WeightedCode {
  CpvCode code;
  uint32_t bcd;
  float weight;
};

// Random real codes near a few anchors in code order, so that a tender's
// and a supplier's share divisions, groups, classes and codes, as related
// concepts do; some repeated.
std::vector<CpvCode> RelatedCodes(std::mt19937& rng, const CpvTaxonomy& cpv,
                                  const std::vector<int>& anchors, int n) {
  std::uniform_int_distribution<int> near(-40, 40);
  std::vector<CpvCode> out;
  for (int i = 0; i < n; ++i) {
    if (!out.empty() && rng() % 8 == 0) {
      out.push_back(out[rng() % out.size()]);
      continue;
    }
    const int at = anchors[rng() % anchors.size()] + near(rng);
    out.push_back(cpv.CodeAt(std::clamp(at, 0, cpv.size() - 1)));
  }
  return out;
}

// The concepts component's core by definition: each tender code against
// every supplier code in supplier order, by the reference credit, the first
// strictly best kept.
void BestByDefinition(const CpvTaxonomy& cpv,
                      const std::vector<CpvCode>& tender,
                      const std::vector<WeightedCode>& supplier,
                      std::vector<double>* best, std::vector<uint32_t>* which) {
  best->assign(tender.size(), 0.0);
  which->assign(tender.size(), 0);
  for (size_t t = 0; t < tender.size(); ++t) {
    for (size_t i = 0; i < supplier.size(); ++i) {
      int depth;
      const double v =
          static_cast<double>(supplier[i].weight) *
          ReferenceCredit(cpv, tender[t], supplier[i].code, &depth);
      if (v > (*best)[t]) {
        (*best)[t] = v;
        (*which)[t] = static_cast<uint32_t>(i);
      }
    }
  }
}

TEST(CpvCreditTest, TableEqualsEveryPairOnRandomConceptSets) {
  const CpvTaxonomy& cpv = CpvTaxonomy::Builtin();
  std::mt19937 rng(20261130);
  std::uniform_int_distribution<int> any(0, cpv.size() - 1);
  // Weights from a few values, so that ties between codes are common, and
  // floats as concept weights are.
  const float kWeights[] = {1.0f, 0.5f, 0.25f, 0.1f, 0.7310586f};
  int scored = 0, ties = 0;
  for (int round = 0; round < 3000; ++round) {
    std::vector<int> anchors(1 + rng() % 4);
    for (int& a : anchors) a = any(rng);
    const std::vector<CpvCode> tender =
        RelatedCodes(rng, cpv, anchors, static_cast<int>(rng() % 20));
    std::vector<WeightedCode> supplier;
    for (CpvCode c :
         RelatedCodes(rng, cpv, anchors, static_cast<int>(rng() % 20))) {
      supplier.push_back({c, c.bcd(), kWeights[rng() % 5]});
    }
    const CreditTable table(cpv, tender);
    ASSERT_EQ(table.size(), tender.size());
    std::vector<double> best(tender.size(), 0.0);
    std::vector<uint32_t> which(tender.size(), 0);
    table.Best(supplier, best.data(), which.data());
    std::vector<double> expected_best;
    std::vector<uint32_t> expected_which;
    BestByDefinition(cpv, tender, supplier, &expected_best, &expected_which);
    for (size_t t = 0; t < tender.size(); ++t) {
      ASSERT_EQ(best[t], expected_best[t])
          << "round " << round << " tender code " << tender[t].ToString();
      ASSERT_EQ(which[t], expected_which[t])
          << "round " << round << " tender code " << tender[t].ToString();
      scored += best[t] > 0;
      for (size_t i = expected_which[t] + 1; i < supplier.size(); ++i) {
        int depth;
        ties +=
            best[t] > 0 &&
            static_cast<double>(supplier[i].weight) *
                    ReferenceCredit(cpv, tender[t], supplier[i].code, &depth) ==
                best[t];
      }
    }
  }
  // Both the related and the tied cases ran, not only credits of 0.
  EXPECT_GT(scored, 5000);
  EXPECT_GT(ties, 500);
}

}  // namespace
}  // namespace internal
}  // namespace procmatch
