#include "procmatch/internal/retrieval.h"

#include <algorithm>
#include <utility>

#include "procmatch/internal/components.h"
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
// them (text: unless a translation reaches the supplier, Tighten()).
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

// The tender's concept divisions with the sum of their concepts' weights,
// in order of first appearance.
std::vector<std::pair<CpvCode, double>> ConceptDivisions(const Query& q) {
  std::vector<std::pair<CpvCode, double>> out;
  for (const QueryConcept& qc : q.concepts) {
    const CpvCode division = qc.code.Truncated(2);
    auto it = std::find_if(out.begin(), out.end(),
                           [&](const auto& d) { return d.first == division; });
    if (it == out.end()) {
      out.emplace_back(division, qc.weight);
    } else {
      it->second += qc.weight;
    }
  }
  return out;
}

// A ceiling summed in another order than the value it bounds may round
// below it, by at most a few units in the last place of each term (a
// relative 1e-13 for a thousand terms): raised by this factor, it cannot.
constexpr double kRoundingMargin = 1 + 1e-9;

// Candidates put in order before the first look at the k-th score.
constexpr size_t kFirstSlice = 256;

// What retrieval knows of every supplier from the postings alone, for one
// query: who is a candidate, who may pass the mandatory certification rules,
// the exact BM25 sums and the CPV ceilings.
class Bounds {
 public:
  Bounds(const Query& q, const IndexData& index) : q_(q), index_(index) {
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
    // Candidates: suppliers in the postings of a weighted component.
    // Postings that only feed a component without weight make none: such a
    // supplier scores like any non-candidate.
    is_candidate_.assign(n, 0);
    bool cpv_posted = false, cpv_ceiling = false;
    for (int c = 0; c < kComponentCount; ++c) {
      if (q.weight[c] == 0) continue;
      const ComponentSpec& spec = ComponentAt(c);
      rest_value_[c] = spec.candidates == CandidatePostings::kNone ? 1 : 0;
      cpv_ceiling = cpv_ceiling ||
                    spec.cheap_bound == CheapBound::kCpvCeiling ||
                    spec.cheap_bound == CheapBound::kOneIfCpvRelated;
      switch (spec.candidates) {
        case CandidatePostings::kNone:
          break;
        case CandidatePostings::kCpvDivision:
          if (cpv_posted) break;
          cpv_posted = true;
          for (const QueryCode& qc : q.codes) {
            for (uint32_t doc : index.CpvPostings(qc.code.Truncated(2))) {
              is_candidate_[doc] = 1;
            }
          }
          break;
        case CandidatePostings::kTerms:
          // Text relevance is accumulated here, term at a time: exact for
          // the tender's own words; for its translations, a ceiling, the
          // sum over every translation where the value takes the best.
          if (HasText(q)) {
            text_raw_.assign(n, 0.0);
            for (const QueryTerm& t : q.terms) {
              for (const auto& [doc, tf] : index.TermPostings(t.id)) {
                is_candidate_[doc] = 1;
                text_raw_[doc] +=
                    Bm25Part(t, tf, Bm25Norm(index, index.length(doc)));
              }
            }
          }
          if (!q.translations.empty()) translated_ceiling_.assign(n, 0.0);
          for (const QueryTranslation& t : q.translations) {
            for (const QueryTerm& term : t.terms) {
              for (const auto& [doc, tf] : index.TermPostings(term.id)) {
                is_candidate_[doc] = 1;
                translated_ceiling_[doc] += TranslatedPart(
                    t, Bm25Part(term, tf, Bm25Norm(index, index.length(doc))));
              }
            }
          }
          break;
        case CandidatePostings::kTags:
          for (const std::string& tag : q.wanted_tags) {
            for (uint32_t doc : index.TagPostings(tag)) is_candidate_[doc] = 1;
          }
          break;
        case CandidatePostings::kConceptDivision:
          // The ceiling is accumulated here, division at a time: each
          // tender concept earns at most its weight times the supplier's
          // largest concept weight in its division (credit <= 1, 0 across
          // divisions), so a division's postings are read once, for the
          // sum of its concepts' weights. Cheap() adds kRoundingMargin.
          concept_ceiling_.assign(n, 0.0);
          for (const auto& [division, weight] : ConceptDivisions(q)) {
            for (const auto& [doc, w] : index.ConceptPostings(division)) {
              is_candidate_[doc] = 1;
              concept_ceiling_[doc] += weight * static_cast<double>(w);
            }
          }
          break;
        case CandidatePostings::kBuyer:
          buyer_posted_.assign(n, 0);
          for (const std::string& key :
               {BuyerPostingKey(q.buyer_key), q.buyer_activity_key}) {
            if (key.empty()) continue;
            for (uint32_t doc : index.BuyerPostings(key)) {
              is_candidate_[doc] = 1;
              buyer_posted_[doc] = 1;
            }
          }
          break;
      }
    }
    if (cpv_ceiling) ComputeCpvCeilings();
    for (int c = 0; c < kComponentCount; ++c) {
      cheap_[c] = ComponentAt(c).cheap_bound;
      posted_[c] = ComponentAt(c).candidates != CandidatePostings::kNone;
      if (q.weight[c] != 0) weighted_[weighted_count_++] = c;
    }
    currency_ = HasValue(q) ? index.CurrencyId(q.value_currency)
                            : IndexData::kNoCurrency;
    // Proximity once per place the suppliers are in, not per supplier.
    if (q.weight[kProximity] > 0) {
      for (NutsCode location : index.locations()) {
        proximity_.push_back(Proximity(q, location));
      }
    }
  }

  bool admitted(uint32_t doc) const {
    return may_pass_.empty() || may_pass_[doc];
  }
  bool is_candidate(uint32_t doc) const { return is_candidate_[doc]; }
  int size() const { return static_cast<int>(is_candidate_.size()); }

  // From the postings and the index's bound arrays alone, without touching
  // the supplier's SupplierDoc; fills `e` with the bound of each component.
  // A non-candidate gets 0 for the components with candidate postings.
  double Cheap(uint32_t doc, Evaluation* e) const {
    double* bound = e->part;
    const bool candidate = is_candidate_[doc];
    std::fill(bound, bound + kComponentCount, 0.0);
    std::fill(e->exact, e->exact + kComponentCount, false);
    for (int i = 0; i < weighted_count_; ++i) {
      const int c = weighted_[i];
      if (!candidate && posted_[c]) continue;
      switch (cheap_[c]) {
        case CheapBound::kOne:
          bound[c] = 1;
          break;
        case CheapBound::kCpvCeiling:
          bound[c] = cpv_ceiling_[doc] / std::max(q_.code_weight_sum, 1e-300);
          break;
        case CheapBound::kAccumulatedText:
          bound[c] = std::max(Text(doc), TranslatedCeiling(doc));
          break;
        case CheapBound::kOneIfCpvRelated:
          bound[c] = cpv_ceiling_[doc] > 0 ? 1.0 : 0.0;
          break;
        case CheapBound::kConceptCeiling:
          bound[c] =
              concept_ceiling_[doc] / q_.concept_weight_sum * kRoundingMargin;
          break;
        case CheapBound::kOneIfBuyerPosted:
          bound[c] = buyer_posted_[doc];
          break;
        case CheapBound::kExactProximity:
          bound[c] = proximity_[index_.location_id(doc)];
          break;
        case CheapBound::kExactSizeFit:
          bound[c] = currency_ != IndexData::kNoCurrency &&
                             index_.turnover_currency(doc) == currency_
                         ? SizeFit(q_, index_.turnover(doc))
                         : 0;
          break;
      }
    }
    return Combine(q_, bound);
  }

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
          (IsExact(spec.cheap_bound) &&
           (c != kText || TranslatedCeiling(doc) == 0))) {
        continue;
      }
      e->part[c] = spec.value(q_, index_, d, nullptr);
      e->exact[c] = true;
      if (Combine(q_, e->part) < threshold) return false;
    }
    return true;
  }

  // The most a non-candidate can score: only components without candidate
  // postings (requirements, size, place) can be above 0 for it.
  double Rest() const { return Combine(q_, rest_value_); }

 private:
  double Text(uint32_t doc) const {
    return text_raw_.empty() ? 0 : text_raw_[doc] / q_.text_max;
  }
  // 0 when no translation reaches the supplier: its text bound is exact.
  double TranslatedCeiling(uint32_t doc) const {
    return translated_ceiling_.empty()
               ? 0
               : translated_ceiling_[doc] * kRoundingMargin;
  }

  // For each tender code, the deepest level whose postings hold a supplier
  // caps what any of its codes can earn: 1 for the code itself, 0.8 above
  // it (every other case earns less), times the rarity of the shared code.
  void ComputeCpvCeilings() {
    const int n = size();
    cpv_ceiling_.assign(n, 0.0);
    std::vector<uint8_t> level(n, 0);
    std::vector<uint32_t> touched;
    for (const QueryCode& qc : q_.codes) {
      const int depth = qc.code.depth();
      double ceiling[9] = {};
      for (int d = 2; d <= depth; ++d) {
        ceiling[d] =
            std::max(ceiling[d - 1], (d == depth ? 1.0 : 0.8) * qc.rarity[d]);
      }
      // Deeper postings are subsets of shallower ones: the last write is
      // the deepest level.
      for (int d = 2; d <= depth; ++d) {
        for (uint32_t doc : index_.CpvPostings(qc.code.Truncated(d))) {
          if (level[doc] == 0) touched.push_back(doc);
          level[doc] = static_cast<uint8_t>(d);
        }
      }
      for (uint32_t doc : touched) {
        cpv_ceiling_[doc] += qc.weight * ceiling[level[doc]];
        level[doc] = 0;
      }
      touched.clear();
    }
  }

  const Query& q_;
  const IndexData& index_;
  std::vector<char> may_pass_;  // Empty: everyone may pass.
  std::vector<char> is_candidate_;
  std::vector<double> text_raw_;            // Empty without weighted text.
  std::vector<double> translated_ceiling_;  // Empty without translations.
  std::vector<double> cpv_ceiling_;         // Empty without weighted CPV.
  std::vector<double> concept_ceiling_;     // Empty without weighted concepts.
  std::vector<char> buyer_posted_;  // Empty without weighted buyer affinity.
  double rest_value_[kComponentCount] = {};
  CheapBound cheap_[kComponentCount];  // From the table, looked up once.
  bool posted_[kComponentCount];       // Has candidate postings.
  int weighted_[kComponentCount];      // The components with weight, ...
  int weighted_count_ = 0;             // ... in order.
  int32_t currency_;                   // The tender value's, or none.
  std::vector<double> proximity_;      // By location id, when weighted.
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
  const Bounds bounds(q, index);
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
  // Candidates by decreasing cheap bound: the loop stops at the first cheap
  // bound below the k-th score, and skips a candidate whose bound,
  // tightened, falls below it. Most are never reached, so they are put in
  // order a slice at a time, the best first (each slice selected from the
  // rest, then sorted), the slices growing fourfold.
  std::vector<Ranked> bounded;
  bounded.reserve(bounds.size());
  Evaluation e;
  for (int doc = 0; doc < bounds.size(); ++doc) {
    if (bounds.is_candidate(doc) && bounds.admitted(doc)) {
      bounded.push_back({bounds.Cheap(doc, &e), static_cast<uint32_t>(doc)});
    }
  }
  out.candidates = static_cast<int64_t>(bounded.size());
  bool done = false;
  for (size_t begin = 0, slice = kFirstSlice; !done && begin < bounded.size();
       begin += slice, slice *= 4) {
    const auto first = bounded.begin() + begin;
    const auto last = bounded.begin() + std::min(bounded.size(), begin + slice);
    std::nth_element(first, last - 1, bounded.end(), kBetter);
    std::sort(first, last, kBetter);
    for (auto b = first; b != last; ++b) {
      // No later candidate can be listed: below the minimum or the k-th.
      if (b->score <= q.min_score ||
          (top.full() && b->score < top.threshold())) {
        done = true;
        break;
      }
      bounds.Cheap(b->doc, &e);
      if (top.full() && !bounds.Tighten(b->doc, top.threshold(), &e)) {
        continue;
      }
      consider(b->doc, &e);
    }
  }
  // Non-candidates, each bounded by its own place and size when the most
  // any of them can score reaches the k-th.
  if (bounds.Rest() > q.min_score &&
      (!top.full() || bounds.Rest() >= top.threshold())) {
    for (int doc = 0; doc < bounds.size(); ++doc) {
      if (bounds.is_candidate(doc) || !bounds.admitted(doc)) continue;
      const double bound = bounds.Cheap(doc, &e);
      if (bound <= q.min_score || (top.full() && bound < top.threshold())) {
        continue;
      }
      consider(doc, &e);
    }
  }
  out.top = std::move(top).Take();
  return out;
}

int64_t RankOf(const Query& q, const IndexData& index, Ranked target) {
  const Bounds bounds(q, index);
  // A supplier whose bound is below the target's score scores below it;
  // one whose bound reaches it is evaluated and scored.
  int64_t better = 0;
  const bool rest = bounds.Rest() >= target.score;
  Evaluation e;
  for (int doc = 0; doc < bounds.size(); ++doc) {
    const uint32_t d = static_cast<uint32_t>(doc);
    if (d == target.doc || !bounds.admitted(d)) continue;
    if (!bounds.is_candidate(d) && !rest) continue;
    if (bounds.Cheap(d, &e) < target.score ||
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
