// File: lib/cpv_concepts.h
//
// CPV codes as a vocabulary of concepts shared by the 24 official EU
// languages: text in any of them becomes a sparse, weighted set of CPV
// codes, each with its evidence (which words of the text matched which words
// of the code's label, in which language). "Onbemande luchtvaartuigen" (nl)
// and "véhicules aériens sans pilote" (fr) both become CPV 35613000
// Unmanned aerial vehicles, so that matching can compare a Dutch profile with
// a French tender, and a supplier or buyer can be offered the codes of a
// free-text description (SuggestCpv).
//
// Two sources link words to codes (doc/cross_language.md):
//   - the CPV labels in each language (data/cpv/cpv2008_labels.tsv), each
//     analysed like matching text: lower-cased, Snowball-stemmed where
//     libstemmer has a stemmer for the language (HasStemmer), else cut to
//     its first kPrefixLetters letters, and accent-folded. A label word
//     weighs its rarity among the language's labels (idf) times its share of
//     the label's rarity, so that matching every word of a label scores the
//     label's full information;
//   - the words of real notices next to the codes their buyers chose
//     (data/cpv/concept_notices.tsv, learnt by benchmarks/cpv_concept_model
//     from the training part of data/ted/notices_dev.jsonl): "dron" in
//     French notices goes with 35613000 although no French label says it.
// Concepts (matching) are hierarchy-aware: a code's score adds part of the
// scores of its group, so that several hits in one family outweigh a lone
// hit elsewhere. Suggestions decide hierarchically: a naive Bayes classifier
// over CPV divisions and groups (the notices' words per language, each
// label's words as pseudo-counts, one prior over all languages: the CPV
// codes are the bridge; a text's words weighted by their specificity among
// notices), joined by the links above (a group gains its best code's link
// score), by a pooled classifier over the text's label concepts, learnt
// from every language's notices together (a Latvian text learns from French
// notices), and by a discriminative model (a softmax regression over
// groups, trained offline on the notices and every label in every language,
// data/cpv/concept_discriminative.tsv), picks the division by the evidence
// summed over the whole text, then ranks the groups, and the links pick the
// code within each group.
//
// Example:
//
//   const procmatch::CpvConcepts& concepts = procmatch::CpvConcepts::Builtin();
//   absl::StatusOr<std::vector<procmatch::CpvSuggestion>> s =
//       procmatch::SuggestCpv("Levering van onbemande luchtvaartuigen");
//   // (*s)[0].code == 35613000, (*s)[0].language == "nl",
//   // (*s)[0].label == "Onbemande luchtvaartuigen",
//   // (*s)[0].evidence[0]: "onbemande" matches "onbemande" (nl, label).
//
// Cost: the labels (7.6 MB of text) are compiled into the library; a
// language's word-to-code links are built the first time that language is
// used (about 60 ms per language, doc/cross_language.md). One
// suggestion takes well under a millisecond.
//
// Errors: text that is not valid UTF-8 is an InvalidArgument error naming
// the byte offset; a language that is not one of the 24 is an
// InvalidArgument error quoting it.
//
// Threading: CpvConcepts is immutable apart from its lazily built languages,
// which are built once, thread-safely, and its cache of label terms (behind
// a mutex); all methods may be called concurrently.
#ifndef PROCMATCH_LIB_CPV_CONCEPTS_H_
#define PROCMATCH_LIB_CPV_CONCEPTS_H_

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "procmatch/cpv.h"
#include "procmatch/text_analyzer.h"

namespace procmatch {

// The 24 official EU languages (ISO 639-1), in the order of the label file.
// Irish labels were never published: "ga" has the English ones.
inline constexpr int kConceptLanguageCount = 24;
extern const char* const kConceptLanguages[kConceptLanguageCount];

// Words without a Snowball stemmer (bg, cs, et, hr, lv, mt, pl, sk, sl) are
// cut to this many letters: "bezpilotních" and "bezpilotní" meet as
// "bezpil".
inline constexpr int kPrefixLetters = 6;

// How a word of a text is linked to a code.
enum class ConceptSource {
  kLabel,    // The word is in the code's label in that language.
  kNotices,  // The word appears in training notices with the code.
};

// One word of a text supporting a code.
struct ConceptEvidence {
  std::string word;        // The text's word, lower-cased: "drones".
  std::string label_word;  // The label's word it matched, lower-cased;
                           // empty for kNotices.
  std::string language;    // Of the text and the label.
  ConceptSource source = ConceptSource::kLabel;
  double weight = 0;  // Its share of the code's score.
};

// One concept of a text: a code and how strongly the text means it.
struct Concept {
  CpvCode code;
  double weight = 0;  // In (0, 1]; the text's strongest concept has 1.
};

// A suggested code, best first.
struct CpvSuggestion {
  CpvCode code;
  double score = 0;      // Hierarchy-aware score; comparable within a call.
  std::string language;  // The text's (given or detected).
  std::string label;     // In the text's language.
  std::string label_en;  // In English.
  std::vector<ConceptEvidence> evidence;  // Strongest first.
};

// How the two sources and the hierarchy weigh (doc/cross_language.md,
// "Quality": chosen by cross-validation on training folds 1-3, never on
// held-out notices).
struct ConceptWeights {
  // A notice link's weight is this times the word's specificity among the
  // language's training notices, log(1 + notices / notices with the word),
  // times P(code | word). A label link weighs idf^2 / (sum of the label's
  // idf). Default: 4.
  double notices = 4.0;
  // The specificity above is raised to this power: 2 weighs rare words as a
  // tf-idf cosine does on both sides. Default: 1.
  double notice_specificity_power = 1.0;
  // A code's ranking score adds these shares of the strongest raw score in
  // its group (3 digits) and in its division (2 digits), or of their sums
  // when family_by_sum (else of their maxima). Defaults: 0.5, 0, false.
  double group_support = 0.5;
  double division_support = 0.0;
  bool family_by_sum = false;
  // Label links of words that are common in the language's notices
  // ("fourniture", "dostawa") are discounted by the word's specificity
  // among notices, scaled to [0, 1]. Default: true.
  bool discount_notice_words = true;
  // Label links kept per word, pruned when a language's model is built so
  // that a common stem sums fewer codes for every text that has it: at most
  // the word's max_label_links strongest (ties: the lower code first), and
  // of those only the ones of at least min_label_link_share of the word's
  // strongest label link (a word of a long label that other words say
  // better). Both apply to concepts and suggestions alike.
  // Defaults: 64, 0.
  int max_label_links = 64;
  double min_label_link_share = 0.0;

  // Suggestions (Suggest, not Concepts) by the division and group
  // classifier; false ranks codes by the links alone, as Concepts does.
  // Default: true.
  bool classifier = true;
  // Each label's distinct words count this many times for its code's group
  // and division, in the label's language, beside the notices' words (the
  // notice file's group counts, in which a notice's title words count
  // 1 + title_weight and its other words 1). Default: 2.
  double label_prior = 2.0;
  // Additive (Lidstone) smoothing of the classifier's word counts.
  // Default: 1.
  double smoothing = 1.0;
  // A text of several lines is read as a notice: the words of its first
  // line (the title) count 1 + title_weight, the others 1. Must match the
  // weight the notice file was written with. Default: 4.
  double title_weight = 4.0;
  // The label and notice links (as Concepts ranks codes) join the
  // classifier: a group's log posterior gains link_bonus times its best
  // code's link score over the text's best link score, in [0, 1]; a
  // division's, the same of its best code. Default: 4.
  double link_bonus = 4.0;
  // A text's words count for the classifier by their specificity among the
  // language's training notices (as the label links' discount: 1 for a word
  // no notice has, near 0 for one every notice has) raised to this power,
  // so that "fourniture" weighs less than "drones"; 0 counts every word 1.
  // Default: 1.
  double word_specificity = 1.0;
  // The pooled concept classifier: a text's concepts by the labels alone
  // (LabelConcepts), as their groups, are language-independent features of a
  // naive Bayes over main groups learnt from every language's training
  // notices together (the concept classes file), so that a Latvian text
  // learns from French notices; a group's log posterior gains this times the
  // features' log likelihood under it, a division's the same under the
  // division. 0 leaves it out. Default: 1.
  double pooled_concepts = 1.0;
  // The discriminative model: a multinomial logistic regression over CPV
  // groups, trained offline on the training notices and the labels by
  // benchmarks/cpv_concept_model (the discriminative file), over the text's
  // SuggestionFeatures. A group's log posterior gains this times the model's
  // log probability of the group, a division's the same of the division
  // (its groups' summed probability). 0 leaves it out. Default: 2.
  double discriminative = 2.0;
  // The norm of the label-concept features (groups and classes of the
  // text's LabelConcepts) beside the words (of unit norm) in
  // SuggestionFeatures. The model must have been trained with the same
  // value. Default: 2.
  double discriminative_concepts = 2.0;
};

class CpvConcepts {
 public:
  // Concept vectors keep at most this many codes.
  static constexpr int kMaxConcepts = 16;

  // The concepts of the CPV 2008 labels and the bundled notice links,
  // compiled into the library, over CpvTaxonomy::Builtin().
  static const CpvConcepts& Builtin();

  // From the label file (header, then `code<TAB>label_bg ... label_sv` in
  // kConceptLanguages order) and the notice links (header, then
  // `language<TAB>term<TAB>notices<TAB>code:count ...<TAB>group:count ...`:
  // the codes the term's notices carry, and the word mass the term brings
  // to each main code's group, a group written as its three digits; a row
  // of term "*" gives the language's number of notices, its notices per
  // main group, and each group's total word mass). Every code must be in
  // `cpv`, which must outlive the result. Errors name the line.
  //
  // `concept_classes_tsv` (header, then `feature<TAB>group:count ...`, a
  // feature being a concept group's three digits, the counts its weight
  // summed over the training notices of each main group) holds the pooled
  // concept classifier's counts; empty leaves it out.
  //
  // `discriminative_tsv` (header, then `feature<TAB>group:weight ...`, a
  // feature being the decimal 32-bit hash SuggestionFeatures gives it, a
  // group its three digits, the weight the logistic regression's) holds the
  // discriminative model; empty leaves it out.
  static absl::StatusOr<std::unique_ptr<CpvConcepts>> Create(
      absl::string_view labels_tsv, absl::string_view notices_tsv,
      const CpvTaxonomy& cpv, const ConceptWeights& weights = {},
      absl::string_view concept_classes_tsv = "",
      absl::string_view discriminative_tsv = "");

  ~CpvConcepts();
  CpvConcepts(const CpvConcepts&) = delete;
  CpvConcepts& operator=(const CpvConcepts&) = delete;

  const CpvTaxonomy& cpv() const { return *cpv_; }

  // True for one of kConceptLanguages.
  static bool IsConceptLanguage(absl::string_view language);

  // The label of `code` in `language`, or "" for an unknown code or
  // language.
  absl::string_view Label(CpvCode code, absl::string_view language) const;

  // The terms (AnalyzeText) of `code`'s label in `language`, analysed on
  // first use and kept, so that matching can carry a tender's concepts into
  // other languages without analysing their labels for every query; empty
  // for an unknown code or language.
  std::shared_ptr<const std::vector<std::string>> LabelTerms(
      CpvCode code, absl::string_view language) const;

  // The concepts of `text` in `language` (detected when empty), strongest
  // first, at most `max_concepts`, those below `min_weight` of the
  // strongest dropped.
  absl::StatusOr<std::vector<Concept>> Concepts(absl::string_view text,
                                                absl::string_view language,
                                                int max_concepts = kMaxConcepts,
                                                double min_weight = 0.1) const;

  // The same from terms already analysed by AnalyzeText in `language`
  // (REQUIRES: one of kConceptLanguages), as index building has them.
  std::vector<Concept> ConceptsOfTerms(const std::vector<std::string>& terms,
                                       absl::string_view language,
                                       int max_concepts = kMaxConcepts,
                                       double min_weight = 0.1) const;

  // Terms analysed by AnalyzeText in `language`: one language's part of a
  // text written in several (a part in a language that is not one of
  // kConceptLanguages has no concepts, as in ConceptsOfTerms).
  struct LanguageTerms {
    absl::string_view language;
    const std::vector<std::string>* terms;  // Never null.
  };

  // The concepts of a text written in several languages, given as its
  // terms per language: each part's ConceptsOfTerms(terms, language,
  // max_concepts, min_weight), merged, each code at its largest weight,
  // strongest first (ties: the lower code), at most `max_concepts`; the
  // strongest has 1, as each part's strongest has. The same codes and
  // weights, to the bit, as merging ConceptsOfTerms' results, in one call,
  // and as MergedConceptsOfTermIds of the terms' ids (what index building
  // calls).
  std::vector<Concept> MergedConceptsOfTerms(
      const std::vector<LanguageTerms>& parts, int max_concepts = kMaxConcepts,
      double min_weight = 0.1) const;

  // The id of `term` (analysed by AnalyzeText in `language`) among the
  // concept terms of `language` that link to any code: where its links
  // start in the language's table of links, so ascending with the concept
  // terms (not dense), the same for the life of this CpvConcepts; -1 for a
  // term that links to none, or in a language that is not one of
  // kConceptLanguages.
  int32_t TermId(absl::string_view term, absl::string_view language) const;

  // The analyser's vocabulary of TermId in `language`, for
  // AnalyzeTextWithIds: a text's terms and their ids in one pass, the id of
  // a word met before taken from the thread's word memo, so that index
  // building looks no word's concept term up twice. Its stemmed_id is
  // TermId(term, language), its plain_id -1; its owner is this
  // CpvConcepts' for `language` (-1 for every term of a language that is
  // not one of kConceptLanguages). Valid as long as this CpvConcepts.
  TermVocabulary TermIds(absl::string_view language) const;

  // Term ids (TermIds, TermId) of one language's part of a text.
  struct LanguageTermIds {
    absl::string_view language;
    const std::vector<int32_t>* ids;  // Never null; ids of -1 link nothing.
  };

  // MergedConceptsOfTerms from the parts' term ids in this CpvConcepts: the
  // same codes and weights, to the bit, as from the terms they are the ids
  // of (an id that is not one of a language's counts as -1). What index
  // building gives a supplier.
  std::vector<Concept> MergedConceptsOfTermIds(
      const std::vector<LanguageTermIds>& parts,
      int max_concepts = kMaxConcepts, double min_weight = 0.1) const;

  // Whether the concept layer links `term` (analysed by AnalyzeText in
  // `language`) to any code in `language`: whether ConceptsOfTerms({term},
  // language) has a concept, without ranking them. False for a language
  // that is not a concept language.
  bool LinksTerm(absl::string_view term, absl::string_view language) const;

  // The concepts of `text` in `language` (one of kConceptLanguages) by the
  // labels' links alone, as the pooled concept classifier reads them: its
  // features, the same for a text and its translation as far as the labels
  // are translations of one another.
  std::vector<Concept> LabelConcepts(absl::string_view text,
                                     absl::string_view language) const;

  // The discriminative model's features of `text` in `language` (one of
  // kConceptLanguages; none for another), by (32-bit hash, value), ascending
  // by hash: the text's distinct words tagged with the language, weighted as
  // the classifier weighs them (title words 1 + title_weight, by their
  // specificity among notices) and scaled to unit norm; the groups and
  // classes (4 digits) of its LabelConcepts, each with its strongest
  // concept's weight, scaled to norm discriminative_concepts; and a bias, 1.
  // What benchmarks/cpv_concept_model trains the model on and Suggest scores.
  std::vector<std::pair<uint32_t, double>> SuggestionFeatures(
      absl::string_view text, absl::string_view language) const;

  // The bias feature's hash in SuggestionFeatures.
  static uint32_t BiasFeature();

  // The best `top` codes for `text` in `language` (detected when empty),
  // with labels and evidence. Fewer when fewer codes have any evidence.
  absl::StatusOr<std::vector<CpvSuggestion>> Suggest(absl::string_view text,
                                                     absl::string_view language,
                                                     int top = 5) const;

  // The words of `text` in `language` (detected when empty) that link it
  // to `code` itself, strongest first; empty when none does.
  absl::StatusOr<std::vector<ConceptEvidence>> Evidence(
      absl::string_view text, absl::string_view language, CpvCode code) const;

  // The same from words already analysed by AnalyzeWords in `language`
  // (REQUIRES: one of kConceptLanguages), so that a text explained for
  // several codes or suppliers is analysed once.
  std::vector<ConceptEvidence> EvidenceOfAnalyzed(
      const std::vector<AnalyzedWord>& words, absl::string_view language,
      CpvCode code) const;

  // The same for several codes, one list per code in `codes` order, each
  // equal to EvidenceOfAnalyzed(words, language, code): the words are walked
  // once, so that a query finds the words meaning each of its concepts for
  // the price of one.
  std::vector<std::vector<ConceptEvidence>> EvidenceOfAnalyzed(
      const std::vector<AnalyzedWord>& words, absl::string_view language,
      const std::vector<CpvCode>& codes) const;

 private:
  struct Link {
    int32_t ordinal;
    float weight;
  };
  // A term's evidence for a class (a group or a division) of the
  // classifier: log(1 + count / smoothing).
  struct ClassGain {
    int32_t key;  // The class's first 3 (group) or 2 (division) digits.
    float gain;
  };
  struct TermLinks {
    std::vector<Link> label;
    std::vector<Link> notices;
    std::vector<ClassGain> groups;
    std::vector<ClassGain> divisions;
  };
  // Per class key: log prior - log(total count + smoothing * vocabulary);
  // the latter is multiplied by the text's word mass.
  struct ClassTotals {
    absl::flat_hash_map<int32_t, std::pair<double, double>> prior_and_norm;
  };
  // RawScores' copy of the label and notice links, laid out flat in one
  // array: the terms with any, in ascending term order, so that summing in
  // the order of their TermIds (where their links start) is summing in term
  // order. A term's links are a header of two entries, the numbers n of its
  // label and of its notice links each as the ordinal -1 - n (no code's),
  // then its label links, then its notice links, each part by ordinal
  // (each code's additions keep their order: a term's label link before its
  // notice links). An id reads its term's links without another lookup.
  struct FlatLinks {
    FlatLinks() = default;
    // `ids` views into `text`, which a copy or a move (of a short string)
    // would leave behind: built in place (BuildFlatLinks), never moved.
    FlatLinks(const FlatLinks&) = delete;
    FlatLinks& operator=(const FlatLinks&) = delete;

    std::string text;  // The terms, concatenated: `ids` views into it.
    absl::flat_hash_map<absl::string_view, int32_t> ids;  // Term -> TermId.
    std::vector<Link> links;
    // Every link's weight is above 0 (then no raw score is 0).
    bool positive = true;
  };
  // A term's label links are links[label, notices), its notice links
  // [notices, end).
  struct TermSpan {
    uint32_t label, notices, end;
  };
  // The span of the term whose TermId is `id` in `flat`; false when `id` is
  // not a term's (no header there).
  static bool SpanOf(const FlatLinks& flat, int32_t id, TermSpan* span);
  // TermIds' stemmed_id in one language (-1: none, every term's id -1).
  struct TermIdOf {
    const CpvConcepts* concepts = nullptr;
    int language = -1;
    int32_t operator()(absl::string_view term) const;
  };
  // Neither copyable nor movable (FlatLinks): built in place, held by
  // models_.
  struct LanguageModel {
    absl::flat_hash_map<std::string, TermLinks> links;
    FlatLinks flat;
    ClassTotals groups;
    ClassTotals divisions;
  };
  // Classifier scores (log posteriors up to a constant) of the classes with
  // evidence in the text.
  using ClassScores = std::vector<std::pair<int32_t, double>>;
  // Per code ordinal, its label in each language: views into labels_.
  using Labels = std::array<absl::string_view, kConceptLanguageCount>;

  CpvConcepts() = default;
  const LanguageModel& Model(int language) const;
  void BuildModel(int language, LanguageModel* model) const;
  static void BuildFlatLinks(const LanguageModel& model, FlatLinks* flat);
  // Raw scores of analysed terms of `language`: (ordinal, score != 0),
  // ascending by ordinal. Through FlatLinks: one lookup per term for its
  // TermId, then RawScoresOfIdsInto.
  std::vector<std::pair<int32_t, double>> RawScores(
      const std::vector<std::string>& terms, int language,
      bool labels_only = false) const;
  // Scores by ordinal, (ordinal, score), in a vector that a thread reuses:
  // the first `size` entries hold them. The vector only grows (Room), so
  // that refilling it initialises nothing: resizing a vector of pairs zeroed
  // every new entry, twice per language bucket (session 16).
  struct ScoreBuffer {
    std::vector<std::pair<int32_t, double>> entries;
    size_t size = 0;
    // Room for `n` entries from data(); `size` unchanged.
    std::pair<int32_t, double>* Room(size_t n) {
      if (entries.size() < n) entries.resize(n);
      return entries.data();
    }
    std::pair<int32_t, double>* begin() { return entries.data(); }
    std::pair<int32_t, double>* end() { return entries.data() + size; }
  };
  // The thread's scores by ordinal as SumLinksOfIds leaves them: `dense`
  // holds each code's sum, `touched` (`words` 64-bit words) marks the codes
  // summed; the reader zeroes both back.
  struct DenseScores {
    double* dense;
    uint64_t* touched;
    size_t words;
    // The largest of 0 and every value a score took while summed: the
    // largest raw score when every link weighs more than 0.
    double largest;
  };
  // The links of the terms' ids (TermId; -1 and ids of no term skipped)
  // summed into the thread's dense scores: the ids sorted, each term once
  // (its links times 1 + log of its count), in term order.
  DenseScores SumLinksOfIds(const std::vector<int32_t>& ids,
                            const FlatLinks& flat, bool labels_only) const;
  // RawScores of the terms' ids into `raw` (its previous scores dropped),
  // so that a caller scoring many texts reuses one buffer: SumLinksOfIds,
  // read back in ordinal order.
  void RawScoresOfIdsInto(const std::vector<int32_t>& ids, int language,
                          bool labels_only, ScoreBuffer* raw) const;
  // A part's codes as MergedConceptsOfTermIds merges them, into `scored`
  // (its previous scores dropped): RankingScores(RawScoresOfIds(ids),
  // min_weight), the same scores in the same order to the bit, less, when
  // the best is positive, the codes under min_weight of it (ConceptsOfRanked's
  // cut) and those whose score over the best is under `min_merged_weight`
  // (-HUGE_VAL: none); returns the best. Under the default ranking (family
  // maxima, no division support) with every link above 0, in one pass: the
  // raw scores read back group by group, each group scored when its codes
  // end, the cuts made as scores (LeastScoreOfWeight), before any code is
  // stored.
  double MergeCandidatesOfIdsInto(const std::vector<int32_t>& ids, int language,
                                  double min_weight, double min_merged_weight,
                                  ScoreBuffer* scored) const;
  // The least score s whose weight s / best, rounded, is at least `weight`
  // (REQUIRES: best > 0), into `least`: the quotient never falls as s grows
  // (division is correctly rounded, rounding monotone), so s / best <
  // weight exactly when s < least, and the merge's cut by weight is a cut
  // by score, with no division per code. Searched from weight * best,
  // within an ulp or two of `least` when that product is a normal number;
  // false (no `least`) when it is not (0, subnormal, infinite or NaN): the
  // caller divides. -HUGE_VAL for a weight of -HUGE_VAL (no cut).
  static bool LeastScoreOfWeight(double weight, double best, double* least);
  // The merge's cuts by division: leaves out of `scored` the codes under
  // min_weight * best or whose score over the best is under
  // min_merged_weight (REQUIRES: best > 0).
  static void DropUnderWeights(double best, double min_weight,
                               double min_merged_weight, ScoreBuffer* scored);
  // TermId in language index `l` (REQUIRES: 0 <= l < kConceptLanguageCount).
  int32_t TermIdIn(absl::string_view term, int l) const;
  // The terms' TermIdIn, in order, into the thread's vector (valid until
  // this thread's next call).
  const std::vector<int32_t>& TermIdsOf(const std::vector<std::string>& terms,
                                        int l) const;
  // The same by definition, the brute-force twin of RawScores: the distinct
  // concept terms in a std::map, each term's links from LanguageModel::links
  // summed into a std::map by ordinal.
  std::vector<std::pair<int32_t, double>> RawScoresByDefinition(
      const std::vector<std::string>& terms, int language,
      bool labels_only) const;
  // The strongest concepts of analysed terms of language `l`, at most
  // `max_concepts`, those below `min_weight` of the strongest dropped; by
  // the label links alone when `labels_only`.
  std::vector<Concept> TopConcepts(const std::vector<std::string>& terms, int l,
                                   int max_concepts, double min_weight,
                                   bool labels_only) const;
  // The pooled concept classifier's features of a text's label concepts:
  // their groups, each with its strongest concept's weight, by group.
  static std::vector<std::pair<int32_t, double>> PooledFeatures(
      const std::vector<Concept>& label_concepts);
  // Adds weights_.pooled_concepts times the features' log likelihood to
  // each class of `scores` (groups, or divisions).
  void AddPooled(const std::vector<std::pair<int32_t, double>>& features,
                 bool divisions, ClassScores* scores) const;
  // The ranking score (raw score plus group and division support) of each
  // of the `n` codes from `raw` (REQUIRES: ascending by ordinal, as
  // RawScores gives them) into `scored` (its previous scores dropped), in
  // the order of `raw`, those under `min_share` of the best left out when
  // the best is positive; returns the best (0 when `n` is 0).
  double RankingScores(const std::pair<int32_t, double>* raw, size_t n,
                       double min_share, ScoreBuffer* scored) const;
  // Adds group and division support: the ranking score of each scored code,
  // best first, the best `keep` only, and of those only the ones of at
  // least `min_share` of the best score when it is positive (a text's
  // concepts drop the others: TopConcepts passes its min_weight).
  // The best `keep` are selected by a partition, the rest never sorted.
  std::vector<std::pair<int32_t, double>> Ranked(
      const std::vector<std::pair<int32_t, double>>& raw,
      size_t keep = SIZE_MAX, double min_share = 0) const;
  // The same by definition, the brute-force twin of Ranked: every code's
  // ranking score, all sorted, the first `keep` kept, then those under
  // `min_share` of the first dropped when it is positive.
  std::vector<std::pair<int32_t, double>> RankedByDefinition(
      const std::vector<std::pair<int32_t, double>>& raw, size_t keep,
      double min_share = 0) const;
  // TopConcepts by RawScoresByDefinition and RankedByDefinition: what tests
  // compare ConceptsOfTerms and LabelConcepts with (CpvConceptsPeer).
  std::vector<Concept> TopConceptsByDefinition(
      const std::vector<std::string>& terms, int l, int max_concepts,
      double min_weight, bool labels_only) const;
  friend class CpvConceptsPeer;
  absl::StatusOr<int> ResolveLanguage(absl::string_view text,
                                      absl::string_view language) const;
  std::vector<ConceptEvidence> EvidenceOfWords(
      const std::vector<AnalyzedWord>& words, int language, CpvCode code) const;
  std::vector<std::vector<ConceptEvidence>> EvidenceOfWords(
      const std::vector<AnalyzedWord>& words, int language,
      const std::vector<CpvCode>& codes) const;
  // EvidenceOfWords for one code by definition, its brute-force twin: every
  // link of every linked word (LanguageModel::links) read and compared with
  // the code (tests compare, CpvConceptsPeer).
  std::vector<ConceptEvidence> EvidenceByDefinition(
      const std::vector<AnalyzedWord>& words, int language, CpvCode code) const;
  // The words (AnalyzeWords) of the label of the code of `ordinal` in
  // `language`.
  std::vector<AnalyzedWord> LabelWords(int ordinal, int language) const;
  // The classifier's scores of groups (or divisions) for weighted terms.
  ClassScores Classify(
      const std::vector<std::pair<std::string, double>>& weighted_terms,
      int language, bool divisions) const;
  // How specific `term` is among the language's training notices, in
  // [0, 1]: 1 for a term no notice has, near 0 for one every notice has.
  double NoticeSpecificity(int language, const std::string& term) const;
  void BuildClassifier(int language,
                       const std::vector<std::vector<std::string>>& label_terms,
                       LanguageModel* model) const;
  // Calls fn(word, concept term, its links) for each word of `language`
  // whose concept term has links, the first word of each term only; the
  // term is a view into the word's.
  template <typename Fn>
  void ForEachLinkedWord(const std::vector<AnalyzedWord>& words, int language,
                         Fn fn) const;
  // The words of the text that count for `group` in the classifier.
  std::vector<ConceptEvidence> GroupEvidence(
      const std::vector<AnalyzedWord>& words, int language,
      int32_t group) const;
  // The words' classifier weights: each distinct concept term once, the
  // title's (the first line of a text of several) 1 + title_weight, by
  // their specificity among notices; sorted by term.
  std::vector<std::pair<std::string, double>> WeightedTerms(
      const std::vector<AnalyzedWord>& words, absl::string_view text,
      int language) const;
  // SuggestionFeatures of weighted terms and label concepts.
  std::vector<std::pair<uint32_t, double>> Features(
      const std::vector<std::pair<std::string, double>>& weighted_terms,
      const std::vector<Concept>& label_concepts, int language) const;
  // The discriminative model's log probability of each group with a weight
  // (group key, log probability), ascending by key; empty without a model.
  std::vector<std::pair<int32_t, double>> DiscriminativeLogProbabilities(
      const std::vector<std::pair<uint32_t, double>>& features) const;
  std::vector<CpvSuggestion> SuggestByClassifier(
      const std::vector<AnalyzedWord>& words, absl::string_view text,
      int language, int top) const;

  const CpvTaxonomy* cpv_ = nullptr;
  // Per ordinal, its group's first three digits (Ranked's family key).
  std::vector<int16_t> group_of_;
  ConceptWeights weights_;
  std::string labels_text_;
  std::vector<Labels> labels_;  // By ordinal.
  // Notice links as read, per language: term -> (notices, code counts).
  struct NoticeTerm {
    int notices;
    std::vector<std::pair<int32_t, float>> counts;
    std::vector<std::pair<int32_t, float>> groups;  // Group key, mass.
  };
  // Per language, each group's total word mass in its notices.
  std::array<absl::flat_hash_map<int32_t, double>, kConceptLanguageCount>
      group_mass_;
  // Training notices per main group, over all languages.
  absl::flat_hash_map<int32_t, double> group_notices_;
  std::array<absl::flat_hash_map<std::string, NoticeTerm>,
             kConceptLanguageCount>
      notice_terms_;
  std::array<int, kConceptLanguageCount> notice_count_ = {};
  // The pooled concept classifier: per feature (a concept group), its count
  // per main group and per main division; per class, the total count.
  struct PooledClasses {
    absl::flat_hash_map<int32_t, absl::flat_hash_map<int32_t, double>> counts;
    absl::flat_hash_map<int32_t, double> totals;
  };
  PooledClasses pooled_groups_, pooled_divisions_;
  double pooled_vocabulary_ = 1;
  // The discriminative model: per feature hash, its weight for each group.
  struct GroupWeight {
    int32_t group;
    float weight;
  };
  absl::flat_hash_map<uint32_t, std::vector<GroupWeight>> discriminative_;
  // TermIds' functions and owners, by language index; the last ones for a
  // language that is not a concept language.
  std::array<TermIdOf, kConceptLanguageCount + 1> term_id_of_;
  std::array<uint64_t, kConceptLanguageCount + 1> term_id_owners_ = {};
  mutable std::array<std::once_flag, kConceptLanguageCount> built_;
  // LabelTerms' cache, by ordinal * kConceptLanguageCount + language.
  mutable std::mutex label_terms_mutex_;
  mutable absl::flat_hash_map<int64_t,
                              std::shared_ptr<const std::vector<std::string>>>
      label_terms_;
  mutable std::array<std::unique_ptr<LanguageModel>, kConceptLanguageCount>
      models_;
};

// CpvConcepts::Builtin().Suggest(text, language, top).
absl::StatusOr<std::vector<CpvSuggestion>> SuggestCpv(
    absl::string_view text, absl::string_view language = "", int top = 5);

// The term the concept layer looks up for an analysed term of `language`:
// the term itself where the language has a stemmer or the term holds a
// digit, else its first kPrefixLetters letters.
std::string ConceptTerm(absl::string_view term, absl::string_view language);

}  // namespace procmatch

#endif  // PROCMATCH_LIB_CPV_CONCEPTS_H_
