// The concepts of a text, as index building computes them for every
// supplier (CpvConcepts::ConceptsOfTerms, and MergedConceptsOfTerms over a
// profile's languages), against brute-force twins: the strongest few
// selected without sorting every code equal the head of the full ranking,
// the merged concepts equal each language's merged by definition, and the
// order of the terms changes nothing (each code's score is summed in one
// order in every process).
#include <algorithm>
#include <cmath>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "procmatch/cpv.h"
#include "procmatch/cpv_concepts.h"
#include "procmatch/text_analyzer.h"
#include "tests/merged_concepts_twin.h"

namespace procmatch {
namespace internal {
extern const char kCpvLabelsTsv[];
extern const char kConceptNoticesTsv[];
}  // namespace internal

// The brute-force twins of the concept scoring index building runs for
// every supplier (CpvConcepts' private RawScores, Ranked and TopConcepts).
class CpvConceptsPeer {
 public:
  using Scores = std::vector<std::pair<int32_t, double>>;
  static Scores RawScores(const CpvConcepts& c,
                          const std::vector<std::string>& terms, int l,
                          bool labels_only) {
    return c.RawScores(terms, l, labels_only);
  }
  // Through one buffer per thread, as index building reuses one: the
  // entries a longer text left behind must not be read back.
  static Scores RawScoresOfIds(const CpvConcepts& c,
                               const std::vector<int32_t>& ids, int l,
                               bool labels_only) {
    thread_local CpvConcepts::ScoreBuffer raw;
    c.RawScoresOfIdsInto(ids, l, labels_only, &raw);
    return Scores(raw.begin(), raw.end());
  }
  // MergeCandidatesOfIdsInto of the terms' ids (its codes in its order)
  // and its best, through one buffer per thread, as index building's.
  static std::pair<Scores, double> MergeCandidates(
      const CpvConcepts& c, const std::vector<std::string>& terms, int l,
      double min_weight, double min_merged_weight) {
    thread_local CpvConcepts::ScoreBuffer scored;
    const double best = c.MergeCandidatesOfIdsInto(
        c.TermIdsOf(terms, l), l, min_weight, min_merged_weight, &scored);
    return {Scores(scored.begin(), scored.end()), best};
  }
  static bool LeastScoreOfWeight(double weight, double best, double* least) {
    return CpvConcepts::LeastScoreOfWeight(weight, best, least);
  }
  static Scores RawScoresByDefinition(const CpvConcepts& c,
                                      const std::vector<std::string>& terms,
                                      int l, bool labels_only) {
    return c.RawScoresByDefinition(terms, l, labels_only);
  }
  static Scores Ranked(const CpvConcepts& c, const Scores& raw, size_t keep,
                       double min_share) {
    return c.Ranked(raw, keep, min_share);
  }
  static Scores RankedByDefinition(const CpvConcepts& c, const Scores& raw,
                                   size_t keep, double min_share) {
    return c.RankedByDefinition(raw, keep, min_share);
  }
  // A concept term's label links in language `l`, by ordinal.
  static std::vector<std::pair<int32_t, float>> LabelLinks(
      const CpvConcepts& c, const std::string& term, int l) {
    std::vector<std::pair<int32_t, float>> out;
    const auto& links = c.Model(l).links;
    auto it = links.find(term);
    if (it == links.end()) return out;
    for (const auto& link : it->second.label) {
      out.emplace_back(link.ordinal, link.weight);
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  // Whether every link of language `l` weighs more than 0 (RawScores then
  // tests no score for 0).
  static bool PositiveLinks(const CpvConcepts& c, int l) {
    return c.Model(l).flat.positive;
  }
  // The concept terms of language `l` with any link.
  static std::vector<std::string> LinkedTerms(const CpvConcepts& c, int l) {
    std::vector<std::string> out;
    for (const auto& [term, links] : c.Model(l).links) {
      if (!links.label.empty() || !links.notices.empty()) out.push_back(term);
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  static std::vector<Concept> TopConcepts(const CpvConcepts& c,
                                          const std::vector<std::string>& terms,
                                          int l, int max_concepts,
                                          double min_weight, bool labels_only) {
    return c.TopConcepts(terms, l, max_concepts, min_weight, labels_only);
  }
  static std::vector<Concept> TopConceptsByDefinition(
      const CpvConcepts& c, const std::vector<std::string>& terms, int l,
      int max_concepts, double min_weight, bool labels_only) {
    return c.TopConceptsByDefinition(terms, l, max_concepts, min_weight,
                                     labels_only);
  }
};

namespace {

// Terms of the labels of `codes` random codes in `language` (one in
// `foreign` in a random other language instead, none when 0), with a few
// words no label has (after one code in `junk`), and a share of them
// repeated (one in `repeated`).
std::vector<std::string> RandomLabelTerms(std::mt19937& rng,
                                          absl::string_view language, int codes,
                                          int foreign = 0, int junk = 4,
                                          int repeated = 3) {
  const CpvTaxonomy& cpv = CpvTaxonomy::Builtin();
  std::string text;
  for (int i = 0; i < codes; ++i) {
    const CpvCode code = cpv.CodeAt(static_cast<int>(rng() % cpv.size()));
    const absl::string_view from =
        foreign > 0 && rng() % foreign == 0
            ? kConceptLanguages[rng() % kConceptLanguageCount]
            : language;
    absl::StrAppend(&text, CpvConcepts::Builtin().Label(code, from), " ");
    if (rng() % junk == 0) absl::StrAppend(&text, "zqxw", rng() % 100, " ");
  }
  absl::StatusOr<std::vector<std::string>> terms = AnalyzeText(text, language);
  EXPECT_TRUE(terms.ok()) << terms.status();
  std::vector<std::string> out = terms.value_or(std::vector<std::string>{});
  const size_t n = out.size();
  for (size_t i = 0; n > 0 && i < n / repeated; ++i) {
    out.push_back(out[rng() % n]);
  }
  return out;
}

void ExpectSameConcepts(const std::vector<Concept>& a,
                        const std::vector<Concept>& b, absl::string_view what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].code, b[i].code) << what << " #" << i;
    EXPECT_EQ(a[i].weight, b[i].weight) << what << " #" << i;
  }
}

TEST(ConceptRankingTest, StrongestFewAreTheHeadOfTheFullRanking) {
  const CpvConcepts& concepts = CpvConcepts::Builtin();
  std::mt19937 rng(20261130);
  int compared = 0;
  for (const char* language : {"fr", "nl", "de", "en", "pl", "el", "lv"}) {
    for (int round = 0; round < 30; ++round) {
      const std::vector<std::string> terms =
          RandomLabelTerms(rng, language, 1 + static_cast<int>(rng() % 40));
      const std::vector<Concept> all =
          concepts.ConceptsOfTerms(terms, language, 1 << 20, 0.0);
      for (int keep : {1, 4, CpvConcepts::kMaxConcepts, 100}) {
        std::vector<Concept> head(
            all.begin(),
            all.begin() + std::min(all.size(), static_cast<size_t>(keep)));
        ExpectSameConcepts(concepts.ConceptsOfTerms(terms, language, keep, 0.0),
                           head, absl::StrCat(language, " keep ", keep));
        compared += all.size() > static_cast<size_t>(keep);
      }
    }
  }
  EXPECT_GT(compared, 200);  // The selection path ran, not only full sorts.
}

TEST(ConceptRankingTest, TermOrderChangesNothing) {
  const CpvConcepts& concepts = CpvConcepts::Builtin();
  std::mt19937 rng(7);
  for (const char* language : {"fr", "de", "en", "fi", "bg"}) {
    for (int round = 0; round < 20; ++round) {
      std::vector<std::string> terms = RandomLabelTerms(rng, language, 12);
      const std::vector<Concept> before =
          concepts.ConceptsOfTerms(terms, language);
      EXPECT_FALSE(before.empty()) << language;
      std::shuffle(terms.begin(), terms.end(), rng);
      ExpectSameConcepts(concepts.ConceptsOfTerms(terms, language), before,
                         language);
    }
  }
}

// A random text's terms in `language`: words of up to 60 random codes'
// labels, one in five in another language (mostly linking nothing), made
// up words, a third of them repeated, shuffled.
std::vector<std::string> RandomText(std::mt19937& rng,
                                    absl::string_view language) {
  std::vector<std::string> out =
      RandomLabelTerms(rng, language, 1 + static_cast<int>(rng() % 60),
                       /*foreign=*/5, /*junk=*/3, /*repeated=*/2);
  std::shuffle(out.begin(), out.end(), rng);
  return out;
}

// The bundled concepts under other ranking weights: with division support,
// family scores summed (every code scored to find the best) or their
// maxima (the best is the largest raw score's code's, as by default); with
// family maxima, the notice links weigh 0 (codes only those reach score 0,
// which RawScores must drop: the links are not all positive).
absl::StatusOr<std::unique_ptr<CpvConcepts>> WithDivisionSupport(
    bool family_by_sum) {
  ConceptWeights other;
  other.family_by_sum = family_by_sum;
  if (!family_by_sum) other.notices = 0;
  other.division_support = 0.3;
  other.group_support = 0.7;
  return CpvConcepts::Create(internal::kCpvLabelsTsv,
                             internal::kConceptNoticesTsv,
                             CpvTaxonomy::Builtin(), other);
}

// The bundled concepts and WithDivisionSupport's two: the three weightings
// the twins run (the default one runs the fast paths, the others the
// general ones).
struct ThreeWeightings {
  std::unique_ptr<CpvConcepts> summed;
  std::unique_ptr<CpvConcepts> maxima;
  std::vector<const CpvConcepts*> all() const {
    return {&CpvConcepts::Builtin(), summed.get(), maxima.get()};
  }
};
absl::StatusOr<ThreeWeightings> MakeThreeWeightings() {
  ThreeWeightings w;
  absl::StatusOr<std::unique_ptr<CpvConcepts>> summed =
      WithDivisionSupport(/*family_by_sum=*/true);
  if (!summed.ok()) return summed.status();
  absl::StatusOr<std::unique_ptr<CpvConcepts>> maxima =
      WithDivisionSupport(/*family_by_sum=*/false);
  if (!maxima.ok()) return maxima.status();
  w.summed = *std::move(summed);
  w.maxima = *std::move(maxima);
  return w;
}

void ExpectSameScores(const CpvConceptsPeer::Scores& a,
                      const CpvConceptsPeer::Scores& b,
                      absl::string_view what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].first, b[i].first) << what << " #" << i;
    EXPECT_EQ(a[i].second, b[i].second) << what << " #" << i;  // To the bit.
  }
}

// The flat links, the dense sum and the selection (codes under a share of
// the best left out first, then a partition) against a map per call and a
// full sort cut afterwards, on random texts of ten languages (stemmed, cut to
// prefixes, Greek, Irish read as English), with both sources and labels
// only, under the default weights and with division support, family
// scores summed or their maxima (a CpvConcepts each: the best found by
// scoring every code, or as the largest raw score's code's score).
TEST(ConceptRankingTest, FastScoringEqualsScoringByDefinition) {
  absl::StatusOr<ThreeWeightings> weightings = MakeThreeWeightings();
  ASSERT_TRUE(weightings.ok()) << weightings.status();
  std::mt19937 rng(20261201);
  int selected = 0;
  for (const CpvConcepts* concepts : weightings->all()) {
    for (const char* language :
         {"fr", "nl", "de", "en", "pl", "el", "lv", "fi", "ga", "hu"}) {
      const int l = ConceptLanguageIndex(language);
      ASSERT_GE(l, 0);
      // Both read-backs run: the bundled links all weigh more than 0, the
      // family-maxima variant's notice links 0.
      EXPECT_EQ(CpvConceptsPeer::PositiveLinks(*concepts, l),
                concepts != weightings->maxima.get())
          << language;
      for (int round = 0; round < 12; ++round) {
        const std::vector<std::string> terms = RandomText(rng, language);
        for (bool labels_only : {false, true}) {
          const std::string what = absl::StrCat(language, " round ", round,
                                                " labels only ", labels_only);
          const CpvConceptsPeer::Scores raw =
              CpvConceptsPeer::RawScores(*concepts, terms, l, labels_only);
          ExpectSameScores(raw,
                           CpvConceptsPeer::RawScoresByDefinition(
                               *concepts, terms, l, labels_only),
                           what);
          for (size_t keep : {size_t{0}, size_t{1}, size_t{5}, size_t{16},
                              size_t{200}, SIZE_MAX}) {
            for (double min_share : {0.0, 0.1, 0.6}) {
              ExpectSameScores(
                  CpvConceptsPeer::Ranked(*concepts, raw, keep, min_share),
                  CpvConceptsPeer::RankedByDefinition(*concepts, raw, keep,
                                                      min_share),
                  absl::StrCat(what, " keep ", keep, " share ", min_share));
            }
            selected += raw.size() > keep;
          }
          ExpectSameConcepts(CpvConceptsPeer::TopConcepts(
                                 *concepts, terms, l, CpvConcepts::kMaxConcepts,
                                 0.1, labels_only),
                             CpvConceptsPeer::TopConceptsByDefinition(
                                 *concepts, terms, l, CpvConcepts::kMaxConcepts,
                                 0.1, labels_only),
                             what);
        }
      }
    }
  }
  EXPECT_GT(selected, 500);  // The heap selection ran, not only full sorts.
}

// A supplier's concepts in one call over its languages (what index
// building runs: no part's concepts sorted, a part's codes under the
// merged keep-th weight dropped unranked) against merging each language's
// concepts by definition, on random profiles of one to five parts (random
// languages, a language twice, one no concept language has, an empty
// part), under the three weightings, for several caps and shares.
TEST(ConceptRankingTest, MergedConceptsEqualMergingEachLanguage) {
  absl::StatusOr<ThreeWeightings> weightings = MakeThreeWeightings();
  ASSERT_TRUE(weightings.ok()) << weightings.status();
  const char* const languages[] = {"fr", "nl", "de", "en", "pl",
                                   "el", "lv", "ga", "xx"};
  std::mt19937 rng(20261213);
  int cut = 0;
  for (const CpvConcepts* concepts : weightings->all()) {
    for (int round = 0; round < 60; ++round) {
      const int n = 1 + static_cast<int>(rng() % 5);
      std::vector<std::string> names(n);
      std::vector<std::vector<std::string>> terms(n);
      std::vector<CpvConcepts::LanguageTerms> parts;
      for (int i = 0; i < n; ++i) {
        names[i] = languages[rng() % (sizeof(languages) / sizeof(*languages))];
        if (rng() % 8 != 0) terms[i] = RandomText(rng, names[i]);
        parts.push_back({names[i], &terms[i]});
      }
      for (int max_concepts : {0, 1, 4, CpvConcepts::kMaxConcepts}) {
        for (double min_weight : {0.0, 0.1, 0.6}) {
          const std::vector<Concept> merged =
              concepts->MergedConceptsOfTerms(parts, max_concepts, min_weight);
          ExpectSameConcepts(
              merged,
              MergedConceptsByDefinition<CpvConceptsPeer>(
                  *concepts, parts, max_concepts, min_weight),
              absl::StrCat("round ", round, " parts ", n, " max ", max_concepts,
                           " min weight ", min_weight));
          size_t offered = 0;
          for (const CpvConcepts::LanguageTerms& part : parts) {
            offered += concepts
                           ->ConceptsOfTerms(*part.terms, part.language,
                                             max_concepts, min_weight)
                           .size();
          }
          cut += offered > merged.size();
        }
      }
    }
  }
  EXPECT_GT(cut, 300);  // The merge dropped codes, not only kept them all.
}

// The least score of a weight (the merge's cut by weight made as a cut by
// score) against the division it replaces: for weights and bests of many
// magnitudes, scores at the least score, an ulp either side, and spread
// around weight * best are cut exactly when their quotient is under the
// weight; no least score where weight * best is not a normal number.
TEST(ConceptRankingTest, LeastScoreOfAWeightIsTheCutByDivision) {
  std::mt19937_64 rng(20261217);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  int found = 0, moved = 0;
  for (int round = 0; round < 20000; ++round) {
    const double weight =
        round % 7 == 0 ? 1.0 : unit(rng) * std::pow(10.0, rng() % 9 - 4.0);
    const double best = unit(rng) * std::pow(10.0, rng() % 13 - 6.0) + 1e-300;
    double least = 0;
    if (!CpvConceptsPeer::LeastScoreOfWeight(weight, best, &least)) {
      EXPECT_FALSE(std::isnormal(weight * best)) << weight << " " << best;
      continue;
    }
    ++found;
    moved += least != weight * best;
    std::vector<double> scores = {least, std::nextafter(least, HUGE_VAL),
                                  std::nextafter(least, -HUGE_VAL),
                                  weight * best};
    for (int k = 0; k < 8; ++k) {
      scores.push_back(weight * best * (1 + (unit(rng) - 0.5) * 1e-15));
    }
    for (double s : scores) {
      EXPECT_EQ(s < least, s / best < weight)
          << "weight " << weight << " best " << best << " score " << s;
    }
  }
  EXPECT_GT(found, 19000);
  EXPECT_GT(moved, 100);  // weight * best was not always the least score.
  double least = 0;
  ASSERT_TRUE(CpvConceptsPeer::LeastScoreOfWeight(-HUGE_VAL, 2.0, &least));
  EXPECT_EQ(least, -HUGE_VAL);
  for (double weight : {0.0, 1e-320, HUGE_VAL, std::nan("")}) {
    EXPECT_FALSE(CpvConceptsPeer::LeastScoreOfWeight(weight, 2.0, &least))
        << weight;
  }
}

// A part's candidates for the merge (the raw scores read back and ranked
// group by group in one pass, the merge's cuts made as scores) against
// ranking the raw scores by definition and then cutting by division: the
// same codes and scores to the bit, and the same best, under the three
// weightings (the default one runs the one pass, the others RankingScores
// and the division), for several shares and merged weights: none, 0 (no
// least score: the division), a code's own weight exactly and an ulp either
// side (the cut's edge), and past the best.
TEST(ConceptRankingTest, MergeCandidatesEqualRankingThenCutting) {
  absl::StatusOr<ThreeWeightings> weightings = MakeThreeWeightings();
  ASSERT_TRUE(weightings.ok()) << weightings.status();
  auto better = [](const auto& a, const auto& b) {
    return a.second > b.second || (a.second == b.second && a.first < b.first);
  };
  std::mt19937 rng(20261218);
  int at_edge = 0, cut = 0;
  for (const CpvConcepts* concepts : weightings->all()) {
    for (const char* language : {"fr", "nl", "de", "en", "pl", "el", "ga"}) {
      const int l = ConceptLanguageIndex(language);
      for (int round = 0; round < 10; ++round) {
        const std::vector<std::string> terms = RandomText(rng, language);
        for (double min_weight : {0.0, 0.1, 0.6}) {
          const CpvConceptsPeer::Scores ranked =
              CpvConceptsPeer::RankedByDefinition(
                  *concepts,
                  CpvConceptsPeer::RawScoresByDefinition(*concepts, terms, l,
                                                         false),
                  SIZE_MAX, min_weight);
          const double best =
              ranked.empty() ? 0 : std::max(0.0, ranked[0].second);
          std::vector<double> merged_weights = {-HUGE_VAL, 0.0, 1.5};
          if (!ranked.empty() && best > 0) {
            const double w = ranked[rng() % ranked.size()].second / best;
            merged_weights.insert(
                merged_weights.end(),
                {w, std::nextafter(w, HUGE_VAL), std::nextafter(w, -HUGE_VAL)});
          }
          for (double min_merged_weight : merged_weights) {
            CpvConceptsPeer::Scores expected;
            for (const auto& [o, s] : ranked) {
              if (best > 0 &&
                  (s < min_weight * best || s / best < min_merged_weight)) {
                continue;
              }
              expected.emplace_back(o, s);
              at_edge += best > 0 && s / best == min_merged_weight;
            }
            cut += expected.size() < ranked.size();
            auto [candidates, candidates_best] =
                CpvConceptsPeer::MergeCandidates(*concepts, terms, l,
                                                 min_weight, min_merged_weight);
            std::sort(candidates.begin(), candidates.end(), better);
            const std::string what =
                absl::StrCat(language, " round ", round, " min weight ",
                             min_weight, " merged ", min_merged_weight);
            ExpectSameScores(candidates, expected, what);
            EXPECT_EQ(candidates_best, best) << what;
          }
        }
      }
    }
  }
  EXPECT_GT(at_edge, 100);  // Codes exactly at the merged weight were kept.
  EXPECT_GT(cut, 300);
}

// The flat links' term map RawScores looks terms up in, against the model's
// map: every term with links, alone, and a term one byte short or one byte
// longer (mostly no term, else another one), score as by definition, in
// languages with long compounds, with a stemmer and without.
TEST(ConceptRankingTest, FlatLinksFindEveryTermOfTheModel) {
  const CpvConcepts& concepts = CpvConcepts::Builtin();
  for (const char* language : {"de", "fi", "hu", "en", "bg"}) {
    const int l = ConceptLanguageIndex(language);
    for (const std::string& term : CpvConceptsPeer::LinkedTerms(concepts, l)) {
      for (const std::string& probe :
           {term, term.substr(0, term.size() - 1), term + "s"}) {
        const std::vector<std::string> terms = {probe};
        ExpectSameScores(
            CpvConceptsPeer::RawScores(concepts, terms, l, false),
            CpvConceptsPeer::RawScoresByDefinition(concepts, terms, l, false),
            absl::StrCat(language, " \"", probe, "\""));
      }
    }
  }
}

// The bundled notice links without every third term's row: a CpvConcepts
// whose languages link other terms, so other term ids.
std::string FewerNoticeTerms() {
  std::string out;
  int row = 0;
  for (absl::string_view line :
       absl::StrSplit(internal::kConceptNoticesTsv, '\n')) {
    const std::vector<absl::string_view> f = absl::StrSplit(line, '\t');
    if (row++ == 0 || f.size() < 2 || f[1] == "*" || row % 3 != 0) {
      absl::StrAppend(&out, line, "\n");
    }
  }
  return out;
}

// A random text in `language`: labels of random codes (one in four in
// another language), made-up words, codes and a repeated word.
std::string RandomLabelText(std::mt19937& rng, absl::string_view language) {
  const CpvTaxonomy& cpv = CpvTaxonomy::Builtin();
  std::string text;
  for (int i = 1 + static_cast<int>(rng() % 12); i > 0; --i) {
    const CpvCode code = cpv.CodeAt(static_cast<int>(rng() % cpv.size()));
    const absl::string_view from =
        rng() % 4 == 0 ? kConceptLanguages[rng() % kConceptLanguageCount]
                       : language;
    absl::StrAppend(&text, CpvConcepts::Builtin().Label(code, from), " ");
    switch (rng() % 4) {
      case 0:
        absl::StrAppend(&text, "zq", rng() % 1000, "xw STANAG-", rng() % 9999,
                        " ");
        break;
      case 1:
        for (int k = 2 + static_cast<int>(rng() % 8); k > 0; --k) {
          text.push_back(static_cast<char>('a' + rng() % 26));
        }
        text.push_back(' ');
        break;
      default:
        break;
    }
  }
  const size_t space = text.find(' ');
  absl::StrAppend(&text, text.substr(0, space));  // A word again.
  return text;
}

// Term ids from the analyser (AnalyzeTextWithIds under TermIds, the ids
// kept in the thread's word memo) against the terms' text: the same terms,
// each id TermId of its term (-1 exactly for a term linked to nothing), the
// ids ascending with each language's linked concept terms,
// and the raw scores and a supplier's merged concepts by ids equal to those
// by the terms' text by definition. Random and real words in twelve
// languages (stemmed, cut to prefixes, Greek, Irish read as English, one
// that is no concept language), words met for the first time after others,
// two CpvConcepts linking different terms used in turn (a word's id from
// one must never answer for the other), with and without the terms; and
// ids that are no term's add nothing.
TEST(ConceptRankingTest, TermIdsFromTheAnalyserEqualTheTermsLinks) {
  absl::StatusOr<std::unique_ptr<CpvConcepts>> fewer = CpvConcepts::Create(
      internal::kCpvLabelsTsv, FewerNoticeTerms(), CpvTaxonomy::Builtin());
  ASSERT_TRUE(fewer.ok()) << fewer.status();
  {
    // A language's first use through the vocabulary (its links not built
    // yet): building them analyses the labels on this thread.
    const std::string text = "Soupapes de sûreté et drones de surveillance";
    absl::StatusOr<TermsAndIds> first =
        AnalyzeTextWithIds(text, "fr", (*fewer)->TermIds("fr"));
    ASSERT_TRUE(first.ok()) << first.status();
    for (size_t k = 0; k < first->terms.size(); ++k) {
      EXPECT_EQ(first->ids[k], (*fewer)->TermId(first->terms[k], "fr"));
    }
  }
  const CpvConcepts* const variants[] = {&CpvConcepts::Builtin(), fewer->get()};
  const char* const languages[] = {"fr", "nl", "de", "en", "pl", "el",
                                   "lv", "fi", "ga", "hu", "bg", "xx"};
  constexpr int kLanguages = sizeof(languages) / sizeof(*languages);
  // Each language's linked concept terms in each variant, with their ids:
  // ascending with the terms.
  std::vector<std::vector<std::string>> linked(2 * kLanguages);
  std::vector<std::vector<int32_t>> linked_ids(2 * kLanguages);
  for (int v = 0; v < 2; ++v) {
    for (int i = 0; i + 1 < kLanguages; ++i) {
      const int l = ConceptLanguageIndex(languages[i]);
      linked[v * kLanguages + i] =
          CpvConceptsPeer::LinkedTerms(*variants[v], l);
      std::vector<int32_t>& ids = linked_ids[v * kLanguages + i];
      for (const std::string& term : linked[v * kLanguages + i]) {
        ids.push_back(variants[v]->TermId(term, languages[i]));
        ASSERT_GE(ids.back(), 0) << languages[i] << " \"" << term << "\"";
        if (ids.size() > 1) {
          ASSERT_GT(ids.back(), ids[ids.size() - 2])
              << languages[i] << " \"" << term << "\"";
        }
      }
    }
  }
  EXPECT_NE(linked[0].size(), linked[kLanguages].size());  // Other ids.
  std::mt19937 rng(20261214);
  int with_id = 0, without_id = 0;
  for (int round = 0; round < 300; ++round) {
    const int v = static_cast<int>(rng() % 2);
    const CpvConcepts& concepts = *variants[v];
    const int n = 1 + static_cast<int>(rng() % 4);
    std::vector<std::string> names(n);
    std::vector<std::vector<std::string>> terms(n);
    std::vector<std::vector<int32_t>> ids(n);
    std::vector<CpvConcepts::LanguageTerms> by_terms;
    std::vector<CpvConcepts::LanguageTermIds> by_ids;
    for (int p = 0; p < n; ++p) {
      const int i = static_cast<int>(rng() % kLanguages);
      names[p] = languages[i];
      const std::string text = RandomLabelText(rng, names[p]);
      TermVocabulary vocabulary = concepts.TermIds(names[p]);
      vocabulary.with_terms = rng() % 4 != 0;
      absl::StatusOr<TermsAndIds> analysed =
          AnalyzeTextWithIds(text, names[p], vocabulary);
      absl::StatusOr<std::vector<std::string>> twin =
          AnalyzeText(text, names[p]);
      ASSERT_TRUE(analysed.ok()) << analysed.status();
      ASSERT_TRUE(twin.ok()) << twin.status();
      terms[p] = *twin;
      ids[p] = analysed->ids;
      if (vocabulary.with_terms) {
        EXPECT_EQ(analysed->terms, terms[p]);
      } else {
        EXPECT_TRUE(analysed->terms.empty());
      }
      ASSERT_EQ(ids[p].size(), terms[p].size()) << text;
      const std::vector<std::string>& numbered = linked[v * kLanguages + i];
      for (size_t k = 0; k < ids[p].size(); ++k) {
        const std::string term = ConceptTerm(terms[p][k], names[p]);
        auto it = std::lower_bound(numbered.begin(), numbered.end(), term);
        const int32_t expected =
            it != numbered.end() && *it == term
                ? linked_ids[v * kLanguages + i][it - numbered.begin()]
                : -1;
        ASSERT_EQ(ids[p][k], expected)
            << names[p] << " \"" << terms[p][k] << "\" in " << text;
        ASSERT_EQ(concepts.TermId(terms[p][k], names[p]), expected);
        ++(expected < 0 ? without_id : with_id);
      }
      const int l = ConceptLanguageIndex(names[p]);
      if (l >= 0) {
        for (bool labels_only : {false, true}) {
          ExpectSameScores(
              CpvConceptsPeer::RawScoresOfIds(concepts, ids[p], l, labels_only),
              CpvConceptsPeer::RawScoresByDefinition(concepts, terms[p], l,
                                                     labels_only),
              absl::StrCat(names[p], " round ", round, ": ", text));
        }
      }
      if (l >= 0) {
        // Ids that are no term's (a term's links' second header entry, one
        // of its links, past the end, negative) are skipped.
        const std::vector<int32_t>& valid = linked_ids[v * kLanguages + i];
        std::vector<int32_t> noisy = ids[p];
        noisy.push_back(valid[rng() % valid.size()] + 1);
        for (int k = 0; k < 8; ++k) {
          const int32_t id =
              static_cast<int32_t>(rng() % (valid.back() + 2000)) - 1000;
          if (!std::binary_search(valid.begin(), valid.end(), id)) {
            noisy.push_back(id);
          }
        }
        ExpectSameScores(
            CpvConceptsPeer::RawScoresOfIds(concepts, noisy, l, false),
            CpvConceptsPeer::RawScoresOfIds(concepts, ids[p], l, false),
            absl::StrCat(names[p], " round ", round, " with ids of no term"));
      }
      by_terms.push_back({names[p], &terms[p]});
      by_ids.push_back({names[p], &ids[p]});
    }
    ExpectSameConcepts(concepts.MergedConceptsOfTermIds(by_ids),
                       MergedConceptsByDefinition<CpvConceptsPeer>(
                           concepts, by_terms, CpvConcepts::kMaxConcepts, 0.1),
                       absl::StrCat("round ", round));
  }
  EXPECT_GT(with_id, 1000);
  EXPECT_GT(without_id, 300);
}

// A word's label links as pruned when its language's model is built
// (ConceptWeights::max_label_links, min_label_link_share), against the
// pruning by definition over the same model unpruned: every link of the
// word ranked by weight (ties: the lower code first), the first
// max_label_links kept, then those under the share of the strongest
// dropped. Words of random labels in languages with and without a stemmer,
// under the default pruning and under a harsher one.
TEST(ConceptRankingTest, PrunedLabelLinksAreTheStrongestByDefinition) {
  ConceptWeights all;
  all.max_label_links = 1 << 30;
  all.min_label_link_share = 0;
  ConceptWeights harsh;
  harsh.max_label_links = 5;
  harsh.min_label_link_share = 0.4;
  absl::StatusOr<std::unique_ptr<CpvConcepts>> unpruned =
      CpvConcepts::Create(internal::kCpvLabelsTsv, internal::kConceptNoticesTsv,
                          CpvTaxonomy::Builtin(), all);
  absl::StatusOr<std::unique_ptr<CpvConcepts>> harshly =
      CpvConcepts::Create(internal::kCpvLabelsTsv, internal::kConceptNoticesTsv,
                          CpvTaxonomy::Builtin(), harsh);
  ASSERT_TRUE(unpruned.ok()) << unpruned.status();
  ASSERT_TRUE(harshly.ok()) << harshly.status();
  const std::pair<const CpvConcepts*, ConceptWeights> variants[] = {
      {&CpvConcepts::Builtin(), ConceptWeights()}, {harshly->get(), harsh}};
  std::mt19937 rng(20261130);
  int pruned = 0;
  for (const char* language : {"fr", "de", "en", "pl", "el", "lv"}) {
    const int l = ConceptLanguageIndex(language);
    for (const std::string& t : RandomLabelTerms(rng, language, 60)) {
      const std::string term = ConceptTerm(t, language);
      std::vector<std::pair<int32_t, float>> ranked =
          CpvConceptsPeer::LabelLinks(**unpruned, term, l);
      std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
        return a.second > b.second ||
               (a.second == b.second && a.first < b.first);
      });
      for (const auto& [concepts, weights] : variants) {
        std::vector<std::pair<int32_t, float>> expected;
        for (const auto& link : ranked) {
          if (expected.size() == static_cast<size_t>(weights.max_label_links)) {
            break;
          }
          if (link.second >=
              weights.min_label_link_share * ranked.front().second) {
            expected.push_back(link);
          }
        }
        std::sort(expected.begin(), expected.end());
        EXPECT_EQ(CpvConceptsPeer::LabelLinks(*concepts, term, l), expected)
            << language << " \"" << term << "\"";
        pruned += expected.size() < ranked.size();
      }
    }
  }
  EXPECT_GT(pruned, 100);  // The pruning ran, not only short link lists.
}

// The concept languages found by their two letters (a table, index building
// asks once per text) against comparing with each: every pair of letters,
// and strings of one to three characters around them (capitals, the
// characters next to a-z, a letter more or less, a byte above 127).
TEST(ConceptRankingTest, ConceptLanguagesFoundByTheirLetters) {
  const std::string around = "abcdefghijklmnopqrstuvwxyz`{@[AZ\xc3";
  std::vector<std::string> names = {"",    "e",   "eng",
                                    "enn", "fra", std::string("e\0", 2)};
  for (char a : around) {
    names.push_back(std::string(1, a));
    for (char b : around) {
      names.push_back(std::string{a, b});
      names.push_back(std::string{a, b, 'n'});
    }
  }
  int found = 0;
  for (const std::string& name : names) {
    const bool listed =
        std::find_if(kConceptLanguages,
                     kConceptLanguages + kConceptLanguageCount,
                     [&](const char* l) { return name == l; }) !=
        kConceptLanguages + kConceptLanguageCount;
    EXPECT_EQ(CpvConcepts::IsConceptLanguage(name), listed) << name;
    found += listed;
  }
  EXPECT_EQ(found, kConceptLanguageCount);
}

}  // namespace
}  // namespace procmatch
