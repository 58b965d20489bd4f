#include "procmatch/internal/query.h"

#include <algorithm>
#include <cmath>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "procmatch/cpv_concepts.h"
#include "procmatch/dates.h"
#include "procmatch/internal/components.h"
#include "procmatch/internal/requirements.h"
#include "procmatch/text_analyzer.h"

namespace procmatch {
namespace internal {
namespace {

constexpr int kDefaultTopK = 10;
constexpr int kDefaultMaxExcluded = 100;
// CPV relevance of a lot without codes, matched on its notice's codes, is
// this share of what the same codes give a lot that states them.
constexpr double kInheritedCodeCredit = 0.6;

// Codes: the lot's, else the tender's and every lot's; main codes weigh 1,
// additional codes 0.5. A code listed twice counts once, at its highest
// weight. Returns the text to analyse with them.
absl::StatusOr<std::string> AddCodesAndText(const v1::Tender& t, Query* q) {
  absl::Status status;
  auto add_code = [&](const std::string& text, double weight) {
    absl::StatusOr<CpvCode> code = q->cpv->Parse(text);
    if (!code.ok()) {
      if (status.ok()) status = code.status();
      return;
    }
    for (QueryCode& qc : q->codes) {
      if (qc.code == *code) {
        qc.weight = std::max(qc.weight, weight);
        return;
      }
    }
    q->codes.push_back({*code, weight});
  };
  std::string text = absl::StrCat(t.title(), "\n", t.description());
  auto add_lot = [&](const v1::Lot& lot) {
    if (!lot.main_cpv().empty()) add_code(lot.main_cpv(), 1.0);
    for (const auto& c : lot.additional_cpv()) add_code(c, 0.5);
    absl::StrAppend(&text, "\n", lot.title(), "\n", lot.description());
  };
  if (q->lot != nullptr) {
    add_lot(*q->lot);
    if (q->codes.empty()) {
      // A lot without codes: the notice's, with less credit (SetRarities).
      q->inherited_codes = true;
      if (!t.main_cpv().empty()) add_code(t.main_cpv(), 1.0);
      for (const auto& c : t.additional_cpv()) add_code(c, 0.5);
    }
  } else {
    if (!t.main_cpv().empty()) add_code(t.main_cpv(), 1.0);
    for (const auto& c : t.additional_cpv()) add_code(c, 0.5);
    for (const v1::Lot& lot : t.lots()) add_lot(lot);
  }
  if (!status.ok()) return status;
  return text;
}

void SetRarities(const IndexData& index, Query* q) {
  const double n = index.size();
  const double idf_max = std::log(1 + n);
  for (QueryCode& qc : q->codes) {
    q->code_weight_sum += qc.weight;
    qc.credit = CreditScorer(*q->cpv, qc.code);
    for (int d = 2; d <= qc.code.depth(); ++d) {
      const double df = index.CpvPostings(qc.code.Truncated(d)).size();
      qc.rarity[d] = 0.5 + 0.5 * std::log(1 + n / std::max(1.0, df)) / idf_max;
    }
  }
  // The notice's codes standing in for a lot's count for less: the divisor
  // grows, so CPV relevance and its bounds shrink alike.
  if (q->inherited_codes) q->code_weight_sum /= kInheritedCodeCredit;
}

// BM25's idf of a term in `index` that `df` suppliers have.
double Idf(const IndexData& index, double df) {
  const double n = index.size();
  return std::log(1 + (n - df + 0.5) / (df + 0.5));
}

// The tender's text in every other concept language, through what it means
// (doc/scoring.md, "Text across languages"). Each of the strongest
// CpvConcepts::kMaxConcepts concepts of its meaning (AddMeaning: its stated
// codes, else its text's concepts), strongest first, gets the mass of the
// tender's own words that mean it (CpvConcepts evidence): their BM25
// weights, query frequency times idf, known to the index or not, each word
// for its first concept only. A concept the words do
// not say has no mass and is not carried. In each other language the mass is
// shared among the concept's label terms by idf (a term no supplier has
// counts too: a supplier with only a label's common word gets little),
// leaving out the terms that are words of the tender's own language (its own
// terms, cognates): a supplier writing in the tender's language is measured
// by the tender's words, not by a translation. A translation's largest sum
// is the meaning's, Σ mass × (k1 + 1), whatever the language: a supplier that
// says the tender's meaning in its language scores alike whichever language
// the tender says it in. Irish labels repeat the English ones, so Irish is
// English's.
void AddTranslations(const IndexData& index, absl::string_view language,
                     Query* q) {
  if (q->concept_evidence.empty()) return;
  const CpvConcepts& concepts = CpvConcepts::Builtin();
  auto idf_of = [&index](const std::string& term, int64_t* id) {
    *id = index.TermId(term);
    const double df =
        *id < 0 ? 0 : index.TermPostings(static_cast<uint32_t>(*id)).size();
    return df > 0 ? Idf(index, df) : -Idf(index, 0);  // < 0: no supplier.
  };
  absl::flat_hash_map<std::string, double> own_weight;  // By term.
  for (const AnalyzedWord& w : q->words) {
    int64_t id;
    own_weight[w.term] += std::abs(idf_of(w.term, &id));
  }
  // Each word's terms, in text order, so that evidence is looked up, not
  // searched for among the words.
  absl::flat_hash_map<absl::string_view, std::vector<const std::string*>>
      terms_of_word;
  for (const AnalyzedWord& w : q->words) {
    terms_of_word[w.word].push_back(&w.term);
  }
  absl::flat_hash_set<std::string> meant;  // Own terms given to a concept.
  std::vector<std::pair<CpvCode, double>> mass;
  double meaning_max = 0;
  for (size_t i = 0; i < q->concept_evidence.size(); ++i) {
    const QueryConcept& c = q->concepts[i];
    double m = 0;
    for (const ConceptEvidence& e : q->concept_evidence[i]) {
      auto it = terms_of_word.find(e.word);
      if (it == terms_of_word.end()) continue;
      for (const std::string* term : it->second) {
        if (meant.insert(*term).second) m += own_weight[*term];
      }
    }
    if (m == 0) continue;
    mass.emplace_back(c.code, m);
    meaning_max += m * (kBm25K1 + 1);
  }
  for (const char* l : kConceptLanguages) {
    const absl::string_view other = l;
    if (mass.empty() || other == language || other == "ga") continue;
    QueryTranslation t;
    t.language = std::string(other);
    t.text_max = meaning_max;
    std::vector<std::string> seen;
    for (const auto& [code, m] : mass) {
      std::vector<QueryTerm> label;  // Weight: idf; < 0 when no supplier.
      double idf_sum = 0;
      for (const std::string& term : *concepts.LabelTerms(code, other)) {
        // A term of two labels: the stronger concept's.
        if (std::find(seen.begin(), seen.end(), term) != seen.end()) continue;
        seen.push_back(term);
        if (own_weight.contains(term) || concepts.LinksTerm(term, language)) {
          continue;
        }
        int64_t id;
        const double idf = idf_of(term, &id);
        idf_sum += std::abs(idf);
        if (idf > 0) label.push_back({static_cast<uint32_t>(id), term, idf});
      }
      for (QueryTerm& term : label) {
        term.weight = m * term.weight / idf_sum;
        term.concept = code;
        t.terms.push_back(std::move(term));
      }
    }
    if (!t.terms.empty()) q->translations.push_back(std::move(t));
  }
}

// The tender's words meaning each of its strongest concepts, the words
// walked once for all of them. The strongest only, as a text's concepts are
// capped: a tender stating thousands of codes would cost a walk over its
// words for each.
void AddConceptEvidence(absl::string_view language, Query* q) {
  if (!CpvConcepts::IsConceptLanguage(language)) return;
  const size_t carried = std::min(
      q->concepts.size(), static_cast<size_t>(CpvConcepts::kMaxConcepts));
  std::vector<CpvCode> codes;
  for (size_t i = 0; i < carried; ++i) codes.push_back(q->concepts[i].code);
  q->concept_evidence =
      CpvConcepts::Builtin().EvidenceOfAnalyzed(q->words, language, codes);
}

// What the tender means, for the concepts component (doc/scoring.md,
// "Concepts"): the codes its buyer states (main 1, additional 0.5), the same
// whatever language the tender is written in, when it states any; else the
// concepts of its text.
void AddMeaning(const std::vector<Concept>& text_concepts, Query* q) {
  if (q->codes.empty()) {
    for (const Concept& c : text_concepts) {
      q->concepts.push_back({c.code, c.weight});
      q->concept_weight_sum += c.weight;
    }
  } else {
    double top = 0;
    for (const QueryCode& qc : q->codes) top = std::max(top, qc.weight);
    for (const QueryCode& qc : q->codes) {
      q->concepts.push_back({qc.code, qc.weight / top});
      q->concept_weight_sum += qc.weight / top;
    }
    // Strongest first, as a text's concepts come.
    std::stable_sort(q->concepts.begin(), q->concepts.end(),
                     [](const QueryConcept& a, const QueryConcept& b) {
                       return a.weight > b.weight;
                     });
  }
  std::vector<CpvCode> codes;
  for (const QueryConcept& c : q->concepts) codes.push_back(c.code);
  q->concept_credits = CreditTable(*q->cpv, codes);
}

// Query::term_ids, and each term's slot in it.
void SetTermSlots(Query* q) {
  std::vector<QueryTerm*> all;
  for (QueryTerm& t : q->terms) all.push_back(&t);
  for (QueryTranslation& t : q->translations) {
    for (QueryTerm& term : t.terms) all.push_back(&term);
  }
  for (const QueryTerm* t : all) q->term_ids.push_back(t->id);
  std::sort(q->term_ids.begin(), q->term_ids.end());
  q->term_ids.erase(std::unique(q->term_ids.begin(), q->term_ids.end()),
                    q->term_ids.end());
  for (QueryTerm* t : all) {
    t->slot = static_cast<uint32_t>(
        std::lower_bound(q->term_ids.begin(), q->term_ids.end(), t->id) -
        q->term_ids.begin());
  }
}

// BM25 query terms: the tender's language's stems known to the index; what
// the tender means, and its text in the other concept languages.
absl::Status AddTerms(const IndexData& index, const std::string& text,
                      absl::string_view language, Query* q) {
  const std::string lang =
      language.empty() ? GuessLanguage(text) : std::string(language);
  absl::StatusOr<std::vector<AnalyzedWord>> words = AnalyzeWords(text, lang);
  if (!words.ok()) return words.status();
  q->text = text;
  q->text_language = lang;
  q->words = *std::move(words);
  std::vector<std::string> terms;
  terms.reserve(q->words.size());
  for (const AnalyzedWord& w : q->words) terms.push_back(w.term);
  if (index.options().cpv_concepts) {
    AddMeaning(CpvConcepts::Builtin().ConceptsOfTerms(terms, lang), q);
  }
  std::vector<std::string> sorted = std::move(terms);
  std::sort(sorted.begin(), sorted.end());
  for (size_t i = 0; i < sorted.size();) {
    size_t j = i;
    while (j < sorted.size() && sorted[j] == sorted[i]) ++j;
    const int64_t id = index.TermId(sorted[i]);
    if (id >= 0) {
      const double df = index.TermPostings(static_cast<uint32_t>(id)).size();
      if (df > 0) {
        q->terms.push_back({static_cast<uint32_t>(id), sorted[i],
                            static_cast<double>(j - i) * Idf(index, df)});
        q->text_max += q->terms.back().weight * (kBm25K1 + 1);
      }
    }
    i = j;
  }
  if (index.options().cpv_concepts) {
    AddConceptEvidence(lang, q);
    AddTranslations(index, lang, q);
  }
  SetTermSlots(q);
  return absl::OkStatus();
}

}  // namespace

const std::vector<ConceptEvidence>& TenderEvidence(const Query& q,
                                                   CpvCode code) {
  static const std::vector<ConceptEvidence>* const kNone =
      new std::vector<ConceptEvidence>();
  for (size_t i = 0; i < q.concept_evidence.size(); ++i) {
    if (q.concepts[i].code == code) return q.concept_evidence[i];
  }
  return *kNone;
}

absl::StatusOr<std::unique_ptr<Query>> PrepareQuery(
    const v1::MatchRequest& request, const IndexData& index,
    const Validator& validator) {
  absl::Status valid = validator.ValidateMatchRequest(request);
  if (!valid.ok()) return valid;
  const Options& options = validator.options();
  auto q = std::make_unique<Query>();
  q->cpv = &validator.cpv();
  const v1::Tender& t = request.tender();
  q->tender = &t;
  for (const v1::Lot& lot : t.lots()) {
    if (lot.id() == request.lot_id()) q->lot = &lot;
  }

  absl::StatusOr<std::string> text = AddCodesAndText(t, q.get());
  if (!text.ok()) return text.status();
  SetRarities(index, q.get());
  absl::Status terms = AddTerms(index, *text, t.language(), q.get());
  if (!terms.ok()) return terms;

  const v1::MatchOptions& o = request.options();
  if (o.has_as_of()) {
    q->as_of = ToCivilDay(o.as_of());
  } else if (t.has_published()) {
    q->as_of = UtcDay(t.published());
  } else {
    q->as_of = absl::ToCivilDay(absl::Now(), absl::UTCTimeZone());
  }
  q->as_of_days = q->as_of - ContractEpoch();

  const v1::Money* value = nullptr;
  if (q->lot != nullptr && q->lot->has_estimated_value()) {
    value = &q->lot->estimated_value();
  } else if (t.has_estimated_value()) {
    value = &t.estimated_value();
  }
  if (value != nullptr) {
    q->has_value = true;
    q->value = value->amount();
    q->value_currency = value->currency();
  }

  const auto& places = q->lot != nullptr && q->lot->nuts_codes_size() > 0
                           ? q->lot->nuts_codes()
                           : t.nuts_codes();
  for (const std::string& p : places) {
    absl::StatusOr<NutsCode> place = validator.nuts().Parse(p);
    if (!place.ok()) return place.status();
    q->places.push_back(*place);
  }

  // Requirements: the tender's, plus the lot's, each resolved once.
  std::vector<const v1::Requirement*> rules;
  for (const auto& r : t.requirements()) rules.push_back(&r);
  if (q->lot != nullptr) {
    for (const auto& r : q->lot->requirements()) rules.push_back(&r);
  }
  for (const v1::Requirement* r : rules) {
    PreparedRequirement& p = q->requirements.emplace_back();
    p.rule = r;
    absl::Status prepared = PrepareRequirement(*q, options, &p);
    if (!prepared.ok()) return prepared;
    if (r->importance() == v1::IMPORTANCE_DESIRABLE) {
      q->desirable_weight_sum += r->weight() > 0 ? r->weight() : 1.0;
    }
  }

  for (const std::string& tag : o.wanted_tags()) {
    q->wanted_tags.push_back(FoldText(tag));
  }
  std::sort(q->wanted_tags.begin(), q->wanted_tags.end());
  q->wanted_tags.erase(
      std::unique(q->wanted_tags.begin(), q->wanted_tags.end()),
      q->wanted_tags.end());
  q->buyer_key = FoldText(t.buyer().name());
  q->buyer_country = t.buyer().country();
  q->buyer_activity_key =
      BuyerActivityKey(t.buyer().country(), t.buyer().main_activity());

  SetWeights(o, q.get());
  q->top_k = o.top_k() > 0 ? o.top_k() : kDefaultTopK;
  q->min_score = options.min_match_score;
  q->include_excluded = o.include_excluded();
  q->max_excluded =
      o.max_excluded() > 0
          ? std::min(o.max_excluded(), options.max_listed_exclusions)
          : std::min(kDefaultMaxExcluded, options.max_listed_exclusions);
  return q;
}

}  // namespace internal
}  // namespace procmatch
