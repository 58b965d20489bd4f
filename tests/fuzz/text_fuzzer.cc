// Fuzzes the text layer: hostile bytes through text analysis, language
// detection and the CPV concept layer, as a tender's or profile's text, or
// `procmatch suggest-cpv`'s, reaches them.
//
// The first byte picks the language: its value modulo 26 is one of the 24
// kConceptLanguages, 24 none (detect it) or 25 "zz" (not a language); with
// the top bit set, upper-cased ("FR"). The rest is the text. The text read
// as a supplier's, written in several languages, is cut into up to four
// parts at the byte 0x1E (the record separator): the byte after each
// separator picks its part's language as the first byte does, the rest is
// the part's text.
//
// Text that is not valid UTF-8 must be refused as a value (InvalidArgument)
// by every call that returns a status, never crash; FoldText and
// DetectLanguage, which never fail, must give valid UTF-8 and no language.
// Valid text must be accepted wherever the language is acceptable, and the
// optimised paths must equal their twins (an abort() on a difference):
//   - AnalyzeText (through the thread's stem memo) equals
//     internal::AnalyzeTextWithoutMemo, AnalyzeWords' terms and the stemmed
//     and plain terms of AnalyzeStemmedAndPlain and
//     AnalyzeStemmedPlainAndFolded, whose folded text equals FoldText;
//   - the concepts of the text (flat links, dense sums, partition selection)
//     equal the same computed by definition (a map per call, a full sort),
//     both sources and labels alone, to the bit;
//   - the parts' concepts in one call (MergedConceptsOfTerms) equal each
//     part's by definition, merged (tests/merged_concepts_twin.h), to the
//     bit;
//   - the evidence of the text's concepts, their parents and a code no label
//     has, found for all of them in one walk (EvidenceOfAnalyzed for several
//     codes) or for one, equals each code's by definition;
//   - SuggestCpv's suggestions are in an EU language, with finite scores
//     and evidence weights, and Evidence for the first one answers.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/string_view.h"
#include "procmatch/cpv_concepts.h"
#include "procmatch/text_analyzer.h"
#include "procmatch/utf8.h"
#include "tests/fuzz/harness.h"
#include "tests/merged_concepts_twin.h"

namespace procmatch {

// The twins of the concept scoring and evidence (CpvConcepts' private
// TopConcepts, TopConceptsByDefinition and EvidenceByDefinition), as
// tests/concept_ranking_test.cc and tests/cpv_concepts_test.cc reach them.
class CpvConceptsPeer {
 public:
  static std::vector<Concept> TopConcepts(const CpvConcepts& c,
                                          const std::vector<std::string>& terms,
                                          int l, bool labels_only) {
    return c.TopConcepts(terms, l, CpvConcepts::kMaxConcepts, 0.1, labels_only);
  }
  static std::vector<Concept> TopConceptsByDefinition(
      const CpvConcepts& c, const std::vector<std::string>& terms, int l,
      int max_concepts, double min_weight, bool labels_only) {
    return c.TopConceptsByDefinition(terms, l, max_concepts, min_weight,
                                     labels_only);
  }
  static std::vector<ConceptEvidence> EvidenceByDefinition(
      const CpvConcepts& c, const std::vector<AnalyzedWord>& words, int l,
      CpvCode code) {
    return c.EvidenceByDefinition(words, l, code);
  }
};

namespace fuzz {
namespace {

[[noreturn]] void Fail(const char* what, absl::string_view language) {
  std::fprintf(stderr, "text fuzzer (language \"%.*s\"): %s\n",
               static_cast<int>(language.size()), language.data(), what);
  std::abort();
}

// A status is right when it is OK exactly where `accepted`, and an
// InvalidArgument otherwise.
void CheckRefusal(const absl::Status& status, bool accepted, const char* what,
                  absl::string_view language) {
  if (status.ok() != accepted) Fail(what, language);
  if (!status.ok() && !absl::IsInvalidArgument(status)) Fail(what, language);
}

template <typename T>
std::vector<std::string> Terms(const std::vector<T>& words) {
  std::vector<std::string> terms;
  for (const T& w : words) terms.push_back(w.term);
  return terms;
}

bool SameConcepts(const std::vector<Concept>& a,
                  const std::vector<Concept>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    // Weights to the bit: both sum each code's links in one order.
    if (a[i].code != b[i].code || a[i].weight != b[i].weight) return false;
  }
  return true;
}

bool SameEvidence(const std::vector<ConceptEvidence>& a,
                  const std::vector<ConceptEvidence>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].word != b[i].word || a[i].label_word != b[i].label_word ||
        a[i].language != b[i].language || a[i].source != b[i].source ||
        a[i].weight != b[i].weight) {
      return false;
    }
  }
  return true;
}

// Text analysis in `language` (any string): refusal, memo and one-pass
// twins. Returns the terms, empty when refused.
// The word memo's ids (what alerts use): a vocabulary whose ids are a hash
// of the term salted by the owner, about half the terms without one, and a
// new owner every 64 inputs, so that an id the memo kept under an earlier
// owner, or for the other form, differs from looking the term up.
void CheckVocabularyIds(absl::string_view text, absl::string_view language,
                        const StemmedAndPlainTerms& expected) {
  static uint64_t owner = NewTermVocabularyOwner();
  static int inputs = 0;
  if (++inputs % 64 == 0) owner = NewTermVocabularyOwner();
  const uint64_t salt = owner;
  auto id = [salt](absl::string_view term, uint64_t form) -> int32_t {
    const uint64_t h = std::hash<std::string>()(std::string(term)) ^
                       ((salt * 2 + form) * 0x9E3779B97F4A7C15ull);
    return (h & 1) != 0 ? -1 : static_cast<int32_t>((h >> 1) & 0x3fffffff);
  };
  auto plain_id = [&id](absl::string_view term) { return id(term, 0); };
  auto stemmed_id = [&id](absl::string_view term) { return id(term, 1); };
  const TermVocabulary vocabulary{owner, plain_id, stemmed_id};
  absl::StatusOr<StemmedPlainAndFolded> with_ids =
      AnalyzeStemmedPlainAndFolded(text, language, &vocabulary);
  if (!with_ids.ok()) Fail("the analysis with a vocabulary failed", language);
  const StemmedAndPlainTerms& got = with_ids->terms;
  if (got.plain_ids.size() != expected.plain.size() ||
      got.stemmed_ids.size() != expected.stemmed.size()) {
    Fail("the memo gave another number of ids than terms", language);
  }
  for (size_t i = 0; i < expected.plain.size(); ++i) {
    if (got.plain_ids[i] != plain_id(expected.plain[i])) {
      Fail("the memo's plain id differs from looking the term up", language);
    }
  }
  for (size_t i = 0; i < expected.stemmed.size(); ++i) {
    if (got.stemmed_ids[i] != stemmed_id(expected.stemmed[i])) {
      Fail("the memo's stemmed id differs from looking the term up", language);
    }
  }
}

std::vector<std::string> CheckAnalysis(absl::string_view text,
                                       absl::string_view language, bool valid) {
  absl::StatusOr<std::vector<std::string>> terms = AnalyzeText(text, language);
  CheckRefusal(terms.status(), valid, "AnalyzeText", language);
  absl::StatusOr<std::vector<std::string>> unmemoised =
      internal::AnalyzeTextWithoutMemo(text, language);
  CheckRefusal(unmemoised.status(), valid, "AnalyzeTextWithoutMemo", language);
  absl::StatusOr<std::vector<AnalyzedWord>> words =
      AnalyzeWords(text, language);
  CheckRefusal(words.status(), valid, "AnalyzeWords", language);
  absl::StatusOr<StemmedPlainAndFolded> both =
      AnalyzeStemmedPlainAndFolded(text, language);
  CheckRefusal(both.status(), valid, "AnalyzeStemmedPlainAndFolded", language);
  absl::StatusOr<StemmedAndPlainTerms> stemmed_and_plain =
      AnalyzeStemmedAndPlain(text, language);
  CheckRefusal(stemmed_and_plain.status(), valid, "AnalyzeStemmedAndPlain",
               language);
  const std::string folded = FoldText(text);
  if (!IsValidUtf8(folded)) Fail("FoldText gave invalid UTF-8", language);
  if (!valid) return {};

  if (*unmemoised != *terms) Fail("the stem memo changed the terms", language);
  if (Terms(*words) != *terms) Fail("AnalyzeWords' terms differ", language);
  if (both->terms.stemmed != *terms || stemmed_and_plain->stemmed != *terms) {
    Fail("the one-pass stemmed terms differ from AnalyzeText", language);
  }
  absl::StatusOr<std::vector<std::string>> plain = AnalyzeText(text, "");
  if (!plain.ok() || both->terms.plain != *plain ||
      stemmed_and_plain->plain != *plain) {
    Fail("the one-pass plain terms differ from AnalyzeText(text, \"\")",
         language);
  }
  if (both->folded != folded) Fail("the one-pass fold differs", language);
  CheckVocabularyIds(text, language, *stemmed_and_plain);
  return *std::move(terms);
}

void CheckDetection(absl::string_view text, bool valid) {
  const LanguageGuess guess = DetectLanguage(text);
  if (!std::isfinite(guess.margin) || guess.trigrams < 0) {
    Fail("DetectLanguage's margin or trigrams", "");
  }
  if (!guess.language.empty() &&
      !CpvConcepts::IsConceptLanguage(guess.language)) {
    Fail("DetectLanguage named no EU language", "");
  }
  if (!valid && !guess.language.empty()) {
    Fail("DetectLanguage found a language in invalid UTF-8", "");
  }
  if (GuessLanguage(text).empty()) Fail("GuessLanguage gave nothing", "");
  CharacterTrigrams(text);
}

// The evidence of the text's own concepts, of their parents (linked or not)
// and of a code no label has, for all at once (as a query finds it) and for
// each alone, against each code's by definition.
void CheckEvidence(absl::string_view text, const std::string& language, int l,
                   const std::vector<Concept>& text_concepts) {
  const CpvConcepts& concepts = CpvConcepts::Builtin();
  absl::StatusOr<std::vector<AnalyzedWord>> words =
      AnalyzeWords(text, language);
  if (!words.ok()) Fail("AnalyzeWords (lower-cased language)", language);
  std::vector<CpvCode> codes;
  for (const Concept& c : text_concepts) {
    codes.push_back(c.code);
    codes.push_back(c.code.Truncated(std::max(2, c.code.depth() - 1)));
  }
  codes.push_back(CpvCode::FromDigits(99999999));
  const std::vector<std::vector<ConceptEvidence>> all =
      concepts.EvidenceOfAnalyzed(*words, language, codes);
  if (all.size() != codes.size()) Fail("evidence: one list per code", language);
  for (size_t i = 0; i < codes.size(); ++i) {
    const std::vector<ConceptEvidence> expected =
        CpvConceptsPeer::EvidenceByDefinition(concepts, *words, l, codes[i]);
    if (!SameEvidence(all[i], expected)) {
      Fail("several codes' evidence differs from its definition", language);
    }
    if (!SameEvidence(concepts.EvidenceOfAnalyzed(*words, language, codes[i]),
                      expected)) {
      Fail("one code's evidence differs from its definition", language);
    }
  }
}

void CheckConcepts(absl::string_view text, absl::string_view language,
                   bool valid, const std::vector<std::string>& terms) {
  const CpvConcepts& concepts = CpvConcepts::Builtin();
  const bool known = language.empty() || CpvConcepts::IsConceptLanguage(
                                             absl::AsciiStrToLower(language));
  const bool accepted = valid && known;

  absl::StatusOr<std::vector<CpvSuggestion>> suggestions =
      SuggestCpv(text, language);
  CheckRefusal(suggestions.status(), accepted, "SuggestCpv", language);
  absl::StatusOr<std::vector<CpvSuggestion>> detected = SuggestCpv(text, "");
  CheckRefusal(detected.status(), valid, "SuggestCpv (detected)", language);
  absl::StatusOr<std::vector<Concept>> text_concepts =
      concepts.Concepts(text, language);
  CheckRefusal(text_concepts.status(), accepted, "Concepts", language);
  if (!accepted) return;

  // Scores are comparable within a call, not sorted: the classifier lists
  // the best division's best group first.
  for (const absl::StatusOr<std::vector<CpvSuggestion>>* s :
       {&suggestions, &detected}) {
    for (const CpvSuggestion& suggestion : **s) {
      if (!std::isfinite(suggestion.score) || suggestion.score < 0 ||
          !CpvConcepts::IsConceptLanguage(suggestion.language)) {
        Fail("a suggestion's score or language", language);
      }
      for (const ConceptEvidence& e : suggestion.evidence) {
        if (!std::isfinite(e.weight)) Fail("an evidence weight", language);
      }
    }
  }
  if (!suggestions->empty()) {
    CheckRefusal(
        concepts.Evidence(text, language, (*suggestions)[0].code).status(),
        true, "Evidence", language);
  }
  for (const Concept& c : *text_concepts) {
    if (!(c.weight > 0 && c.weight <= 1)) Fail("a concept weight", language);
  }

  // The twins need the language resolved as Concepts resolves it.
  if (language.empty()) return;
  const std::string lower = absl::AsciiStrToLower(language);
  const int l = ConceptLanguageIndex(lower);
  absl::StatusOr<std::vector<std::string>> concept_terms =
      lower == language ? absl::StatusOr<std::vector<std::string>>(terms)
                        : AnalyzeText(text, lower);
  if (!concept_terms.ok()) Fail("AnalyzeText (lower-cased language)", lower);
  for (bool labels_only : {false, true}) {
    if (!SameConcepts(CpvConceptsPeer::TopConcepts(concepts, *concept_terms, l,
                                                   labels_only),
                      CpvConceptsPeer::TopConceptsByDefinition(
                          concepts, *concept_terms, l,
                          CpvConcepts::kMaxConcepts, 0.1, labels_only))) {
      Fail(labels_only ? "label concepts differ from their definition"
                       : "concepts differ from their definition",
           lower);
    }
  }
  concepts.SuggestionFeatures(text, lower);
  CheckEvidence(text, lower, l, *text_concepts);
}

// The language of the first byte (see the file comment).
std::string LanguageOf(uint8_t b) {
  const int choice = (b & 0x7f) % (kConceptLanguageCount + 2);
  std::string language = choice < kConceptLanguageCount
                             ? kConceptLanguages[choice]
                         : choice == kConceptLanguageCount ? ""
                                                           : "zz";
  if (b & 0x80) absl::AsciiStrToUpper(&language);
  return language;
}

// The text as a supplier's in several languages (see the file comment):
// each part analysed in its language (a part refused, as invalid UTF-8,
// has no terms), the parts' concepts in one call against merging each
// part's by definition, at the defaults index building uses, at a small cap
// with no share, where the merge's floor cuts most, and at one concept,
// where the floor is 1 and every part's strongest ties with it.
void CheckMergedConcepts(uint8_t first, absl::string_view text) {
  constexpr char kPartSeparator = '\x1e';
  constexpr int kMaxParts = 4;
  std::vector<std::string> languages = {LanguageOf(first)};
  std::vector<absl::string_view> texts;
  size_t separator;
  while (static_cast<int>(languages.size()) < kMaxParts &&
         (separator = text.find(kPartSeparator)) != absl::string_view::npos &&
         separator + 1 < text.size()) {
    texts.push_back(text.substr(0, separator));
    languages.push_back(LanguageOf(static_cast<uint8_t>(text[separator + 1])));
    text.remove_prefix(separator + 2);
  }
  texts.push_back(text);
  std::vector<std::vector<std::string>> terms(texts.size());
  std::vector<CpvConcepts::LanguageTerms> parts;
  for (size_t i = 0; i < texts.size(); ++i) {
    absl::StatusOr<std::vector<std::string>> analysed =
        AnalyzeText(texts[i], languages[i]);
    if (analysed.ok()) terms[i] = *std::move(analysed);
    parts.push_back({languages[i], &terms[i]});
  }
  const CpvConcepts& concepts = CpvConcepts::Builtin();
  for (const auto& [max_concepts, min_weight] :
       {std::pair<int, double>{CpvConcepts::kMaxConcepts, 0.1},
        std::pair<int, double>{4, 0.0}, std::pair<int, double>{1, 0.1}}) {
    if (!SameConcepts(
            concepts.MergedConceptsOfTerms(parts, max_concepts, min_weight),
            MergedConceptsByDefinition<CpvConceptsPeer>(
                concepts, parts, max_concepts, min_weight))) {
      Fail("the merged concepts differ from merging each part's", languages[0]);
    }
  }
}

// Builds what the layer builds on first use (the concept tables, each
// language's links and stemmer, the trigram profiles), so that no input
// pays for it: niced on a busy machine, the first input took more than
// libFuzzer's 10 s timeout.
void WarmUp() {
  const CpvConcepts& concepts = CpvConcepts::Builtin();
  for (const char* language : kConceptLanguages) {
    concepts.LinksTerm("a", language);
    AnalyzeText("a", language).IgnoreError();
  }
  DetectLanguage("a");
}

void FuzzText(const uint8_t* data, size_t size) {
  if (size == 0 || size > kMaxInputBytes) return;
  const std::string language = LanguageOf(data[0]);
  const absl::string_view text(reinterpret_cast<const char*>(data) + 1,
                               size - 1);
  const bool valid = IsValidUtf8(text);
  const std::vector<std::string> terms = CheckAnalysis(text, language, valid);
  CheckDetection(text, valid);
  CheckConcepts(text, language, valid, terms);
  CheckMergedConcepts(data[0], text);
}

}  // namespace
}  // namespace fuzz
}  // namespace procmatch

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  procmatch::fuzz::WarmUp();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  procmatch::fuzz::FuzzText(data, size);
  return 0;
}
