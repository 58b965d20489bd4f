// A prepared query against recomputing what it keeps: the tender's words
// meaning each of its concepts, found once for all of them
// (Query::concept_evidence), equal those found for each concept alone, on
// random tenders with and without codes in four languages.
#include "procmatch/internal/query.h"

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "procmatch/cpv_concepts.h"
#include "procmatch/internal/index_data.h"
#include "procmatch/supplier_index.h"
#include "procmatch/validation.h"
#include "tests/random_corpus.h"

namespace procmatch {
namespace internal {
namespace {

void ExpectSameEvidence(const std::vector<ConceptEvidence>& kept,
                        const std::vector<ConceptEvidence>& alone,
                        const std::string& where) {
  ASSERT_EQ(kept.size(), alone.size()) << where;
  for (size_t i = 0; i < kept.size(); ++i) {
    EXPECT_EQ(kept[i].word, alone[i].word) << where << " #" << i;
    EXPECT_EQ(kept[i].label_word, alone[i].label_word) << where << " #" << i;
    EXPECT_EQ(kept[i].language, alone[i].language) << where << " #" << i;
    EXPECT_EQ(kept[i].source, alone[i].source) << where << " #" << i;
    EXPECT_EQ(kept[i].weight, alone[i].weight) << where << " #" << i;
  }
}

TEST(QueryTest, ConceptEvidenceEqualsEachConceptAlone) {
  SupplierIndex::Builder builder;
  for (const auto& s : testing::RandomSuppliers(300, 131)) {
    ASSERT_TRUE(builder.Add(s).ok());
  }
  auto index = std::move(builder).Build();
  ASSERT_TRUE(index.ok()) << index.status();
  const IndexData& data = IndexAccess::Data(**index);
  const CpvConcepts& concepts = CpvConcepts::Builtin();
  Validator validator;
  std::vector<v1::MatchRequest> requests = testing::RandomRequests(200, 132);
  int with_evidence = 0, text_concepts = 0;
  for (size_t r = 0; r < requests.size(); ++r) {
    // Every other tender without codes: its meaning is then its text's.
    if (r % 2 == 1) {
      v1::Tender& t = *requests[r].mutable_tender();
      t.clear_main_cpv();
      t.clear_additional_cpv();
      for (v1::Lot& lot : *t.mutable_lots()) {
        lot.clear_main_cpv();
        lot.clear_additional_cpv();
      }
    }
    auto q = PrepareQuery(requests[r], data, validator);
    ASSERT_TRUE(q.ok()) << q.status();
    const Query& query = **q;
    const std::string where = requests[r].tender().id();
    if (!CpvConcepts::IsConceptLanguage(query.text_language)) {
      EXPECT_TRUE(query.concept_evidence.empty()) << where;
      continue;
    }
    ASSERT_EQ(
        query.concept_evidence.size(),
        std::min<size_t>(query.concepts.size(), CpvConcepts::kMaxConcepts))
        << where;
    text_concepts += query.codes.empty() && !query.concepts.empty();
    for (size_t i = 0; i < query.concept_evidence.size(); ++i) {
      const CpvCode code = query.concepts[i].code;
      const std::vector<ConceptEvidence> alone =
          concepts.EvidenceOfAnalyzed(query.words, query.text_language, code);
      ExpectSameEvidence(query.concept_evidence[i], alone,
                         where + " " + code.ToString());
      ExpectSameEvidence(TenderEvidence(query, code), alone,
                         where + " " + code.ToString());
      with_evidence += !alone.empty();
    }
  }
  // Both kinds of meaning, and words meaning them, are exercised.
  EXPECT_GT(text_concepts, 50);
  EXPECT_GT(with_evidence, 200);
}

}  // namespace
}  // namespace internal
}  // namespace procmatch
