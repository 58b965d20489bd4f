#include "procmatch/internal/components.h"

#include <algorithm>
#include <cmath>

#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/descriptor.h"
#include "procmatch/cpv_concepts.h"
#include "procmatch/internal/reasons.h"
#include "procmatch/internal/requirements.h"
#include "procmatch/text_analyzer.h"

namespace procmatch {
namespace internal {
namespace {

// --- CPV relevance
// ------------------------------------------------------------

bool HasCodes(const Query& q) { return !q.codes.empty(); }

double CpvValue(const Query& q, const IndexData&, const SupplierDoc& d,
                Explanation* why) {
  if (q.codes.empty()) return 0;
  double sum = 0;
  double best_part = -1;
  for (const QueryCode& qc : q.codes) {
    double best = 0;
    uint32_t best_bcd = 0;  // Of the code giving `best`.
    int best_depth = 0;
    for (uint32_t bcd : d.parts.offered_bcd()) {
      int depth;
      const double credit = qc.credit.Credit(bcd, &depth);
      if (credit == 0) continue;
      const double v = credit * qc.rarity[depth];
      if (v > best) {
        best = v;
        best_bcd = bcd;
        best_depth = depth;
      }
    }
    sum += qc.weight * best;
    if (why != nullptr && best > 0 && qc.weight * best > best_part) {
      best_part = qc.weight * best;
      const CpvCode best_code = CpvOfBcd(best_bcd);
      why->detail =
          best_code == qc.code
              ? absl::StrCat("exact CPV ", CodeAndLabel(*q.cpv, qc.code))
              : absl::StrCat(
                    "CPV ", CodeAndLabel(*q.cpv, best_code), " shares ",
                    CodeAndLabel(*q.cpv, qc.code.Truncated(best_depth)),
                    " with the tender's ", qc.code.ToString());
    }
  }
  return sum / q.code_weight_sum;
}

// --- text relevance
// -----------------------------------------------------------

bool AppliesText(const Query& q) {
  return !q.terms.empty() || !q.translations.empty();
}

// The supplier's words for the tender's concept `code` in a translation:
// the label's words it has, as the label writes them, quoted.
std::string TranslatedWords(const QueryTranslation& t,
                            const std::vector<std::string>& terms,
                            CpvCode code) {
  std::vector<std::string> words = WordsOfTerms(
      CpvConcepts::Builtin().Label(code, t.language), t.language, terms);
  return absl::StrCat("'", absl::StrJoin(words, " "), "' (", t.language, ")");
}

// The first three distinct words of `evidence`, quoted: "'onbemande
// luchtvaartuigen'"; empty for none.
std::string Quoted(const std::vector<ConceptEvidence>& evidence) {
  std::vector<std::string> words;
  for (const ConceptEvidence& e : evidence) {
    if (words.size() == 3) break;
    if (std::find(words.begin(), words.end(), e.word) == words.end()) {
      words.push_back(e.word);
    }
  }
  return words.empty() ? "" : absl::StrCat("'", absl::StrJoin(words, " "), "'");
}

// The words of `text` that mean `code`, quoted; empty when none does
// directly.
std::string WordsFor(absl::string_view text, absl::string_view language,
                     CpvCode code) {
  absl::StatusOr<std::vector<ConceptEvidence>> evidence =
      CpvConcepts::Builtin().Evidence(text, language, code);
  return evidence.ok() ? Quoted(*evidence) : "";
}

// The same for the tender's text, from the evidence found once for each of
// its concepts (Query::concept_evidence): `code` is one of them, the one a
// translation carries or the tender concept a supplier's best matches.
// With `label_words_only`, only words of the code's label count: words that
// training notices link to the code ("deren", "variants") are evidence for
// scoring, not words a reader recognises as meaning it.
std::string TenderWordsFor(const Query& q, CpvCode code,
                           bool label_words_only = false) {
  const std::vector<ConceptEvidence>& evidence = TenderEvidence(q, code);
  if (!label_words_only) return Quoted(evidence);
  std::vector<ConceptEvidence> label;
  for (const ConceptEvidence& e : evidence) {
    if (e.source == ConceptSource::kLabel) label.push_back(e);
  }
  return Quoted(label);
}

// Text relevance: BM25 of the tender's own words, or, when better, of one of
// its translations (query.h) times kTranslationCredit, whichever is higher:
// a supplier is as relevant as the tender's text in the supplier's best
// language says.
double TextValue(const Query& q, const IndexData& index, const SupplierDoc& d,
                 Explanation* why) {
  const double norm = Bm25Norm(index, d.length);
  // The supplier's frequency of every query term, at its slot: one pass
  // over its term list, into a buffer each thread keeps.
  thread_local std::vector<uint32_t> frequencies;
  frequencies.resize(q.term_ids.size());
  d.terms.Frequencies(q.term_ids, absl::MakeSpan(frequencies));
  double own = 0;
  std::vector<std::pair<double, std::string>> matched;
  if (HasText(q)) {
    double raw = 0;
    for (const QueryTerm& t : q.terms) {
      const uint32_t tf = frequencies[t.slot];
      if (tf == 0) continue;
      const double part = Bm25Part(t, tf, norm);
      raw += part;
      if (why != nullptr) matched.emplace_back(-part, t.text);
    }
    own = raw / q.text_max;
  }
  double translated = 0;
  const QueryTranslation* best = nullptr;
  for (const QueryTranslation& t : q.translations) {
    double raw = 0;
    for (const QueryTerm& term : t.terms) {
      const uint32_t tf = frequencies[term.slot];
      if (tf != 0) raw += Bm25Part(term, tf, norm);
    }
    const double v = TranslatedPart(t, raw);
    if (v > translated) {
      translated = v;
      best = &t;
    }
  }
  if (why != nullptr && own >= translated && !matched.empty()) {
    std::sort(matched.begin(), matched.end());
    std::vector<std::string> words;
    for (size_t i = 0; i < matched.size() && i < 6; ++i) {
      words.push_back(matched[i].second);
    }
    // Words, not stems: the tender's words the terms come from.
    why->detail = absl::StrCat(
        "matched words: ", absl::StrJoin(WordsOfTerms(q.words, words), ", "));
  } else if (why != nullptr && best != nullptr) {
    // The concept that brings the most, in words on both sides.
    std::vector<std::pair<CpvCode, double>> parts;  // By concept.
    for (const QueryTerm& term : best->terms) {
      const uint32_t tf = d.terms.Frequency(term.id);
      if (tf == 0) continue;
      auto it = std::find_if(parts.begin(), parts.end(), [&](const auto& p) {
        return p.first == term.concept;
      });
      if (it == parts.end()) {
        parts.emplace_back(term.concept, 0.0);
        it = parts.end() - 1;
      }
      it->second += Bm25Part(term, tf, norm);
    }
    const CpvCode code = std::max_element(parts.begin(), parts.end(),
                                          [](const auto& a, const auto& b) {
                                            return a.second < b.second;
                                          })
                             ->first;
    std::vector<std::string> terms;
    for (const QueryTerm& term : best->terms) {
      if (term.concept == code && d.terms.Frequency(term.id) != 0) {
        terms.push_back(term.text);
      }
    }
    const std::string tender_words =
        TenderWordsFor(q, code, /*label_words_only=*/true);
    why->detail =
        absl::StrCat(TranslatedWords(*best, terms, code), " and ",
                     tender_words.empty() ? "the tender" : tender_words,
                     " both mean CPV ", CodeAndLabel(*q.cpv, code));
  }
  return std::max(own, translated);
}

// --- track record
// -------------------------------------------------------------

// 1 for an award on or after the as-of date, halving about every 3.5 years
// before it; 0.5 when undated.
double Recency(const Query& q, const ContractRecord& c) {
  return c.has_date() ? RecencyOfDays(q.as_of_days - c.days())
                      : kUndatedRecency;
}

// " since 2019" for a first year; "" for 0 (no dated contract).
std::string Since(int first_year) {
  return first_year > 0 ? absl::StrCat(" since ", first_year) : "";
}

double TrackValue(const Query& q, const IndexData&, const SupplierDoc& d,
                  Explanation* why) {
  if (q.codes.empty()) return 0;
  double evidence = 0;
  int related = 0, first_year = 0;
  double total_value = 0;
  std::string currency;
  bool one_currency = true;
  for (const ContractRecord& c : d.contracts) {
    double sim = 0;
    for (const QueryCode& qc : q.codes) {
      for (uint32_t s : c.cpv_bcd()) {
        int depth;
        sim = std::max(sim, qc.credit.Credit(s, &depth));
      }
    }
    if (sim == 0) continue;
    ++related;
    evidence += sim * Recency(q, c) * ContractSize(c);
    if (why == nullptr) continue;
    if (c.has_date() && (first_year == 0 || c.date().year() < first_year)) {
      first_year = static_cast<int>(c.date().year());
    }
    if (c.value() > 0) {
      if (currency.empty()) currency = std::string(c.value_currency());
      one_currency = one_currency && c.value_currency() == currency;
      total_value += c.value();
    }
  }
  if (why != nullptr && related > 0) {
    why->detail = absl::StrCat("won ", Count(related, "contract"),
                               " under related CPV codes", Since(first_year));
    if (!currency.empty() && one_currency) {
      absl::StrAppend(&why->detail, ", ", Amount(total_value, currency));
    }
  }
  return Unsaturated(evidence);
}

// --- buyer affinity
// ------------------------------------------------------------

bool HasBuyer(const Query& q) {
  return !q.buyer_key.empty() || !q.buyer_activity_key.empty();
}

double BuyerValue(const Query& q, const IndexData&, const SupplierDoc& d,
                  Explanation* why) {
  double evidence = 0;
  int same = 0, alike = 0, same_year = 0, alike_year = 0;
  for (const ContractRecord& c : d.contracts) {
    int* year;
    if (!q.buyer_key.empty() && c.buyer_key() == q.buyer_key) {
      evidence += Recency(q, c);
      ++same;
      year = &same_year;
    } else if (!q.buyer_activity_key.empty() &&
               c.activity_key() == q.buyer_activity_key) {
      evidence += kAlikeBuyerCredit * Recency(q, c);
      ++alike;
      year = &alike_year;
    } else {
      continue;
    }
    if (c.has_date() && (*year == 0 || c.date().year() < *year)) {
      *year = static_cast<int>(c.date().year());
    }
  }
  if (why != nullptr && same + alike > 0) {
    const v1::Buyer& buyer = q.tender->buyer();
    std::vector<std::string> parts;
    if (same > 0) {
      parts.push_back(absl::StrCat("won ", Count(same, "contract"), " from ",
                                   buyer.name(), Since(same_year)));
    }
    if (alike > 0) {
      parts.push_back(absl::StrCat(same > 0 ? "" : "won ",
                                   Count(alike, "contract"), " from other ",
                                   buyer.main_activity(), " buyers in ",
                                   buyer.country(), Since(alike_year)));
    }
    why->detail = absl::StrJoin(parts, "; ");
  }
  return Unsaturated(evidence);
}

// --- capability tags
// ----------------------------------------------------------

bool HasWantedTags(const Query& q) { return !q.wanted_tags.empty(); }

double TagValue(const Query& q, const IndexData&, const SupplierDoc& d,
                Explanation* why) {
  if (q.wanted_tags.empty()) return 0;
  std::vector<std::string> have;
  for (const std::string& t : q.wanted_tags) {
    if (d.parts.HasTag(t)) have.push_back(t);
  }
  if (why != nullptr && !have.empty()) {
    why->detail = absl::StrCat("has ", absl::StrJoin(have, ", "), " of ",
                               q.wanted_tags.size(), " wanted tags");
  }
  return static_cast<double>(have.size()) / q.wanted_tags.size();
}

// --- desirable requirements
// ---------------------------------------------------

bool HasDesirable(const Query& q) { return q.desirable_weight_sum > 0; }

double DesirableValue(const Query& q, const IndexData&, const SupplierDoc& d,
                      Explanation* why) {
  double met_weight = 0;
  int met = 0, total = 0;
  for (const PreparedRequirement& p : q.requirements) {
    const v1::Requirement& r = *p.rule;
    if (r.importance() != v1::IMPORTANCE_DESIRABLE) continue;
    ++total;
    if (EvaluateRequirement(p, d, q).met) {
      ++met;
      met_weight += r.weight() > 0 ? r.weight() : 1.0;
    }
  }
  if (total == 0) return 0;
  if (why != nullptr) {
    why->detail =
        absl::StrCat(met, " of ", total, " desirable requirements met");
  }
  return met_weight / q.desirable_weight_sum;
}

// --- size fit
// -----------------------------------------------------------------

double SizeValue(const Query& q, const IndexData&, const SupplierDoc& d,
                 Explanation* why) {
  if (!HasValue(q) || !d.has_turnover ||
      d.turnover_currency.view() != q.value_currency) {
    return 0;
  }
  const double v = SizeFit(q, d.turnover);
  if (why != nullptr) {
    why->detail = absl::StrCat(
        "turnover ", Amount(d.turnover, d.turnover_currency.view()),
        " for a value of ", Amount(q.value, q.value_currency));
  }
  return v;
}

// --- proximity
// ----------------------------------------------------------------

bool HasPlaces(const Query& q) { return !q.places.empty(); }

double ProximityValue(const Query& q, const IndexData&, const SupplierDoc& d,
                      Explanation* why) {
  const double best = Proximity(q, d.location);
  if (why == nullptr || best == 0) return best;
  for (const NutsCode& p : q.places) {
    if (Closeness(d.location, p) == best) {  // The first nearest place.
      why->detail = absl::StrCat("located in ", d.location.code(),
                                 ", place of performance ", p.code());
      break;
    }
  }
  return best;
}

// Default weight of the concepts component: doc/scoring.md, "Concepts".
constexpr double kConceptsDefaultWeight = 0.29;

// --- concepts
// -----------------------------------------------------------------

bool HasConcepts(const Query& q) { return !q.concepts.empty(); }

// The supplier's words for `code`, from the first of its texts that has
// any.
std::string SupplierWordsFor(const SupplierDoc& d, CpvCode code) {
  // ConceptTexts views into the profile: it must outlive the loop.
  const v1::SupplierProfile profile = d.Profile();
  for (const auto& [text, language] : ConceptTexts(profile)) {
    if (text.empty()) continue;
    const std::string lang =
        language.empty() ? GuessLanguage(text) : std::string(language);
    if (!CpvConcepts::IsConceptLanguage(lang)) continue;
    std::string words = WordsFor(text, lang, code);
    if (!words.empty()) return words;
  }
  return "its profile";
}

// Each tender concept earns the best of the supplier's concepts, weight
// times CPV credit (internal/cpv_credit.h: CreditTable compares a supplier
// concept with the tender concepts of its division only); the value is their
// weighted mean over the tender's concepts.
double ConceptValue(const Query& q, const IndexData&, const SupplierDoc& d,
                    Explanation* why) {
  const ConceptList concepts = d.parts.concepts();
  if (q.concepts.empty() || concepts.empty()) return 0;
  absl::InlinedVector<double, CpvConcepts::kMaxConcepts> best(q.concepts.size(),
                                                              0.0);
  absl::InlinedVector<uint32_t, CpvConcepts::kMaxConcepts> which(
      q.concepts.size(), 0);
  q.concept_credits.Best(concepts, best.data(), which.data());
  double sum = 0;
  double best_part = 0;
  size_t best_t = q.concepts.size();  // The concept the explanation names.
  for (size_t t = 0; t < q.concepts.size(); ++t) {
    const double part = q.concepts[t].weight * best[t];
    sum += part;
    if (part > best_part) {
      best_part = part;
      best_t = t;
    }
  }
  if (why != nullptr && best_t < q.concepts.size()) {
    // The supplier's and the tender's words are found (texts analysed) for
    // the concept that brings the most only.
    const QueryConcept& qc = q.concepts[best_t];
    const CpvCode s = concepts[which[best_t]].code();
    // A tender that states codes means them (query.cc, AddMeaning): the
    // buyer's code is the evidence, not words of its text.
    const std::string tender_words =
        q.codes.empty() ? TenderWordsFor(q, qc.code) : "";
    const std::string supplier_words = SupplierWordsFor(d, s);
    why->detail =
        s == qc.code
            ? absl::StrCat(supplier_words, " and ",
                           tender_words.empty() ? "the tender" : tender_words,
                           " both mean CPV ", CodeAndLabel(*q.cpv, s))
            : absl::StrCat(supplier_words, " means CPV ",
                           CodeAndLabel(*q.cpv, s), ", close to ",
                           tender_words.empty() ? "the tender" : tender_words,
                           ", CPV ", CodeAndLabel(*q.cpv, qc.code));
  }
  return sum / q.concept_weight_sum;
}

}  // namespace

// The table. Default weights: doc/scoring.md says how they were chosen
// (pairwise logistic regression on real TED awards, `winner_ranking
// --learn`; tags, desirable requirements and size fit, which those awards
// cannot show, keep their earlier values).
const ComponentSpec kComponentTable[kComponentCount] = {
    {v1::SCORE_COMPONENT_KIND_CPV, 0.12, HasCodes, CpvValue,
     CandidatePostings::kCpvDivision, CheapBound::kCpvCeiling, true},
    {v1::SCORE_COMPONENT_KIND_TEXT, 0.09, AppliesText, TextValue,
     CandidatePostings::kTerms, CheapBound::kAccumulatedText, true},
    {v1::SCORE_COMPONENT_KIND_TRACK_RECORD, 0.10, HasCodes, TrackValue,
     CandidatePostings::kCpvDivision, CheapBound::kOneIfCpvRelated, true},
    {v1::SCORE_COMPONENT_KIND_CAPABILITY_TAGS, 0.05, HasWantedTags, TagValue,
     CandidatePostings::kTags, CheapBound::kOneIfTagPosted, true},
    {v1::SCORE_COMPONENT_KIND_DESIRABLE_REQUIREMENTS, 0.10, HasDesirable,
     DesirableValue, CandidatePostings::kNone, CheapBound::kOne, false},
    {v1::SCORE_COMPONENT_KIND_SIZE_FIT, 0.05, HasValue, SizeValue,
     CandidatePostings::kNone, CheapBound::kExactSizeFit, true},
    {v1::SCORE_COMPONENT_KIND_PROXIMITY, 0.31, HasPlaces, ProximityValue,
     CandidatePostings::kNone, CheapBound::kExactProximity, true},
    {v1::SCORE_COMPONENT_KIND_CONCEPTS, kConceptsDefaultWeight, HasConcepts,
     ConceptValue, CandidatePostings::kConceptDivision,
     CheapBound::kConceptCeiling, true},
    {v1::SCORE_COMPONENT_KIND_BUYER_AFFINITY, 0.09, HasBuyer, BuyerValue,
     CandidatePostings::kBuyer, CheapBound::kOneIfBuyerPosted, true},
};

void SetWeights(const v1::MatchOptions& o, Query* q) {
  // ScoreWeights numbers its fields by ScoreComponentKind, so the table
  // reaches the request's overrides without a second list of components.
  const v1::ScoreWeights& w = o.weights();
  const google::protobuf::Reflection* reflection = w.GetReflection();
  double raw[kComponentCount];
  double total = 0;
  for (int i = 0; i < kComponentCount; ++i) {
    const ComponentSpec& c = kComponentTable[i];
    const google::protobuf::FieldDescriptor* field =
        v1::ScoreWeights::descriptor()->FindFieldByNumber(c.kind);
    raw[i] = field != nullptr && reflection->HasField(w, field)
                 ? reflection->GetDouble(w, field)
                 : c.default_weight;
    if (!c.applies(*q)) raw[i] = 0;
    total += raw[i];
  }
  for (int i = 0; i < kComponentCount; ++i) {
    q->weight[i] = total > 0 ? raw[i] / total : 0;
  }
}

double Score(const Query& q, const IndexData& index, const SupplierDoc& d,
             double value[kComponentCount]) {
  // A component without weight contributes exactly 0: not computed.
  for (int i = 0; i < kComponentCount; ++i) {
    value[i] =
        q.weight[i] > 0 ? kComponentTable[i].value(q, index, d, nullptr) : 0;
  }
  return Combine(q, value);
}

}  // namespace internal
}  // namespace procmatch
