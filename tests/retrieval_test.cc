// Retrieval against its brute-force twin: RetrieveTopK, with seeds and a
// floor, and with query lists left unread (MaxScore), returns exactly what
// ScoreEveryone returns; RankOf equals counting everyone better.
#include "procmatch/internal/retrieval.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/descriptor.h"
#include "gtest/gtest.h"
#include "procmatch/internal/components.h"
#include "procmatch/internal/evidence.h"
#include "procmatch/internal/index_data.h"
#include "procmatch/internal/query.h"
#include "procmatch/supplier_index.h"
#include "procmatch/validation.h"
#include "tests/random_corpus.h"

namespace procmatch {
namespace internal {
namespace {

std::shared_ptr<const SupplierIndex> BuildIndex(int suppliers, uint32_t seed) {
  SupplierIndex::Builder builder;
  for (const auto& s : testing::RandomSuppliers(suppliers, seed)) {
    absl::Status added = builder.Add(s);
    EXPECT_TRUE(added.ok()) << added;
  }
  auto index = std::move(builder).Build();
  EXPECT_TRUE(index.ok()) << index.status();
  return *index;
}

// Every weight random, each zero a third of the time.
void RandomWeights(std::mt19937* rng, v1::MatchRequest* request) {
  v1::ScoreWeights& w = *request->mutable_options()->mutable_weights();
  const google::protobuf::Descriptor* fields = w.GetDescriptor();
  for (int f = 0; f < fields->field_count(); ++f) {
    const double weight =
        (*rng)() % 3 == 0 ? 0.0 : std::uniform_real_distribution<>(0, 1)(*rng);
    w.GetReflection()->SetDouble(&w, fields->field(f), weight);
  }
}

// Every weight set to 0 (none left at its default), for a test to set the
// few it weighs; returns the weights.
v1::ScoreWeights& ZeroWeights(v1::MatchRequest* request) {
  v1::ScoreWeights& w = *request->mutable_options()->mutable_weights();
  const google::protobuf::Descriptor* fields = w.GetDescriptor();
  for (int f = 0; f < fields->field_count(); ++f) {
    w.GetReflection()->SetDouble(&w, fields->field(f), 0);
  }
  return w;
}

// The top k in order, as comparable text: ids, scores to the bit, ties.
std::string Listing(Retrieved r) {
  std::sort(r.top.begin(), r.top.end(), Better);
  std::string s;
  for (const Ranked& x : r.top) {
    absl::StrAppend(&s, x.doc, " ", absl::StrFormat("%a", x.score), " ",
                    x.contracts, "\n");
  }
  return s;
}

class RetrievalOracleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    index_ = BuildIndex(4000, 91);
    requests_ = testing::RandomRequests(120, 92);
    std::mt19937 rng(93);
    // Default weights for the first third, random for the rest.
    for (size_t i = requests_.size() / 3; i < requests_.size(); ++i) {
      RandomWeights(&rng, &requests_[i]);
    }
  }

  std::unique_ptr<Query> Prepare(const v1::MatchRequest& request, int k) {
    auto q = PrepareQuery(request, IndexAccess::Data(*index_), validator_);
    EXPECT_TRUE(q.ok()) << q.status();
    if (!q.ok()) return nullptr;
    (*q)->top_k = k;
    return *std::move(q);
  }

  const IndexData& data() const { return IndexAccess::Data(*index_); }

  std::shared_ptr<const SupplierIndex> index_;
  std::vector<v1::MatchRequest> requests_;
  Validator validator_;
};

// Seeds and floor on or off, no list to every list left unread, long lists
// looked up rather than read (by default, and always with several slacks), the
// tight ceilings (CPV levels, offered ancestors, contracts) or the loose ones,
// candidates passed over on their summed bound or each bounded component by
// component, concepts bounded by the credit of the depth they share with the
// tender's or by 1: the same top k as scoring everyone, for k from 1 to more
// than the corpus.
TEST_F(RetrievalOracleTest, EveryTuningEqualsScoringEveryone) {
  const int ks[] = {1, 3, 10, 40, 5000};
  RetrievalTuning no_seeds;
  no_seeds.seeds_beyond_k = -1;
  no_seeds.non_essential_share = 0;
  RetrievalTuning some;
  some.seeds_beyond_k = 0;
  some.non_essential_share = 0.05;
  RetrievalTuning all;
  all.non_essential_share = 1;
  RetrievalTuning loose;
  loose.tight_ceilings = false;
  RetrievalTuning any_tender;
  any_tender.contract_ceilings_by_tender = false;
  RetrievalTuning any_date;
  any_date.contract_recency = false;
  RetrievalTuning any_offered;
  any_offered.offered_divisions = false;
  RetrievalTuning unsigned_concepts;
  unsigned_concepts.concept_signatures = false;
  RetrievalTuning unsummed;
  unsummed.summed_bound = false;
  RetrievalTuning credit_one;
  credit_one.concept_credit_ceiling = false;
  RetrievalTuning unprobed;
  unprobed.probe_slack = -1;
  // Probing kept whatever it costs: as many lists as fit, few, and beside
  // lists left unread by their ceilings.
  RetrievalTuning probe_most;
  probe_most.probe_slack = 0;
  probe_most.probe_lookup_steps = 0;
  RetrievalTuning probe_few;
  probe_few.probe_slack = 0.5;
  probe_few.probe_lookup_steps = 0;
  RetrievalTuning probe_shared;
  probe_shared.non_essential_share = 0.05;
  probe_shared.probe_slack = 0;
  probe_shared.probe_lookup_steps = 0;
  // Records prefetched one candidate ahead, further than any slice, and
  // not at all: the guards at a slice's end (run under ASan by the fuzz
  // configuration).
  RetrievalTuning prefetch_near;
  prefetch_near.prefetch_distance = 1;
  RetrievalTuning prefetch_far;
  prefetch_far.prefetch_distance = 1000;
  RetrievalTuning unprefetched;
  unprefetched.prefetch_distance = 0;
  // The split all or none, as before it was chosen list by list, and list
  // by list with lookups counted cheap (longer prefixes than the default).
  RetrievalTuning all_or_none;
  all_or_none.probes_by_list = false;
  RetrievalTuning cheap_lookups;
  cheap_lookups.probe_lookup_steps = 0.25;
  // Every list that fits (lookups counted free), and at most the first
  // one, two or three of them: prefixes shorter than the estimate chooses.
  RetrievalTuning every_fit;
  every_fit.probe_lookup_steps = 0;
  RetrievalTuning prefix_of[3];
  for (int p = 0; p < 3; ++p) {
    prefix_of[p] = every_fit;
    prefix_of[p].probe_prefix_limit = p + 1;
  }
  // The terms the split leaves unread read after all at the first
  // tightening they may cause, with every list that fits and with the
  // prefixes above (own terms read late then come before some read
  // earlier: the text bound out of query order); and never read.
  RetrievalTuning late_every_fit = every_fit;
  late_every_fit.tightening_steps = 0;
  RetrievalTuning late_prefix_of[2];
  for (int p = 0; p < 2; ++p) {
    late_prefix_of[p] = prefix_of[p];
    late_prefix_of[p].tightening_steps = 0;
  }
  RetrievalTuning never_late = every_fit;
  never_late.tightening_steps = -1;
  // Postings read ahead (the default reads none in an index this small):
  // one, the most (1000, clamped to 64), and the default of large indexes
  // with terms read late (ReadTerm without candidates) and without seeds
  // (every list read whole, many longer than the read-ahead).
  RetrievalTuning read_one_ahead;
  read_one_ahead.read_ahead = 1;
  RetrievalTuning read_most_ahead;
  read_most_ahead.read_ahead = 1000;
  RetrievalTuning late_read_ahead = late_every_fit;
  late_read_ahead.read_ahead = RetrievalTuning::kReadAhead;
  RetrievalTuning no_seeds_read_ahead = no_seeds;
  no_seeds_read_ahead.read_ahead = RetrievalTuning::kReadAhead;
  const RetrievalTuning tunings[] = {RetrievalTuning(),
                                     no_seeds,
                                     some,
                                     all,
                                     loose,
                                     unsummed,
                                     credit_one,
                                     unprobed,
                                     probe_most,
                                     probe_few,
                                     probe_shared,
                                     prefetch_near,
                                     prefetch_far,
                                     unprefetched,
                                     all_or_none,
                                     cheap_lookups,
                                     prefix_of[0],
                                     prefix_of[1],
                                     prefix_of[2],
                                     late_every_fit,
                                     late_prefix_of[0],
                                     late_prefix_of[1],
                                     never_late,
                                     every_fit,
                                     read_one_ahead,
                                     read_most_ahead,
                                     late_read_ahead,
                                     no_seeds_read_ahead,
                                     any_tender,
                                     any_date,
                                     any_offered,
                                     unsigned_concepts};
  // Retrievals where a limited prefix read lists whole that every_fit
  // probed or left unread.
  int shorter_prefix[3] = {};
  // Retrievals where the terms left unread were read after all, by tuning.
  int read_late[3] = {};
  int read_late_ahead = 0;  // By late_read_ahead.
  // Retrievals where they were read after tightenings had been charged
  // (the default charge, with every list that fits).
  int read_after_rent = 0;
  int64_t scored_pruned = 0, scored_everyone = 0, floored = 0, split = 0;
  int64_t candidates = 0, passed_over = 0, tightened = 0;
  int64_t tightened_credit_one = 0, candidates_unprobed = 0;
  int64_t tightened_any_tender = 0, tightened_any_date = 0;
  int64_t tightened_any_offered = 0, tightened_unsigned = 0;
  int64_t probed[3] = {};  // By probing tuning, always kept.
  int compared = 0, listed = 0;
  for (size_t i = 0; i < requests_.size(); ++i) {
    const int k = ks[i % std::size(ks)];
    std::unique_ptr<Query> q = Prepare(requests_[i], k);
    if (q == nullptr) return;
    const Retrieved everyone = ScoreEveryone(*q, data());
    const std::string expected = Listing(everyone);
    listed += !everyone.top.empty();
    for (size_t t = 0; t < std::size(tunings); ++t) {
      const Retrieved pruned = RetrieveTopKWith(*q, data(), tunings[t]);
      ASSERT_EQ(Listing(pruned), expected)
          << "request " << i << " k " << k << " tuning " << t << "\n"
          << requests_[i].options().DebugString();
      ++compared;
      if (t == 0) {
        scored_pruned += pruned.scored;
        scored_everyone += everyone.scored;
        floored += pruned.seeds > 0 && pruned.candidates < data().size();
        candidates += pruned.candidates;
        passed_over += pruned.passed_over;
        tightened += pruned.tightened;
      }
      if (t >= 8 && t < 11) probed[t - 8] += pruned.probed;
      if (t >= 19 && t < 22) read_late[t - 19] += pruned.read_late > 0;
      if (t == 22) EXPECT_EQ(pruned.read_late, 0);
      if (t == 23) read_after_rent += pruned.read_late > 0;
      if (t == 26) read_late_ahead += pruned.read_late > 0;
      if (t >= 16 && t < 19) {
        shorter_prefix[t - 16] +=
            pruned.postings_read >
            RetrieveTopKWith(*q, data(), every_fit).postings_read;
      }
      if (t == 7) {
        EXPECT_EQ(pruned.probed, 0);
        candidates_unprobed += pruned.candidates;
      }
      if (t == 6) tightened_credit_one += pruned.tightened;
      if (t == 28) tightened_any_tender += pruned.tightened;
      if (t == 29) tightened_any_date += pruned.tightened;
      if (t == 30) tightened_any_offered += pruned.tightened;
      if (t == 31) tightened_unsigned += pruned.tightened;
      if (t == 5) EXPECT_EQ(pruned.passed_over, 0);
      if (t == 3) split += pruned.non_essential > 0;
    }
  }
  EXPECT_EQ(compared, static_cast<int>(std::size(tunings) * requests_.size()));
  // Meaningful only if queries list suppliers, if the seeds' floor leaves
  // suppliers unbounded, and if lists are left unread.
  EXPECT_GT(listed, 100);
  EXPECT_GT(floored, 20);
  EXPECT_GT(split, 20);
  EXPECT_LT(scored_pruned, scored_everyone / 4);
  // The summed bound passes over many candidates without Cheap().
  EXPECT_GT(passed_over, candidates / 3);
  // Concepts bounded by their credit leave fewer candidates to tighten than
  // concepts at credit 1.
  EXPECT_LT(tightened, tightened_credit_one * 0.8)
      << tightened << " against " << tightened_credit_one;
  // And by the prefixes their concepts mark, fewer than by their groups
  // alone.
  EXPECT_LT(tightened, tightened_unsigned)
      << tightened << " against " << tightened_unsigned;
  // So do the contract ceilings made the tender's, and each of their parts:
  // CPV credit bounded by the offered codes' divisions, and the contract
  // components by the contracts' age (in this corpus the tenders are dated
  // after many contracts: 38k tightenings against 46k without it).
  EXPECT_LT(tightened, tightened_any_tender)
      << tightened << " against " << tightened_any_tender;
  EXPECT_LT(tightened, tightened_any_date)
      << tightened << " against " << tightened_any_date;
  EXPECT_LT(tightened, tightened_any_offered)
      << tightened << " against " << tightened_any_offered;
  // Every probing tuning looked suppliers up, and long lists looked up
  // rather than read leave fewer candidates.
  for (int64_t p : probed) EXPECT_GT(p, 1000);
  // The limited prefixes were shorter than every list that fits often
  // enough to test them.
  for (int s : shorter_prefix) EXPECT_GT(s, 20);
  // Terms read late with every list that fits, with short prefixes (which
  // leave terms unread less often: the longest lists are mostly CPV's),
  // and after a charge.
  EXPECT_GT(read_late[0], 20);
  EXPECT_GT(read_late[1] + read_late[2], 10);
  EXPECT_GT(read_after_rent, 5);
  EXPECT_GT(read_late_ahead, 20);
  EXPECT_LT(candidates, candidates_unprobed)
      << candidates << " against " << candidates_unprobed;
}

// Reading ahead is on by default from 2^18 suppliers, and never more than
// the ring holds.
TEST(ReadAheadTest, DefaultBySizeAndClamped) {
  const RetrievalTuning by_size;
  EXPECT_EQ(ReadAheadFor(by_size, 0), 0);
  EXPECT_EQ(ReadAheadFor(by_size, RetrievalTuning::kReadAheadFrom - 1), 0);
  EXPECT_EQ(ReadAheadFor(by_size, RetrievalTuning::kReadAheadFrom),
            RetrievalTuning::kReadAhead);
  EXPECT_EQ(ReadAheadFor(by_size, 1000000), RetrievalTuning::kReadAhead);
  RetrievalTuning set;
  set.read_ahead = -5;
  EXPECT_EQ(ReadAheadFor(set, 1000000), RetrievalTuning::kReadAhead);
  set.read_ahead = 0;
  EXPECT_EQ(ReadAheadFor(set, 1000000), 0);
  set.read_ahead = 3;
  EXPECT_EQ(ReadAheadFor(set, 10), 3);
  set.read_ahead = 1000;
  EXPECT_EQ(ReadAheadFor(set, 10), RetrievalTuning::kMaxReadAhead);
}

// A division's concept postings against the docs' concepts, counted one by
// one: each supplier with a concept there once, with its largest weight
// there and the marks of all its concepts there; and the count and largest
// weight of each band.
TEST_F(RetrievalOracleTest, ConceptPostingsHoldEachDocsMarksAndBands) {
  std::vector<CpvCode> divisions;
  int64_t postings = 0, several_groups = 0, several_bands = 0;
  for (int d = 0; d < data().size(); ++d) {
    for (const SupplierDoc::ConceptRef& c : data().doc(d).parts.concepts()) {
      if (std::find(divisions.begin(), divisions.end(),
                    c.code().Truncated(2)) == divisions.end()) {
        divisions.push_back(c.code().Truncated(2));
      }
    }
  }
  for (CpvCode division : divisions) {
    const IndexData::ConceptPostingList& list =
        data().ConceptPostings(division);
    ASSERT_EQ(list.marks.size(), list.postings.size());
    size_t p = 0;
    // The bands' counts and largest weights, by their edges 1/8, 1/4, 1/2.
    int64_t band_count[4] = {};
    float band_top[4] = {};
    for (int d = 0; d < data().size(); ++d) {
      float weight = -1;
      uint32_t marks = 0;
      for (const SupplierDoc::ConceptRef& c : data().doc(d).parts.concepts()) {
        if (c.code().Truncated(2) != division) continue;
        weight = std::max(weight, c.weight);
        marks |= IndexData::ConceptMarks(c.code());
      }
      if (weight < 0) continue;
      ASSERT_LT(p, list.postings.size()) << division.ToString();
      EXPECT_EQ(list.postings[p].first, static_cast<uint32_t>(d));
      EXPECT_EQ(list.postings[p].second, weight);
      EXPECT_EQ(list.marks[p], marks) << d << " in " << division.ToString();
      const uint32_t groups = marks & IndexData::kConceptGroupMask;
      several_groups += (groups & (groups - 1)) != 0;
      const int band = weight >= 0.5f     ? 3
                       : weight >= 0.25f  ? 2
                       : weight >= 0.125f ? 1
                                          : 0;
      ++band_count[band];
      band_top[band] = std::max(band_top[band], weight);
      ++p;
    }
    EXPECT_EQ(p, list.postings.size()) << division.ToString();
    int bands = 0;
    for (int b = 0; b < 4; ++b) {
      EXPECT_EQ(list.band_count[b], band_count[b])
          << b << " in " << division.ToString();
      EXPECT_EQ(list.band_top[b], band_top[b])
          << b << " in " << division.ToString();
      bands += band_count[b] > 0;
    }
    several_bands += bands >= 3;
    postings += static_cast<int64_t>(p);
  }
  // Meaningful only if suppliers have concepts in several groups of one
  // division.
  EXPECT_GT(several_groups, postings / 20);
  // And the bands only if some division's postings fall in several.
  EXPECT_GT(several_bands, 0);
}

// The marks of a concept code: its third digit's group, the division's own
// code's bit for a division, and the signature bits of its prefixes four
// digits deep or deeper, or of a group's own code.
TEST(ConceptMarksTest, GroupDivisionCodeAndPrefixes) {
  auto marks = [](uint32_t digits) {
    return IndexData::ConceptMarks(CpvCode::FromDigits(digits));
  };
  auto bit = [](uint32_t digits) {
    return IndexData::ConceptSignatureBit(CpvCode::FromDigits(digits));
  };
  EXPECT_EQ(marks(35613000), (1u << 6) | bit(35610000) | bit(35613000));
  EXPECT_EQ(marks(45900000), (1u << 9) | bit(45900000));
  EXPECT_EQ(marks(45000000), 1u | IndexData::kDivisionCodeBit);
  EXPECT_EQ(marks(45010000), 1u | bit(45010000));
  EXPECT_EQ(marks(35613100),
            (1u << 6) | bit(35610000) | bit(35613000) | bit(35613100));
  // Each signature bit is one bit of the mask, and the hash spreads the
  // taxonomy's codes over all of them.
  const CpvTaxonomy& cpv = CpvTaxonomy::Builtin();
  std::vector<int> by_bit(IndexData::kConceptSignatureBits, 0);
  for (int i = 0; i < cpv.size(); ++i) {
    const uint32_t b = IndexData::ConceptSignatureBit(cpv.CodeAt(i));
    ASSERT_EQ(b & (b - 1), 0u);
    ASSERT_NE(b & IndexData::kConceptSignatureMask, 0u);
    ++by_bit[__builtin_ctz(b) - IndexData::kConceptSignatureShift];
  }
  for (int count : by_bit) {
    EXPECT_GT(count, cpv.size() / IndexData::kConceptSignatureBits / 2);
  }
}

// The brute-force twin of a concept ceiling: the ceiling of a supplier
// concept's marks, alone and with the marks of another concept of the
// division, is at least the credit CreditTable::Best gives it, with and
// without the signature, and reads no mark but the relevant ones. Checked
// for every seventh code of the taxonomy as a tender concept against every
// code of its division, and for every pair of the codes of division 35
// whose other six digits are 0, 1 or 2 (zeros inside a code, ancestors that
// are not codes: no real code has them). And the signature matters: within
// the tender code's group it bounds most real pairs below the group's
// ceiling.
TEST(ConceptCeilingTest, BoundsTheCreditOfEveryCodeOfTheDivision) {
  const CpvTaxonomy& cpv = CpvTaxonomy::Builtin();
  std::mt19937 rng(26);
  int64_t pairs = 0, in_group = 0, narrowed = 0;
  // Checks t against each of `codes` (all of t's division).
  auto check = [&](CpvCode t, const std::vector<CpvCode>& codes) {
    const CreditTable table(cpv, {t});
    const ConceptCeiling signed_ceiling(table, 0, t, /*by_signature=*/true);
    const ConceptCeiling group_ceiling(table, 0, t, /*by_signature=*/false);
    EXPECT_EQ(signed_ceiling.relevant() & ~IndexData::kConceptSignatureMask,
              IndexData::ConceptGroupBit(t) | IndexData::kDivisionCodeBit);
    EXPECT_EQ(signed_ceiling.PrefixMarks().empty(), t.depth() < 4);
    EXPECT_TRUE(group_ceiling.PrefixMarks().empty());
    for (CpvCode s : codes) {
      const SupplierDoc::ConceptRef concept_ref(s, 1.0f);
      const std::vector<SupplierDoc::ConceptRef> supplier = {concept_ref};
      double best = 0;
      uint32_t which = 0;
      table.Best(supplier, &best, &which);
      const uint32_t own = IndexData::ConceptMarks(s);
      const uint32_t other =
          IndexData::ConceptMarks(codes[rng() % codes.size()]);
      for (const ConceptCeiling* c : {&signed_ceiling, &group_ceiling}) {
        ASSERT_GE(c->Of(own), best) << t.ToString() << " " << s.ToString();
        ASSERT_GE(c->Of(own | other), best)
            << t.ToString() << " " << s.ToString();
        ASSERT_EQ(c->Of(own | other), c->Of((own | other) & c->relevant()))
            << t.ToString() << " " << s.ToString();
      }
      ++pairs;
      if (s.Truncated(3) == t.Truncated(3) && t.depth() >= 4 &&
          cpv.Contains(s)) {
        ++in_group;
        narrowed += signed_ceiling.Of(own) < group_ceiling.Of(own);
      }
    }
  };
  std::vector<std::vector<CpvCode>> by_division(100);
  for (int i = 0; i < cpv.size(); ++i) {
    by_division[cpv.CodeAt(i).digits() / 1000000].push_back(cpv.CodeAt(i));
  }
  for (int i = 0; i < cpv.size(); i += 7) {
    check(cpv.CodeAt(i), by_division[cpv.CodeAt(i).digits() / 1000000]);
  }
  const int64_t real_pairs = pairs;
  std::vector<CpvCode> odd;
  for (int x = 0; x < 729; ++x) {
    uint32_t digits = 35, rest = x;
    for (int d = 0; d < 6; ++d, rest /= 3) digits = digits * 10 + rest % 3;
    odd.push_back(CpvCode::FromDigits(digits));
  }
  for (CpvCode t : odd) check(t, odd);
  EXPECT_GT(real_pairs, 100000);
  EXPECT_EQ(pairs - real_pairs, 729 * 729);
  EXPECT_GT(narrowed, in_group / 2) << narrowed << " of " << in_group;
}

// Place and size alone (no postings): the floor leaves whole places
// unvisited, exactly.
TEST_F(RetrievalOracleTest, PlaceAndSizeAloneEqualsScoringEveryone) {
  int64_t candidates = 0, everyone_candidates = 0;
  for (v1::MatchRequest request : requests_) {
    v1::ScoreWeights& w = ZeroWeights(&request);
    w.set_proximity(0.7);
    w.set_size_fit(0.3);
    std::unique_ptr<Query> q = Prepare(request, 10);
    if (q == nullptr) return;
    const Retrieved everyone = ScoreEveryone(*q, data());
    const Retrieved pruned = RetrieveTopK(*q, data());
    ASSERT_EQ(Listing(pruned), Listing(everyone)) << request.DebugString();
    candidates += pruned.candidates;
    everyone_candidates += everyone.candidates;
  }
  EXPECT_LT(candidates, everyone_candidates / 2);
}

// Tenders whose meaning translates into label words the random profiles
// have ("onbemand luchtvaartuig", "radar", "software"), text with buyer
// affinity, place or concepts, with lists left unread up to every share: a
// translation's unread terms add up within it, and the largest translation's
// sum bounds every supplier's (Bounds::AddUnread). The same top k as scoring
// everyone.
TEST_F(RetrievalOracleTest, TranslationsLeftUnreadEqualScoringEveryone) {
  const std::pair<const char*, const char*> kTitles[] = {
      {"de", "Lieferung unbemannter Flugkörper zur Aufklärung"},
      {"en", "Supply of unmanned aerial vehicles and drones"},
      {"de", "Beschaffung von Radargeräten und Anwendungssoftware"},
      {"fr", "Acquisition de drones aériens sans pilote et de radars"},
  };
  const double kShares[] = {0.01, 0.1, 0.3, 1};
  const int ks[] = {1, 3, 10};
  int compared = 0, translated = 0, unread = 0;
  for (size_t i = 0; i < requests_.size(); ++i) {
    v1::MatchRequest request = requests_[i];
    v1::Tender& t = *request.mutable_tender();
    t.set_language(kTitles[i % 4].first);
    t.set_title(kTitles[i % 4].second);
    t.clear_description();
    t.clear_lots();
    request.clear_lot_id();
    // Without codes, the tender means what its words say (query.cc,
    // AddMeaning), and that is what is translated.
    t.clear_main_cpv();
    t.clear_additional_cpv();
    v1::ScoreWeights& w = ZeroWeights(&request);
    // The buyer's suppliers are seeds, so that there is a floor.
    w.set_text(1);
    w.set_buyer_affinity(0.2);
    if (i % 3 == 1) w.set_proximity(0.5);
    if (i % 3 == 2) w.set_concepts(0.3);
    std::unique_ptr<Query> q = Prepare(request, ks[i % std::size(ks)]);
    if (q == nullptr) return;
    translated += !q->translations.empty();
    const std::string expected = Listing(ScoreEveryone(*q, data()));
    for (double share : kShares) {
      for (double slack : {-1.0, 0.0}) {
        RetrievalTuning tuning;
        tuning.non_essential_share = share;
        tuning.probe_slack = slack;
        tuning.probe_lookup_steps = 0;
        const Retrieved pruned = RetrieveTopKWith(*q, data(), tuning);
        ASSERT_EQ(Listing(pruned), expected)
            << "request " << i << " share " << share << " slack " << slack;
        ++compared;
        unread += !q->translations.empty() && pruned.non_essential > 0;
      }
    }
  }
  EXPECT_EQ(compared, static_cast<int>(requests_.size() * 8));
  // Meaningful only if the tenders have translations and lists go unread.
  EXPECT_GT(translated, 80);
  EXPECT_GT(unread, 200);
}

// The per-supplier ceilings the cheap bounds of track record and buyer
// affinity take are never below the values, for any tender, and below 1 for
// suppliers with few contracts (else they would prune nothing); scaled by
// the contracts' recency for the tender, they are still never below them,
// and often closer. Track record and CPV credit are 0 for a supplier with
// no contract, or no offered code, in the tender's divisions.
TEST_F(RetrievalOracleTest, ContractCeilingsBoundTheValues) {
  int checked = 0, below_one = 0, close = 0, closer = 0;
  int unrelated_with_contracts = 0, not_offered_but_contracted = 0;
  for (const v1::MatchRequest& request : requests_) {
    std::unique_ptr<Query> q = Prepare(request, 10);
    if (q == nullptr) return;
    if (q->weight[kTrack] == 0 && q->weight[kBuyerAffinity] == 0) continue;
    for (int d = 0; d < data().size(); ++d) {
      double value[kComponentCount];
      Score(*q, data(), data().doc(d), value);
      const double track = data().track_ceiling(d);
      const double buyer = data().buyer_ceiling(d);
      ASSERT_LE(value[kTrack], track) << "supplier " << d;
      ASSERT_LE(value[kBuyerAffinity], buyer) << "supplier " << d;
      // No track record without a contract in one of the tender's
      // divisions: the bit sets say when there is none.
      uint64_t tender_divisions = 0;
      for (const QueryCode& qc : q->codes) {
        tender_divisions |= IndexData::DivisionBit(qc.code);
      }
      const bool none_related =
          (data().contract_divisions(d) & tender_divisions) == 0;
      if (none_related) {
        ASSERT_EQ(value[kTrack], 0) << "supplier " << d;
        unrelated_with_contracts += !data().doc(d).contracts.empty();
      }
      // Nor CPV credit without an offered code in one of them.
      if ((data().offered_divisions(d) & tender_divisions) == 0) {
        ASSERT_EQ(value[kCpv], 0) << "supplier " << d;
        not_offered_but_contracted +=
            (data().contract_divisions(d) & tender_divisions) != 0;
      }
      const double recency = data().ContractRecency(d, q->as_of_days);
      ASSERT_LE(value[kTrack], CeilingAtRecency(track, recency))
          << "supplier " << d << " recency " << recency;
      ASSERT_LE(value[kBuyerAffinity], CeilingAtRecency(buyer, recency))
          << "supplier " << d << " recency " << recency;
      closer += CeilingAtRecency(track, recency) < 0.9 * track;
      ++checked;
      below_one += track < 0.9;
      // Within 10% of the ceiling: the ceiling is not loose everywhere.
      close += value[kTrack] > 0 && value[kTrack] >= 0.9 * track;
    }
  }
  EXPECT_GT(checked, 10000);
  EXPECT_GT(below_one, checked / 2);
  EXPECT_GT(close, 0);
  EXPECT_GT(closer, checked / 10);
  EXPECT_GT(unrelated_with_contracts, checked / 10);
  // Suppliers in the tender's CPV lists by their contracts alone.
  EXPECT_GT(not_offered_but_contracted, 100);
}

// Each division of CPV 2008 has a bit of its own, and a code's bit is its
// division's.
TEST(ContractDivisionsTest, EachDivisionItsOwnBit) {
  const CpvTaxonomy& cpv = CpvTaxonomy::Builtin();
  std::vector<CpvCode> divisions;
  for (int o = 0; o < cpv.size(); ++o) {
    const CpvCode code = cpv.CodeAt(o);
    if (code.depth() == 2) divisions.push_back(code);
    EXPECT_EQ(IndexData::DivisionBit(code),
              IndexData::DivisionBit(code.Truncated(2)))
        << code.ToString();
  }
  ASSERT_EQ(divisions.size(), 45u);
  uint64_t seen = 0;
  for (CpvCode division : divisions) {
    const uint64_t bit = IndexData::DivisionBit(division);
    EXPECT_EQ(bit & (bit - 1), 0u) << division.ToString();
    EXPECT_EQ(seen & bit, 0u) << division.ToString() << " shares a bit";
    seen |= bit;
  }
}

// The ceilings are reached: a supplier whose contracts all carry the
// tender's codes, come from its buyer and are not older than the tender,
// with values of 10 thousand to 100 million (sizes 1 to 4), has track record
// and buyer affinity equal to them (to float rounding), so a ceiling that
// counted contracts without their sizes would be below the value. With the
// contracts six years older than the tender, the values equal the ceilings
// scaled by that age (CeilingAtRecency), so a scaling that took the oldest
// contract's age, or none, would be off.
TEST(ContractCeilingsTest, ReachedByExactContractsOfTheBuyer) {
  std::vector<v1::SupplierProfile> suppliers =
      testing::RandomSuppliers(300, 95);
  std::mt19937 rng(96);
  SupplierIndex::Builder builder;
  for (v1::SupplierProfile& s : suppliers) {
    for (v1::PastContract& c : *s.mutable_past_contracts()) {
      c.set_buyer_name("Défense");
      c.mutable_value()->set_amount(
          std::pow(10.0, std::uniform_real_distribution<>(4, 8)(rng)));
      c.mutable_value()->set_currency("EUR");
      c.mutable_award_date()->set_year(2020);
      c.mutable_award_date()->set_month(1);
      c.mutable_award_date()->set_day(1);
    }
    ASSERT_TRUE(builder.Add(s).ok());
  }
  auto index = std::move(builder).Build();
  ASSERT_TRUE(index.ok()) << index.status();
  const IndexData& data = IndexAccess::Data(**index);
  const Validator validator;
  int reached = 0, reached_older = 0;
  for (int d = 0; d < data.size(); ++d) {
    const SupplierDoc& doc = data.doc(d);
    if (doc.contracts.empty()) continue;
    v1::MatchRequest request;
    v1::Tender& t = *request.mutable_tender();
    t.set_id("t");
    t.set_title("contracts");
    t.mutable_buyer()->set_name("Défense");
    std::vector<std::string> codes;
    for (const ContractRecord& c : doc.contracts) {
      for (CpvCode code : c.cpv()) codes.push_back(code.ToString());
    }
    std::sort(codes.begin(), codes.end());
    codes.erase(std::unique(codes.begin(), codes.end()), codes.end());
    t.set_main_cpv(codes[0]);
    for (size_t i = 1; i < codes.size(); ++i) t.add_additional_cpv(codes[i]);
    for (int as_of_year : {2010, 2026}) {
      request.mutable_options()->mutable_as_of()->set_year(as_of_year);
      request.mutable_options()->mutable_as_of()->set_month(1);
      request.mutable_options()->mutable_as_of()->set_day(1);
      auto q = PrepareQuery(request, data, validator);
      ASSERT_TRUE(q.ok()) << q.status();
      double value[kComponentCount];
      Score(**q, data, doc, value);
      ASSERT_GT((*q)->weight[kTrack], 0);
      ASSERT_GT((*q)->weight[kBuyerAffinity], 0);
      const double recency = data.ContractRecency(d, (*q)->as_of_days);
      if (as_of_year == 2010) {
        EXPECT_EQ(recency, 1) << d;
      } else {
        EXPECT_NEAR(recency, std::exp(-6.0 / kRecencyYears), 1e-3) << d;
      }
      const double track = CeilingAtRecency(data.track_ceiling(d), recency);
      const double buyer = CeilingAtRecency(data.buyer_ceiling(d), recency);
      EXPECT_LE(value[kTrack], track) << d << " as of " << as_of_year;
      EXPECT_GE(value[kTrack], track * (1 - 1e-6))
          << d << " as of " << as_of_year;
      EXPECT_LE(value[kBuyerAffinity], buyer) << d << " as of " << as_of_year;
      EXPECT_GE(value[kBuyerAffinity], buyer * (1 - 1e-6))
          << d << " as of " << as_of_year;
      ++(as_of_year == 2010 ? reached : reached_older);
    }
  }
  EXPECT_GT(reached, 100);
  EXPECT_EQ(reached_older, reached);
}

// The same for contracts before ContractEpoch() (negative day numbers), with
// and without an undated one, and for none: the packed day and flag read
// back.
TEST(ContractRecencyTest, OldAndUndatedContracts) {
  // Per supplier, its contracts' dates: {year, month, day}, {} undated.
  const std::vector<std::vector<std::vector<int>>> contracts = {
      {{1995, 3, 1}},
      {{1995, 3, 1}, {}},
      {{}},
      {},
      {{1901, 1, 1}, {1990, 12, 31}},
      {{2031, 7, 1}, {}},
  };
  SupplierIndex::Builder builder;
  std::vector<v1::SupplierProfile> suppliers =
      testing::RandomSuppliers(static_cast<int>(contracts.size()), 7);
  for (size_t i = 0; i < contracts.size(); ++i) {
    v1::SupplierProfile& s = suppliers[i];
    s.clear_past_contracts();
    for (const std::vector<int>& date : contracts[i]) {
      v1::PastContract* c = s.add_past_contracts();
      c->set_title("contract");
      c->add_cpv_codes("35613000");
      if (!date.empty()) {
        c->mutable_award_date()->set_year(date[0]);
        c->mutable_award_date()->set_month(date[1]);
        c->mutable_award_date()->set_day(date[2]);
      }
    }
    const absl::Status added = builder.Add(s);
    ASSERT_TRUE(added.ok()) << i << ": " << added;
  }
  auto index = std::move(builder).Build();
  ASSERT_TRUE(index.ok()) << index.status();
  const IndexData& data = IndexAccess::Data(**index);
  for (const absl::CivilDay as_of :
       {absl::CivilDay(1990, 1, 1), absl::CivilDay(1996, 1, 1),
        absl::CivilDay(2001, 1, 1), absl::CivilDay(2030, 6, 1)}) {
    const int64_t as_of_days = as_of - ContractEpoch();
    for (int d = 0; d < data.size(); ++d) {
      double most = 0;
      for (const ContractRecord& c : data.doc(d).contracts) {
        most = std::max(most, c.has_date() ? RecencyOfDays(as_of - c.date())
                                           : kUndatedRecency);
      }
      EXPECT_EQ(data.ContractRecency(d, as_of_days), most)
          << "supplier " << d << " as of " << as_of;
    }
  }
}

// The recency a supplier's contracts allow is its newest dated contract's,
// or an undated one's when that is more, for every supplier and date: as
// the largest of the contracts' own recencies.
TEST_F(RetrievalOracleTest, ContractRecencyIsTheNewestContracts) {
  const Validator validator;
  int with_contracts = 0, undated_wins = 0, future = 0;
  for (int as_of_year : {2012, 2019, 2026, 2031}) {
    v1::MatchRequest request;
    request.mutable_tender()->set_id("t");
    request.mutable_tender()->set_title("contracts");
    request.mutable_options()->mutable_as_of()->set_year(as_of_year);
    request.mutable_options()->mutable_as_of()->set_month(3);
    request.mutable_options()->mutable_as_of()->set_day(1);
    auto q = PrepareQuery(request, data(), validator);
    ASSERT_TRUE(q.ok()) << q.status();
    for (int d = 0; d < data().size(); ++d) {
      double most = 0;
      for (const ContractRecord& c : data().doc(d).contracts) {
        const double r =
            c.has_date()
                ? RecencyOfDays(static_cast<int64_t>((*q)->as_of - c.date()))
                : kUndatedRecency;
        most = std::max(most, r);
      }
      ASSERT_EQ(data().ContractRecency(d, (*q)->as_of_days), most)
          << "supplier " << d << " as of " << as_of_year;
      with_contracts += !data().doc(d).contracts.empty();
      undated_wins += most == kUndatedRecency;
      future += most == 1;
    }
  }
  // Meaningful only if some suppliers' recency is an undated contract's and
  // some have contracts after the date.
  EXPECT_GT(with_contracts, 100);
  EXPECT_GT(undated_wins, 10);
  EXPECT_GT(future, 10);
}

// A supplier's rank, pruned at its own score, equals one plus the number of
// eligible suppliers better than it.
TEST_F(RetrievalOracleTest, RankOfEqualsCountingEveryone) {
  std::mt19937 rng(94);
  int ranked = 0;
  for (size_t i = 0; i < requests_.size(); i += 3) {
    std::unique_ptr<Query> q = Prepare(requests_[i], data().size());
    if (q == nullptr) return;
    Retrieved everyone = ScoreEveryone(*q, data());
    if (everyone.top.empty()) continue;
    std::sort(everyone.top.begin(), everyone.top.end(), Better);
    for (int pick = 0; pick < 3; ++pick) {
      // The top, then anywhere.
      const size_t at = pick == 0 ? 0 : rng() % everyone.top.size();
      EXPECT_EQ(RankOf(*q, data(), everyone.top[at]),
                static_cast<int64_t>(at) + 1)
          << "request " << i;
      ++ranked;
    }
  }
  EXPECT_GT(ranked, 60);
}

// Every supplier twice, under two ids: each score is reached by its twin,
// and the twin that comes first in supplier order is Better. So the floor
// (the k-th score, or the score a rank is counted at) is often exactly a
// twin's score, and a bound rounded below the value it bounds (the float
// sums of the per-query arrays without their margin) drops that twin.
TEST(RetrievalTwinsTest, ScoresEqualToTheFloorAreNotDropped) {
  SupplierIndex::Builder builder;
  for (const v1::SupplierProfile& s : testing::RandomSuppliers(1500, 97)) {
    v1::SupplierProfile twin = s;
    twin.set_id(s.id() + "T");  // Right after s in supplier order.
    ASSERT_TRUE(builder.Add(s).ok());
    ASSERT_TRUE(builder.Add(twin).ok());
  }
  auto index = std::move(builder).Build();
  ASSERT_TRUE(index.ok()) << index.status();
  const IndexData& data = IndexAccess::Data(**index);
  std::vector<v1::MatchRequest> requests = testing::RandomRequests(90, 98);
  std::mt19937 rng(99);
  for (size_t i = requests.size() / 3; i < requests.size(); ++i) {
    RandomWeights(&rng, &requests[i]);
  }
  RetrievalTuning unsummed;
  unsummed.summed_bound = false;
  // The terms left unread read late, the own ones often out of query
  // order: the text bound then keeps a margin.
  RetrievalTuning late;
  late.probe_lookup_steps = 0;
  late.tightening_steps = 0;
  RetrievalTuning late_prefix = late;
  late_prefix.probe_prefix_limit = 1;
  const Validator validator;
  const int ks[] = {1, 2, 3, 5, 10};
  int ranked = 0;
  int read_late = 0;  // Retrievals that read terms late.
  for (size_t i = 0; i < requests.size(); ++i) {
    auto q = PrepareQuery(requests[i], data, validator);
    ASSERT_TRUE(q.ok()) << q.status();
    Query& query = **q;
    query.top_k = ks[i % std::size(ks)];
    for (const RetrievalTuning& tuning :
         {RetrievalTuning(), unsummed, late, late_prefix}) {
      const Retrieved pruned = RetrieveTopKWith(query, data, tuning);
      read_late += pruned.read_late > 0;
      ASSERT_EQ(Listing(pruned), Listing(ScoreEveryone(query, data)))
          << "request " << i << " k " << query.top_k;
    }
    // The second twin of the best pairs: its first twin has its score.
    query.top_k = data.size();
    Retrieved everyone = ScoreEveryone(query, data);
    std::sort(everyone.top.begin(), everyone.top.end(), Better);
    int picked = 0;
    for (size_t at = 0; at < everyone.top.size() && picked < 5; ++at) {
      if (everyone.top[at].doc % 2 == 0) continue;
      EXPECT_EQ(RankOf(query, data, everyone.top[at]),
                static_cast<int64_t>(at) + 1)
          << "request " << i;
      ++picked;
    }
    ranked += picked;
  }
  EXPECT_GT(ranked, 200);
  EXPECT_GT(read_late, 10);
}

}  // namespace
}  // namespace internal
}  // namespace procmatch
