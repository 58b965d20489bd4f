// File: lib/internal/reasons.h
//
// INTERNAL. The words of explanations: how levels, dates, amounts, codes and
// counts are written in requirement reasons and component details, so that
// every sentence procmatch writes uses the same vocabulary.
#ifndef PROCMATCH_LIB_INTERNAL_REASONS_H_
#define PROCMATCH_LIB_INTERNAL_REASONS_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "procmatch/cpv.h"
#include "procmatch/text_analyzer.h"

namespace procmatch {
namespace internal {

// "SECRET" for CLEARANCE_LEVEL_SECRET.
std::string LevelName(int level);

// "2027-06-30".
std::string FormatDay(absl::CivilDay day);

// "EUR 9.0M", "EUR 900k", "EUR 120".
std::string Amount(double amount, absl::string_view currency);

// "35613000 (Unmanned aerial vehicles)".
std::string CodeAndLabel(const CpvTaxonomy& cpv, CpvCode code);

// Words, not stems: for each analysed term, the first word of `text`
// (analysed in `language`) it comes from, lower-cased as written
// ("vehicles" for "vehicl"); the term itself when no word gives it.
std::vector<std::string> WordsOfTerms(absl::string_view text,
                                      absl::string_view language,
                                      const std::vector<std::string>& terms);

// The same from the text's words as AnalyzeWords gives them.
std::vector<std::string> WordsOfTerms(const std::vector<AnalyzedWord>& words,
                                      const std::vector<std::string>& terms);

// "1 past contract", "3 past contracts".
std::string Count(int64_t n, absl::string_view noun);

}  // namespace internal
}  // namespace procmatch

#endif  // PROCMATCH_LIB_INTERNAL_REASONS_H_
