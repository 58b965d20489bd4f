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
// that the two agree.
#ifndef PROCMATCH_LIB_INTERNAL_CPV_CREDIT_H_
#define PROCMATCH_LIB_INTERNAL_CPV_CREDIT_H_

#include <algorithm>
#include <cstdint>

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
    const uint32_t diff = bcd_ ^ s_bcd;
    const int shared = diff == 0 ? 8 : __builtin_clz(diff) / 4;
    const int s_depth =
        s_bcd == 0 ? 2 : std::max(2, 8 - __builtin_ctz(s_bcd) / 4);
    int d = std::min({shared, depth_, s_depth});
    while (d >= 2 && !known_[d]) --d;  // Deepest ancestor that is a code.
    if (d < 2) {
      *shared_depth = 0;
      return 0;
    }
    *shared_depth = d;
    if (diff == 0) return 1.0;
    if (s_depth >= depth_ && shared >= depth_) return 0.9;   // s under t.
    if (depth_ >= s_depth && shared >= s_depth) return 0.8;  // t under s.
    return LevelCredit(d);
  }

 private:
  uint32_t bcd_ = 0;
  int depth_ = 0;
  bool known_[9] = {};
};

}  // namespace internal
}  // namespace procmatch

#endif  // PROCMATCH_LIB_INTERNAL_CPV_CREDIT_H_
