// Fuzzes keyword patterns, the RE2 expressions of keyword requirements and
// of alert rules' keyword_patterns/exclude_patterns: CompileKeywordPattern
// within the default pattern memory (Options::max_pattern_memory), then a
// search of a text as matching does it (folded text for a case-insensitive
// pattern, the text itself for a case-sensitive one).
//
// Input: the first byte's lowest bit says case-sensitive; the rest up to the
// first newline is the pattern, what follows the text searched (only when
// valid UTF-8, FoldText's requirement; the readers refuse other text).
//
// Checks: a pattern that is not valid UTF-8 or is empty is refused; a match
// (group 1, CompileKeywordPattern's capturing group) lies inside the text.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "procmatch/internal/keyword_pattern.h"
#include "procmatch/options.h"
#include "procmatch/text_analyzer.h"
#include "procmatch/utf8.h"
#include "re2/re2.h"
#include "tests/fuzz/harness.h"

namespace procmatch {
namespace fuzz {
namespace {

void Fail(const char* what) {
  std::fprintf(stderr, "keyword_patterns: %s\n", what);
  std::abort();
}

void FuzzKeywordPattern(bool case_sensitive, absl::string_view input) {
  const auto [pattern, text] = SplitFirstLine(input);
  absl::StatusOr<std::unique_ptr<RE2>> re = internal::CompileKeywordPattern(
      pattern, case_sensitive, Options().max_pattern_memory);
  if (!re.ok()) return;
  if (pattern.empty() || !IsValidUtf8(pattern)) {
    Fail("compiled an empty or invalid UTF-8 pattern");
  }
  // FoldText requires valid UTF-8, as the texts matching searches are:
  // records and notices that are not are refused before.
  if (!IsValidUtf8(text)) return;
  const std::string searched =
      case_sensitive ? std::string(text) : FoldText(text);
  re2::StringPiece match;
  if (RE2::PartialMatch(searched, **re, &match) && match.data() != nullptr &&
      (match.data() < searched.data() ||
       match.data() + match.size() > searched.data() + searched.size())) {
    Fail("group 1 lies outside the text");
  }
}

}  // namespace
}  // namespace fuzz
}  // namespace procmatch

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0 || size > procmatch::fuzz::kMaxInputBytes) return 0;
  procmatch::fuzz::FuzzKeywordPattern(
      (data[0] & 1) != 0,
      absl::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
  return 0;
}
