// File: lib/internal/cpv_credit.h
//
// INTERNAL. How much of a tender's CPV code a supplier's code delivers: 1 for
// the same code, 0.9 for a more specific code under it, 0.8 for a broader
// code above it, and by the depth of their deepest shared ancestor otherwise
// (0.2 division, 0.4 group, 0.55 class, 0.7 category or finer); 0 across
// divisions. doc/scoring.md explains the numbers.
//
// CreditScorer is the fast form scoring runs for every (tender code,
// supplier code) pair: built once per tender code, it compares BCD forms
// (CpvCode::bcd) with one XOR, without divisions or hash lookups.
// ReferenceCredit is the obviously correct form, on CpvTaxonomy; tests check
// that the two agree. CreditTable holds a tender's codes for comparing them
// with many weighted supplier codes (the concepts component: up to 16 tender
// concepts against each candidate's 16), a lookup per pair that can score.
//
// Example:
//   const CreditTable table(cpv, {CpvCode::FromDigits(35613000)});
//   double best[1] = {0};
//   uint32_t which[1] = {0};
//   table.Best(supplier_concepts, best, which);  // Elements with bcd, weight.
#ifndef PROCMATCH_LIB_INTERNAL_CPV_CREDIT_H_
#define PROCMATCH_LIB_INTERNAL_CPV_CREDIT_H_

#include <algorithm>
#include <cstdint>
#include <vector>

#include "procmatch/cpv.h"

namespace procmatch {
namespace internal {

inline double LevelCredit(int shared_depth) {
  switch (shared_depth) {
    case 2:
      return 0.2;
    case 3:
      return 0.4;
    case 4:
      return 0.55;
    default:
      return 0.7;
  }
}

// The reference. Sets *shared_depth to CommonDepth(t, s).
inline double ReferenceCredit(const CpvTaxonomy& cpv, CpvCode t, CpvCode s,
                              int* shared_depth) {
  const int d = cpv.CommonDepth(t, s);
  *shared_depth = d;
  if (d == 0) return 0;
  if (t == s) return 1.0;
  if (t.Covers(s)) return 0.9;
  if (s.Covers(t)) return 0.8;
  return LevelCredit(d);
}

class CreditScorer {
 public:
  CreditScorer() = default;
  CreditScorer(const CpvTaxonomy& cpv, CpvCode tender_code)
      : bcd_(tender_code.bcd()), depth_(tender_code.depth()) {
    for (int d = 2; d <= depth_; ++d) {
      known_[d] = cpv.Contains(tender_code.Truncated(d));
    }
  }

  // Same result as ReferenceCredit(cpv, tender_code, s, shared_depth) for
  // s_bcd == s.bcd().
  double Credit(uint32_t s_bcd, int* shared_depth) const {
    return CreditOf(SharedDigits(bcd_, s_bcd), Depth(s_bcd), shared_depth);
  }

  // The credit of a supplier code of depth `s_depth` (2-8) sharing its first
  // `shared` digits (0-8; 8: the same code) with the tender code: the
  // credit depends on nothing else, so CreditTable tables it.
  double CreditOf(int shared, int s_depth, int* shared_depth) const {
    int d = std::min({shared, depth_, s_depth});
    while (d >= 2 && !known_[d]) --d;  // Deepest ancestor that is a code.
    if (d < 2) {
      *shared_depth = 0;
      return 0;
    }
    *shared_depth = d;
    if (shared == 8) return 1.0;
    if (s_depth >= depth_ && shared >= depth_) return 0.9;   // s under t.
    if (depth_ >= s_depth && shared >= s_depth) return 0.8;  // t under s.
    return LevelCredit(d);
  }

  // The leading digits two BCD forms share, 8 when equal.
  static int SharedDigits(uint32_t a_bcd, uint32_t b_bcd) {
    const uint32_t diff = a_bcd ^ b_bcd;
    return diff == 0 ? 8 : __builtin_clz(diff) / 4;
  }
  // A code's depth (CpvCode::depth) from its BCD form.
  static int Depth(uint32_t bcd) {
    return bcd == 0 ? 2 : std::max(2, 8 - __builtin_ctz(bcd) / 4);
  }

 private:
  uint32_t bcd_ = 0;
  int depth_ = 0;
  bool known_[9] = {};
};

// A tender's codes tabled for scoring many supplier codes against all of
// them: per tender code, CreditScorer's credit for every (shared digits,
// supplier depth), and the tender codes by division, so that a supplier code
// is compared only with the tender codes of its own division (the credit is
// 0 across divisions) and each comparison is an XOR and a lookup. Built once
// per query; immutable, so safe to share between threads.
class CreditTable {
 public:
  CreditTable() = default;
  CreditTable(const CpvTaxonomy& cpv, const std::vector<CpvCode>& tender_codes)
      : codes_(tender_codes.size()), order_(tender_codes.size()) {
    int per_division[kDivisionSlots] = {};
    for (size_t t = 0; t < tender_codes.size(); ++t) {
      const CreditScorer scorer(cpv, tender_codes[t]);
      TenderCode& code = codes_[t];
      code.bcd = tender_codes[t].bcd();
      for (int shared = 0; shared <= 8; ++shared) {
        for (int s_depth = 2; s_depth <= 8; ++s_depth) {
          int depth;
          code.credit[shared][s_depth] =
              scorer.CreditOf(shared, s_depth, &depth);
        }
      }
      ++per_division[Division(code.bcd)];
    }
    // Tender codes by division, each division's in tender order.
    for (int d = 0; d < kDivisionSlots; ++d) {
      start_[d + 1] = start_[d] + per_division[d];
    }
    int next[kDivisionSlots];
    std::copy(start_, start_ + kDivisionSlots, next);
    for (size_t t = 0; t < codes_.size(); ++t) {
      order_[next[Division(codes_[t].bcd)]++] = static_cast<uint32_t>(t);
    }
  }

  // The number of tender codes.
  size_t size() const { return codes_.size(); }

  // The most credit tender code t (0 <= t < size()) gives a supplier code
  // that shares from `shared_from` to `shared_to` leading digits with it (2-8;
  // 8: the same code) and is `depth_from` to `depth_to` digits deep (2-8):
  // what Best() finds for the best such code of weight 1. Retrieval bounds
  // a supplier's concepts with it by the depth they share with the tender's.
  double MostCredit(size_t t, int shared_from, int shared_to, int depth_from,
                    int depth_to) const {
    double most = 0;
    for (int shared = shared_from; shared <= shared_to; ++shared) {
      for (int depth = depth_from; depth <= depth_to; ++depth) {
        most = std::max(most, codes_[t].credit[shared][depth]);
      }
    }
    return most;
  }

  // For each tender code t (0 <= t < size()): raises best[t] to the largest
  // weight * credit(t, s) over `supplier` codes s above it, and sets
  // which[t] to the index in `supplier` of the first code that gives it, as
  // comparing every pair in supplier order with CreditScorer::Credit does.
  // `supplier` (a vector or a span) has size() elements with `bcd`
  // (CpvCode::bcd) and `weight` (>= 0).
  template <typename SupplierCodes>
  void Best(const SupplierCodes& supplier, double* best,
            uint32_t* which) const {
    for (size_t i = 0; i < supplier.size(); ++i) {
      const uint32_t s_bcd = supplier[i].bcd;
      const int s_depth = CreditScorer::Depth(s_bcd);
      const double weight = static_cast<double>(supplier[i].weight);
      const int division = Division(s_bcd);
      for (uint32_t k = start_[division]; k < start_[division + 1]; ++k) {
        const uint32_t t = order_[k];
        const double v = weight * codes_[t].credit[CreditScorer::SharedDigits(
                                      codes_[t].bcd, s_bcd)][s_depth];
        if (v > best[t]) {
          best[t] = v;
          which[t] = static_cast<uint32_t>(i);
        }
      }
    }
  }

 private:
  // A division's two BCD digits are the code's first byte.
  static constexpr int kDivisionSlots = 256;
  static int Division(uint32_t bcd) { return static_cast<int>(bcd >> 24); }

  struct TenderCode {
    uint32_t bcd = 0;
    double credit[9][9] = {};  // By shared digits, supplier depth (2-8).
  };
  std::vector<TenderCode> codes_;
  std::vector<uint32_t> order_;  // Tender codes by division.
  // order_[start_[d], start_[d + 1]) are division d's.
  uint32_t start_[kDivisionSlots + 1] = {};
};

}  // namespace internal
}  // namespace procmatch

#endif  // PROCMATCH_LIB_INTERNAL_CPV_CREDIT_H_
