// File: lib/internal/retrieval.h
//
// INTERNAL. Retrieval and pruning: the exact top k of a prepared query
// without scoring every supplier (doc/scoring.md, "Exact top-k without
// scoring everyone"), the exhaustive reference it must equal, and a
// supplier's exact rank.
#ifndef PROCMATCH_LIB_INTERNAL_RETRIEVAL_H_
#define PROCMATCH_LIB_INTERNAL_RETRIEVAL_H_

#include <cstdint>
#include <vector>

#include "procmatch/internal/index_data.h"
#include "procmatch/internal/query.h"

namespace procmatch {
namespace internal {

struct Ranked {
  double score;
  uint32_t doc;
  uint32_t contracts = 0;  // TieKey() of the doc; 0 for a bound.
};

// What breaks an exact tie of scores: the number of past contracts (the
// supplier with more proven work first), then the supplier id.
inline uint32_t TieKey(const SupplierDoc& d) {
  return static_cast<uint32_t>(d.contracts.size());
}

// Higher score first; equal scores by more past contracts, then by supplier
// id (= doc order).
inline bool Better(const Ranked& a, const Ranked& b) {
  if (a.score != b.score) return a.score > b.score;
  if (a.contracts != b.contracts) return a.contracts > b.contracts;
  return a.doc < b.doc;
}

struct Retrieved {
  std::vector<Ranked> top;  // Unordered.
  int64_t candidates = 0;   // Retrieved from postings.
  int64_t excluded = 0;     // Evaluated and found ineligible.
  int64_t scored = 0;       // Fully scored.
};

// The best q.top_k eligible suppliers, pruned with exact bounds.
Retrieved RetrieveTopK(const Query& q, const IndexData& index);

// The reference: every supplier evaluated and scored.
Retrieved ScoreEveryone(const Query& q, const IndexData& index);

// The 1-based rank `target` (eligible, with its score) has among all eligible
// suppliers: 1 + how many are Better(). Pruned like RetrieveTopK: only
// suppliers whose bounds reach target.score are evaluated.
int64_t RankOf(const Query& q, const IndexData& index, Ranked target);

}  // namespace internal
}  // namespace procmatch

#endif  // PROCMATCH_LIB_INTERNAL_RETRIEVAL_H_
