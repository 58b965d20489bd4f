// File: lib/text_analyzer.h
//
// Multilingual text analysis for matching: turns profile and tender text in
// French, Dutch, German, English (and the other Snowball languages: Danish,
// Finnish, Greek, Hungarian, Italian, Lithuanian, Portuguese, Romanian,
// Spanish, Swedish, ...) into index terms.
//
// Pipeline per token: Unicode lower-casing, stopword removal for the text's
// language, Snowball stemming (libstemmer) in that language, then accent
// folding of the stem (é→e, ß→ss, ø→o), so that "Systèmes" and "systemes"
// meet. Tokens that contain a digit are codes and are kept whole, without
// stemming: "AQAP-2110", "5.56", "STANAG-4569" stay single terms.
//
// Example:
//
//   absl::StatusOr<std::vector<std::string>> terms =
//       procmatch::AnalyzeText("Ontwerp van onbemande luchtvaartuigen", "nl");
//   // {"ontwerp", "onbemand", "luchtvaartu"}
//
//   procmatch::GuessLanguage("Fourniture de systèmes de drones");  // "fr"
//   procmatch::DetectLanguage("Dodávka bezpilotních letadel").language;
//   // "cs"
//
// Errors: text that is not valid UTF-8 is an InvalidArgument error naming
// the byte offset. An unknown or empty language analyses without stemming or
// stopwords.
//
// Threading: all functions are thread-safe. Snowball stemmers are not, so
// each thread keeps its own, created on first use per language.
//
// Memory: each thread remembers, for up to kStemMemoEntries words of at most
// kStemMemoWordBytes, the word's stem, its folded form, whether it is a
// stop word and the ids one TermVocabulary gave its two forms (about 16 MB
// when full of words of up to 15 bytes, at most 29 MB; dropped whole when
// full), so that an index build or a notice stream stems, folds and looks
// up each distinct word of its vocabulary once; the terms and ids are the
// same with or without the memo.
#ifndef PROCMATCH_LIB_TEXT_ANALYZER_H_
#define PROCMATCH_LIB_TEXT_ANALYZER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace procmatch {

// Index terms of `text` in `language` (ISO 639-1), in text order, with
// repeats.
absl::StatusOr<std::vector<std::string>> AnalyzeText(
    absl::string_view text, absl::string_view language);

// Lower-cases and folds accents without tokenising: "Liège Straße" becomes
// "liege strasse". Used for keyword rules and name comparison. A byte that
// does not start a well-formed UTF-8 sequence becomes U+FFFD (DecodeUtf8).
std::string FoldText(absl::string_view text);

// The language of `text`: DetectLanguage() when the text has at least
// kMinTrigramsToDetect letter trigrams (about three words), else the old
// guess among fr, nl, de and en by stopword counts; "en" when nothing
// decides.
std::string GuessLanguage(absl::string_view text);

// Fewer letter trigrams than this leave GuessLanguage to stopwords: a name
// or a two-word title says too little about its language.
inline constexpr int kMinTrigramsToDetect = 16;

// The most likely of the 24 official EU languages of a text, by naive Bayes
// over character trigrams whose profiles were learnt from the CPV labels in
// those languages and the training notices (doc/cross_language.md, with the
// accuracy per language on held-out notices).
struct LanguageGuess {
  std::string language;  // ISO 639-1; empty when the text has no letters.
  // Mean log-likelihood ratio per trigram of the best language over the
  // runner-up: above 0.3 is a clear call, below 0.05 a toss-up.
  double margin = 0;
  int trigrams = 0;  // Letter trigrams the guess rests on.
};
// Never fails: text that is not valid UTF-8 has no letters.
LanguageGuess DetectLanguage(absl::string_view text);

// The letter trigrams DetectLanguage reads: each word without digits,
// lower-cased and padded with "_" ("_dr", "dro", "ron", "one", "ne_"), in
// text order with repeats. Exposed for the tool that learns the profiles.
std::vector<std::string> CharacterTrigrams(absl::string_view text);

// A term with the word it came from, lower-cased as written: "drones" for
// "dron". Explanations show words, not stems.
struct AnalyzedWord {
  std::string word;
  std::string term;
};

// AnalyzeText with each term's word. Errors: as AnalyzeText.
absl::StatusOr<std::vector<AnalyzedWord>> AnalyzeWords(
    absl::string_view text, absl::string_view language);

// True when libstemmer has a stemmer for `language` (ISO 639-1).
bool HasStemmer(absl::string_view language);

// The terms of one text in both forms the alert rules use, from a single
// pass over it (one lower-casing and tokenisation instead of two).
struct StemmedAndPlainTerms {
  std::vector<std::string> stemmed;  // AnalyzeText(text, language).
  std::vector<std::string> plain;    // AnalyzeText(text, ""): folded only.
  // Given a TermVocabulary: its id of each term above, in the same order;
  // empty without one.
  std::vector<int32_t> stemmed_ids;
  std::vector<int32_t> plain_ids;
};

// A caller's ids of terms, such as an alert index's for the terms its rules
// are posted under: `plain_id` of a folded term, `stemmed_id` of a stem in
// the language analysed (a code's term is both), -1 for a term without
// one. The thread's word memo keeps the two ids of each word it has met
// under `owner`, so that a word met again is resolved without calling them
// (one lookup of the word gives its forms and their ids). `owner` names one
// assignment of ids for the life of the process: take it from
// NewTermVocabularyOwner(), again whenever the ids change. The functions
// are called on the analysing thread, during the call they are given to;
// FunctionRef does not own them, so they must outlive the TermVocabulary
// (name them: not temporaries). They must not analyse text themselves, in
// any language: the thread's memo is in use during the call, and a word it
// learnt then could move the entry being filled, or fill the memo and clear
// every language's. Analysing text from inside them aborts the process.
struct TermVocabulary {
  uint64_t owner;
  absl::FunctionRef<int32_t(absl::string_view)> plain_id;
  absl::FunctionRef<int32_t(absl::string_view)> stemmed_id;
  // False when the caller needs only the ids: StemmedAndPlainTerms::stemmed
  // and plain are then left empty, their strings never made. Default: true.
  bool with_terms = true;
};

// An owner no TermVocabulary has had before in this process (never 0).
// Thread-safe.
uint64_t NewTermVocabularyOwner();

// Both forms of `text`, equal to the two AnalyzeText calls above. Errors as
// AnalyzeText.
absl::StatusOr<StemmedAndPlainTerms> AnalyzeStemmedAndPlain(
    absl::string_view text, absl::string_view language);

// Both forms of a text's terms and the text folded, from one pass.
struct StemmedPlainAndFolded {
  StemmedAndPlainTerms terms;  // AnalyzeStemmedAndPlain(text, language).
  std::string folded;          // FoldText(text).
};

// AnalyzeStemmedAndPlain(text, language) and FoldText(text) in one pass:
// each rune of the text is decoded, lower-cased and folded once (alert
// rules look for patterns in the folded text and for terms in the terms).
// With `vocabulary` (default: none), the terms' ids in it too. Errors as
// AnalyzeText.
absl::StatusOr<StemmedPlainAndFolded> AnalyzeStemmedPlainAndFolded(
    absl::string_view text, absl::string_view language,
    const TermVocabulary* vocabulary = nullptr);

// A text's terms with their ids in one TermVocabulary: what the concept
// layer reads a text by (CpvConcepts::TermIds).
struct TermsAndIds {
  std::vector<std::string> terms;  // AnalyzeText(text, language).
  std::vector<int32_t> ids;        // The vocabulary's stemmed_id of each.
};

// AnalyzeText(text, language) with each term's stemmed_id in `vocabulary`,
// from the thread's word memo for a word met before under its owner (a
// code is looked up each time, as in AnalyzeStemmedPlainAndFolded); the
// folded forms' ids are not returned (plain_id is still asked once per word
// the memo learns, for the memo). The terms are left empty when
// vocabulary.with_terms is false. Errors as AnalyzeText.
absl::StatusOr<TermsAndIds> AnalyzeTextWithIds(
    absl::string_view text, absl::string_view language,
    const TermVocabulary& vocabulary);

// The bounds of each thread's stem memo (see "Memory" above).
inline constexpr int kStemMemoEntries = 1 << 16;
inline constexpr size_t kStemMemoWordBytes = 48;

namespace internal {

// AnalyzeText the plain way, the brute-force twin the fast paths are
// tested against: LowerByRune, the tokens built rune by rune and split at
// their connectors, and Snowball stems every word (no memo).
absl::StatusOr<std::vector<std::string>> AnalyzeTextWithoutMemo(
    absl::string_view text, absl::string_view language);

// The text lower-cased rune by rune (each code point decoded, lower-cased
// and encoded again; a byte that does not start a well-formed sequence
// becomes U+FFFD): the reference FoldText and AnalyzeTextWithoutMemo read.
std::string LowerByRune(absl::string_view text);

// True when none of the eight bytes loaded as `eight` is above ASCII.
inline bool AllAscii(uint64_t eight) {
  return (eight & 0x8080808080808080u) == 0;
}

// Eight ASCII bytes (AllAscii) loaded as one number, each of 'A'..'Z'
// lower-cased: it gets its 0x20. A byte below 0x80 plus 0x3F reaches 0x80
// from 'A' (0x41) on, plus 0x25 from '[' (0x5B) on, never carrying into
// the next byte.
inline uint64_t LowerAscii(uint64_t eight) {
  const uint64_t upper =
      (eight + 0x3F3F3F3F3F3F3F3Fu) & ~(eight + 0x2525252525252525u);
  return eight | (upper & 0x8080808080808080u) >> 2;
}

// LowerByRune(text) into `*lower` and, when `folded` is not null,
// FoldText(text) into `*folded`, in one pass by tables, as the analysis
// reads text: ASCII eight bytes at a time where eight follow (LowerAscii),
// each rune of two bytes (accented Latin, Greek, Cyrillic) from a table
// the rune-by-rune lowering and folding made once per process, longer
// runes as they are (neither changes a rune above U+07FF). False, at the
// first byte that does not start a well-formed sequence, when `text` is
// not valid UTF-8; the outputs are then unspecified.
bool LowerAndFold(absl::string_view text, std::string* lower,
                  std::string* folded);

}  // namespace internal

}  // namespace procmatch

#endif  // PROCMATCH_LIB_TEXT_ANALYZER_H_
