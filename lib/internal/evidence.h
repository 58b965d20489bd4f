// File: lib/internal/evidence.h
//
// INTERNAL. How track record and buyer affinity turn past contracts into a
// value, in one home for the value functions (internal/components.cc) and
// for the per-supplier ceilings the index derives from them
// (IndexData::track_ceiling, IndexData::buyer_ceiling): a contract's size,
// and evidence summed over contracts mapped to [0, 1).
#ifndef PROCMATCH_LIB_INTERNAL_EVIDENCE_H_
#define PROCMATCH_LIB_INTERNAL_EVIDENCE_H_

#include <cmath>

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

// Evidence e summed over contracts, mapped to [0, 1) without a ceiling:
// v = L / (1 + L), L = ln(1 + e). One recent related contract gives 0.41,
// three 0.58, ten 0.71, fifty 0.80: more always counts, less and less.
inline double Unsaturated(double evidence) {
  const double l = std::log1p(evidence);
  return l / (1 + l);
}

}  // namespace internal
}  // namespace procmatch

#endif  // PROCMATCH_LIB_INTERNAL_EVIDENCE_H_
