// File: lib/internal/keyword_pattern.h
//
// INTERNAL. The one place where a keyword requirement's RE2 pattern becomes
// a compiled RE2: validation compiles it to accept or refuse the request,
// and query preparation compiles the very same pattern to match, so that
// what was validated is what runs.
#ifndef PROCMATCH_LIB_INTERNAL_KEYWORD_PATTERN_H_
#define PROCMATCH_LIB_INTERNAL_KEYWORD_PATTERN_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "re2/re2.h"

namespace procmatch {
namespace internal {

// Lower-cases and accent-folds only the non-ASCII parts of an RE2 pattern:
// ASCII is left alone so that escapes such as \S or \D keep their meaning
// (case is handled by compiling case-insensitively).
std::string FoldPattern(absl::string_view pattern);

// `pattern` compiled inside one capturing group (group 1 is the text that
// matched), folded unless `case_sensitive`, within `max_memory` bytes.
// InvalidArgument with RE2's message when it is empty, does not parse or
// needs more memory.
absl::StatusOr<std::unique_ptr<RE2>> CompileKeywordPattern(
    absl::string_view pattern, bool case_sensitive, int64_t max_memory);

}  // namespace internal
}  // namespace procmatch

#endif  // PROCMATCH_LIB_INTERNAL_KEYWORD_PATTERN_H_
