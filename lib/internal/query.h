// File: lib/internal/query.h
//
// INTERNAL. A match request resolved once against one index: its CPV codes
// with their credit scorers and rarities, its analysed terms with BM25
// weights, its requirements prepared for evaluation, its dates, value and
// places, and the normalised weight of each score component. Everything
// that is the same for every supplier is computed here, so that evaluating
// and scoring a supplier parses and compiles nothing.
#ifndef PROCMATCH_LIB_INTERNAL_QUERY_H_
#define PROCMATCH_LIB_INTERNAL_QUERY_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "procmatch/cpv.h"
#include "procmatch/cpv_concepts.h"
#include "procmatch/internal/cpv_credit.h"
#include "procmatch/internal/index_data.h"
#include "procmatch/nuts.h"
#include "procmatch/text_analyzer.h"
#include "procmatch/v1/match.pb.h"
#include "procmatch/validation.h"
#include "re2/re2.h"

namespace procmatch {
namespace internal {

// The score components, in the order of the component table
// (internal/components.h) and of ScoreComponentKind.
enum Component {
  kCpv,
  kText,
  kTrack,
  kTags,
  kDesirable,
  kSize,
  kProximity,
  kConcepts,
  kBuyerAffinity,
  kComponentCount
};

constexpr double kBm25K1 = 1.2;
constexpr double kBm25B = 0.75;

// A tender code with what scoring asks of it for every supplier code: its
// credit scorer and each ancestor's rarity.
struct QueryCode {
  CpvCode code;
  double weight;
  CreditScorer credit;
  double rarity[9] = {};  // By depth 2-8: 0.5 + 0.5 idf / idf_max.
};

// What the tender means, as a CPV concept: one of the codes it states, else
// one of its text's concepts (lib/cpv_concepts.h). Query::concept_credits
// holds their credit scorers.
struct QueryConcept {
  CpvCode code;
  double weight;  // In (0, 1].
};

struct QueryTerm {
  uint32_t id;
  std::string text;
  // Query frequency times idf; a translated term's, its concept's share of
  // the tender's words meaning the concept (QueryTranslation).
  double weight;
  // A translated term's concept: the tender concept whose label gave it.
  CpvCode concept;
  // Where `id` is in Query::term_ids.
  uint32_t slot = 0;
};

// The tender's text carried into another language through what it means
// (doc/scoring.md, "Text across languages"): the labels, in that language, of
// the concepts its own words say, each concept's label terms sharing the BM25
// weight of the tender's words that mean it, by idf. Terms that are words of
// the tender's language are left out; only terms the index knows are kept; a
// language without any has no translation.
struct QueryTranslation {
  std::string language;
  std::vector<QueryTerm> terms;
  // Largest attainable BM25 sum: that of the tender's words meaning the
  // translated concepts, the same for every language.
  double text_max = 0;
};

// A translation's relevance counts this share of its BM25 over its largest
// sum: 1, a supplier that says in its language what the tender's words mean
// is as relevant as that share of the tender's words says; the tender's own
// words keep their own BM25, and the text value is the larger of the two
// (doc/scoring.md: measured on the winner-ranking benchmark).
constexpr double kTranslationCredit = 1;

// A requirement resolved once per query (internal/requirements.h).
struct PreparedRequirement {
  const v1::Requirement* rule = nullptr;
  std::vector<CpvCode> cpv;  // cpv_experience or technology_readiness codes.
  std::string scheme_key;    // certification: NormalizeScheme().
  NutsCode place;            // proximity: its code, else the first place.
  std::unique_ptr<RE2> keyword;  // keyword: internal/keyword_pattern.h.
};

struct Query {
  const v1::Tender* tender = nullptr;
  const v1::Lot* lot = nullptr;
  const CpvTaxonomy* cpv = nullptr;
  std::vector<PreparedRequirement> requirements;  // The tender's, the lot's.
  std::vector<QueryCode> codes;
  double code_weight_sum = 0;
  bool inherited_codes = false;  // A lot without codes: the notice's.
  std::vector<QueryTerm> terms;
  double text_max = 0;        // Largest attainable BM25 sum.
  std::string text;           // The tender's (or lot's) text, for explanations.
  std::string text_language;  // Given or guessed.
  // The text analysed once, word by word, for the explanations of every
  // supplier listed: words, not stems, and the words meaning a concept.
  std::vector<AnalyzedWord> words;
  // In every other concept language whose label words the index knows.
  std::vector<QueryTranslation> translations;
  // The distinct ids of `terms` and of every translation's terms, ascending:
  // a supplier's frequencies of all of them are read in one pass over its
  // term list (TermList::Frequencies), each term's at its `slot`.
  std::vector<uint32_t> term_ids;
  // Its stated codes (main 1, additional 0.5), else its text's concepts.
  std::vector<QueryConcept> concepts;
  double concept_weight_sum = 0;
  // The tender's words meaning each of its first CpvConcepts::kMaxConcepts
  // concepts (CpvConcepts::EvidenceOfAnalyzed), in `concepts` order: found
  // once, for its translations and for the explanation of every supplier
  // listed; none when its language is not a concept language.
  std::vector<std::vector<ConceptEvidence>> concept_evidence;
  // The concepts' codes, in `concepts` order, for scoring every candidate's.
  CreditTable concept_credits;
  absl::CivilDay as_of;
  int64_t as_of_days = 0;  // as_of - ContractEpoch().
  bool has_value = false;
  double value = 0;
  std::string value_currency;
  std::vector<NutsCode> places;
  std::vector<std::string> wanted_tags;  // Folded, sorted, unique.
  std::string buyer_key;                 // Folded buyer name.
  std::string buyer_country;
  std::string buyer_activity_key;  // BuyerActivityKey(), or "".
  double desirable_weight_sum = 0;
  double weight[kComponentCount] = {};  // Normalised; 0 = not computed.
  int top_k = 10;
  double min_score = 0;  // Options::min_match_score: listed only above.
  bool include_excluded = false;
  int max_excluded = 100;
};

// The tender's words meaning `code` (Query::concept_evidence); none for a
// code that is not one of its first CpvConcepts::kMaxConcepts concepts.
const std::vector<ConceptEvidence>& TenderEvidence(const Query& q,
                                                   CpvCode code);

// Validates `request` with `validator` and resolves it against `index`.
// Errors: the request's first problem (InvalidArgument).
absl::StatusOr<std::unique_ptr<Query>> PrepareQuery(
    const v1::MatchRequest& request, const IndexData& index,
    const Validator& validator);

}  // namespace internal
}  // namespace procmatch

#endif  // PROCMATCH_LIB_INTERNAL_QUERY_H_
