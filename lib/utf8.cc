#include "procmatch/utf8.h"

#include <cstdint>
#include <cstring>

namespace procmatch {

namespace {

// What a lead byte announces: the sequence's length, the smallest code point
// that length may encode (anything below is an overlong form) and the lead
// byte's bits of the code point. False for a byte that cannot lead.
bool ReadLead(unsigned char c, size_t* len, char32_t* min, char32_t* bits) {
  if ((c & 0xE0) == 0xC0) {
    *len = 2, *min = 0x80, *bits = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    *len = 3, *min = 0x800, *bits = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    *len = 4, *min = 0x10000, *bits = c & 0x07;
  } else {
    return false;
  }
  return true;
}

bool IsScalarValue(char32_t cp, char32_t min) {
  return cp >= min && cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF);
}

}  // namespace

ptrdiff_t FirstInvalidUtf8Offset(absl::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    // Eight ASCII bytes at a time: most of a profile's text is ASCII, and
    // validating a build's profiles read them a byte at a time (issue 16).
    constexpr uint64_t kHighBits = 0x8080808080808080u;
    uint64_t word;
    while (i + sizeof(word) <= n) {
      std::memcpy(&word, s + i, sizeof(word));
      if ((word & kHighBits) != 0) break;
      i += sizeof(word);
    }
    if (i == n) break;
    const unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    char32_t min;
    char32_t cp;
    if (!ReadLead(c, &len, &min, &cp)) return static_cast<ptrdiff_t>(i);
    if (i + len > n) return static_cast<ptrdiff_t>(i);
    for (size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return static_cast<ptrdiff_t>(i);
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    if (!IsScalarValue(cp, min)) return static_cast<ptrdiff_t>(i);
    i += len;
  }
  return -1;
}

char32_t DecodeUtf8(absl::string_view text, size_t* pos) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  const unsigned char c = s[*pos];
  if (c < 0x80) {
    ++*pos;
    return c;
  }
  size_t len;
  char32_t min;
  char32_t cp;
  if (!ReadLead(c, &len, &min, &cp)) {
    ++*pos;
    return kReplacementCharacter;
  }
  // Never past the end, and never into the next sequence: a byte that is
  // not a continuation ends a malformed one.
  for (size_t k = 1; k < len; ++k) {
    if (*pos + k >= n || (s[*pos + k] & 0xC0) != 0x80) {
      ++*pos;
      return kReplacementCharacter;
    }
    cp = (cp << 6) | (s[*pos + k] & 0x3F);
  }
  if (!IsScalarValue(cp, min)) {
    ++*pos;
    return kReplacementCharacter;
  }
  *pos += len;
  return cp;
}

void AppendUtf8(char32_t c, std::string* out) {
  if (c < 0x80) {
    out->push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (c >> 6)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (c >> 12)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (c >> 18)));
    out->push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

}  // namespace procmatch
