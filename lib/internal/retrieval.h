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

#include "procmatch/internal/cpv_credit.h"
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
  std::vector<Ranked> top;    // Unordered.
  int64_t candidates = 0;     // Bounded from postings (or by place).
  int64_t excluded = 0;       // Evaluated and found ineligible.
  int64_t scored = 0;         // Fully scored (the seeds included).
  int64_t seeds = 0;          // Evaluated first, for the floor.
  int64_t non_essential = 0;  // Query lists not read first (MaxScore, and
                              // the terms the probing split left unread,
                              // even when read late: read_late).
  int64_t tightened = 0;      // Candidates whose bound was tightened.
  int64_t passed_over = 0;    // Candidates below the floor by their summed
                              // bound (RetrievalTuning::summed_bound), with
                              // the probed lists' ceilings or after some
                              // lookups.
  int64_t probed = 0;         // Candidates looked up in a probed list
                              // (RetrievalTuning::probe_slack), counted
                              // once a list.
  int64_t postings_read = 0;  // Postings of the lists read whole (a concept
                              // division's: of its essential bands), for
                              // the benchmark's counts.
  int64_t read_late = 0;      // Of those, the postings of the terms the
                              // probing split left unread, read after all
                              // (RetrievalTuning::tightening_steps).
};

// The most credit one tender concept can get from a supplier's concepts in
// its division, known only by their marks there (IndexData::ConceptMarks,
// ORed): at least what CreditTable::Best finds for any supplier concepts
// with those marks, by the depth they may share with the tender concept:
// - another group: only the division (0.2), or its own code (0.8, marked
//   kDivisionCodeBit);
// - the tender concept's group: with `by_signature` and a tender concept
//   four digits deep or deeper, the credit of its deepest marked prefix
//   (the concept itself: up to 1; an ancestor: 0.8, the credit of the depth
//   shared when it is not the ancestor itself being no more), or of sharing
//   only the group when none is; else the most a concept of the group can
//   get (1).
// Retrieval sums these over a division's tender concepts for every set of
// the marks that matter (`relevant()`), once a query. Tested against
// CreditScorer on pairs of real codes, and of codes with zeros inside them
// (tests/retrieval_test.cc).
class ConceptCeiling {
 public:
  // Tender concept t (0 <= t < credits.size()) of code `code`.
  ConceptCeiling(const CreditTable& credits, size_t t, CpvCode code,
                 bool by_signature);

  // The most credit with `marks`: marks this ceiling does not read may
  // have any value.
  double Of(uint32_t marks) const;
  // Every mark Of() reads: the tender concept's group, the division's code,
  // and the signature bits of its prefixes (with `by_signature`).
  uint32_t relevant() const;
  // The signature bits of its prefixes, deepest first (none without
  // `by_signature` or for a concept three digits deep or less): the order
  // in which they narrow the ceiling most.
  std::vector<uint32_t> PrefixMarks() const;

 private:
  struct Prefix {
    uint32_t mark;  // IndexData::ConceptSignatureBit of the prefix.
    double credit;  // The most a concept marking it can get.
  };
  uint32_t group_;
  double in_division_;    // A concept of another group.
  double division_code_;  // The division's own code.
  double in_group_;       // Any concept of the group, without signature.
  bool by_signature_;
  double group_only_;  // Sharing the group only (3 digits), 4 or more deep.
  std::vector<Prefix> prefixes_;  // Deepest first.
};

// How RetrieveTopK prunes; every setting gives the same top k.
struct RetrievalTuning {
  // read_ahead's default from kReadAheadFrom suppliers on, and its largest.
  static constexpr int kReadAhead = 16;
  static constexpr int kReadAheadFrom = 1 << 18;
  static constexpr int kMaxReadAhead = 64;

  // Score k and this many promising suppliers first (the best in the
  // postings of the tender's own codes, buyer, strongest concepts and
  // rarest term, by place; negative for none): the k-th of their scores is
  // a floor, and no supplier whose bound is below it is ordered or visited
  // by place.
  int seeds_beyond_k = 16;
  // With a floor, the query lists with the smallest ceilings are not read
  // (MaxScore, Turtle and Flood 1995) while their ceilings add up to at
  // most this share of the score (and stay below the floor): every
  // supplier's bound counts them at their ceilings instead. These are the
  // tender's common words and weakest translations, with long postings. A
  // larger share leaves more unread but loosens every bound, and a loose
  // text bound is tightened by computing the text value, so it stops
  // paying: on real tenders at 100k suppliers retrieval with 0.01 was
  // 1.15x to 1.19x faster than with 0, with 0.02 no faster than with 0.01,
  // with 0.05 slower at p99 (doc/benchmarks.md, "Issue 16: ... (round 7)");
  // the same with the summed bound (ibid., "... (session 12, branch
  // scale12)").
  double non_essential_share = 0.01;
  // The CPV ceiling of a level above the tender's code is the credit of a
  // code sharing only that depth, and the suppliers offering the ancestor
  // itself (credit 0.8) are a list of their own; track record and buyer
  // affinity are bounded by the supplier's contract ceilings
  // (IndexData::track_ceiling). False: 0.8 at every level above the code,
  // and 1 for a related or posted supplier, as before (doc/benchmarks.md,
  // "Issue 16: ... (round 8)"), for comparison in one process.
  bool tight_ceilings = true;
  // With tight_ceilings, the per-supplier contract ceilings are made the
  // tender's. The CPV lists post a supplier under its offered codes and its
  // past contracts' codes alike; but CPV credit comes from offered codes
  // only, track record from contracts only, and either needs a code sharing
  // at least a division with one of the tender's. So a supplier none of
  // whose contracts is in one of the tender's divisions
  // (IndexData::contract_divisions) is bounded at 0 track record, in the
  // summed bound and component by component, and the track list is not
  // looked up for it; one none of whose offered codes is
  // (IndexData::offered_divisions) is bounded at 0 CPV credit component by
  // component (the summed bound keeps the lists' ceilings: one more array
  // read a posting would cost more). And a candidate bounded component by
  // component has its track record and buyer affinity ceilings scaled by
  // the most its contracts count for by their age as of the tender's date
  // (IndexData::ContractRecency: its newest contract's recency, 0.5 with an
  // undated one), so that a supplier whose newest contract is ten years
  // older than the tender keeps at most e^-2 (0.14) of its evidence (the
  // summed bound keeps the ceilings for any date: no exponential per
  // posting). False: as before session 25 (doc/benchmarks.md), for
  // comparison.
  bool contract_ceilings_by_tender = true;
  // With contract_ceilings_by_tender, its parts, each false for comparison:
  // CPV credit bounded by the offered codes' divisions, and the contract
  // ceilings scaled by recency.
  bool offered_divisions = true;
  bool contract_recency = true;
  // With a floor, what the essential lists add to each supplier's bound is
  // also summed weighted, into one float per supplier (rounded up by a
  // margin that covers float rounding), so that a candidate whose sum, with
  // its place, size and the other lists' ceilings, is below the floor is
  // passed over after one read; only the others are bounded component by
  // component (the same bounds, the same top k). False: every candidate
  // bounded component by component, as before (doc/benchmarks.md, "Issue
  // 16 at 100k: ... (session 10, branch scale10)"), for comparison.
  bool summed_bound = true;
  // A tender concept is bounded by the credit of the depth a supplier's
  // concepts share with it: the supplier's largest concept weight in the
  // concept's division times the most credit of a concept in the tender
  // concept's CPV group (up to 1), the division's own code (0.8) or only
  // the division (0.2), by the groups the supplier's concepts are in
  // (their marks: IndexData::ConceptPostingList::marks, in the same
  // posting; concept_signatures narrows the group's credit). False:
  // the largest weight times 1, as before (doc/benchmarks.md, "Issue 16 at
  // 100k: ... (session 12, branch scale12)"), for comparison.
  bool concept_credit_ceiling = true;
  // With concept_credit_ceiling, a tender concept four digits deep or deeper
  // is bounded within its group by the deepest of its prefixes the
  // supplier's concepts mark (IndexData::ConceptMarks, ConceptCeiling
  // above): up to 1 only when one may be the concept itself or under it, 0.8
  // when one may be an ancestor of it, else the credit of sharing only the
  // group (0.4). False: up to 1 for any concept of the group, as before
  // session 26 (doc/benchmarks.md), for comparison.
  bool concept_signatures = true;
  // With a floor and the summed bound, MaxScore's split again, chosen by
  // length rather than by ceiling: the longest essential lists are not read
  // whole, longest first, while a supplier in none of the lists still read,
  // at a place that earns no proximity, stays below the floor by this share
  // of it with their ceilings. Those that can be looked up (CPV levels and
  // ancestors, the tender's divisions, concept divisions, buyers, tags) are
  // looked up supplier by supplier, for the candidates whose summed bound
  // reaches the floor with their ceilings, largest first, until the bound
  // falls below; the terms' (compressed postings) are left unread like
  // non_essential_share's (read late if they cost more: tightening_steps).
  // The candidates are then the suppliers of the
  // shorter lists and of the places near the tender's. Negative: every
  // essential list read whole, as before (doc/benchmarks.md, "Issue 16:
  // long lists looked up, not read (session 16)"), for comparison.
  double probe_slack = 0.1;
  // What a lookup costs in postings read (a few steps of a search), in
  // the estimate that chooses the split above (probes_by_list). 0 keeps
  // every list that fits (tests). Before probes_by_list, the split was kept
  // only when the candidates times the lists looked up (one more for the
  // terms left unread) times this stayed below the postings it spared; on
  // real tenders at 100k suppliers, 1 gave a lower median and a higher p99
  // than 2, 4 and 16 no gain (doc/benchmarks.md, "Issue 16: long lists
  // looked up, not read (session 16)").
  double probe_lookup_steps = 2;
  // The split above chosen list by list: of the lists that fit the slack,
  // longest first, the prefix whose reading and lookups are estimated
  // cheapest is taken, the rest read as before. A candidate stops at the
  // first lookup that drops its bound below the floor, so it is counted
  // looked up only while the ceilings let it reach the floor
  // (Bounds::CheapestPrefix). On real tenders at 100k suppliers, postings
  // read per retrieval 269k -> 114k with the concept layer, 101k -> 49k
  // without. False: all the lists that fit or none, every candidate counted
  // looked up in each, as before (doc/benchmarks.md, "Round 19: probing
  // chosen list by list"), for comparison.
  bool probes_by_list = true;
  // What tightening a candidate costs in postings read. The terms the
  // split above leaves unread loosen every candidate's bound by their
  // ceilings, and a loose bound is tightened; how many candidates that
  // costs is known only as they are tightened. So the terms are read after
  // all, and the candidates left bounded again, once the tightenings of
  // candidates within the terms' ceiling of the k-th score have cost as
  // much as reading them (ski rental: at most about twice the cheaper of
  // the two). 0: read before the first such tightening; negative: never
  // (before session 20; doc/benchmarks.md, "Issue 16: terms left unread,
  // read after all (session 20, lead)"), for comparison.
  double tightening_steps = 100;
  // At most this many of the lists that fit are probed or left unread,
  // whatever the estimate chooses; negative: no limit. Tests set it to
  // force every prefix, each of which must give the same top k.
  int probe_prefix_limit = -1;
  // Candidates are tightened in the order of their bounds, so their records
  // are far apart in memory: each is loaded ahead in three steps
  // (IndexData::PrefetchEntry), its blocks this many candidates ahead, its
  // record twice as many, its entry in the table of docs three times as
  // many. 0: none, for comparison.
  int prefetch_distance = 8;
  // The lists read whole (terms, CPV levels and divisions, concept
  // divisions) are read this many postings ahead of those being added up,
  // and the places those will add to (spread over arrays as long as the
  // index) prefetched, so that many postings wait for memory together (at
  // most kMaxReadAhead). 0: one after the other, as before
  // (doc/benchmarks.md, "Issue 16: postings read ahead (session 21)"), for
  // comparison. Negative: kReadAhead postings for an index of
  // kReadAheadFrom suppliers or more, none below, where those arrays stay
  // in the caches (on real tenders with one thread: the median tender
  // 1.12x faster at 1M suppliers, no gain at 100k and 200k).
  int read_ahead = -1;
};

// The postings RetrieveTopKWith reads ahead with `tuning`, in an index of
// `suppliers` (RetrievalTuning::read_ahead): 0 to kMaxReadAhead.
int ReadAheadFor(const RetrievalTuning& tuning, int suppliers);

// The best q.top_k eligible suppliers, pruned with exact bounds, with the
// default tuning or `tuning` (the same top k either way: tests and the scale
// benchmark compare tunings).
Retrieved RetrieveTopK(const Query& q, const IndexData& index);
Retrieved RetrieveTopKWith(const Query& q, const IndexData& index,
                           const RetrievalTuning& tuning);

// The reference: every supplier evaluated and scored.
Retrieved ScoreEveryone(const Query& q, const IndexData& index);

// The 1-based rank `target` (eligible, with its score) has among all eligible
// suppliers: 1 + how many are Better(). Pruned like RetrieveTopK: only
// suppliers whose bounds reach target.score are evaluated.
int64_t RankOf(const Query& q, const IndexData& index, Ranked target);

}  // namespace internal
}  // namespace procmatch

#endif  // PROCMATCH_LIB_INTERNAL_RETRIEVAL_H_
