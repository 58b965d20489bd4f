// The concepts of a text, as index building computes them for every
// supplier (CpvConcepts::ConceptsOfTerms), against brute-force twins: the
// strongest few selected without sorting every code equal the head of the
// full ranking, and the order of the terms changes nothing (each code's
// score is summed in one order in every process).
#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "procmatch/cpv.h"
#include "procmatch/cpv_concepts.h"
#include "procmatch/text_analyzer.h"

namespace procmatch {
namespace {

// Terms of the labels of `codes` random codes in `language`, some repeated,
// with a few words no label has.
std::vector<std::string> RandomLabelTerms(std::mt19937& rng,
                                          absl::string_view language,
                                          int codes) {
  const CpvTaxonomy& cpv = CpvTaxonomy::Builtin();
  std::string text;
  for (int i = 0; i < codes; ++i) {
    const CpvCode code = cpv.CodeAt(static_cast<int>(rng() % cpv.size()));
    absl::StrAppend(&text, CpvConcepts::Builtin().Label(code, language), " ");
    if (rng() % 4 == 0) absl::StrAppend(&text, "zqxw", rng() % 100, " ");
  }
  absl::StatusOr<std::vector<std::string>> terms = AnalyzeText(text, language);
  EXPECT_TRUE(terms.ok()) << terms.status();
  std::vector<std::string> out = terms.value_or(std::vector<std::string>{});
  const size_t n = out.size();
  for (size_t i = 0; i < n / 3; ++i) out.push_back(out[rng() % n]);
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

}  // namespace
}  // namespace procmatch
