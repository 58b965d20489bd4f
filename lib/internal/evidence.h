// File: lib/internal/evidence.h
//
// INTERNAL. How track record and buyer affinity turn past contracts into a
// value, in one home for the value functions (internal/components.cc) and
// for the per-supplier ceilings the index derives from them
// (IndexData::track_ceiling, IndexData::buyer_ceiling): a contract's size,
// its recency, and evidence summed over contracts mapped to [0, 1).
#ifndef PROCMATCH_LIB_INTERNAL_EVIDENCE_H_
#define PROCMATCH_LIB_INTERNAL_EVIDENCE_H_

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "procmatch/internal/supplier_doc.h"

namespace procmatch {
namespace internal {

// The contract value one size step stands for (doc/scoring.md).
constexpr double kContractSizeUnit = 100000;

// What a past contract counts for by its size: 1 for a contract of unknown
// value or up to kContractSizeUnit, one more for each tenfold above it.
inline double ContractSize(const ContractRecord& c) {
  return 1 + std::log10(1 + c.value() / kContractSizeUnit);
}

// The e-fold time of a past contract's weight, in years (doc/scoring.md).
constexpr double kRecencyYears = 5;

// What a contract awarded `days_before` days before the tender's as-of date
// counts for by its age: 1 on or after that date, e^(-years / kRecencyYears)
// before it. Non-increasing in days_before.
inline double RecencyOfDays(int64_t days_before) {
  const double years = static_cast<double>(days_before) / 365.25;
  return years <= 0 ? 1.0 : std::exp(-years / kRecencyYears);
}

// A contract without a date counts as half a recent one.
constexpr double kUndatedRecency = 0.5;

// Evidence e summed over contracts, mapped to [0, 1) without a ceiling:
// v = L / (1 + L), L = ln(1 + e). One recent related contract gives 0.41,
// three 0.58, ten 0.71, fifty 0.80: more always counts, less and less.
inline double Unsaturated(double evidence) {
  const double l = std::log1p(evidence);
  return l / (1 + l);
}

// The value an Unsaturated() ceiling allows when every contract behind it
// counts at most `recency` (in [0, 1]) times its full evidence: with
// evidence e <= E and Unsaturated(E) <= ceiling, the value of recency * e
// is at most the returned bound. `ceiling` is inverted to the most evidence
// it allows and scaled; the result is rounded up (by more than the
// inversion's rounding), so it stays a bound. A ceiling of 1 or more allows
// any evidence: it is returned as it is.
inline double CeilingAtRecency(double ceiling, double recency) {
  if (ceiling >= 1 || recency >= 1) return ceiling;
  if (ceiling <= 0 || recency <= 0) return 0;
  const double most = std::expm1(ceiling / (1 - ceiling));
  if (!std::isfinite(most)) return ceiling;  // A ceiling within 0.0014 of 1.
  return std::min(ceiling, Unsaturated(recency * most) * (1 + 1e-9));
}

}  // namespace internal
}  // namespace procmatch

#endif  // PROCMATCH_LIB_INTERNAL_EVIDENCE_H_
