// File: lib/utf8.h
//
// UTF-8 well-formedness. procmatch reads UTF-8 only; text that is not valid
// UTF-8 (overlong forms, surrogates, truncated sequences, code points above
// U+10FFFF) is an input error, never silently repaired.
//
// Example:
//
//   procmatch::IsValidUtf8("Liège");                  // true
//   procmatch::FirstInvalidUtf8Offset("Li\xe8ge");    // 2
#ifndef PROCMATCH_LIB_UTF8_H_
#define PROCMATCH_LIB_UTF8_H_

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"

namespace procmatch {

// Byte offset of the first byte that does not start a well-formed UTF-8
// sequence, or -1 when all of `text` is well-formed.
ptrdiff_t FirstInvalidUtf8Offset(absl::string_view text);

inline bool IsValidUtf8(absl::string_view text) {
  return FirstInvalidUtf8Offset(text) < 0;
}

// U+FFFD, which stands for a byte that does not start a well-formed
// sequence.
inline constexpr char32_t kReplacementCharacter = 0xFFFD;

// Decodes the code point at `*pos` and advances `*pos` past it. A byte that
// does not start a well-formed sequence (a stray continuation byte, a
// sequence cut short by the end of `text` or by another lead byte, an
// overlong form, a surrogate) decodes as kReplacementCharacter and advances
// `*pos` by one: never reads past the end of `text`.
// REQUIRES: *pos < text.size().
char32_t DecodeUtf8(absl::string_view text, size_t* pos);

// Appends the UTF-8 encoding of code point `c` to `*out`.
// REQUIRES: c <= 0x10FFFF and not a surrogate.
void AppendUtf8(char32_t c, std::string* out);

// The length of the longest prefix of `text` of at most `max_bytes` bytes
// that does not end inside a character: where a message cuts a quoted
// value. `text` itself when it is no longer.
inline size_t Utf8PrefixLength(absl::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text.size();
  size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) {
    --cut;
  }
  return cut;
}

}  // namespace procmatch

#endif  // PROCMATCH_LIB_UTF8_H_
