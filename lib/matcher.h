// File: lib/matcher.h
//
// Matching: given a tender (or one of its lots), the suppliers best able to
// deliver it, why, and why the others were excluded.
//
// Every mandatory requirement is a hard rule: a supplier that fails one is
// excluded, with every reason in words a procurement officer understands.
// The others get a score in [0, 1], the weighted sum of nine named
// components (CPV relevance, text relevance, track record, capability tags,
// desirable requirements, size fit, proximity, CPV concepts across
// languages, buyer affinity); doc/scoring.md states the formulas and
// defaults. Equal scores rank by past contracts (more first), then by
// supplier id.
//
// Example:
//
//   procmatch::Matcher matcher(index);  // std::shared_ptr<const SupplierIndex>
//   procmatch::v1::MatchRequest request;
//   *request.mutable_tender() = tender;
//   request.mutable_options()->set_top_k(10);
//   absl::StatusOr<procmatch::v1::MatchResponse> response =
//       matcher.Match(request);
//
// Match() retrieves candidates from the index postings, bounds each score
// component and stops early once no unseen supplier can enter the top k; it
// returns exactly the ids, order and scores that MatchExhaustive() -- which
// scores every supplier and is kept as the reference -- returns.
//
// Requests are validated with the options the index was built with
// (Options::max_top_k, max_pattern_memory, the taxonomies).
//
// Threading: a Matcher is immutable and safe for concurrent use by multiple
// threads. It keeps its index generation alive; to see a newer generation,
// make a new Matcher.
#ifndef PROCMATCH_LIB_MATCHER_H_
#define PROCMATCH_LIB_MATCHER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "procmatch/supplier_index.h"
#include "procmatch/v1/match.pb.h"
#include "procmatch/validation.h"

namespace procmatch {

namespace internal {
class ProfileScores;  // lib/internal/profile_scores.h
}  // namespace internal

// The default weight of a score component (doc/scoring.md says how each
// was chosen); 0 for SCORE_COMPONENT_KIND_UNSPECIFIED.
double DefaultWeight(v1::ScoreComponentKind kind);

class Matcher {
 public:
  explicit Matcher(std::shared_ptr<const SupplierIndex> index);

  // The top k eligible suppliers for the request, with explanations, and
  // (with options.include_excluded) the excluded ones with every reason.
  // Errors: an invalid request (the status lists its first problem).
  absl::StatusOr<v1::MatchResponse> Match(
      const v1::MatchRequest& request) const;

  // The reference: evaluates and scores every supplier. Same results as
  // Match(), slower; counters differ (everything is scored).
  absl::StatusOr<v1::MatchResponse> MatchExhaustive(
      const v1::MatchRequest& request) const;

  // The full breakdown for one supplier: in `matches` when it is eligible,
  // with its exact rank among all eligible suppliers (computed with the same
  // bounds as Match(), so only suppliers that can outscore it are scored),
  // in `excluded` otherwise. A score at or below
  // Options::min_match_score is not a match: Match() lists no such supplier,
  // and its rank here can then be past a list that top_k did not cut.
  // NotFound for an unknown supplier.
  absl::StatusOr<v1::MatchResponse> Explain(
      const v1::MatchRequest& request, absl::string_view supplier_id) const;

  // Match() for each request on `threads` threads (0: one per core), results
  // in input order, identical to matching one at a time.
  std::vector<absl::StatusOr<v1::MatchResponse>> MatchBatch(
      const std::vector<v1::MatchRequest>& requests, int threads = 0) const;

  const SupplierIndex& index() const { return *index_; }

 private:
  // Prepares a tender once for Explain()'s scores of many suppliers.
  friend class internal::ProfileScores;

  std::shared_ptr<const SupplierIndex> index_;
  Validator validator_;  // With the index's options.
};

}  // namespace procmatch

#endif  // PROCMATCH_LIB_MATCHER_H_
