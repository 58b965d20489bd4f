// File: lib/internal/components.h
//
// INTERNAL. The score components as one table: the only list of them. Each
// row says which ScoreComponentKind it is, its default weight, when it
// applies to a query, how to compute its value in [0, 1] (with its detail in
// words), and what retrieval may assume about it: which postings make a
// supplier a candidate for it, and what bounds its value before the supplier
// is looked at (doc/scoring.md, "Exact top-k without scoring everyone").
#ifndef PROCMATCH_LIB_INTERNAL_COMPONENTS_H_
#define PROCMATCH_LIB_INTERNAL_COMPONENTS_H_

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "procmatch/internal/evidence.h"
#include "procmatch/internal/index_data.h"
#include "procmatch/internal/query.h"
#include "procmatch/nuts.h"
#include "procmatch/v1/match.pb.h"

namespace procmatch {
namespace internal {

// What an explained match asks of a component beyond its value.
struct Explanation {
  std::string detail;  // In words: "exact CPV 35613000 (...)".
};

// Which postings hold every supplier for which the component can be > 0.
enum class CandidatePostings {
  kNone,         // Any supplier can score (requirements, size, place).
  kCpvDivision,  // The division of each tender code (offered or past codes).
  kTerms,        // The query's terms.
  kTags,         // The wanted tags.
  kConceptDivision,  // The division of each tender concept.
  kBuyer,            // The buyer's, and its country and activity's.
};

// An upper bound on the value known from the postings alone.
enum class CheapBound {
  kOne,               // The maximum, 1.
  kCpvCeiling,        // From the deepest CPV postings level holding it.
  kAccumulatedText,   // BM25 accumulated over term postings: exact for
                      // the tender's words; with translations, a ceiling.
  kOneIfCpvRelated,   // 1 when it shares a CPV division with the query,
                      // at most IndexData::track_ceiling().
  kConceptCeiling,    // Each tender concept's weight times the supplier's
                      // largest concept weight in its division.
  kOneIfBuyerPosted,  // 1 when in the query's buyer postings, at most
                      // IndexData::buyer_ceiling().
  kOneIfTagPosted,    // 1 when in the postings of a wanted tag.
  kExactProximity,    // Exact, from IndexData::location().
  kExactSizeFit,      // Exact, from IndexData::turnover().
};

// Buyer affinity: the credit of an award from another buyer of the same
// country and main activity against one from the buyer itself
// (doc/scoring.md); a contract's size and recency and the mapping of
// evidence to a value are in internal/evidence.h.
constexpr double kAlikeBuyerCredit = 0.3;

struct ComponentSpec {
  v1::ScoreComponentKind kind;
  double default_weight;
  // False when the component cannot apply to the query: it gets no weight.
  bool (*applies)(const Query& q);
  // The value in [0, 1]; fills `why` when given.
  double (*value)(const Query& q, const IndexData& index, const SupplierDoc& d,
                  Explanation* why);
  CandidatePostings candidates;
  CheapBound cheap_bound;
  // The tight bound computes the value exactly; else it counts it at 1
  // (desirable requirements: keyword rules and dates are not worth it).
  bool exact_in_tight_bound;
};

// The table, indexed by Component (internal/query.h). Defined in
// components.cc; declared here so that retrieval's inner loops inline it.
extern const ComponentSpec kComponentTable[kComponentCount];

inline const ComponentSpec& ComponentAt(int component) {
  return kComponentTable[component];
}

// Weights for `o`: the request's or the defaults; a component that does
// not apply gets 0; the rest normalised to sum to 1.
void SetWeights(const v1::MatchOptions& o, Query* q);

// The value of each weighted component (0 for the others), and the score:
// their weighted sum, in component order.
double Score(const Query& q, const IndexData& index, const SupplierDoc& d,
             double value[kComponentCount]);

// The weighted sum of `value`, in component order. Sums and products of
// non-negative doubles are monotonic: a bound computed with larger values
// is never below the score.
inline double Combine(const Query& q, const double value[kComponentCount]) {
  double score = 0;
  for (int i = 0; i < kComponentCount; ++i) score += q.weight[i] * value[i];
  return score;
}

// BM25's length normalisation of a supplier's text (of `length` terms), and
// one query term's part. Retrieval sums parts term at a time, TextValue
// supplier at a time, in query term order: the sums are identical to the bit.
inline double Bm25Norm(const IndexData& index, uint32_t length) {
  return kBm25K1 *
         (1 - kBm25B + kBm25B * length / std::max(1.0, index.average_length()));
}
inline double Bm25Part(const QueryTerm& t, uint32_t tf, double norm) {
  return t.weight * tf * (kBm25K1 + 1) / (tf + norm);
}
inline bool HasText(const Query& q) {
  return !q.terms.empty() && q.text_max > 0;
}

// A translation's part of text relevance for one of its term's parts: the
// translation's share of its largest sum, times kTranslationCredit.
// Retrieval's bound sums these over every translation for the lists it reads
// and takes the largest translation's sum for those it leaves unread
// (Bounds::AddUnread); the value takes the best translation's sum of raw
// parts, so the bound is never below it (with a rounding margin).
inline double TranslatedPart(const QueryTranslation& t, double part) {
  return kTranslationCredit * part / t.text_max;
}

// Whether the tender states a value that size fit can compare with.
inline bool HasValue(const Query& q) { return q.has_value && q.value > 0; }

// Size fit of a turnover in the tender's currency: its share of three times
// the tender's value, at most 1. REQUIRES: q.value > 0.
inline double SizeFit(const Query& q, double turnover) {
  return std::min(1.0, turnover / (3 * q.value));
}

// How close a location is to one place of performance: the levels of the
// place it shares, counting the country, over the place's levels; 0 in
// another country.
inline double Closeness(NutsCode location, NutsCode place) {
  const int common =
      std::min(NutsCode::CommonLevel(location, place), place.level());
  if (common < 0) return 0;
  return static_cast<double>(common + 1) / (place.level() + 1);
}

// The proximity value of a location: its closeness to the nearest place.
inline double Proximity(const Query& q, NutsCode location) {
  if (q.places.empty() || !location.valid()) return 0;
  double best = 0;
  for (const NutsCode& p : q.places)
    best = std::max(best, Closeness(location, p));
  return best;
}

}  // namespace internal
}  // namespace procmatch

#endif  // PROCMATCH_LIB_INTERNAL_COMPONENTS_H_
