// File: lib/internal/json_scan.h
//
// INTERNAL. A cheap structural pass over one JSON text, run before
// protobuf's JSON parser sees it, for what that parser does not check or
// checks too late:
//
//   - nesting depth: protobuf's parser (and google.protobuf.Struct in
//     particular) takes super-quadratic time on deeply nested arrays;
//   - duplicate keys: protobuf's parser silently keeps the last one;
//   - an array directly inside an array where a repeated field is expected:
//     protobuf's parser silently flattens [[1, 2]] into [1, 2];
//   - a string (a key or a value) that is not UTF-8, or holds a lone
//     surrogate escape ("\ud800"): protobuf's parser refuses it too, but
//     names no field;
//   - a number beyond the range of a double (1e400, a 400-digit integer):
//     protobuf's parser refuses it too ("Number exceeds the range of
//     double"), but names no field;
//   - what protobuf's parser reads beyond JSON (RFC 8259) and this pass
//     would misread: a string in single quotes ('"' is a plain character
//     in it, so taken for a quote it would hide what follows from every
//     check above, nesting included) and a key without quotes.
//
// The pass is iterative (an explicit stack bounded by the depth limit),
// linear in the input, and never fails on other malformed JSON: it stops
// and leaves the parser to report it.
//
// Example:
//
//   internal::JsonScanOptions options;
//   options.message = v1::Tender::descriptor();
//   absl::Status s = internal::ScanJson(line, options);
//   if (!s.ok()) reject(absl::StrCat(source, ": record 3: ", s.message()));
//
// Threading: reentrant.
#ifndef PROCMATCH_LIB_INTERNAL_JSON_SCAN_H_
#define PROCMATCH_LIB_INTERNAL_JSON_SCAN_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"

namespace procmatch {
namespace internal {

struct JsonScanOptions {
  // Objects and arrays may nest this deep; the top-level value is level 1.
  int max_depth = 64;
  // When set, the text is a message of this type in protobuf's JSON
  // mapping: keys resolve to its fields (by proto name or JSON name, so
  // "lot_id" and "lotId" are the same field), and an array inside an array
  // is refused unless the field holds google.protobuf.Value or ListValue.
  // When null, the text is untyped (google.protobuf.Struct): only depth and
  // duplicate keys are checked.
  const google::protobuf::Descriptor* message = nullptr;
  // Whether strings are checked for UTF-8 and lone surrogate escapes, which
  // costs a pass over the whole text (about 1 ns a byte). A caller whose parser
  // refuses invalid UTF-8 anyway may leave it off, and scan again with it on
  // only when the parser refused a text that is not UTF-8, to name the field.
  bool check_utf8 = true;
};

// OK, or InvalidArgument saying what is wrong and, for keys, arrays,
// strings and numbers, which field by its path of keys and element numbers
// ("field
// \"lots[1].title\" is given twice", "field
// \"capabilities[2].description\": not valid UTF-8 (byte 7 of the
// string)", "field \"lots[0]\": a key without quotes is not JSON (byte
// 31)"). The message does not name the source: the caller prefixes it.
absl::Status ScanJson(absl::string_view json, const JsonScanOptions& options);

// `text` without a leading UTF-8 byte order mark.
absl::string_view StripUtf8Bom(absl::string_view text);

// The pieces of the scan that do not depend on how keys and paths are kept,
// shared with its brute-force twin (tests/json_scan_reference.cc), which
// keeps them the obvious way. Not for other callers.
namespace json_scan_detail {

// Whether `d` is one of protobuf's well-known types, whose JSON forms are
// their own (Struct is any object, ListValue any array).
bool IsWellKnown(const google::protobuf::Descriptor* d);

// Whether the values of field `f` may themselves be arrays (Value,
// ListValue).
bool HoldsDynamicValues(const google::protobuf::FieldDescriptor* f);

// The field of `d` named `key` by its proto name or its JSON name, or null.
const google::protobuf::FieldDescriptor* FindField(
    const google::protobuf::Descriptor* d, absl::string_view key);

// The JSON string opening at s[start] ('"'): the position past its closing
// quote, or npos when it is not closed. With `decoded`, appends its value
// with escapes decoded (keys are compared by value: "a" and "\u0061" are
// the same key).
size_t SkipString(absl::string_view s, size_t start, std::string* decoded);

// What makes a JSON string not UTF-8, from its text between the quotes
// (escapes not decoded), for a message: "byte 7" for a byte that is not
// UTF-8, "a lone surrogate escape \ud800 at byte 7" for a \uD800-\uDFFF
// escape that is not half of a pair (protobuf's parser refuses both, naming
// no field); empty when it is UTF-8.
std::string Utf8Problem(absl::string_view raw);

// The end of the number literal starting at s[start] (a '-' or a digit):
// the first position past the characters a JSON number may hold.
size_t SkipNumber(absl::string_view s, size_t start);

// Whether `literal` is a JSON number (RFC 8259's grammar) whose value lies
// beyond the range of a double, so that it would read as an infinity:
// "1e400", "-2E+308", "1" and 309 zeros. A literal that is not a JSON number
// is left to the parser: false.
bool BeyondDoubleRange(absl::string_view literal);

// Whether protobuf's parser reads `c`, where a key belongs, as the start of
// a key without quotes (a letter, '_' or '$'), which JSON does not allow.
bool StartsUnquotedKey(char c);

// A number literal as a message shows it: whole when short, else its first
// 24 characters, "..." and its length; a hostile number can be megabytes.
std::string ShownNumber(absl::string_view literal);

// `key` as a message shows it: cut to 64 bytes (on a code point boundary)
// and marked "..." when longer; a hostile key can be megabytes.
std::string ShownKey(const std::string& key);

}  // namespace json_scan_detail
}  // namespace internal
}  // namespace procmatch

#endif  // PROCMATCH_LIB_INTERNAL_JSON_SCAN_H_
