#include "procmatch/internal/keyword_pattern.h"

#include "absl/strings/str_cat.h"
#include "procmatch/text_analyzer.h"
#include "procmatch/utf8.h"

namespace procmatch {
namespace internal {

std::string FoldPattern(absl::string_view pattern) {
  std::string out;
  size_t i = 0;
  while (i < pattern.size()) {
    if (static_cast<unsigned char>(pattern[i]) < 0x80) {
      out.push_back(pattern[i++]);
      continue;
    }
    size_t j = i;
    while (j < pattern.size() &&
           static_cast<unsigned char>(pattern[j]) >= 0x80) {
      ++j;
    }
    out += FoldText(pattern.substr(i, j - i));
    i = j;
  }
  return out;
}

namespace {

// Bytes of a pattern, or of RE2's message (which quotes the pattern from
// where it went wrong), kept in a message: a 10 MB pattern would otherwise
// be quoted whole, twice. Cut on a character boundary.
constexpr size_t kQuotedPatternBytes = 64;

std::string Excerpt(absl::string_view text) {
  if (text.size() <= kQuotedPatternBytes) return std::string(text);
  return absl::StrCat(
      text.substr(0, Utf8PrefixLength(text, kQuotedPatternBytes)), "... (",
      text.size(), " bytes)");
}

}  // namespace

absl::StatusOr<std::unique_ptr<RE2>> CompileKeywordPattern(
    absl::string_view pattern, bool case_sensitive, int64_t max_memory) {
  if (pattern.empty()) return absl::InvalidArgumentError("pattern is empty");
  if (!IsValidUtf8(pattern)) {
    return absl::InvalidArgumentError("pattern is not valid UTF-8");
  }
  RE2::Options options;
  options.set_max_mem(max_memory);
  options.set_log_errors(false);
  options.set_case_sensitive(case_sensitive);
  const std::string text = absl::StrCat(
      "(", case_sensitive ? std::string(pattern) : FoldPattern(pattern), ")");
  auto re = std::make_unique<RE2>(text, options);
  if (!re->ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("pattern \"", Excerpt(pattern),
                     "\" is not a valid RE2 expression within the memory "
                     "budget of ",
                     max_memory, " bytes: ", Excerpt(re->error())));
  }
  return re;
}

}  // namespace internal
}  // namespace procmatch
