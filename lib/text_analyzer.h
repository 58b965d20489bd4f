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
//
// Errors: text that is not valid UTF-8 is an InvalidArgument error naming
// the byte offset. An unknown or empty language analyses without stemming or
// stopwords.
//
// Threading: all functions are thread-safe. Snowball stemmers are not, so
// each thread keeps its own, created on first use per language.
#ifndef PROCMATCH_LIB_TEXT_ANALYZER_H_
#define PROCMATCH_LIB_TEXT_ANALYZER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace procmatch {

// Index terms of `text` in `language` (ISO 639-1), in text order, with
// repeats.
absl::StatusOr<std::vector<std::string>> AnalyzeText(
    absl::string_view text, absl::string_view language);

// Lower-cases and folds accents without tokenising: "Liège Straße" becomes
// "liege strasse". Used for keyword rules and name comparison.
// REQUIRES: text is valid UTF-8.
std::string FoldText(absl::string_view text);

// The language of `text` among fr, nl, de and en by stopword counts; "en"
// when nothing decides.
std::string GuessLanguage(absl::string_view text);

// True when libstemmer has a stemmer for `language` (ISO 639-1).
bool HasStemmer(absl::string_view language);

// The terms of one text in both forms the alert rules use, from a single
// pass over it (one lower-casing and tokenisation instead of two).
struct StemmedAndPlainTerms {
  std::vector<std::string> stemmed;  // AnalyzeText(text, language).
  std::vector<std::string> plain;    // AnalyzeText(text, ""): folded only.
};

// Both forms of `text`, equal to the two AnalyzeText calls above. Each
// thread remembers the stems of up to kStemMemoEntries words of at most
// kStemMemoWordBytes (under 10 MB, dropped whole when full), so that a
// stream of notices stems each distinct word of its vocabulary once.
// Errors as AnalyzeText.
absl::StatusOr<StemmedAndPlainTerms> AnalyzeStemmedAndPlain(
    absl::string_view text, absl::string_view language);
inline constexpr int kStemMemoEntries = 1 << 16;
inline constexpr size_t kStemMemoWordBytes = 48;

}  // namespace procmatch

#endif  // PROCMATCH_LIB_TEXT_ANALYZER_H_
