#include "procmatch/matcher.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "procmatch/internal/index_data.h"
#include "tests/random_corpus.h"

namespace procmatch {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::testing::HasSubstr;

std::shared_ptr<const SupplierIndex> BuildIndex(
    const std::vector<v1::SupplierProfile>& suppliers) {
  SupplierIndex::Builder builder;
  for (const auto& s : suppliers) {
    absl::Status added = builder.Add(s);
    EXPECT_TRUE(added.ok()) << added;
  }
  auto index = std::move(builder).Build();
  EXPECT_TRUE(index.ok()) << index.status();
  return *index;
}

// Ranked ids with scores, and exclusions, as comparable text.
std::string Summary(const v1::MatchResponse& r) {
  std::string s;
  for (const auto& m : r.matches()) {
    absl::StrAppend(&s, m.rank(), " ", m.supplier_id(), " ", m.score(), "\n");
  }
  for (const auto& e : r.excluded())
    absl::StrAppend(&s, "x ", e.supplier_id(), "\n");
  return s;
}

// Matches each of `requests` pruned and exhaustively and asserts that both
// give the same matches byte for byte (ids, order, scores, explanations) and
// the same exclusions; returns the pruned responses and adds up the
// suppliers each path scored.
std::vector<v1::MatchResponse> PrunedEqualsExhaustive(
    const Matcher& matcher, const std::vector<v1::MatchRequest>& requests,
    int64_t* scored_indexed, int64_t* scored_exhaustive) {
  std::vector<v1::MatchResponse> pruned;
  for (const auto& request : requests) {
    auto fast = matcher.Match(request);
    auto slow = matcher.MatchExhaustive(request);
    EXPECT_TRUE(fast.ok()) << fast.status();
    EXPECT_TRUE(slow.ok()) << slow.status();
    if (!fast.ok() || !slow.ok()) return pruned;
    EXPECT_EQ(fast->matches_size(), slow->matches_size())
        << request.DebugString();
    if (fast->matches_size() != slow->matches_size()) return pruned;
    for (int i = 0; i < fast->matches_size(); ++i) {
      if (!MessageDifferencer::Equals(fast->matches(i), slow->matches(i))) {
        ADD_FAILURE() << "request " << request.request_id() << " rank " << i + 1
                      << "\n"
                      << request.options().weights().DebugString()
                      << fast->matches(i).DebugString()
                      << slow->matches(i).DebugString();
        return pruned;
      }
    }
    EXPECT_EQ(Summary(*fast), Summary(*slow));
    *scored_indexed += fast->counters().scored();
    *scored_exhaustive += slow->counters().scored();
    pruned.push_back(*std::move(fast));
  }
  return pruned;
}

int WithMatches(const std::vector<v1::MatchResponse>& responses) {
  int n = 0;
  for (const auto& r : responses) n += r.matches_size() > 0;
  return n;
}

// The optimised path returns exactly what scoring everyone returns.
TEST(MatcherOracleTest, IndexedTopKEqualsExhaustive) {
  const auto suppliers = testing::RandomSuppliers(3000, 7);
  const auto requests = testing::RandomRequests(400, 11);
  Matcher matcher(BuildIndex(suppliers));
  int64_t scored_indexed = 0, scored_exhaustive = 0;
  const int with_matches = WithMatches(PrunedEqualsExhaustive(
      matcher, requests, &scored_indexed, &scored_exhaustive));
  // The comparison is only meaningful if queries return results, and the
  // optimisation only if it skips work.
  EXPECT_GT(with_matches, 300);
  EXPECT_LT(scored_indexed, scored_exhaustive / 2);
}

// The same with the concepts component alone (lib/cpv_concepts.h), so that
// its candidate postings and ceilings carry the ranking by themselves.
TEST(MatcherOracleTest, ConceptsAloneIndexedTopKEqualsExhaustive) {
  const auto suppliers = testing::RandomSuppliers(2000, 61);
  Matcher matcher(BuildIndex(suppliers));
  std::vector<v1::MatchRequest> requests = testing::RandomRequests(200, 62);
  for (v1::MatchRequest& request : requests) {
    v1::ScoreWeights& w = *request.mutable_options()->mutable_weights();
    w.Clear();
    w.set_cpv(0);
    w.set_text(0);
    w.set_track_record(0);
    w.set_capability_tags(0);
    w.set_desirable_requirements(0);
    w.set_size_fit(0);
    w.set_proximity(0);
    w.set_concepts(1);
  }
  int64_t scored_indexed = 0, scored_exhaustive = 0;
  int with_matches = 0;
  for (const auto& r : PrunedEqualsExhaustive(
           matcher, requests, &scored_indexed, &scored_exhaustive)) {
    for (const auto& m : r.matches()) with_matches += m.score() > 0;
  }
  EXPECT_GT(with_matches, 100);
  EXPECT_LT(scored_indexed, scored_exhaustive);
}

// Weighs text relevance alone: every other ScoreWeights field set to 0.
void TextAlone(v1::MatchRequest* request) {
  v1::ScoreWeights& w = *request->mutable_options()->mutable_weights();
  w.Clear();
  const google::protobuf::Descriptor* d = v1::ScoreWeights::descriptor();
  for (int i = 0; i < d->field_count(); ++i) {
    w.GetReflection()->SetDouble(&w, d->field(i), 0);
  }
  w.set_text(1);
}

// The same with text relevance alone: its translations (the tender's
// concepts' labels in the suppliers' languages, internal/query.h) are
// bounded by a ceiling over every language, not accumulated exactly, and
// must still keep the top k exact.
TEST(MatcherOracleTest, TranslatedTextAloneIndexedTopKEqualsExhaustive) {
  const auto suppliers = testing::RandomSuppliers(2000, 71);
  Matcher matcher(BuildIndex(suppliers));
  std::vector<v1::MatchRequest> requests = testing::RandomRequests(200, 72);
  // Tender texts in one language whose words the random profiles lack but
  // whose concepts' labels in other languages they have ("onbemand",
  // "luchtvaartuig", "radar", "software"), beside the random ones.
  const std::pair<const char*, const char*> kTitles[] = {
      {"de", "Lieferung unbemannter Flugkörper zur Aufklärung"},
      {"en", "Supply of unmanned aerial vehicles"},
      {"de", "Beschaffung von Radargeräten und Anwendungssoftware"},
      {"en", "Maintenance and repair of warships"},
  };
  for (size_t i = 0; i < requests.size(); ++i) {
    if (i % 2 == 1) continue;
    v1::Tender& t = *requests[i].mutable_tender();
    t.set_language(kTitles[i / 2 % 4].first);
    t.set_title(kTitles[i / 2 % 4].second);
    t.clear_description();
    t.clear_lots();
    requests[i].clear_lot_id();
  }
  for (v1::MatchRequest& request : requests) TextAlone(&request);
  int64_t scored_indexed = 0, scored_exhaustive = 0;
  int own = 0, translated = 0;
  for (const auto& r : PrunedEqualsExhaustive(
           matcher, requests, &scored_indexed, &scored_exhaustive)) {
    for (const auto& m : r.matches()) {
      for (const auto& c : m.components()) {
        if (c.kind() != v1::SCORE_COMPONENT_KIND_TEXT || c.value() == 0) {
          continue;
        }
        if (c.detail().find("both mean CPV") != std::string::npos) {
          ++translated;
        } else {
          ++own;
        }
      }
    }
  }
  // Both kinds of relevance rank suppliers, so both paths are compared.
  EXPECT_GT(own, 100);
  EXPECT_GT(translated, 20);
  EXPECT_LT(scored_indexed, scored_exhaustive);
}

// The same for tenders that state the code their words mean: the
// translation carries the tender's words for its stated code into the other
// languages at full credit over the meaning's largest sum (internal/query.h),
// and the translated ceiling must still bound it.
TEST(MatcherOracleTest, TranslatedMeaningTextAloneIndexedTopKEqualsExhaustive) {
  const auto suppliers = testing::RandomSuppliers(2000, 73);
  Matcher matcher(BuildIndex(suppliers));
  std::vector<v1::MatchRequest> requests = testing::RandomRequests(120, 74);
  const std::tuple<const char*, const char*, const char*> kTenders[] = {
      {"de", "Lieferung unbemannter Flugkörper zur Aufklärung", "35613000"},
      {"en", "Supply of unmanned aerial vehicles and radar", "35613000"},
      {"fr", "Acquisition de véhicules aériens sans pilote", "35613000"},
      {"de", "Beschaffung von Radargeräten und Anwendungssoftware", ""},
  };
  for (size_t i = 0; i < requests.size(); ++i) {
    v1::Tender& t = *requests[i].mutable_tender();
    const auto& [language, title, code] = kTenders[i % 4];
    t.set_language(language);
    t.set_title(title);
    t.clear_description();
    t.clear_lots();
    t.set_main_cpv(code);
    t.clear_additional_cpv();
    requests[i].clear_lot_id();
    TextAlone(&requests[i]);
  }
  int64_t scored_indexed = 0, scored_exhaustive = 0;
  const std::vector<v1::MatchResponse> responses = PrunedEqualsExhaustive(
      matcher, requests, &scored_indexed, &scored_exhaustive);
  // Suppliers ranked by a translation: the indexed path met its ceiling.
  int translated = 0;
  for (const v1::MatchResponse& r : responses) {
    for (const v1::SupplierMatch& m : r.matches()) {
      translated += std::count_if(
          m.components().begin(), m.components().end(), [](const auto& c) {
            return c.kind() == v1::SCORE_COMPONENT_KIND_TEXT && c.value() > 0 &&
                   c.detail().find("both mean CPV") != std::string::npos;
          });
    }
  }
  EXPECT_GT(translated, 100);
  EXPECT_LT(scored_indexed, scored_exhaustive);
}

// The same with many buyers, activities and contract values, and weights
// that lean on track record and buyer affinity: their postings and bounds
// must keep the top k exact.
TEST(MatcherOracleTest, BuyerAffinityAndTrackRecordTopKEqualsExhaustive) {
  const char* const kActivities[] = {"", "DEFENCE", "HEALTH"};
  std::mt19937 rng(23);
  auto pick = [&rng](int n) {
    return std::uniform_int_distribution<int>(0, n - 1)(rng);
  };
  auto suppliers = testing::RandomSuppliers(3000, 17);
  for (auto& s : suppliers) {
    for (auto& c : *s.mutable_past_contracts()) {
      c.set_buyer_name(absl::StrCat("Buyer ", pick(40)));
      c.set_buyer_activity(kActivities[pick(3)]);
      if (pick(2) == 0) {
        c.mutable_value()->set_amount(pick(1000) * 1e4);
        c.mutable_value()->set_currency("EUR");
      }
    }
  }
  auto requests = testing::RandomRequests(300, 19);
  for (size_t i = 0; i < requests.size(); ++i) {
    v1::Tender* t = requests[i].mutable_tender();
    t->mutable_buyer()->set_name(absl::StrCat("Buyer ", pick(45)));
    t->mutable_buyer()->set_main_activity(kActivities[pick(3)]);
    v1::ScoreWeights* w = requests[i].mutable_options()->mutable_weights();
    switch (i % 3) {
      case 0:  // Buyer affinity alone.
        w->set_cpv(0);
        w->set_text(0);
        w->set_track_record(0);
        w->set_proximity(0);
        w->set_size_fit(0);
        w->set_buyer_affinity(1);
        break;
      case 1:  // History first.
        w->set_track_record(0.4);
        w->set_buyer_affinity(0.4);
        break;
      default:  // The defaults.
        break;
    }
  }
  Matcher matcher(BuildIndex(suppliers));
  int64_t scored_indexed = 0, scored_exhaustive = 0;
  int with_buyer = 0;
  for (const auto& r : PrunedEqualsExhaustive(
           matcher, requests, &scored_indexed, &scored_exhaustive)) {
    for (const auto& m : r.matches()) {
      for (const auto& c : m.components()) {
        with_buyer += c.kind() == v1::SCORE_COMPONENT_KIND_BUYER_AFFINITY &&
                      c.value() > 0;
      }
    }
  }
  // Buyer affinity did take part in the rankings compared.
  EXPECT_GT(with_buyer, 500);
}

// Random weights, each zero a third of the time, on a larger corpus: the
// bounds stay exact whichever components carry the ranking, and the
// tightened bounds skip most suppliers.
TEST(MatcherOracleTest, RandomWeightsTopKEqualsExhaustive) {
  Matcher matcher(BuildIndex(testing::RandomSuppliers(6000, 71)));
  std::mt19937 rng(73);
  std::vector<v1::MatchRequest> requests = testing::RandomRequests(80, 72);
  for (v1::MatchRequest& request : requests) {
    v1::ScoreWeights& w = *request.mutable_options()->mutable_weights();
    const google::protobuf::Descriptor* fields = w.GetDescriptor();
    for (int f = 0; f < fields->field_count(); ++f) {
      const double weight =
          rng() % 3 == 0 ? 0.0 : std::uniform_real_distribution<>(0, 1)(rng);
      w.GetReflection()->SetDouble(&w, fields->field(f), weight);
    }
  }
  int64_t scored_indexed = 0, scored_exhaustive = 0;
  const int with_matches = WithMatches(PrunedEqualsExhaustive(
      matcher, requests, &scored_indexed, &scored_exhaustive));
  EXPECT_GT(with_matches, 60);
  EXPECT_LT(scored_indexed, scored_exhaustive / 4);
}

// Place and size alone: no component has candidate postings, so every
// supplier is bounded by its own location and turnover, exactly.
TEST(MatcherOracleTest, PlaceAndSizeAloneTopKEqualsExhaustive) {
  Matcher matcher(BuildIndex(testing::RandomSuppliers(3000, 81)));
  std::vector<v1::MatchRequest> requests = testing::RandomRequests(60, 82);
  for (v1::MatchRequest& request : requests) {
    v1::ScoreWeights& w = *request.mutable_options()->mutable_weights();
    w.set_cpv(0);
    w.set_text(0);
    w.set_track_record(0);
    w.set_capability_tags(0);
    w.set_desirable_requirements(0);
    w.set_concepts(0);
    w.set_buyer_affinity(0);
    w.set_proximity(0.7);
    w.set_size_fit(0.3);
  }
  int64_t scored_indexed = 0, scored_exhaustive = 0;
  const int with_matches = WithMatches(PrunedEqualsExhaustive(
      matcher, requests, &scored_indexed, &scored_exhaustive));
  EXPECT_GT(with_matches, 40);
  EXPECT_LT(scored_indexed, scored_exhaustive / 4);
}

// A new generation from an update matches exactly like a rebuild.
TEST(MatcherGenerationTest, UpdateEqualsRebuild) {
  auto initial = testing::RandomSuppliers(1500, 21);
  auto index = BuildIndex(initial);
  // Replace every 7th, remove every 11th, add 200 new ones.
  auto fresh = testing::RandomSuppliers(1700, 22);
  v1::SupplierUpdate update;
  std::vector<v1::SupplierProfile> final_set;
  for (int i = 0; i < 1500; ++i) {
    if (i % 11 == 0) {
      update.add_removed_ids(initial[i].id());
    } else if (i % 7 == 0) {
      v1::SupplierProfile p = fresh[i];  // Same id, new content.
      *update.add_upserts() = p;
      final_set.push_back(p);
    } else {
      final_set.push_back(initial[i]);
    }
  }
  for (int i = 1500; i < 1700; ++i) {
    *update.add_upserts() = fresh[i];
    final_set.push_back(fresh[i]);
  }
  auto next = index->ApplyUpdate(update);
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ((*next)->generation(), index->generation() + 1);
  EXPECT_EQ((*next)->size(), static_cast<int>(final_set.size()));
  EXPECT_EQ(index->size(), 1500);  // The old generation is untouched.

  Matcher updated(*next), rebuilt(BuildIndex(final_set)), old(index);
  for (const auto& request : testing::RandomRequests(150, 23)) {
    auto a = updated.Match(request);
    auto b = rebuilt.Match(request);
    ASSERT_TRUE(a.ok() && b.ok());
    a->clear_index_generation();
    b->clear_index_generation();
    ASSERT_TRUE(MessageDifferencer::Equals(*a, *b))
        << request.request_id() << "\n"
        << Summary(*a) << "---\n"
        << Summary(*b);
  }
  // Readers of the old generation see the removed suppliers still.
  EXPECT_GE(index->FindDoc(initial[0].id()), 0);
  EXPECT_EQ((*next)->FindDoc(initial[0].id()), -1);
}

TEST(MatcherGenerationTest, BadUpdateChangesNothing) {
  auto index = BuildIndex(testing::RandomSuppliers(50, 3));
  v1::SupplierUpdate update;
  update.add_removed_ids("no-such-supplier");
  auto next = index->ApplyUpdate(update);
  ASSERT_FALSE(next.ok());
  EXPECT_THAT(next.status().message(),
              HasSubstr("no supplier \"no-such-supplier\""));
  update.clear_removed_ids();
  v1::SupplierProfile bad = testing::RandomSuppliers(1, 4)[0];
  bad.set_country("XX");
  *update.add_upserts() = bad;
  EXPECT_FALSE(index->ApplyUpdate(update).ok());
  EXPECT_EQ(index->size(), 50);
}

TEST(MatcherBatchTest, ParallelEqualsSequential) {
  Matcher matcher(BuildIndex(testing::RandomSuppliers(2000, 31)));
  const auto requests = testing::RandomRequests(120, 32);
  const auto batch = matcher.MatchBatch(requests, 4);
  ASSERT_EQ(batch.size(), requests.size());
  for (size_t i = 0; i < requests.size(); ++i) {
    auto one = matcher.Match(requests[i]);
    ASSERT_TRUE(one.ok() && batch[i].ok());
    EXPECT_EQ(one->SerializeAsString(), batch[i]->SerializeAsString());
  }
}

// Explain() ranks the supplier among all eligible ones with pruning; the
// twin is its position in the exhaustive ranking of everyone.
TEST(MatcherExplainTest, RankEqualsPositionInFullRanking) {
  const auto suppliers = testing::RandomSuppliers(800, 23);
  auto index = BuildIndex(suppliers);
  Matcher matcher(index);
  int checked = 0;
  for (v1::MatchRequest request : testing::RandomRequests(40, 29)) {
    request.mutable_options()->set_top_k(index->size());
    request.mutable_options()->set_include_excluded(false);
    auto all = matcher.MatchExhaustive(request);
    ASSERT_TRUE(all.ok()) << all.status();
    // A few suppliers along the ranking, ties included.
    for (int i = 0; i < all->matches_size(); i += 1 + all->matches_size() / 7) {
      const v1::SupplierMatch& expected = all->matches(i);
      auto explained = matcher.Explain(request, expected.supplier_id());
      ASSERT_TRUE(explained.ok()) << explained.status();
      ASSERT_EQ(explained->matches_size(), 1);
      EXPECT_EQ(explained->matches(0).rank(), expected.rank())
          << request.request_id() << " " << expected.supplier_id();
      EXPECT_TRUE(MessageDifferencer::Equals(explained->matches(0), expected));
      ++checked;
    }
  }
  EXPECT_GT(checked, 100);
}

TEST(MatcherTest, InvalidRequestIsAnError) {
  Matcher matcher(BuildIndex(testing::RandomSuppliers(10, 1)));
  v1::MatchRequest request = testing::RandomRequests(1, 2)[0];
  request.mutable_tender()->set_main_cpv("35613001");
  auto response = matcher.Match(request);
  ASSERT_FALSE(response.ok());
  EXPECT_THAT(response.status().message(),
              HasSubstr("tender.main_cpv: unknown CPV code \"35613001\""));
  EXPECT_EQ(matcher.Explain(testing::RandomRequests(1, 2)[0], "nobody")
                .status()
                .code(),
            absl::StatusCode::kNotFound);
}

TEST(MatcherTest, ScoresAreInUnitRangeAndSumOfContributions) {
  Matcher matcher(BuildIndex(testing::RandomSuppliers(500, 41)));
  for (const auto& request : testing::RandomRequests(60, 42)) {
    auto response = matcher.Match(request);
    ASSERT_TRUE(response.ok());
    for (const auto& m : response->matches()) {
      double sum = 0, weights = 0;
      for (const auto& c : m.components()) {
        EXPECT_GE(c.value(), 0);
        EXPECT_LE(c.value(), 1);
        sum += c.contribution();
        weights += c.weight();
      }
      EXPECT_NEAR(sum, m.score(), 1e-12);
      EXPECT_GE(m.score(), 0);
      EXPECT_LE(m.score(), 1 + 1e-12);
      if (m.components_size() > 0) {
        EXPECT_NEAR(weights, 1, 1e-12);
      }
    }
  }
}

}  // namespace
}  // namespace procmatch

namespace procmatch {
namespace {

// Regression: a query word that no supplier uses once read past the end of
// the term postings (TermId returned -1 as an unsigned id).
TEST(MatcherTest, QueryWordsAbsentFromTheIndexAreIgnored) {
  auto index = BuildIndex(testing::RandomSuppliers(100, 51));
  EXPECT_EQ(internal::IndexAccess::Data(*index).TermId("zzzunknownword"), -1);
  v1::MatchRequest request = testing::RandomRequests(1, 52)[0];
  request.mutable_tender()->set_title("zzzunknownword quantumkryptografie");
  auto fast = Matcher(index).Match(request);
  auto slow = Matcher(index).MatchExhaustive(request);
  ASSERT_TRUE(fast.ok()) << fast.status();
  ASSERT_TRUE(slow.ok()) << slow.status();
  EXPECT_EQ(Summary(*fast), Summary(*slow));
}

}  // namespace
}  // namespace procmatch

namespace procmatch {
namespace {

// Only the component of `kind` counts: every other ScoreWeights field is
// set to 0.
v1::ScoreWeights OnlyComponent(v1::ScoreComponentKind kind) {
  v1::ScoreWeights w;
  const google::protobuf::Reflection* set = w.GetReflection();
  const google::protobuf::Descriptor* fields = w.GetDescriptor();
  for (int i = 0; i < fields->field_count(); ++i) {
    set->SetDouble(&w, fields->field(i), 0);
  }
  set->SetDouble(&w, fields->FindFieldByNumber(kind), 1);
  return w;
}

double ComponentValue(const v1::SupplierMatch& m, v1::ScoreComponentKind kind) {
  for (const auto& c : m.components()) {
    if (c.kind() == kind) return c.value();
  }
  return 0;
}

// A lot without codes is matched on its notice's codes with 0.6 of the
// credit the same codes give a lot that states them (doc/scoring.md).
TEST(MatcherLotTest, LotWithoutCodesUsesTheNoticesCodesWithLessCredit) {
  const auto suppliers = testing::RandomSuppliers(400, 71);
  Matcher matcher(BuildIndex(suppliers));
  const std::string code = suppliers[0].cpv_codes(0);
  v1::MatchRequest request;
  v1::Tender* t = request.mutable_tender();
  t->set_id("T-LOTS");
  t->set_title("Lots");
  t->set_main_cpv(code);
  v1::Lot* stated = t->add_lots();
  stated->set_id("1");
  stated->set_title("With codes");
  stated->set_main_cpv(code);
  v1::Lot* bare = t->add_lots();
  bare->set_id("2");
  bare->set_title("Without codes");
  request.mutable_options()->set_top_k(suppliers.size());
  *request.mutable_options()->mutable_weights() =
      OnlyComponent(v1::SCORE_COMPONENT_KIND_CPV);

  std::map<std::string, double> with_codes, without_codes;
  for (auto [lot, values] : {std::make_pair("1", &with_codes),
                             std::make_pair("2", &without_codes)}) {
    request.set_lot_id(lot);
    auto fast = matcher.Match(request);
    auto slow = matcher.MatchExhaustive(request);
    ASSERT_TRUE(fast.ok()) << fast.status();
    ASSERT_TRUE(slow.ok()) << slow.status();
    EXPECT_EQ(Summary(*fast), Summary(*slow));
    for (const auto& m : fast->matches()) {
      (*values)[m.supplier_id()] =
          ComponentValue(m, v1::SCORE_COMPONENT_KIND_CPV);
    }
  }
  // The same suppliers, each at 0.6 of its value for the lot with codes.
  ASSERT_GT(with_codes.size(), 5u);
  ASSERT_EQ(with_codes.size(), without_codes.size());
  for (const auto& [id, value] : with_codes) {
    ASSERT_TRUE(without_codes.count(id)) << id;
    EXPECT_GT(value, 0) << id;
    EXPECT_NEAR(without_codes[id], 0.6 * value, 1e-12) << id;
  }
}

// Exact ties of score: more past contracts first, then supplier id; the
// pruned top k, the exhaustive reference and Explain's rank agree.
TEST(MatcherTieTest, EqualScoresByPastContractsThenSupplierId) {
  auto suppliers = testing::RandomSuppliers(1, 81);
  v1::SupplierProfile base = suppliers[0];
  base.clear_past_contracts();
  const std::string code = base.cpv_codes(0);
  // Ids in the opposite order of their contract counts, so that an order
  // by id alone differs from the rule.
  const std::pair<const char*, int> kTied[] = {
      {"T1", 0}, {"T2", 1}, {"T3", 3}, {"T4", 3}, {"T5", 2}};
  std::vector<v1::SupplierProfile> tied;
  for (const auto& [id, contracts] : kTied) {
    v1::SupplierProfile p = base;
    p.set_id(id);
    for (int i = 0; i < contracts; ++i) {
      v1::PastContract* c = p.add_past_contracts();
      c->set_title("Contract");
      c->set_buyer_name("Buyer");
      c->set_buyer_country(base.country());
      c->add_cpv_codes(code);
    }
    tied.push_back(p);
  }
  auto index = BuildIndex(tied);
  Matcher matcher(index);
  v1::MatchRequest request;
  request.mutable_tender()->set_id("T-TIE");
  request.mutable_tender()->set_title("Tie");
  request.mutable_tender()->set_main_cpv(code);
  *request.mutable_options()->mutable_weights() =
      OnlyComponent(v1::SCORE_COMPONENT_KIND_CPV);
  const std::vector<std::string> expected = {"T3", "T4", "T5", "T2", "T1"};
  for (int k = 1; k <= 5; ++k) {
    request.mutable_options()->set_top_k(k);
    for (auto response :
         {matcher.Match(request), matcher.MatchExhaustive(request)}) {
      ASSERT_TRUE(response.ok()) << response.status();
      ASSERT_EQ(response->matches_size(), k);
      for (int i = 0; i < k; ++i) {
        EXPECT_EQ(response->matches(i).supplier_id(), expected[i]) << k;
        EXPECT_EQ(response->matches(i).score(), response->matches(0).score());
        EXPECT_EQ(response->matches(i).rank(), i + 1);
      }
    }
  }
  for (size_t i = 0; i < expected.size(); ++i) {
    auto explained = matcher.Explain(request, expected[i]);
    ASSERT_TRUE(explained.ok()) << explained.status();
    ASSERT_EQ(explained->matches_size(), 1);
    EXPECT_EQ(explained->matches(0).rank(), static_cast<int>(i + 1))
        << expected[i];
  }
}

// Zero is not a match: a tender that fits nobody lists nobody; with
// Options::min_match_score, only the suppliers above it are listed.
TEST(MatcherMinScoreTest, ZeroIsNotAMatchAndTheMinimumIsExclusive) {
  const auto suppliers = testing::RandomSuppliers(300, 91);
  auto index = BuildIndex(suppliers);
  // Nobody offers a code of division 03 (agriculture) in the random corpus
  // nor uses these words; no place, value, tags or requirements. The
  // concepts component is off: what the tender means is its code, and a
  // random text may mean something of division 03 ("mine": mining timber).
  v1::MatchRequest nobody;
  v1::Tender* t = nobody.mutable_tender();
  t->set_id("T-NOBODY");
  t->set_title("zzzunknownword qqqnothing");
  t->set_main_cpv("03111000");
  nobody.mutable_options()->set_top_k(20);
  nobody.mutable_options()->mutable_weights()->set_concepts(0);
  for (auto response :
       {Matcher(index).Match(nobody), Matcher(index).MatchExhaustive(nobody)}) {
    ASSERT_TRUE(response.ok()) << response.status();
    EXPECT_EQ(response->matches_size(), 0) << response->DebugString();
  }

  // Every request: at the default, no listed score is 0; with a minimum of
  // the median score, every listed score is above it, and the suppliers
  // above it are all still listed.
  v1::MatchRequest request = testing::RandomRequests(1, 92)[0];
  request.mutable_options()->set_top_k(suppliers.size());
  request.mutable_options()->set_include_excluded(false);
  auto all = Matcher(index).MatchExhaustive(request);
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_GT(all->matches_size(), 10);
  for (const auto& m : all->matches()) EXPECT_GT(m.score(), 0);
  const double median = all->matches(all->matches_size() / 2).score();
  int above = 0;
  for (const auto& m : all->matches()) above += m.score() > median;

  Options options;
  options.min_match_score = median;
  SupplierIndex::Builder builder(options);
  for (const auto& s : suppliers) ASSERT_TRUE(builder.Add(s).ok());
  auto strict = std::move(builder).Build();
  ASSERT_TRUE(strict.ok()) << strict.status();
  for (auto response : {Matcher(*strict).Match(request),
                        Matcher(*strict).MatchExhaustive(request)}) {
    ASSERT_TRUE(response.ok()) << response.status();
    EXPECT_EQ(response->matches_size(), above);
    for (const auto& m : response->matches()) EXPECT_GT(m.score(), median);
  }
}

// Options::min_match_score is in [0, 1): anything else is refused when the
// index is built, naming the option.
TEST(MatcherMinScoreTest, MinimumOutsideItsRangeIsAnError) {
  for (double bad : {-0.1, 1.0, 2.0, std::nan("")}) {
    Options options;
    options.min_match_score = bad;
    SupplierIndex::Builder builder(options);
    ASSERT_TRUE(builder.Add(testing::RandomSuppliers(1, 93)[0]).ok());
    auto index = std::move(builder).Build();
    ASSERT_FALSE(index.ok()) << bad;
    EXPECT_THAT(index.status().message(), HasSubstr("options.min_match_score"));
  }
  for (double good : {0.0, 0.5, 0.999}) {
    Options options;
    options.min_match_score = good;
    SupplierIndex::Builder builder(options);
    ASSERT_TRUE(builder.Add(testing::RandomSuppliers(1, 93)[0]).ok());
    EXPECT_TRUE(std::move(builder).Build().ok()) << good;
  }
}

}  // namespace
}  // namespace procmatch
