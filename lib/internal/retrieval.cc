#include "procmatch/internal/retrieval.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <tuple>
#include <utility>

#include "procmatch/internal/components.h"
#include "procmatch/internal/cpv_credit.h"
#include "procmatch/internal/evidence.h"
#include "procmatch/internal/posting_cursor.h"
#include "procmatch/internal/requirements.h"

namespace procmatch {
namespace internal {
namespace {

// Better() as a function object, so that sorting and selecting candidates
// inline it (a function pointer is called for each comparison).
constexpr auto kBetter = [](const Ranked& a, const Ranked& b) {
  return Better(a, b);
};

// A bounded heap of the best k above a minimum score, worst on top.
class TopK {
 public:
  TopK(int k, double min_score) : k_(k), min_score_(min_score) {}
  bool full() const { return static_cast<int>(heap_.size()) >= k_; }
  // The score a newcomer must beat (strictly, ties resolved by Better).
  double threshold() const { return heap_.front().score; }
  void Offer(Ranked r) {
    if (r.score <= min_score_) return;  // Zero is not a match.
    if (!full()) {
      heap_.push_back(r);
      std::push_heap(heap_.begin(), heap_.end(), kBetter);
    } else if (kBetter(r, heap_.front())) {
      std::pop_heap(heap_.begin(), heap_.end(), kBetter);
      heap_.back() = r;
      std::push_heap(heap_.begin(), heap_.end(), kBetter);
    }
  }
  std::vector<Ranked> Take() && { return std::move(heap_); }

 private:
  int k_;
  double min_score_;
  std::vector<Ranked> heap_;  // Heap by Better: front is the worst.
};

// One supplier's score components as retrieval learns them: bounds first,
// then exact values, computed by the components' value functions.
struct Evaluation {
  double part[kComponentCount];
  bool exact[kComponentCount];  // part[c] is the value, not a bound.
};

// Cheap bounds that are the exact value already: tightening cannot lower
// them (text: unless a translation reaches the supplier, or the tender's
// own terms are not all read in query order, Bounds::TextIsExact()).
bool IsExact(CheapBound b) {
  return b == CheapBound::kAccumulatedText ||
         b == CheapBound::kExactProximity || b == CheapBound::kExactSizeFit;
}

// The order Tighten() computes exact values in: cheapest for what it
// tightens first (the supplier's codes for CPV, which weighs most; a few
// comparisons for tags; its contracts' buyers, then their codes; up to 16
// concepts per tender concept last), so that a supplier is dropped before
// the costly ones when it can.
constexpr Component kTightOrder[] = {kCpv,   kTags,     kBuyerAffinity,
                                     kTrack, kConcepts, kDesirable,
                                     kText,  kSize,     kProximity};

}  // namespace

ConceptCeiling::ConceptCeiling(const CreditTable& credits, size_t t,
                               CpvCode code, bool by_signature)
    : group_(IndexData::ConceptGroupBit(code)),
      in_division_(credits.MostCredit(t, 2, 2, 3, 8)),
      division_code_(credits.MostCredit(t, 2, 2, 2, 2)),
      in_group_(credits.MostCredit(t, 3, 8, 2, 8)),
      by_signature_(by_signature && code.depth() >= 4),
      group_only_(credits.MostCredit(t, 3, 3, 4, 8)) {
  if (!by_signature_) return;
  // A supplier concept s sharing `shared` digits with t marks t's prefix k
  // deep, k = min(shared, depth(t), depth(s)), when k >= 4, or when s is
  // the group's code (k = 3); the credit is CreditOf(shared, depth(s)). So
  // a marked prefix k allows:
  // - for t itself: shared >= depth(t) and depth(s) >= depth(t);
  // - for a prefix above it: shared = k and depth(s) >= k, or depth(s) = k
  //   and shared >= k, where s is the prefix itself and so shares less than
  //   depth(t) digits (t's last significant digit is not 0);
  // - for the group (k = 3): s is the group's code, depth(s) = 3.
  // A concept of the group that marks none shares 3 digits and is 4 or
  // more deep: group_only_.
  const int depth = code.depth();
  for (int k = depth; k >= 3; --k) {
    double credit;
    if (k == depth) {
      credit = credits.MostCredit(t, k, 8, k, 8);
    } else if (k > 3) {
      credit = std::max(credits.MostCredit(t, k, k, k, 8),
                        credits.MostCredit(t, k, depth - 1, k, k));
    } else {
      credit = credits.MostCredit(t, 3, depth - 1, 3, 3);
    }
    prefixes_.push_back(
        {IndexData::ConceptSignatureBit(code.Truncated(k)), credit});
  }
}

double ConceptCeiling::Of(uint32_t marks) const {
  double credit = in_division_;
  if (marks & group_) {
    if (!by_signature_) {
      credit = std::max(credit, in_group_);
    } else {
      credit = std::max(credit, group_only_);
      for (const Prefix& p : prefixes_) {
        if (marks & p.mark) credit = std::max(credit, p.credit);
      }
    }
  }
  if (marks & IndexData::kDivisionCodeBit) {
    credit = std::max(credit, division_code_);
  }
  return credit;
}

uint32_t ConceptCeiling::relevant() const {
  uint32_t marks = group_ | IndexData::kDivisionCodeBit;
  for (const Prefix& p : prefixes_) marks |= p.mark;
  return marks;
}

std::vector<uint32_t> ConceptCeiling::PrefixMarks() const {
  std::vector<uint32_t> marks;
  for (const Prefix& p : prefixes_) marks.push_back(p.mark);
  return marks;
}

namespace {

// A division of the tender's concepts, and what a supplier's concepts there
// can earn them per unit of the supplier's largest concept weight in the
// division, by their marks (IndexData::ConceptMarks).
struct ConceptDivision {
  // The marks that change the unit, at most this many in all, the groups
  // and the division's code included (a table of 2^10 units, made in
  // microseconds; 2^11 when the tender concepts' groups and the division's
  // code alone are 11): the prefixes of the tender concepts, deepest first,
  // while they fit, the marks left out counted as set.
  static constexpr int kMostRelevant = 10;

  CpvCode code;
  double weight = 0;  // The sum of its tender concepts' weights.
  // The marks (IndexData::ConceptPostingList::marks) that change the unit:
  // those of the tender concepts' groups, the division's code and, up to
  // kMostRelevant in all, the tender concepts' prefixes.
  uint32_t relevant = 0;
  // Index(marks) packs marks & relevant into consecutive bits, a byte of
  // marks at a time: gather[b][v] for byte b of value v.
  uint16_t gather[4][256] = {};
  // By Index(marks): the sum over the division's tender concepts t of
  // weight(t) times ConceptCeiling::Of(marks) (the marks left out of
  // `relevant` set). ConceptValue takes, for each t, the best weight(s) *
  // credit(t, s), at most the supplier's largest weight times that credit,
  // so a supplier's concepts earn at most its largest weight times
  // unit[Index(their marks)].
  std::vector<double> unit;
  double most = 0;  // The largest unit: unit of every relevant mark.

  size_t Index(uint32_t marks) const {
    return gather[0][marks & 0xff] | gather[1][(marks >> 8) & 0xff] |
           gather[2][(marks >> 16) & 0xff] | gather[3][marks >> 24];
  }
};

// The tender's concept divisions, in order of first appearance. With
// `by_credit`, the unit by the credit of the depth a supplier's concepts
// may share with the tender's (with `by_signature`, by their prefixes too);
// without, 1 for any concept of the division (the old ceiling: unit =
// weight whatever the marks).
std::vector<ConceptDivision> ConceptDivisions(const Query& q, bool by_credit,
                                              bool by_signature) {
  std::vector<ConceptDivision> out;
  std::vector<std::vector<std::pair<double, ConceptCeiling>>> members;
  const CreditTable& credits = q.concept_credits;
  for (size_t t = 0; t < q.concepts.size(); ++t) {
    const QueryConcept& qc = q.concepts[t];
    const CpvCode division = qc.code.Truncated(2);
    auto it = std::find_if(out.begin(), out.end(),
                           [&](const auto& d) { return d.code == division; });
    if (it == out.end()) {
      out.push_back({division});
      members.emplace_back();
      it = out.end() - 1;
    }
    it->weight += qc.weight;
    if (!by_credit) continue;
    const ConceptCeiling ceiling(credits, t, qc.code, by_signature);
    // Its group and the division's code always; its prefixes while they
    // fit, below.
    it->relevant |= ceiling.relevant() & ~IndexData::kConceptSignatureMask;
    members[it - out.begin()].emplace_back(qc.weight, ceiling);
  }
  for (size_t i = 0; i < out.size(); ++i) {
    ConceptDivision& d = out[i];
    if (!by_credit) {
      d.unit.assign(1, d.weight);
      d.most = d.weight;
      continue;
    }
    // The prefixes' marks, each concept's deepest first, in turns.
    std::vector<std::vector<uint32_t>> prefixes;
    for (const auto& [weight, ceiling] : members[i]) {
      prefixes.push_back(ceiling.PrefixMarks());
    }
    for (size_t turn = 0;; ++turn) {
      bool any = false;
      for (const std::vector<uint32_t>& marks : prefixes) {
        if (turn >= marks.size()) continue;
        any = true;
        const uint32_t with = d.relevant | marks[turn];
        if (__builtin_popcount(with) <= ConceptDivision::kMostRelevant) {
          d.relevant = with;
        }
      }
      if (!any) break;
    }
    // The relevant marks in ascending order take the index's bits.
    std::vector<uint32_t> bits;
    for (uint32_t m = d.relevant; m != 0; m &= m - 1) bits.push_back(m & -m);
    for (int b = 0; b < 4; ++b) {
      for (uint32_t v = 0; v < 256; ++v) {
        const uint32_t marks = v << (8 * b);
        uint16_t index = 0;
        for (size_t j = 0; j < bits.size(); ++j) {
          if (marks & bits[j]) index |= static_cast<uint16_t>(1u << j);
        }
        d.gather[b][v] = index;
      }
    }
    d.unit.assign(size_t{1} << bits.size(), 0.0);
    for (size_t index = 0; index < d.unit.size(); ++index) {
      uint32_t marks = ~d.relevant;  // The marks left out: any value.
      for (size_t j = 0; j < bits.size(); ++j) {
        if (index & (size_t{1} << j)) marks |= bits[j];
      }
      double unit = 0;
      for (const auto& [weight, ceiling] : members[i]) {
        unit += weight * ceiling.Of(marks);
      }
      d.unit[index] = unit;
    }
    d.most = d.unit.back();
  }
  return out;
}

// A ceiling summed in another order than the value it bounds may round
// below it, by at most a few units in the last place of each term (a
// relative 1e-13 for a thousand terms): raised by this factor, it cannot.
constexpr double kRoundingMargin = 1 + 1e-9;

// Candidates put in order before the first look at the k-th score.
constexpr size_t kFirstSlice = 256;

// A posting list of the query, or a group of lists that counts once, with
// the most it can add to a supplier's bound. Retrieval accumulates only the
// essential lists, those that could lift a supplier to the floor (the
// largest, MaxScore: Turtle and Flood 1995); the others' ceilings are added
// to every supplier's bound instead.
struct QueryList {
  enum Source : uint8_t {
    kCpvLevel,        // A tender code's postings at one depth.
    kCpvAncestor,     // The suppliers offering a tender code's ancestor.
    kCpvRelated,      // The divisions of the tender's codes (track record).
    kOwnTerm,         // A tender term.
    kTranslatedTerm,  // A term of a translation.
    kConceptBand,     // A concept division's suppliers whose concept
                      // weight is in one band of kConceptBandEdges.
    kBuyer,           // The buyer's postings and its activity's.
    kTags,            // The wanted tags' postings.
  };
  static constexpr int kSourceCount = kTags + 1;
  Source source;
  int i = 0;  // The code, translation or concept division.
  int j = 0;  // The depth, term or band.
  // What it adds to its component's raw ceiling (the units bounds are
  // accumulated in) when not accumulated; telescoped for CPV levels and
  // concept bands, so that the ceilings of a code's shallower levels, or of
  // a division's lower bands, add up to the deeper or higher one's.
  double ceiling = 0;
  double max = 0;      // The most a supplier in it gains, weighted.
  int64_t length = 0;  // Postings.
  bool essential = true;
  // Essential, but looked up supplier by supplier instead of accumulated
  // (Bounds::ChooseProbes).
  bool probed = false;
  // A term Bounds::ChooseProbes left unread, which may be read after all
  // (Bounds::ReadDeferred): not essential until then.
  bool deferred = false;
};

// Essential lists that Bounds::ChooseProbes may take out of reading, as one
// unit: a CPV list (level or ancestor), the divisions' suppliers (track
// record), a concept division's essential bands, the buyer's lists, the
// wanted tags' lists (looked up supplier by supplier when probed), or a term
// (left unread).
struct ProbeUnit {
  QueryList::Source source;
  int list = -1;  // Into Bounds::lists_: the list, or the division's first
                  // essential band.
  double ceiling_by_source[QueryList::kSourceCount] = {};
  double weighted_ceiling = 0;                   // The most it adds to a score.
  int64_t length = 0;                            // Postings.
  std::vector<PostingCursor<uint32_t>> cursors;  // But a concept division's.
  const IndexData::ConceptPostingList* concepts = nullptr;
  PostingCursor<std::pair<uint32_t, float>> concept_cursor{nullptr};

  // A term's list (compressed postings): left unread, never looked up.
  bool term() const {
    return source == QueryList::kOwnTerm ||
           source == QueryList::kTranslatedTerm;
  }
};

constexpr int kConceptBands = IndexData::kConceptBands;
constexpr const float* kConceptBandEdges = IndexData::kConceptBandEdges;

// A query's place and size fit for any supplier, from the index's
// per-supplier arrays: proximity once per location the suppliers are in
// (when weighted; else 0), size fit from the turnover in the tender's
// currency. Seeds and bounds read the same values from one home.
class PlaceAndSize {
 public:
  PlaceAndSize(const Query& q, const IndexData& index)
      : q_(q),
        index_(index),
        currency_(HasValue(q) ? index.CurrencyId(q.value_currency)
                              : IndexData::kNoCurrency) {
    if (q.weight[kProximity] > 0) {
      for (NutsCode location : index.locations()) {
        proximity_.push_back(Proximity(q, location));
      }
    }
  }

  double ProximityAt(uint32_t location) const {
    return proximity_.empty() ? 0 : proximity_[location];
  }
  double ProximityOf(uint32_t doc) const {
    return ProximityAt(index_.location_id(doc));
  }
  double SizeFitOf(uint32_t doc) const {
    return currency_ != IndexData::kNoCurrency &&
                   index_.turnover_currency(doc) == currency_
               ? SizeFit(q_, index_.turnover(doc))
               : 0;
  }
  // Whether any supplier can have a size fit above 0.
  bool has_currency() const { return currency_ != IndexData::kNoCurrency; }

 private:
  const Query& q_;
  const IndexData& index_;
  const int32_t currency_;         // The tender value's, or none.
  std::vector<double> proximity_;  // By location id, when weighted.
};

// What retrieval knows of every supplier from the postings alone, for one
// query: who is a candidate, who may pass the mandatory certification rules,
// the BM25 sums and the CPV and concept ceilings. With a floor (a score
// below the k-th), only suppliers whose bound may reach it are candidates:
// those in the essential lists, and those whose place alone, with the
// ceilings of the other lists, may reach it.
class Bounds {
 public:
  static constexpr double kNoFloor = -1;

  // `tuning`: its non_essential_share, tight_ceilings, summed_bound,
  // concept_credit_ceiling, contract_ceilings_by_tender, offered_divisions,
  // contract_recency, probe_slack, probe_lookup_steps, probes_by_list,
  // probe_prefix_limit and read_ahead.
  Bounds(const Query& q, const IndexData& index, const PlaceAndSize& place_size,
         double floor, const RetrievalTuning& tuning)
      : q_(q),
        index_(index),
        place_size_(place_size),
        floor_(floor),
        tight_(tuning.tight_ceilings),
        concept_credit_(tuning.concept_credit_ceiling),
        concept_signatures_(tuning.concept_signatures),
        by_tender_(tuning.tight_ceilings && tuning.contract_ceilings_by_tender),
        by_offered_(by_tender_ && tuning.offered_divisions),
        by_recency_(by_tender_ && tuning.contract_recency),
        read_ahead_(static_cast<size_t>(ReadAheadFor(tuning, index.size()))) {
    const int n = index.size();
    // A mandatory certification rule admits only holders of the scheme: the
    // others cannot be eligible and are never looked at.
    for (const PreparedRequirement& p : q.requirements) {
      if (p.rule->importance() != v1::IMPORTANCE_MANDATORY ||
          !p.rule->has_certification()) {
        continue;
      }
      std::vector<char> holders(n, 0);
      for (uint32_t doc : index.CertificationPostings(p.scheme_key)) {
        holders[doc] = may_pass_.empty() || may_pass_[doc];
      }
      may_pass_ = std::move(holders);
    }
    for (int c = 0; c < kComponentCount; ++c) {
      cheap_[c] = ComponentAt(c).cheap_bound;
      const bool posted = ComponentAt(c).candidates != CandidatePostings::kNone;
      if (q.weight[c] != 0) weighted_[weighted_count_++] = c;
      if (q.weight[c] != 0 && !posted) rest_value_[c] = 1;
    }
    MakeLists();
    ne_translated_.assign(q.translations.size(), 0.0);
    is_candidate_.assign(n, 0);
    if (floor_ > 0) Split(tuning.non_essential_share);
    if (floor_ > 0 && tuning.summed_bound && tuning.probe_slack >= 0) {
      ChooseProbes(tuning.probe_slack, tuning.probe_lookup_steps,
                   tuning.probes_by_list, tuning.probe_prefix_limit);
    }
    // The terms left unread count as essential: ReadDeferred() may add
    // them to the float sums.
    float_margin_ = 1 + (static_cast<int>(lists_.size()) - non_essential_ +
                         static_cast<int>(deferred_.size()) + 2) *
                            0x1p-23;
    if (floor_ > 0 && tuning.summed_bound) summed_.assign(n, 0.0f);
    Accumulate();
    if (floor_ > 0) EnumeratePlaces();
    if (!summed_.empty()) MakeSummedCuts();
  }

  bool admitted(uint32_t doc) const {
    return may_pass_.empty() || may_pass_[doc];
  }
  bool is_candidate(uint32_t doc) const { return is_candidate_[doc] == 1; }
  // A seed is scored before the candidates and not looked at again.
  void MarkSeed(uint32_t doc) { is_candidate_[doc] = 2; }
  bool is_seed(uint32_t doc) const { return is_candidate_[doc] == 2; }
  int size() const { return static_cast<int>(is_candidate_.size()); }
  // Whether every supplier that is not a candidate is below the floor.
  bool floored() const { return floor_ > 0; }
  // The lists not accumulated.
  int non_essential() const { return non_essential_; }

  // From the postings and the index's bound arrays alone, without touching
  // the supplier's SupplierDoc; fills `e` with the bound of each component.
  // A supplier outside the accumulated lists gets their ceilings alone.
  // REQUIRES: with lists probed, Reaches(doc) returned true (the probed
  // lists' part of the raw ceilings is written only then).
  double Cheap(uint32_t doc, Evaluation* e) const {
    double* bound = e->part;
    std::fill(bound, bound + kComponentCount, 0.0);
    std::fill(e->exact, e->exact + kComponentCount, false);
    double recency = -1;  // RecencyOf(doc), found on first need.
    for (int i = 0; i < weighted_count_; ++i) {
      const int c = weighted_[i];
      switch (cheap_[c]) {
        case CheapBound::kOne:
          bound[c] = 1;
          break;
        case CheapBound::kCpvCeiling:
          // A supplier in the CPV lists by its past contracts' codes alone
          // offers none of the tender's divisions: it earns no CPV credit.
          if (NoOfferedCode(doc)) break;
          bound[c] =
              Capped((Raw(cpv_raw_, doc) + NonEssentialCpv()) /
                     std::max(q_.code_weight_sum, 1e-300) * kRoundingMargin);
          break;
        case CheapBound::kAccumulatedText:
          bound[c] = Capped(std::max(Text(doc), TranslatedCeiling(doc)));
          break;
        case CheapBound::kOneIfCpvRelated:
          bound[c] = Capped(At(related_, doc) + ne_[QueryList::kCpvRelated]);
          if (tight_ && bound[c] > 0) {
            bound[c] = std::min(bound[c], TrackCeiling(doc, &recency));
          }
          break;
        case CheapBound::kConceptCeiling:
          bound[c] =
              Capped((Raw(concept_raw_, doc) + ne_[QueryList::kConceptBand]) /
                     q_.concept_weight_sum * kRoundingMargin);
          break;
        case CheapBound::kOneIfBuyerPosted:
          bound[c] = Capped(At(buyer_posted_, doc) + ne_[QueryList::kBuyer]);
          if (tight_ && bound[c] > 0) {
            bound[c] = std::min(bound[c], BuyerCeiling(doc, &recency));
          }
          break;
        case CheapBound::kOneIfTagPosted:
          bound[c] = Capped(At(tag_posted_, doc) + ne_[QueryList::kTags]);
          break;
        case CheapBound::kExactProximity:
          bound[c] = place_size_.ProximityOf(doc);
          break;
        case CheapBound::kExactSizeFit:
          bound[c] = place_size_.SizeFitOf(doc);
          break;
      }
    }
    return Combine(q_, bound);
  }

  // Whether Cheap(doc) may reach the floor, known first from one float:
  // what the accumulated lists add to the supplier's bound, weighted, with
  // its place and size and what every supplier gets (the ceilings of the
  // lists not accumulated, the components counted at 1). When that reaches
  // the floor, the supplier is looked up in the probed lists, the largest
  // ceiling first, each replacing its ceiling by what it gives the supplier
  // (also into the raw ceilings Cheap() reads): false as soon as the sum
  // falls below. True when not known; never false for a supplier whose
  // score reaches the floor (the sum bounds the score: a concept division's
  // probe is checked against its essential bands' ceilings, and Cheap()
  // counts its lower bands again). REQUIRES: called at most once per
  // supplier, in ascending doc order (the probed lists are read forward).
  bool Reaches(uint32_t doc) {
    if (summed_.empty()) return true;
    double sum = summed_[doc] * float_margin_;
    if (size_weighted_) sum += q_.weight[kSize] * place_size_.SizeFitOf(doc);
    const double cut = summed_cut_[index_.location_id(doc)];
    if (sum < cut - probe_delta_[0]) return false;
    for (size_t k = 0; k < probes_.size(); ++k) {
      ++probed_;
      sum += Probe(&probes_[k], doc);
      if (sum < cut - probe_delta_[k + 1]) return false;
    }
    return true;
  }
  // The postings of the terms ChooseProbes() left unread (0 when none, or
  // once read by ReadDeferred()).
  int64_t deferred_postings() const { return deferred_postings_; }
  // About the most those terms' ceilings add to a supplier's bound,
  // weighted: a candidate whose bound is below a threshold by less than
  // this may be one that reading them would have dropped.
  double deferred_ceiling() const { return deferred_ceiling_; }

  // Reads the terms ChooseProbes() left unread after all, so that Cheap()
  // counts what they give each supplier instead of their ceilings. The
  // tender's own terms are then summed in query order only when those read
  // late come after every one read before (else the text bound has a
  // rounding margin, and Tighten() computes the value). REQUIRES: the
  // suppliers passed to Cheap() afterwards went through Reaches() before
  // (their probed lists looked up); Reaches() is not needed again.
  void ReadDeferred() {
    if (deferred_.empty()) return;
    int last_read = -1;  // The last own term accumulated, in query order.
    for (const QueryList& l : lists_) {
      if (l.essential && l.source == QueryList::kOwnTerm) {
        last_read = std::max(last_read, l.j);
      }
    }
    // In query order (lists_'s), as Accumulate() reads.
    std::sort(deferred_.begin(), deferred_.end());
    for (int i : deferred_) {
      QueryList& l = lists_[i];
      if (l.source == QueryList::kOwnTerm) {
        if (l.j < last_read) text_in_order_ = false;
        last_read = l.j;
        if (text_raw_.empty()) text_raw_.assign(size(), 0.0);
      } else if (translated_raw_.empty()) {
        translated_raw_.assign(size(), 0.0f);
      }
      l.essential = true;
      l.deferred = false;
      --non_essential_;
      postings_read_ += l.length;
      ReadTerm<false>(l);
    }
    deferred_.clear();
    deferred_postings_ = 0;
    deferred_ceiling_ = 0;
    std::fill(std::begin(ne_), std::end(ne_), 0.0);
    std::fill(ne_translated_.begin(), ne_translated_.end(), 0.0);
    for (const QueryList& l : lists_) {
      if (!l.essential) AddUnread(l, ne_, &ne_translated_);
    }
  }

  // Lookups in probed lists so far.
  int64_t probed() const { return probed_; }
  // The postings of the lists read whole (a concept division's: of its
  // essential bands, ReadDivision() skips the others).
  int64_t postings_read() const { return postings_read_; }

  // Tightens the cheap bound in `e` component by component, cheapest first,
  // with exact values (but for the components the table counts at 1), and
  // says whether it still reaches `threshold`: false as soon as it falls
  // below.
  bool Tighten(uint32_t doc, double threshold, Evaluation* e) const {
    const SupplierDoc& d = index_.doc(doc);
    for (Component c : kTightOrder) {
      const ComponentSpec& spec = ComponentAt(c);
      // A bound of 0 is the value already; Finish() computes it.
      if (q_.weight[c] == 0 || e->part[c] == 0 || e->exact[c] ||
          !spec.exact_in_tight_bound ||
          (IsExact(spec.cheap_bound) && (c != kText || TextIsExact(doc)))) {
        continue;
      }
      e->part[c] = spec.value(q_, index_, d, nullptr);
      e->exact[c] = true;
      if (Combine(q_, e->part) < threshold) return false;
    }
    return true;
  }

  // The most a supplier outside the lists can score: only components
  // without candidate postings (requirements, size, place) can be above 0
  // for it, and the ceilings of the lists not accumulated. REQUIRES: no
  // floor (without one no list is probed).
  double Rest() const {
    double rest[kComponentCount];
    NonEssential(rest);
    for (int c = 0; c < kComponentCount; ++c) rest[c] += rest_value_[c];
    return Combine(q_, rest);
  }

 private:
  static double Capped(double bound) { return std::min(1.0, bound); }
  template <typename T>
  static double At(const std::vector<T>& v, uint32_t doc) {
    return v.empty() ? 0 : static_cast<double>(v[doc]);
  }
  // A raw ceiling held as a float sum (AddUp), raised to one it is never
  // below: float_margin_ covers the sum's rounding.
  double Raw(const std::vector<float>& v, uint32_t doc) const {
    return At(v, doc) * float_margin_;
  }

  // Adds x >= 0 to a float sum that gets at most one term from each
  // essential list (a concept division's bands, one for the division), x
  // rounded up to a float (never to 0 when x > 0: a sum of 0 says that no
  // list reached the supplier). With m such lists and u = 2^-24, the exact
  // sum of the x is never above the float sum s times float_margin_,
  // 1 + (m + 2) 2^-23 = 1 + (2m + 4) u: each float addition of terms >= 0
  // loses at most a factor (1 - u) (none when the result is subnormal: it is
  // then exact), so s >= (1 - u)^m S >= (1 - m u) S, S the sum of the
  // rounded-up terms, each at least its x; and (1 - m u)(1 + (2m + 4) u) =
  // 1 + (m + 4) u - (2m^2 + 4m) u^2 >= 1 for m below 2^22, with a slack of
  // 4u, far above the 2^-53 of the product rounded in double. Floats halve
  // what the per-query arrays take to clear and of the cache.
  static void AddUp(float* sum, double x) {
    if (!(x <= std::numeric_limits<float>::max())) {  // Beyond, or NaN.
      *sum = std::numeric_limits<float>::infinity();
      return;
    }
    float f = static_cast<float>(x);
    // The next float up, for a float >= 0, is the next bit pattern.
    uint32_t bits;
    std::memcpy(&bits, &f, sizeof(bits));
    bits += static_cast<uint32_t>(f < x);
    std::memcpy(&f, &bits, sizeof(f));
    *sum += f;
  }

  double Text(uint32_t doc) const {
    if (!HasText(q_)) return 0;
    const double raw = At(text_raw_, doc);
    return ne_[QueryList::kOwnTerm] == 0 && text_in_order_
               ? raw / q_.text_max
               : (raw + ne_[QueryList::kOwnTerm]) / q_.text_max *
                     kRoundingMargin;
  }
  // 0 when no translation reaches the supplier. The accumulated parts are
  // summed over translations, the unread ones' ceilings are the largest
  // translation's (AddUnread).
  double TranslatedCeiling(uint32_t doc) const {
    return (Raw(translated_raw_, doc) + ne_[QueryList::kTranslatedTerm]) *
           kRoundingMargin;
  }
  // The raw CPV ceiling of the lists not accumulated.
  double NonEssentialCpv() const { return CpvCeiling(ne_); }
  // The raw CPV ceiling of raw ceilings by source: levels and ancestors.
  static double CpvCeiling(const double by_source[QueryList::kSourceCount]) {
    return by_source[QueryList::kCpvLevel] + by_source[QueryList::kCpvAncestor];
  }
  // Whether Text() is the value: the tender's own words all accumulated,
  // in query order, and no translation that may reach the supplier.
  bool TextIsExact(uint32_t doc) const {
    return ne_[QueryList::kOwnTerm] == 0 && text_in_order_ &&
           TranslatedCeiling(doc) == 0;
  }

  // The bound of each component with candidate postings for a supplier in
  // none of the accumulated lists: the ceilings of the others.
  void NonEssential(double bound[kComponentCount]) const {
    Ceilings(ne_, bound);
  }

  // The bound of each component with candidate postings from raw ceilings
  // by source, each capped at 1.
  void Ceilings(const double by_source[QueryList::kSourceCount],
                double bound[kComponentCount]) const {
    std::fill(bound, bound + kComponentCount, 0.0);
    if (q_.weight[kCpv] > 0) {
      bound[kCpv] =
          Capped(CpvCeiling(by_source) / std::max(q_.code_weight_sum, 1e-300) *
                 kRoundingMargin);
    }
    if (q_.weight[kText] > 0) {
      bound[kText] = Capped(
          std::max(
              HasText(q_) ? by_source[QueryList::kOwnTerm] / q_.text_max : 0,
              by_source[QueryList::kTranslatedTerm]) *
          kRoundingMargin);
    }
    if (q_.weight[kTrack] > 0)
      bound[kTrack] = Capped(by_source[QueryList::kCpvRelated]);
    if (q_.weight[kConcepts] > 0) {
      bound[kConcepts] = Capped(by_source[QueryList::kConceptBand] /
                                q_.concept_weight_sum * kRoundingMargin);
    }
    if (q_.weight[kBuyerAffinity] > 0) {
      bound[kBuyerAffinity] = Capped(by_source[QueryList::kBuyer]);
    }
    if (q_.weight[kTags] > 0)
      bound[kTags] = Capped(by_source[QueryList::kTags]);
  }

  // The most raw ceilings by source add to a score, each component capped
  // at 1.
  double CeilingsScore(const double by_source[QueryList::kSourceCount]) const {
    double bound[kComponentCount];
    Ceilings(by_source, bound);
    return Combine(q_, bound);
  }

  // What every supplier gets without its lists, weighted: the ceilings of
  // the lists not accumulated and of the probed lists from the k-th on, and
  // with `counted_at_one` the components counted at 1.
  double Every(size_t k, bool counted_at_one) const {
    double by_source[QueryList::kSourceCount];
    std::copy(std::begin(ne_), std::end(ne_), by_source);
    for (size_t p = k; p < probes_.size(); ++p) {
      for (int i = 0; i < QueryList::kSourceCount; ++i) {
        by_source[i] += probes_[p].ceiling_by_source[i];
      }
    }
    double every[kComponentCount];
    Ceilings(by_source, every);
    for (int i = 0; counted_at_one && i < weighted_count_; ++i) {
      if (cheap_[weighted_[i]] == CheapBound::kOne) every[weighted_[i]] = 1;
    }
    return Combine(q_, every);
  }

  // The query's lists, in query order, with their lengths and ceilings.
  void MakeLists() {
    const double* w = q_.weight;
    if (w[kCpv] > 0 || w[kTrack] > 0) {
      std::vector<CpvCode> divisions;
      for (size_t i = 0; i < q_.codes.size(); ++i) {
        const QueryCode& qc = q_.codes[i];
        const int depth = qc.code.depth();
        const CpvCode division = qc.code.Truncated(2);
        if (std::find(divisions.begin(), divisions.end(), division) ==
            divisions.end()) {
          divisions.push_back(division);
        }
        if (w[kCpv] == 0) continue;
        // A code earns at most 1 for itself or a code below it, 0.8 for
        // an ancestor the supplier offers, LevelCredit(d) for a code that
        // shares only its first d digits, times the rarity at the shared
        // depth (internal/cpv_credit.h; rarities grow with depth): each
        // level adds what its ceiling adds to the shallower one's, and an
        // ancestor offered adds what 0.8 adds to its level's.
        const double to_score = w[kCpv] / std::max(q_.code_weight_sum, 1e-300);
        double below = 0;
        for (int d = 2; d <= depth; ++d) {
          const double ceiling = std::max(below, (d == depth ? 1.0
                                                  : tight_   ? LevelCredit(d)
                                                             : 0.8) *
                                                     qc.rarity[d]);
          QueryList l{QueryList::kCpvLevel, static_cast<int>(i), d};
          l.ceiling = qc.weight * (ceiling - below);
          l.max = to_score * l.ceiling;
          l.length = index_.CpvPostings(qc.code.Truncated(d)).size();
          lists_.push_back(l);
          below = ceiling;
          const double ancestor = 0.8 * qc.rarity[d];
          if (!tight_ || d == depth || ancestor <= ceiling) continue;
          QueryList a{QueryList::kCpvAncestor, static_cast<int>(i), d};
          a.ceiling = qc.weight * (ancestor - ceiling);
          a.max = to_score * a.ceiling;
          a.length = index_.OfferedCpvPostings(qc.code.Truncated(d)).size();
          if (a.length > 0) lists_.push_back(a);
        }
      }
      for (CpvCode division : divisions) {
        tender_divisions_ |= IndexData::DivisionBit(division);
      }
      if (w[kTrack] > 0 && !divisions.empty()) {
        QueryList l{QueryList::kCpvRelated};
        l.ceiling = 1;
        l.max = w[kTrack];
        for (CpvCode division : divisions) {
          l.length += index_.CpvPostings(division).size();
        }
        related_divisions_ = std::move(divisions);
        lists_.push_back(l);
      }
    }
    if (w[kText] > 0) {
      if (HasText(q_)) {
        for (size_t j = 0; j < q_.terms.size(); ++j) {
          const QueryTerm& t = q_.terms[j];
          // A term's BM25 part is below its weight times k1 + 1.
          QueryList l{QueryList::kOwnTerm, 0, static_cast<int>(j)};
          l.ceiling = t.weight * (kBm25K1 + 1);
          l.max = w[kText] * l.ceiling / q_.text_max;
          l.length = index_.TermPostings(t.id).size();
          lists_.push_back(l);
        }
      }
      for (size_t i = 0; i < q_.translations.size(); ++i) {
        const QueryTranslation& t = q_.translations[i];
        for (size_t j = 0; j < t.terms.size(); ++j) {
          QueryList l{QueryList::kTranslatedTerm, static_cast<int>(i),
                      static_cast<int>(j)};
          l.ceiling = TranslatedPart(t, t.terms[j].weight * (kBm25K1 + 1));
          l.max = w[kText] * l.ceiling;
          l.length = index_.TermPostings(t.terms[j].id).size();
          lists_.push_back(l);
        }
      }
    }
    if (w[kConcepts] > 0) {
      divisions_ = ConceptDivisions(q_, concept_credit_, concept_signatures_);
      for (size_t i = 0; i < divisions_.size(); ++i) {
        // A supplier in a band earns at most the band's upper edge times
        // the division's largest unit.
        const double most = divisions_[i].most;
        const IndexData::ConceptPostingList& list =
            index_.ConceptPostings(divisions_[i].code);
        const int64_t* count = list.band_count;
        const float* top = list.band_top;
        // A band's ceiling: the next band's lower edge, the last band's
        // largest weight (its suppliers' concept weights are below).
        float below = 0;
        for (int b = 0; b < kConceptBands; ++b) {
          if (count[b] == 0) continue;
          const float upper =
              b + 1 < kConceptBands ? kConceptBandEdges[b + 1] : top[b];
          QueryList l{QueryList::kConceptBand, static_cast<int>(i), b};
          l.ceiling = most * static_cast<double>(upper - below);
          l.max = w[kConcepts] * most * upper / q_.concept_weight_sum;
          l.length = count[b];
          lists_.push_back(l);
          below = upper;
        }
      }
    }
    if (w[kBuyerAffinity] > 0) {
      for (const std::string& key :
           {BuyerPostingKey(q_.buyer_key), q_.buyer_activity_key}) {
        if (!key.empty()) buyer_keys_.push_back(key);
      }
      if (!buyer_keys_.empty()) {
        QueryList l{QueryList::kBuyer};
        l.ceiling = 1;
        l.max = w[kBuyerAffinity];
        for (const std::string& key : buyer_keys_) {
          l.length += index_.BuyerPostings(key).size();
        }
        lists_.push_back(l);
      }
    }
    if (w[kTags] > 0 && !q_.wanted_tags.empty()) {
      QueryList l{QueryList::kTags};
      l.ceiling = 1;
      l.max = w[kTags];
      for (const std::string& tag : q_.wanted_tags) {
        l.length += index_.TagPostings(tag).size();
      }
      lists_.push_back(l);
    }
  }

  // The most place, size and desirable requirements add for a supplier at
  // each location: proximity exactly, the others at most 1.
  double RestAt(uint32_t location) const {
    return RestWithProximity(place_size_.ProximityAt(location));
  }
  double RestWithProximity(double proximity) const {
    double rest[kComponentCount];
    std::copy(rest_value_, rest_value_ + kComponentCount, rest);
    if (q_.weight[kProximity] > 0) rest[kProximity] = proximity;
    if (!place_size_.has_currency()) rest[kSize] = 0;
    return Combine(q_, rest);
  }

  // Whether a supplier at `location`, in no list read, may reach the floor
  // when the lists not read add `unread` (their ceilings, weighted).
  bool PlaceMayReach(uint32_t location, double unread) const {
    return RestAt(location) + unread >= floor_ * (1 - 1e-9);
  }

  // Adds a list not read to the raw ceilings by source of such lists,
  // `by_translation` holding the translated terms' per translation: a
  // supplier's translated value is its best translation's (TextValue), so
  // what the unread translated lists may add to it is the largest of the
  // translations' sums, not their total. With the accumulated part summed
  // over translations, the bound stays above the value: for parts a_t >= 0
  // read and ceilings u_t unread, max_t (a_t + u_t) <= sum_t a_t + max_t u_t.
  static void AddUnread(const QueryList& l,
                        double by_source[QueryList::kSourceCount],
                        std::vector<double>* by_translation) {
    if (l.source != QueryList::kTranslatedTerm) {
      by_source[l.source] += l.ceiling;
      return;
    }
    double& sum = (*by_translation)[l.i];
    sum += l.ceiling;
    by_source[l.source] = std::max(by_source[l.source], sum);
  }

  // Marks lists non-essential, smallest maximum first (MaxScore), for as
  // long as the most they add to a score together stays within `share`
  // and below the floor. The suppliers then looked at are those in the
  // essential lists and those whose place alone, with the ceilings of the
  // others, may reach the floor (EnumeratePlaces).
  void Split(double share) {
    std::vector<int> order(lists_.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
    // Concept bands of one division stay in band order (ties in max).
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
      return lists_[a].max < lists_[b].max;
    });
    for (int i : order) {
      AddUnread(lists_[i], ne_, &ne_translated_);
      double ne[kComponentCount];
      NonEssential(ne);
      const double lists = Combine(q_, ne);
      if (lists > share || lists >= floor_) {
        // One too many: the ceilings of the lists before it, summed again.
        std::fill(std::begin(ne_), std::end(ne_), 0.0);
        std::fill(ne_translated_.begin(), ne_translated_.end(), 0.0);
        for (const QueryList& l : lists_) {
          if (!l.essential) AddUnread(l, ne_, &ne_translated_);
        }
        return;
      }
      lists_[i].essential = false;
      ++non_essential_;
    }
  }

  // MaxScore's split again, chosen by length rather than by ceiling: what
  // is not read is what costs. The longest essential lists are not read
  // whole, for as long as a supplier in none of the lists read, at a place
  // that earns no proximity, stays below the floor by `slack` of it with
  // their ceilings and the other unread lists': those that can be looked up
  // (all but the terms', whose postings are compressed; a concept
  // division's bands together, in one list) are probed, the terms' are left
  // unread (ReadDeferred() may read them late). The candidates are then the
  // suppliers of the shorter lists and of the places near the tender's
  // (EnumeratePlaces), and each is looked up in the probed lists only while its
  // bound reaches the floor (Reaches()). `by_list`: of the lists that fit,
  // longest first, the prefix whose reading and lookups are estimated cheapest
  // (CheapestPrefix()), a lookup counted as `lookup_steps` postings read; else
  // all of them or none (AllOrNone()); at most `prefix_limit` of them when it
  // is not negative.
  void ChooseProbes(double slack, double lookup_steps, bool by_list,
                    int prefix_limit) {
    std::vector<ProbeUnit> units;
    std::vector<int> unit_of_division(divisions_.size(), -1);
    for (size_t i = 0; i < lists_.size(); ++i) {
      const QueryList& l = lists_[i];
      if (!l.essential) continue;
      if (l.source == QueryList::kConceptBand && unit_of_division[l.i] >= 0) {
        ProbeUnit& u = units[unit_of_division[l.i]];
        u.ceiling_by_source[l.source] += l.ceiling;
        u.length += l.length;
        continue;
      }
      ProbeUnit u;
      u.source = l.source;
      u.list = static_cast<int>(i);
      u.ceiling_by_source[l.source] = l.ceiling;
      u.length = l.length;
      switch (l.source) {
        case QueryList::kCpvLevel:
        case QueryList::kCpvAncestor:
          u.cursors.emplace_back(&CpvList(l));
          break;
        case QueryList::kCpvRelated:
          for (CpvCode division : related_divisions_) {
            u.cursors.emplace_back(&index_.CpvPostings(division));
          }
          break;
        case QueryList::kConceptBand:
          u.concepts = &index_.ConceptPostings(divisions_[l.i].code);
          u.concept_cursor =
              PostingCursor<std::pair<uint32_t, float>>(&u.concepts->postings);
          unit_of_division[l.i] = static_cast<int>(units.size());
          break;
        case QueryList::kBuyer:
          for (const std::string& key : buyer_keys_) {
            u.cursors.emplace_back(&index_.BuyerPostings(key));
          }
          break;
        case QueryList::kTags:
          for (const std::string& tag : q_.wanted_tags) {
            u.cursors.emplace_back(&index_.TagPostings(tag));
          }
          break;
        case QueryList::kOwnTerm:
        case QueryList::kTranslatedTerm:
          break;
      }
      units.push_back(std::move(u));
    }
    std::stable_sort(units.begin(), units.end(),
                     [](const ProbeUnit& a, const ProbeUnit& b) {
                       return a.length > b.length;
                     });
    // The longest first, while a supplier at a place that earns nothing
    // stays below the floor by `slack` of it; for each prefix of those that
    // fit, what it leaves unread.
    const double below = floor_ * (1 - slack) - RestWithProximity(0);
    double by_source[QueryList::kSourceCount];
    std::copy(std::begin(ne_), std::end(ne_), by_source);
    std::vector<double> by_translation = ne_translated_, with_translation;
    std::vector<ProbeUnit*> fits;
    std::vector<PrefixCost> prefixes = {{0, 0, false, CeilingsScore(ne_)}};
    for (ProbeUnit& u : units) {
      double with[QueryList::kSourceCount];
      std::copy(std::begin(by_source), std::end(by_source), with);
      const bool translated = u.source == QueryList::kTranslatedTerm;
      if (translated) {
        with_translation = by_translation;
        AddUnread(lists_[u.list], with, &with_translation);
      } else {
        for (int i = 0; i < QueryList::kSourceCount; ++i) {
          with[i] += u.ceiling_by_source[i];
        }
      }
      if (CeilingsScore(with) >= below) continue;
      std::copy(std::begin(with), std::end(with), by_source);
      if (translated) by_translation.swap(with_translation);
      if (!u.term()) u.weighted_ceiling = CeilingsScore(u.ceiling_by_source);
      const PrefixCost& last = prefixes.back();
      prefixes.push_back(
          {last.spared + u.length, last.probes + (u.term() ? 0 : 1),
           last.unread_terms || u.term(), CeilingsScore(by_source)});
      fits.push_back(&u);
    }
    if (fits.empty()) return;
    // Where each essential list leaves reading: at the position of its
    // unit among those that fit (a concept division's bands together).
    std::vector<size_t> spared_at(lists_.size(), fits.size());
    std::vector<size_t> division_at(divisions_.size(), fits.size());
    for (size_t p = 0; p < fits.size(); ++p) {
      const QueryList& first = lists_[fits[p]->list];
      if (first.source == QueryList::kConceptBand) {
        division_at[first.i] = p;
      } else {
        spared_at[fits[p]->list] = p;
      }
    }
    for (size_t i = 0; i < lists_.size(); ++i) {
      if (lists_[i].source == QueryList::kConceptBand) {
        spared_at[i] = division_at[lists_[i].i];
      }
    }
    size_t taken = by_list
                       ? CheapestPrefix(fits, prefixes, spared_at, lookup_steps)
                       : AllOrNone(prefixes, lookup_steps);
    if (prefix_limit >= 0) {
      taken = std::min(taken, static_cast<size_t>(prefix_limit));
    }
    if (taken == 0) return;
    std::vector<ProbeUnit> probes;
    for (size_t t = 0; t < taken; ++t) {
      ProbeUnit& u = *fits[t];
      if (u.term()) {
        lists_[u.list].essential = false;
        lists_[u.list].deferred = true;
        AddUnread(lists_[u.list], ne_, &ne_translated_);
        ++non_essential_;
        deferred_.push_back(u.list);
        deferred_postings_ += u.length;
      } else {
        probes.push_back(std::move(u));
      }
    }
    if (!deferred_.empty()) {
      double without[QueryList::kSourceCount] = {};
      std::vector<double> without_translated(ne_translated_.size(), 0.0);
      for (const QueryList& l : lists_) {
        if (!l.essential && !l.deferred) {
          AddUnread(l, without, &without_translated);
        }
      }
      deferred_ceiling_ = CeilingsScore(ne_) - CeilingsScore(without);
    }
    // Looked up the largest ceiling first, so that a supplier falls below
    // the floor after as few lookups as can be.
    std::stable_sort(probes.begin(), probes.end(),
                     [](const ProbeUnit& a, const ProbeUnit& b) {
                       return a.weighted_ceiling > b.weighted_ceiling;
                     });
    probes_ = std::move(probes);
    for (const ProbeUnit& u : probes_) {
      for (QueryList& l : lists_) {
        if (l.essential && l.source == u.source &&
            (u.source == QueryList::kConceptBand ? l.i == lists_[u.list].i
                                                 : &l == &lists_[u.list])) {
          l.probed = true;
        }
      }
    }
  }

  // The first lists of ChooseProbes()'s order that fit, probed or left
  // unread, and the rest read.
  struct PrefixCost {
    int64_t spared = 0;         // Their postings.
    int64_t probes = 0;         // How many are looked up.
    bool unread_terms = false;  // Whether a term is left unread.
    double unread = 0;          // The lists not read, their ceilings
                                // weighted (CeilingsScore()).
  };

  // The prefix of `fits` (ChooseProbes()'s units that fit, longest first;
  // `prefixes[t]` what the first t of them leave unread, `spared_at` at
  // which one each essential list stops being read) whose postings read and
  // lookups, estimated from the ceilings, cost least (the longest of equal
  // costs), a lookup counted as `lookup_steps` postings read. A candidate
  // stops at the first lookup that drops its bound below the floor
  // (Reaches()), so a lookup is counted only while the bound may reach it:
  // a candidate of a list still read, or of a place that may reach the
  // floor, is taken to be in that list alone (with the CPV levels above
  // it), at a place that earns nothing, and in none of the probed lists,
  // which drop their ceilings from its bound largest first. Terms left
  // unread count every candidate once more, as AllOrNone() does: their
  // ceilings loosen every bound, and a candidate whose bound reaches the
  // floor is tightened (on real tenders, without this the split went to
  // prefixes that tightened 100 times as many candidates).
  size_t CheapestPrefix(const std::vector<ProbeUnit*>& fits,
                        const std::vector<PrefixCost>& prefixes,
                        const std::vector<size_t>& spared_at,
                        double lookup_steps) const {
    // What a supplier of each essential list may gain: a CPV level's
    // ceiling is telescoped, and a supplier of a deeper level is in the
    // shallower ones.
    std::vector<double> gain(lists_.size(), 0.0);
    std::vector<double> code_levels(q_.codes.size(), 0.0);
    for (size_t i = 0; i < lists_.size(); ++i) {
      const QueryList& l = lists_[i];
      gain[i] = l.max;
      if (l.source == QueryList::kCpvLevel) {
        code_levels[l.i] += l.max;
        gain[i] = code_levels[l.i];
      } else if (l.source == QueryList::kCpvAncestor) {
        gain[i] = code_levels[l.i] + l.max;
      }
    }
    // The places by what they may add, most first, and the suppliers of
    // the first so many: at_least(x) is how many suppliers' places add x
    // or more.
    std::vector<std::pair<double, int64_t>> places;
    const uint32_t locations = index_.locations().size();
    places.reserve(locations);
    for (uint32_t l = 0; l < locations; ++l) {
      places.push_back({RestAt(l), index_.LocationDocs(l).size()});
    }
    std::sort(places.begin(), places.end(),
              [](const auto& a, const auto& b) { return a.first > b.first; });
    for (size_t l = 1; l < places.size(); ++l) {
      places[l].second += places[l - 1].second;
    }
    auto at_least = [&](double x) -> int64_t {
      const auto end = std::partition_point(
          places.begin(), places.end(),
          [x](const auto& place) { return place.first >= x; });
      return end == places.begin() ? 0 : (end - 1)->second;
    };
    const double rest = RestWithProximity(0);
    std::vector<double> ceilings;  // The probed ones', largest first.
    std::vector<double> dropped;   // What the first j of them drop.
    double best_cost = 0;
    size_t best = 0;
    for (size_t t = 0; t < prefixes.size(); ++t) {
      if (t > 0 && !fits[t - 1]->term()) {
        ceilings.insert(std::upper_bound(ceilings.begin(), ceilings.end(),
                                         fits[t - 1]->weighted_ceiling,
                                         std::greater<double>()),
                        fits[t - 1]->weighted_ceiling);
      }
      dropped.assign(1, 0.0);
      for (double c : ceilings) dropped.push_back(dropped.back() + c);
      const double unread = prefixes[t].unread;
      double cost = 0;
      // `count` candidates whose bound with the unread lists' ceilings is
      // `top`: looked up until the first j probed ceilings drop it below
      // the floor, in every probed list when none do.
      auto look_up = [&](double top, int64_t count) {
        if (top < floor_) return;
        const size_t j =
            std::upper_bound(dropped.begin(), dropped.end(), top - floor_) -
            dropped.begin();
        cost += lookup_steps * static_cast<double>(count) *
                static_cast<double>(std::min(j, ceilings.size()));
      };
      int64_t read = 0;
      for (size_t i = 0; i < lists_.size(); ++i) {
        if (!lists_[i].essential || spared_at[i] < t) continue;
        read += lists_[i].length;
        look_up(gain[i] + rest + unread, lists_[i].length);
      }
      cost += static_cast<double>(read);
      if (prefixes[t].unread_terms) {
        cost += lookup_steps *
                static_cast<double>(std::min<int64_t>(
                    read + at_least(floor_ * (1 - 1e-9) - unread), size()));
      }
      // A place's suppliers, bound rest + unread, are looked up in probed
      // list k (from 0) while the first k ceilings leave them at the floor.
      for (size_t k = 0; k < ceilings.size(); ++k) {
        cost += lookup_steps *
                static_cast<double>(at_least(floor_ + dropped[k] - unread));
      }
      if (t == 0 || cost <= best_cost) {
        best = t;
        best_cost = cost;
      }
    }
    return best;
  }

  // The split as before session 19: all of `prefixes`'s lists (the first
  // of which takes none) when the lookups are likely cheaper than the
  // reading they spare, a lookup costing `lookup_steps` postings read:
  // at most every candidate (the suppliers of the lists still read and of
  // the places that may reach the floor) looked up in every probed list,
  // and once more for the terms left unread, whose ceilings loosen every
  // bound; else none.
  size_t AllOrNone(const std::vector<PrefixCost>& prefixes,
                   double lookup_steps) const {
    const size_t all = prefixes.size() - 1;
    const PrefixCost& p = prefixes[all];
    const int64_t lookups = p.probes + (p.unread_terms ? 1 : 0);
    if (lookups == 0) return 0;
    int64_t candidates = -p.spared;
    for (const QueryList& l : lists_) {
      if (l.essential) candidates += l.length;
    }
    for (uint32_t l = 0; l < index_.locations().size(); ++l) {
      if (PlaceMayReach(l, p.unread)) {
        candidates += index_.LocationDocs(l).size();
      }
    }
    candidates = std::min<int64_t>(candidates, size());
    return static_cast<double>(candidates) * lookup_steps * lookups <
                   static_cast<double>(p.spared)
               ? all
               : 0;
  }

  // The postings of a CPV level or ancestor list.
  const std::vector<uint32_t>& CpvList(const QueryList& l) const {
    const CpvCode code = q_.codes[l.i].code.Truncated(l.j);
    return l.source == QueryList::kCpvLevel ? index_.CpvPostings(code)
                                            : index_.OfferedCpvPostings(code);
  }

  // With by_tender_, true when none of the supplier's past contracts is in
  // one of the tender's divisions: it has no track record for the tender,
  // though its offered codes may post it in the divisions' lists.
  bool NoRelatedContract(uint32_t doc) const {
    return by_tender_ &&
           (index_.contract_divisions(doc) & tender_divisions_) == 0;
  }
  // With by_offered_, true when none of the supplier's offered codes is in
  // one of the tender's divisions: it earns no CPV credit, which only
  // offered codes earn, though its contracts' codes may post it under the
  // tender's codes.
  bool NoOfferedCode(uint32_t doc) const {
    return by_offered_ &&
           (index_.offered_divisions(doc) & tender_divisions_) == 0;
  }
  // The most the supplier's contracts count for by their age as of the
  // tender's date (IndexData::ContractRecency), found once for both contract
  // ceilings below: `*recency` starts negative, for not yet found.
  double RecencyOf(uint32_t doc, double* recency) const {
    if (*recency < 0) *recency = index_.ContractRecency(doc, q_.as_of_days);
    return *recency;
  }
  // The per-supplier ceilings of track record and buyer affinity, for any
  // tender (IndexData::track_ceiling, buyer_ceiling), or this tender's: 0
  // track record without a contract in its divisions, and with by_recency_
  // both scaled by RecencyOf (CeilingAtRecency).
  double TrackCeiling(uint32_t doc, double* recency) const {
    if (NoRelatedContract(doc)) return 0;
    const double ceiling = index_.track_ceiling(doc);
    return by_recency_ ? CeilingAtRecency(ceiling, RecencyOf(doc, recency))
                       : ceiling;
  }
  double BuyerCeiling(uint32_t doc, double* recency) const {
    const double ceiling = index_.buyer_ceiling(doc);
    return by_recency_ ? CeilingAtRecency(ceiling, RecencyOf(doc, recency))
                       : ceiling;
  }

  // What one posting of an essential list adds to the supplier's raw
  // ceilings (the arrays Cheap() reads) and returns, weighted: what it adds
  // to the supplier's bound. Accumulate() and Probe() share them.
  double AddCpv(const QueryList& l, uint32_t doc) {
    AddUp(&cpv_raw_[doc], l.ceiling);
    return l.max;
  }
  // Once per supplier, however many of the lists it is in.
  double AddRelated(uint32_t doc) {
    if (related_[doc] != 0) return 0;
    related_[doc] = 1;
    if (NoRelatedContract(doc)) return 0;
    return q_.weight[kTrack] *
           (tight_ ? std::min<double>(1, index_.track_ceiling(doc)) : 1);
  }
  double AddBuyer(uint32_t doc) {
    if (buyer_posted_[doc] != 0) return 0;
    buyer_posted_[doc] = 1;
    return q_.weight[kBuyerAffinity] *
           (tight_ ? std::min<double>(1, index_.buyer_ceiling(doc)) : 1);
  }
  double AddTag(uint32_t doc) {
    if (tag_posted_[doc] != 0) return 0;
    tag_posted_[doc] = 1;
    return q_.weight[kTags];
  }
  // The tender concepts earn at most the supplier's largest concept weight
  // in their division times the unit of its groups there (0 across
  // divisions), so a division's postings are read once, for all its
  // concepts. Cheap() adds kRoundingMargin. REQUIRES: the posting is in
  // the division's essential bands (concept_cut_; the lower bands count at
  // their ceilings).
  double AddConcept(size_t division, const IndexData::ConceptPostingList& list,
                    size_t p) {
    const auto [doc, w] = list.postings[p];
    const ConceptDivision& d = divisions_[division];
    const double raw = d.unit[d.Index(list.marks[p])] * static_cast<double>(w);
    AddUp(&concept_raw_[doc], raw);
    return q_.weight[kConcepts] / q_.concept_weight_sum * raw;
  }

  // Looks `doc` up in the probed unit `u`: what it adds, as AddCpv() and
  // the others.
  double Probe(ProbeUnit* u, uint32_t doc) {
    switch (u->source) {
      case QueryList::kCpvLevel:
      case QueryList::kCpvAncestor:
        return u->cursors[0].Find(doc) >= 0 ? AddCpv(lists_[u->list], doc) : 0;
      case QueryList::kCpvRelated:
      case QueryList::kBuyer:
      case QueryList::kTags:
        // Without a contract in the tender's divisions the lists add
        // nothing to track record: no lookup.
        if (u->source == QueryList::kCpvRelated && NoRelatedContract(doc)) {
          return 0;
        }
        for (PostingCursor<uint32_t>& c : u->cursors) {
          if (c.Find(doc) < 0) continue;
          return u->source == QueryList::kCpvRelated ? AddRelated(doc)
                 : u->source == QueryList::kBuyer    ? AddBuyer(doc)
                                                     : AddTag(doc);
        }
        return 0;
      case QueryList::kConceptBand: {
        const int64_t p = u->concept_cursor.Find(doc);
        const int division = lists_[u->list].i;
        return p < 0 || u->concepts->postings[p].second < concept_cut_[division]
                   ? 0
                   : AddConcept(division, *u->concepts, p);
      }
      case QueryList::kOwnTerm:
      case QueryList::kTranslatedTerm:
        break;
    }
    return 0;
  }

  // Reads the essential lists that are not probed, in query order: the
  // tender's own terms in query order sum exactly as TextValue does. Makes
  // the arrays the probed lists add to.
  void Accumulate() {
    const int n = size();
    // A concept division's suppliers from its lowest essential band up.
    concept_cut_.assign(divisions_.size(), 2.0f);
    std::vector<char> division_read(divisions_.size(), 0);
    for (const QueryList& l : lists_) {
      if (!l.essential) continue;
      switch (l.source) {
        case QueryList::kCpvLevel:
        case QueryList::kCpvAncestor:
          if (cpv_raw_.empty()) cpv_raw_.assign(n, 0.0f);
          break;
        case QueryList::kCpvRelated:
          related_.assign(n, 0);
          break;
        case QueryList::kOwnTerm:
          if (text_raw_.empty()) text_raw_.assign(n, 0.0);
          break;
        case QueryList::kTranslatedTerm:
          if (translated_raw_.empty()) translated_raw_.assign(n, 0.0f);
          break;
        case QueryList::kConceptBand:
          concept_cut_[l.i] =
              std::min(concept_cut_[l.i], kConceptBandEdges[l.j]);
          if (concept_raw_.empty()) concept_raw_.assign(n, 0.0f);
          division_read[l.i] = !l.probed;
          break;
        case QueryList::kBuyer:
          buyer_posted_.assign(n, 0);
          break;
        case QueryList::kTags:
          tag_posted_.assign(n, 0);
          break;
      }
    }
    for (const QueryList& l : lists_) {
      if (!l.essential || l.probed) continue;
      postings_read_ += l.length;
      Read(l);
    }
    for (size_t i = 0; i < divisions_.size(); ++i) {
      if (division_read[i]) ReadDivision(i);
    }
  }

  // Reads one essential list whole (a concept band: ReadDivision()).
  void Read(const QueryList& l) {
    switch (l.source) {
      case QueryList::kCpvLevel:
      case QueryList::kCpvAncestor:
        ForEachDoc(CpvList(l), cpv_raw_.data(), [&](uint32_t doc) {
          is_candidate_[doc] = 1;
          Sum(doc, AddCpv(l, doc));
        });
        break;
      case QueryList::kCpvRelated:
        for (CpvCode division : related_divisions_) {
          ForEachDoc(index_.CpvPostings(division), related_.data(),
                     [&](uint32_t doc) {
                       is_candidate_[doc] = 1;
                       Sum(doc, AddRelated(doc));
                     });
        }
        break;
      case QueryList::kOwnTerm:
      case QueryList::kTranslatedTerm:
        ReadTerm<true>(l);
        break;
      case QueryList::kConceptBand:
        break;  // Below, a division at a time.
      case QueryList::kBuyer:
        for (const std::string& key : buyer_keys_) {
          for (uint32_t doc : index_.BuyerPostings(key)) {
            is_candidate_[doc] = 1;
            Sum(doc, AddBuyer(doc));
          }
        }
        break;
      case QueryList::kTags:
        for (const std::string& tag : q_.wanted_tags) {
          for (uint32_t doc : index_.TagPostings(tag)) {
            is_candidate_[doc] = 1;
            Sum(doc, AddTag(doc));
          }
        }
        break;
    }
  }

  // Reads a term's list: the tender's own term's BM25 parts into text_raw_,
  // a translated term's into translated_raw_. With `kCandidates`, as one of
  // the lists read first: its suppliers made candidates, and their parts
  // summed (Reaches()); else read late (ReadDeferred()), for Cheap() only.
  template <bool kCandidates>
  void ReadTerm(const QueryList& l) {
    if (l.source == QueryList::kOwnTerm) {
      // Text relevance is accumulated here, term at a time: exact for the
      // tender's own words when all are read, in query order.
      // The sum weighs a part by one product (MakeSummedCuts()'s cut
      // allows for a double's rounding).
      const QueryTerm& t = q_.terms[l.j];
      const double to_score = q_.weight[kText] / q_.text_max;
      ForEachPosting<kCandidates>(
          index_.TermPostings(t.id), text_raw_.data(),
          [&](uint32_t doc, uint32_t tf) {
            const double part =
                Bm25Part(t, tf, Bm25Norm(index_, index_.length(doc)));
            text_raw_[doc] += part;
            if (kCandidates) {
              is_candidate_[doc] = 1;
              Sum(doc, to_score * part);
            }
          });
      return;
    }
    // For translations, a ceiling: the sum over every translation where
    // the value takes the best.
    const QueryTranslation& t = q_.translations[l.i];
    const QueryTerm& term = t.terms[l.j];
    ForEachPosting<kCandidates>(
        index_.TermPostings(term.id), translated_raw_.data(),
        [&](uint32_t doc, uint32_t tf) {
          const double part = TranslatedPart(
              t, Bm25Part(term, tf, Bm25Norm(index_, index_.length(doc))));
          AddUp(&translated_raw_[doc], part);
          if (kCandidates) {
            is_candidate_[doc] = 1;
            Sum(doc, q_.weight[kText] * part);
          }
        });
  }

  // Calls visit(doc, frequency) for each posting of `list` in order. The
  // docs are spread over arrays as long as the index (their lengths, the
  // sums `raw` and, with `kCandidates`, the candidate marks and summed
  // bounds), and a posting's reads of them would wait for memory one after
  // the other: so the postings are decoded read_ahead_ ahead, and those
  // places prefetched (session 21).
  template <bool kCandidates, typename Raw, typename Visit>
  void ForEachPosting(const TermPostingList& list, const Raw* raw,
                      Visit visit) const {
    if (read_ahead_ == 0) {
      for (const auto& [doc, tf] : list) visit(doc, tf);
      return;
    }
    auto prefetch = [&](uint32_t doc) {
      index_.PrefetchLength(static_cast<int>(doc));
      PrefetchPlaces<kCandidates>(doc, raw);
    };
    // The postings decoded and not yet visited, in order from `head` (left
    // uninitialised: only the `held` from `head` are read).
    uint32_t docs[RetrievalTuning::kMaxReadAhead];
    uint32_t frequencies[RetrievalTuning::kMaxReadAhead];
    size_t held = 0, head = 0;
    auto at = list.begin();
    const auto end = list.end();
    for (; held < read_ahead_ && at != end; ++at, ++held) {
      std::tie(docs[held], frequencies[held]) = *at;
      prefetch(docs[held]);
    }
    while (held > 0) {
      const uint32_t doc = docs[head], frequency = frequencies[head];
      if (at != end) {
        std::tie(docs[head], frequencies[head]) = *at;
        ++at;
        prefetch(docs[head]);
      } else {
        --held;
      }
      head = head + 1 == read_ahead_ ? 0 : head + 1;
      visit(doc, frequency);
    }
  }

  // Calls visit(doc) for each of `docs` in order, the places it adds to
  // (`raw`, the candidate marks, the summed bounds) prefetched read_ahead_
  // docs ahead, as ForEachPosting() does.
  template <typename Posting, typename Raw, typename Visit>
  void ForEachDoc(const std::vector<Posting>& docs, const Raw* raw,
                  Visit visit) const {
    const size_t n = docs.size();
    for (size_t i = 0; i < std::min(read_ahead_, n); ++i) {
      PrefetchPlaces<true>(DocOf(docs[i]), raw);
    }
    for (size_t i = 0; i < n; ++i) {
      if (read_ahead_ > 0 && i + read_ahead_ < n) {
        PrefetchPlaces<true>(DocOf(docs[i + read_ahead_]), raw);
      }
      visit(docs[i]);
    }
  }
  template <bool kCandidates, typename Raw>
  void PrefetchPlaces(uint32_t doc, const Raw* raw) const {
    PrefetchLine(raw + doc);
    if (kCandidates) {
      PrefetchLine(&is_candidate_[doc]);
      if (!summed_.empty()) PrefetchLine(&summed_[doc]);
    }
  }

  // Reads a concept division's postings from its lowest essential band up.
  void ReadDivision(size_t i) {
    const IndexData::ConceptPostingList& list =
        index_.ConceptPostings(divisions_[i].code);
    const size_t n = list.postings.size();
    const float cut = concept_cut_[i];
    // The postings in the essential bands prefetched ahead, as
    // ForEachDoc().
    auto prefetch = [&](size_t p) {
      if (list.postings[p].second >= cut) {
        PrefetchPlaces<true>(list.postings[p].first, concept_raw_.data());
      }
    };
    for (size_t p = 0; p < std::min(read_ahead_, n); ++p) prefetch(p);
    for (size_t p = 0; p < n; ++p) {
      if (read_ahead_ > 0 && p + read_ahead_ < n) prefetch(p + read_ahead_);
      if (list.postings[p].second < cut) continue;
      const uint32_t doc = list.postings[p].first;
      is_candidate_[doc] = 1;
      Sum(doc, AddConcept(i, list, p));
    }
  }

  // Adds what a list adds to the supplier's score bound, weighted, to its
  // summed bound (when summed: Reaches()).
  void Sum(uint32_t doc, double weighted) {
    if (!summed_.empty()) AddUp(&summed_[doc], weighted);
  }

  // What Reaches() needs besides the sums and their margin
  // (float_margin_, AddUp): for each location the floor, lowered by a margin
  // that covers Cheap()'s own (kRoundingMargin) and the doubles' rounding, less
  // what every supplier there gets without its lists (place, the other lists'
  // ceilings, the components counted at 1). Cheap() caps components at 1, takes
  // the larger of the two text ceilings and the smaller of a contract ceiling
  // and 1: the sum does none of this, so it is never below.
  //
  // Reaches() lowers a cut by probe_delta_[k] while the probed lists from
  // the k-th on count at their ceilings: what they add to Every().
  void MakeSummedCuts() {
    const double every = Every(probes_.size(), true);
    probe_delta_.resize(probes_.size() + 1);
    for (size_t k = 0; k <= probes_.size(); ++k) {
      probe_delta_[k] = Every(k, true) - every;
    }
    const double cut = floor_ * (1 - 1e-8) - every;
    size_weighted_ = q_.weight[kSize] > 0 && place_size_.has_currency();
    const size_t locations = index_.locations().size();
    summed_cut_.resize(locations);
    for (size_t l = 0; l < locations; ++l) {
      summed_cut_[l] =
          cut - q_.weight[kProximity] *
                    place_size_.ProximityAt(static_cast<uint32_t>(l));
    }
  }

  // Makes candidates of the suppliers whose place may reach the floor with
  // the ceilings of the lists not accumulated (probed or not); the others
  // cannot.
  void EnumeratePlaces() {
    const double unread = Every(0, false);
    const uint32_t locations = index_.locations().size();
    for (uint32_t l = 0; l < locations; ++l) {
      if (!PlaceMayReach(l, unread)) continue;
      for (uint32_t doc : index_.LocationDocs(l)) is_candidate_[doc] = 1;
    }
  }

  const Query& q_;
  const IndexData& index_;
  const PlaceAndSize& place_size_;
  const double floor_;             // Positive: below the k-th score; else none.
  const bool tight_;               // RetrievalTuning::tight_ceilings.
  const bool concept_credit_;      // RetrievalTuning::concept_credit_ceiling.
  const bool concept_signatures_;  // RetrievalTuning::concept_signatures.
  // RetrievalTuning::contract_ceilings_by_tender, with tight_ceilings; and
  // with it, RetrievalTuning::offered_divisions and contract_recency.
  const bool by_tender_;
  const bool by_offered_;
  const bool by_recency_;
  // IndexData::DivisionBit of q_.codes' divisions, with CPV or track record
  // weighted.
  uint64_t tender_divisions_ = 0;
  const size_t read_ahead_;  // ReadAheadFor().
  int non_essential_ = 0;
  std::vector<QueryList> lists_;
  std::vector<CpvCode> related_divisions_;
  std::vector<ConceptDivision> divisions_;
  std::vector<std::string> buyer_keys_;
  std::vector<char> may_pass_;      // Empty: everyone may pass.
  std::vector<char> is_candidate_;  // 1 a candidate, 2 a seed.
  // Raw ceilings accumulated from the essential lists; empty for none.
  // BM25 of the tender's own terms: doubles summed in TextValue's order, the
  // value itself once all are read (unless ReadDeferred() read some out of
  // query order: text_in_order_). The others are ceilings, float sums (AddUp)
  // read through Raw().
  std::vector<double> text_raw_;
  std::vector<float> translated_raw_;  // Summed over translations.
  std::vector<float> cpv_raw_;
  std::vector<char> related_;  // Shares a division with the tender.
  std::vector<float> concept_raw_;
  std::vector<char> buyer_posted_;
  std::vector<char> tag_posted_;
  // With summed_bound and a floor: the essential lists' weighted sum, and
  // what Reaches() compares it with, by location (MakeSummedCuts()).
  std::vector<float> summed_;
  // What a float sum of one term from each essential list is raised by
  // (AddUp).
  double float_margin_ = 1;
  bool size_weighted_ = false;
  std::vector<double> summed_cut_;
  // The probed lists, largest ceiling first (ChooseProbes()), what their
  // ceilings from the k-th on add to a supplier's bound (MakeSummedCuts()),
  // and the lookups made (Reaches()).
  std::vector<ProbeUnit> probes_;
  std::vector<double> probe_delta_;
  int64_t probed_ = 0;
  int64_t postings_read_ = 0;  // By Accumulate().
  // By concept division: its lowest essential band's edge (2 for none).
  std::vector<float> concept_cut_;
  // The terms ChooseProbes() left unread (into lists_), their postings and
  // ceiling (deferred_ceiling()), until ReadDeferred(); whether the own
  // terms' BM25 parts are summed in query order (TextValue's).
  std::vector<int> deferred_;
  int64_t deferred_postings_ = 0;
  double deferred_ceiling_ = 0;
  bool text_in_order_ = true;
  // The raw ceilings of the lists not accumulated, by source (AddUnread),
  // and the translated terms' by translation.
  double ne_[QueryList::kSourceCount] = {};
  std::vector<double> ne_translated_;
  double rest_value_[kComponentCount] = {};
  CheapBound cheap_[kComponentCount];  // From the table, looked up once.
  int weighted_[kComponentCount];      // The components with weight, ...
  int weighted_count_ = 0;             // ... in order.
};

// The score of an eligible supplier: the values Tighten() did not compute,
// computed; bit for bit Score(), which sums the same values in the same
// order.
double Finish(const Query& q, const IndexData& index, const SupplierDoc& d,
              Evaluation* e) {
  for (int c = 0; c < kComponentCount; ++c) {
    if (q.weight[c] == 0) {
      e->part[c] = 0;
    } else if (!e->exact[c]) {
      e->part[c] = ComponentAt(c).value(q, index, d, nullptr);
    }
  }
  return Combine(q, e->part);
}

// The postings read per list to choose seeds.
constexpr size_t kSeedPostings = size_t{1} << 14;

// Suppliers likely to be among the best, scored before the others so that
// the k-th of their scores is a floor: from the postings of the tender's
// codes (at their own depth), of its buyer, of its concepts' divisions
// (concept weight 1/2 or more) and of its rarest term, the best by what
// the list, the place and the size promise (at most kSeedPostings of a
// list, in supplier order, are weighed).
std::vector<uint32_t> Seeds(const Query& q, const IndexData& index,
                            const PlaceAndSize& place_size, int beyond_k) {
  const size_t wanted = static_cast<size_t>(q.top_k) + beyond_k;
  const double* w = q.weight;
  auto rest = [&](uint32_t doc) {
    return w[kProximity] * place_size.ProximityOf(doc) +
           w[kSize] * place_size.SizeFitOf(doc);
  };
  const auto more = [](const std::pair<double, uint32_t>& a,
                       const std::pair<double, uint32_t>& b) {
    return a.first > b.first;
  };
  std::vector<std::pair<double, uint32_t>> seeds;
  // The best `wanted` of the list so far, a heap whose front is the least
  // promising: a posting that does not beat it costs one comparison, where
  // selecting from every posting weighed cost as much as weighing them (a
  // concept division has thousands at its top band).
  std::vector<std::pair<double, uint32_t>> best;
  size_t weighed = 0;
  auto keep = [&] {
    seeds.insert(seeds.end(), best.begin(), best.end());
    best.clear();
    weighed = 0;
  };
  // Weighs a posting of the list; false once kSeedPostings are weighed, so
  // that the rest of a long list is not scanned for nothing.
  auto weigh = [&](uint32_t doc, double promise) {
    const std::pair<double, uint32_t> p(promise + rest(doc), doc);
    if (best.size() < wanted) {
      best.push_back(p);
      std::push_heap(best.begin(), best.end(), more);
    } else if (wanted > 0 && more(p, best.front())) {
      std::pop_heap(best.begin(), best.end(), more);
      best.back() = p;
      std::push_heap(best.begin(), best.end(), more);
    }
    return ++weighed < kSeedPostings;
  };
  const double code_share = (w[kCpv] + w[kTrack] + w[kConcepts]) /
                            std::max(q.code_weight_sum, 1e-300);
  for (const QueryCode& qc : q.codes) {
    for (uint32_t doc : index.CpvPostings(qc.code)) {
      if (!weigh(doc, code_share * qc.weight)) break;
    }
    keep();
  }
  if (w[kBuyerAffinity] > 0 && !q.buyer_key.empty()) {
    for (uint32_t doc : index.BuyerPostings(BuyerPostingKey(q.buyer_key))) {
      if (!weigh(doc, w[kBuyerAffinity])) break;
    }
    keep();
  }
  if (w[kConcepts] > 0) {
    for (const ConceptDivision& d : ConceptDivisions(q, false, false)) {
      for (const auto& [doc, cw] : index.ConceptPostings(d.code).postings) {
        if (cw >= kConceptBandEdges[kConceptBands - 1] &&
            !weigh(doc, w[kConcepts] * d.weight * cw / q.concept_weight_sum)) {
          break;
        }
      }
      keep();
    }
  }
  if (w[kText] > 0 && HasText(q)) {
    const QueryTerm& rarest =
        *std::max_element(q.terms.begin(), q.terms.end(),
                          [](const QueryTerm& a, const QueryTerm& b) {
                            return a.weight < b.weight;
                          });
    for (const auto& [doc, tf] : index.TermPostings(rarest.id)) {
      if (!weigh(doc, w[kText] * rarest.weight / q.text_max)) break;
    }
    keep();
  }
  // Each supplier once, at its best promise.
  std::sort(seeds.begin(), seeds.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second < b.second : a.first > b.first;
  });
  seeds.erase(std::unique(seeds.begin(), seeds.end(),
                          [](const auto& a, const auto& b) {
                            return a.second == b.second;
                          }),
              seeds.end());
  if (seeds.size() > wanted) {
    std::nth_element(seeds.begin(), seeds.begin() + wanted, seeds.end(), more);
    seeds.resize(wanted);
  }
  std::vector<uint32_t> docs;
  docs.reserve(seeds.size());
  for (const auto& s : seeds) docs.push_back(s.second);
  return docs;
}

}  // namespace

Retrieved ScoreEveryone(const Query& q, const IndexData& index) {
  Retrieved out;
  TopK top(q.top_k, q.min_score);
  for (int doc = 0; doc < index.size(); ++doc) {
    const SupplierDoc& d = index.doc(doc);
    if (!Eligible(q, d, nullptr)) {
      ++out.excluded;
      continue;
    }
    double value[kComponentCount];
    top.Offer(
        {Score(q, index, d, value), static_cast<uint32_t>(doc), TieKey(d)});
    ++out.scored;
  }
  out.candidates = index.size();
  out.top = std::move(top).Take();
  return out;
}

Retrieved RetrieveTopK(const Query& q, const IndexData& index) {
  return RetrieveTopKWith(q, index, RetrievalTuning());
}

Retrieved RetrieveTopKWith(const Query& q, const IndexData& index,
                           const RetrievalTuning& tuning) {
  Retrieved out;
  TopK top(q.top_k, q.min_score);
  auto consider = [&](uint32_t doc, Evaluation* e) {
    const SupplierDoc& d = index.doc(doc);
    if (!Eligible(q, d, nullptr)) {
      ++out.excluded;
      return;
    }
    top.Offer({Finish(q, index, d, e), doc, TieKey(d)});
    ++out.scored;
  };
  // The seeds first: any k real scores are at most the k-th best, so the
  // k-th of theirs is a floor below which no supplier is looked at.
  const PlaceAndSize place_size(q, index);
  const std::vector<uint32_t> seeds =
      tuning.seeds_beyond_k >= 0
          ? Seeds(q, index, place_size, tuning.seeds_beyond_k)
          : std::vector<uint32_t>();
  for (uint32_t doc : seeds) {
    const SupplierDoc& d = index.doc(doc);
    if (!Eligible(q, d, nullptr)) {
      ++out.excluded;
      continue;
    }
    double value[kComponentCount];
    top.Offer({Score(q, index, d, value), doc, TieKey(d)});
    ++out.scored;
  }
  Bounds bounds(q, index, place_size,
                top.full() ? top.threshold() : Bounds::kNoFloor, tuning);
  for (uint32_t doc : seeds) bounds.MarkSeed(doc);
  out.seeds = static_cast<int64_t>(seeds.size());
  out.non_essential = bounds.non_essential();
  // Candidates by decreasing cheap bound: the loop stops at the first cheap
  // bound below the k-th score, and skips a candidate whose bound,
  // tightened, falls below it. Most are never reached, so they are put in
  // order a slice at a time, the best first (each slice selected from the
  // rest, then sorted), the slices growing fourfold; when the terms left
  // unread are read late, the candidates left are bounded again and
  // ordered from the first slice.
  std::vector<Ranked> bounded;
  bounded.reserve(bounds.size());
  Evaluation e;
  const double floor = top.full() ? top.threshold() : q.min_score;
  for (int doc = 0; doc < bounds.size(); ++doc) {
    if (bounds.is_candidate(doc) && bounds.admitted(doc)) {
      ++out.candidates;
      if (!bounds.Reaches(doc)) {
        ++out.passed_over;
        continue;
      }
      const double bound = bounds.Cheap(doc, &e);
      if (bound >= floor)
        bounded.push_back({bound, static_cast<uint32_t>(doc)});
    }
  }
  // The terms the probing split left unread loosen every bound, and a
  // loose bound is tightened at the cost of many postings read. Which of
  // the two costs less is known only as candidates are tightened, so the
  // terms are read once the tightenings they may have caused (those of
  // candidates within their ceiling of the k-th score) have cost as much as
  // reading them would (ski rental: at most about twice the cheaper
  // choice); the candidates left are then bounded again.
  int64_t deferred =
      tuning.tightening_steps >= 0 ? bounds.deferred_postings() : int64_t{0};
  double rent = 0;  // In postings read.
  bool done = false;
  for (size_t begin = 0, slice = kFirstSlice;
       !done && begin < bounded.size();) {
    bool bounded_again = false;
    const auto first = bounded.begin() + begin;
    const auto last = bounded.begin() + std::min(bounded.size(), begin + slice);
    std::nth_element(first, last - 1, bounded.end(), kBetter);
    std::sort(first, last, kBetter);
    for (auto b = first; b != last; ++b) {
      // The candidates' records are far apart in memory: each is loaded
      // a few candidates ahead, in three steps (IndexData::PrefetchEntry).
      if (const ptrdiff_t ahead = tuning.prefetch_distance; ahead > 0) {
        const ptrdiff_t left = last - b;
        if (left > 3 * ahead) index.PrefetchEntry((b + 3 * ahead)->doc);
        if (left > 2 * ahead) index.PrefetchDoc((b + 2 * ahead)->doc);
        if (left > ahead) index.PrefetchBlocks((b + ahead)->doc);
      }
      // No later candidate can be listed: below the minimum or the k-th.
      if (b->score <= q.min_score ||
          (top.full() && b->score < top.threshold())) {
        done = true;
        break;
      }
      if (deferred > 0 && top.full() &&
          b->score - bounds.deferred_ceiling() < top.threshold()) {
        rent += tuning.tightening_steps;
        if (rent >= static_cast<double>(deferred) ||
            tuning.tightening_steps == 0) {
          out.read_late = deferred;
          deferred = 0;
          bounds.ReadDeferred();
          // The rest bounded again, and put in order from the start.
          std::vector<Ranked> rest;
          for (auto r = b; r != bounded.end(); ++r) {
            const double bound = bounds.Cheap(r->doc, &e);
            if (bound > q.min_score && bound >= top.threshold()) {
              rest.push_back({bound, r->doc});
            }
          }
          bounded.swap(rest);
          bounded_again = true;
          break;
        }
      }
      bounds.Cheap(b->doc, &e);
      if (top.full()) {
        ++out.tightened;
        if (!bounds.Tighten(b->doc, top.threshold(), &e)) continue;
      }
      consider(b->doc, &e);
    }
    if (bounded_again) {
      begin = 0;
      slice = kFirstSlice;
    } else {
      begin += slice;
      slice *= 4;
    }
  }
  // Without a floor, the non-candidates, each bounded by its own place and
  // size when the most any of them can score reaches the k-th.
  if (!bounds.floored() && bounds.Rest() > q.min_score &&
      (!top.full() || bounds.Rest() >= top.threshold())) {
    for (int doc = 0; doc < bounds.size(); ++doc) {
      if (bounds.is_candidate(doc) || bounds.is_seed(doc) ||
          !bounds.admitted(doc)) {
        continue;
      }
      const double bound = bounds.Cheap(doc, &e);
      if (bound <= q.min_score || (top.full() && bound < top.threshold())) {
        continue;
      }
      consider(doc, &e);
    }
  }
  out.probed = bounds.probed();
  out.postings_read = bounds.postings_read();
  out.top = std::move(top).Take();
  return out;
}

int ReadAheadFor(const RetrievalTuning& tuning, int suppliers) {
  int ahead = tuning.read_ahead;
  if (ahead < 0) {
    ahead = suppliers >= RetrievalTuning::kReadAheadFrom
                ? RetrievalTuning::kReadAhead
                : 0;
  }
  return std::min(ahead, RetrievalTuning::kMaxReadAhead);
}

int64_t RankOf(const Query& q, const IndexData& index, Ranked target) {
  // Floored at the target's score: a supplier whose bound is below it
  // scores below it; one whose bound reaches it is evaluated and scored.
  const PlaceAndSize place_size(q, index);
  Bounds bounds(q, index, place_size,
                target.score > 0 ? target.score : Bounds::kNoFloor,
                RetrievalTuning());
  int64_t better = 0;
  const bool rest = !bounds.floored() && bounds.Rest() >= target.score;
  Evaluation e;
  for (int doc = 0; doc < bounds.size(); ++doc) {
    const uint32_t d = static_cast<uint32_t>(doc);
    if (d == target.doc || !bounds.admitted(d)) continue;
    if (!bounds.is_candidate(d) && !rest) continue;
    if (!bounds.Reaches(d) || bounds.Cheap(d, &e) < target.score ||
        !bounds.Tighten(d, target.score, &e)) {
      continue;
    }
    const SupplierDoc& s = index.doc(doc);
    if (!Eligible(q, s, nullptr)) continue;
    if (Better({Finish(q, index, s, &e), d, TieKey(s)}, target)) ++better;
  }
  return better + 1;
}

}  // namespace internal
}  // namespace procmatch
