#include "procmatch/internal/reasons.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "procmatch/dates.h"
#include "procmatch/text_analyzer.h"
#include "procmatch/v1/common.pb.h"

namespace procmatch {
namespace internal {

std::string LevelName(int level) {
  std::string name = v1::ClearanceLevel_Name(level);
  const std::string prefix = "CLEARANCE_LEVEL_";
  if (name.empty()) return absl::StrCat("level ", level);
  return name.compare(0, prefix.size(), prefix) == 0
             ? name.substr(prefix.size())
             : name;
}

std::string FormatDay(absl::CivilDay day) { return FormatDate(ToDate(day)); }

std::string Amount(double amount, absl::string_view currency) {
  if (amount >= 1e6) return absl::StrFormat("%s %.1fM", currency, amount / 1e6);
  if (amount >= 1e3) return absl::StrFormat("%s %.0fk", currency, amount / 1e3);
  return absl::StrFormat("%s %.0f", currency, amount);
}

std::string CodeAndLabel(const CpvTaxonomy& cpv, CpvCode code) {
  return absl::StrCat(code.ToString(), " (", cpv.Label(code), ")");
}

std::vector<std::string> WordsOfTerms(absl::string_view text,
                                      absl::string_view language,
                                      const std::vector<std::string>& terms) {
  absl::StatusOr<std::vector<AnalyzedWord>> words =
      AnalyzeWords(text, language);
  return WordsOfTerms(words.ok() ? *words : std::vector<AnalyzedWord>(), terms);
}

std::vector<std::string> WordsOfTerms(const std::vector<AnalyzedWord>& words,
                                      const std::vector<std::string>& terms) {
  absl::flat_hash_map<absl::string_view, absl::string_view> word_of;
  for (const AnalyzedWord& w : words) word_of.try_emplace(w.term, w.word);
  std::vector<std::string> out;
  for (const std::string& t : terms) {
    auto it = word_of.find(t);
    out.push_back(it == word_of.end() ? t : std::string(it->second));
  }
  return out;
}

std::string Count(int64_t n, absl::string_view noun) {
  return absl::StrCat(n, " ", noun, n == 1 ? "" : "s");
}

}  // namespace internal
}  // namespace procmatch
