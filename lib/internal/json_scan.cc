#include "procmatch/internal/json_scan.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "procmatch/utf8.h"

namespace procmatch {
namespace internal {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

// Keys longer than this are cut in messages: a hostile key can be megabytes.
constexpr size_t kMaxKeyInMessage = 64;

bool Hex4(absl::string_view s, size_t at, uint32_t* value) {
  if (at + 4 > s.size()) return false;
  *value = 0;
  for (size_t i = at; i < at + 4; ++i) {
    const char c = s[i];
    uint32_t digit;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      digit = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      digit = c - 'A' + 10;
    } else {
      return false;
    }
    *value = *value * 16 + digit;
  }
  return true;
}

// Whether s[at] begins the escape of a low surrogate ("\uDC00" to
// "\uDFFF"), which after a high one (\uD800 to \uDBFF) makes a pair; its
// value in `*low`.
bool LowSurrogateEscapeAt(absl::string_view s, size_t at, uint32_t* low) {
  return at + 1 < s.size() && s[at] == '\\' && s[at + 1] == 'u' &&
         Hex4(s, at + 2, low) && *low >= 0xDC00 && *low < 0xE000;
}

// Whether `text` may hold a \uD800-\uDFFF escape: a cheap
// over-approximation (an escaped backslash before the 'u' counts too), so
// that text in UTF-8 is checked string by string only when it may be needed.
bool MayHoldSurrogateEscape(absl::string_view text) {
  for (size_t at = text.find("\\u"); at != absl::string_view::npos;
       at = text.find("\\u", at + 2)) {
    if (at + 3 >= text.size()) return false;
    const char c = text[at + 2];
    const char d = text[at + 3];
    if ((c == 'd' || c == 'D') &&
        ((d >= '8' && d <= '9') || (d >= 'a' && d <= 'f') ||
         (d >= 'A' && d <= 'F'))) {
      return true;
    }
  }
  return false;
}

}  // namespace

namespace json_scan_detail {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

// Well-known types have JSON forms of their own (Struct is any object,
// ListValue any array); below them nothing is typed.
bool IsWellKnown(const Descriptor* d) {
  return absl::StartsWith(d->full_name(), "google.protobuf.");
}

// A field whose values may themselves be arrays.
bool HoldsDynamicValues(const FieldDescriptor* f) {
  if (f->type() != FieldDescriptor::TYPE_MESSAGE) return false;
  const std::string& name = f->message_type()->full_name();
  return name == "google.protobuf.Value" || name == "google.protobuf.ListValue";
}

const FieldDescriptor* FindField(const Descriptor* d, absl::string_view key) {
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (f->name() == key || f->json_name() == key) return f;
  }
  return nullptr;
}

// The string opening at s[start] ('"'): its position past the closing quote,
// or npos when it is not closed. With `decoded`, its value, escapes decoded
// (keys are compared by value: "a" and "\u0061" are the same key).
size_t SkipString(absl::string_view s, size_t start, std::string* decoded) {
  size_t i = start + 1;
  while (i < s.size()) {
    const char c = s[i];
    if (c == '"') return i + 1;
    if (c != '\\') {
      if (decoded != nullptr) decoded->push_back(c);
      ++i;
      continue;
    }
    if (i + 1 >= s.size()) return absl::string_view::npos;
    const char e = s[i + 1];
    if (decoded == nullptr || e != 'u') {
      if (decoded != nullptr) {
        switch (e) {
          case 'b':
            decoded->push_back('\b');
            break;
          case 'f':
            decoded->push_back('\f');
            break;
          case 'n':
            decoded->push_back('\n');
            break;
          case 'r':
            decoded->push_back('\r');
            break;
          case 't':
            decoded->push_back('\t');
            break;
          default:
            decoded->push_back(e);
        }
      }
      i += 2;
      continue;
    }
    uint32_t cp;
    if (!Hex4(s, i + 2, &cp)) {
      decoded->push_back(e);
      i += 2;
      continue;
    }
    i += 6;
    uint32_t low;
    if (cp >= 0xD800 && cp < 0xDC00 && LowSurrogateEscapeAt(s, i, &low)) {
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
      i += 6;
    }
    AppendUtf8(cp, decoded);
  }
  return absl::string_view::npos;
}

std::string Utf8Problem(absl::string_view raw) {
  const ptrdiff_t bad = FirstInvalidUtf8Offset(raw);
  if (bad >= 0) return absl::StrCat("byte ", bad);
  for (size_t i = 0; i + 1 < raw.size(); ++i) {
    if (raw[i] != '\\') continue;
    uint32_t cp;
    if (raw[i + 1] != 'u' || !Hex4(raw, i + 2, &cp)) {
      ++i;  // The escaped character.
      continue;
    }
    uint32_t low;
    if (cp >= 0xD800 && cp < 0xDC00 && LowSurrogateEscapeAt(raw, i + 6, &low)) {
      i += 11;  // A pair.
      continue;
    }
    if (cp < 0xD800 || cp >= 0xE000) {
      i += 5;
      continue;
    }
    return absl::StrCat("a lone surrogate escape \\u", raw.substr(i + 2, 4),
                        " at byte ", i);
  }
  return "";
}

size_t SkipNumber(absl::string_view s, size_t start) {
  size_t i = start;
  while (i < s.size() &&
         (absl::ascii_isdigit(s[i]) || s[i] == '-' || s[i] == '+' ||
          s[i] == '.' || s[i] == 'e' || s[i] == 'E')) {
    ++i;
  }
  return i;
}

bool BeyondDoubleRange(absl::string_view literal) {
  // -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
  const size_t n = literal.size();
  size_t i = 0;
  auto digits = [&] {
    const size_t from = i;
    while (i < n && absl::ascii_isdigit(literal[i])) ++i;
    return i - from;
  };
  if (i < n && literal[i] == '-') ++i;
  if (i == n || !absl::ascii_isdigit(literal[i])) return false;
  const size_t integer_digits = literal[i] == '0' ? (++i, 1) : digits();
  if (i < n && literal[i] == '.') {
    ++i;
    if (digits() == 0) return false;
  }
  bool exponent = false;
  if (i < n && (literal[i] == 'e' || literal[i] == 'E')) {
    exponent = true;
    ++i;
    if (i < n && (literal[i] == '+' || literal[i] == '-')) ++i;
    if (digits() == 0) return false;
  }
  if (i != n) return false;
  // Without an exponent, a number below 10^308 (at most 308 digits before
  // the point) is below the largest double, about 1.8 x 10^308, and one of
  // 10^309 or more (310 digits or more) above it, whatever its length: a
  // hostile run of digits is not copied and parsed.
  if (!exponent && integer_digits <= 308) return false;
  if (!exponent && integer_digits >= 310) return true;
  // strtod reads RFC 8259 numbers alike in the C locale, which procmatch
  // never changes, and returns an infinity (HUGE_VAL) on overflow.
  return std::isinf(std::strtod(std::string(literal).c_str(), nullptr));
}

bool StartsUnquotedKey(char c) {
  // Protobuf's JsonStreamParser takes a key that starts so for a bare key.
  return absl::ascii_isalpha(c) || c == '_' || c == '$';
}

std::string ShownNumber(absl::string_view literal) {
  if (literal.size() <= 32) return std::string(literal);
  return absl::StrCat(literal.substr(0, 24), "... (", literal.size(),
                      " characters)");
}

std::string ShownKey(const std::string& key) {
  if (key.size() <= kMaxKeyInMessage) return key;
  size_t cut = kMaxKeyInMessage;
  while (cut > 0 && (static_cast<unsigned char>(key[cut]) & 0xC0) == 0x80) {
    --cut;
  }
  return absl::StrCat(key.substr(0, cut), "...");
}

}  // namespace json_scan_detail

namespace {

using json_scan_detail::BeyondDoubleRange;
using json_scan_detail::FindField;
using json_scan_detail::HoldsDynamicValues;
using json_scan_detail::IsWellKnown;
using json_scan_detail::ShownKey;
using json_scan_detail::ShownNumber;
using json_scan_detail::SkipNumber;
using json_scan_detail::SkipString;
using json_scan_detail::StartsUnquotedKey;
using json_scan_detail::Utf8Problem;

// One open object or array. Nothing here allocates: keys stay where they
// are in the text, paths are only spelt out for a message.
struct Frame {
  bool object = false;
  bool expect_key = true;
  // Object: the message whose fields the keys name, or null (untyped, or a
  // map: keys are map keys).
  const Descriptor* message = nullptr;
  // Array: the repeated field its elements belong to. Map object: the map's
  // value field. Null when untyped.
  const FieldDescriptor* values = nullptr;
  // Object: its number in the scan, which qualifies its keys in the
  // scan-wide set of untyped keys.
  uint64_t serial = 0;
  // Object: where this object's field numbers start in Scanner::fields_.
  size_t fields_begin = 0;
  // Object: the last key, by its field (typed) and by the offset of its
  // opening quote in the text (npos before the first key).
  const FieldDescriptor* key_field = nullptr;
  size_t key_start = absl::string_view::npos;
  // Array: the number of the current element, from 0.
  size_t element = 0;

  // Whether the last key is a step of the path of what it holds: the keys
  // of messages and of untyped objects are, map keys are not.
  bool KeyInPath() const {
    return object && (message != nullptr || values == nullptr);
  }
};

class Scanner {
 public:
  Scanner(absl::string_view json, const JsonScanOptions& options)
      : json_(json), options_(options) {}

  absl::Status Run();

 private:
  absl::Status Open(char c);
  absl::Status Key(size_t start, size_t end);
  // Refuses the string at json_[start, end) when its bytes are not UTF-8,
  // naming the field it is the value of, or the object it is a key of.
  // The number literal json_[start, end): refused when it is beyond the
  // range of a double, naming its field.
  absl::Status CheckNumber(size_t start, size_t end) const;
  absl::Status CheckUtf8(size_t start, size_t end, bool is_key) const;
  // Refuses `what` (JSON only to protobuf's parser) at json_[at], naming
  // the field it is a value of, or the object it is a key of.
  absl::Status NotJson(size_t at, bool is_key, absl::string_view what) const;
  // Whether a key belongs at the current position.
  bool ExpectsKey() const {
    return !stack_.empty() && stack_.back().object && stack_.back().expect_key;
  }

  // The decoded key whose opening quote is at json_[start].
  std::string DecodedKey(size_t start) const {
    std::string key;
    SkipString(json_, start, &key);
    return key;
  }
  // The keys leading to the value in the first `frames` open objects and
  // arrays, joined by '.', each array's element number after it in
  // brackets ("lots[1].title"): field names, or untyped keys cut to
  // kMaxKeyInMessage bytes. Map keys are left out, except the last frame's
  // last key when `last_key` is set (the key a message is about). A value
  // standing where a key should be (malformed JSON the parser will refuse)
  // starts the path afresh.
  std::string Path(size_t frames, bool last_key) const;

  const absl::string_view json_;
  const JsonScanOptions& options_;
  // Whether strings are checked for UTF-8 one by one: only when the whole
  // text is not UTF-8 (in UTF-8 text, what lies between two quotes is too),
  // or when it may hold a \uD800-\uDFFF escape.
  const bool check_strings_ =
      options_.check_utf8 &&
      (!IsValidUtf8(json_) || MayHoldSurrogateEscape(json_));
  std::vector<Frame> stack_;
  uint64_t objects_ = 0;
  // The field numbers of the open objects' keys, each object's in a
  // contiguous run from its fields_begin. An object has at most as many
  // distinct fields as its message, so a linear search is bounded by the
  // schema, not by the input.
  std::vector<int> fields_;
  // Untyped keys (and unknown keys of messages) of every object so far,
  // with the object's serial. Keys without escapes point into the text;
  // decoded ones into decoded_, whose elements never move.
  absl::flat_hash_set<std::pair<uint64_t, absl::string_view>> keys_;
  std::deque<std::string> decoded_;
};

std::string Scanner::Path(size_t frames, bool last_key) const {
  std::string path;
  for (size_t i = 0; i < frames; ++i) {
    const Frame& frame = stack_[i];
    if (!frame.object) {
      absl::StrAppend(&path, "[", frame.element, "]");
      continue;
    }
    const bool innermost = i + 1 == frames;
    if (!frame.KeyInPath() && !(innermost && last_key)) continue;
    if (frame.key_start == absl::string_view::npos) {
      path.clear();
      continue;
    }
    if (!path.empty()) path.push_back('.');
    if (frame.key_field != nullptr) {
      path += frame.key_field->name();
    } else {
      path += ShownKey(DecodedKey(frame.key_start));
    }
  }
  return path;
}

absl::Status Scanner::Open(char c) {
  // The field this value belongs to, and whether it is one element of a
  // repeated field.
  const FieldDescriptor* field = nullptr;
  bool element = false;
  bool typed = options_.message != nullptr;
  if (!stack_.empty()) {
    const Frame& parent = stack_.back();
    if (parent.object) {
      field = parent.message != nullptr ? parent.key_field : parent.values;
    } else {
      field = parent.values;
      element = true;
    }
    typed = field != nullptr;
  }
  if (static_cast<int>(stack_.size()) >= options_.max_depth) {
    return absl::InvalidArgumentError(
        absl::StrCat("JSON nested more than ", options_.max_depth,
                     " levels deep (limit max_json_depth)"));
  }
  Frame frame;
  if (c == '{') {
    frame.object = true;
    frame.serial = objects_++;
    frame.fields_begin = fields_.size();
    if (stack_.empty() && typed) {
      frame.message = options_.message;
    } else if (field != nullptr && field->is_map() && !element) {
      frame.values = field->message_type()->map_value();
    } else if (field != nullptr &&
               field->type() == FieldDescriptor::TYPE_MESSAGE &&
               !IsWellKnown(field->message_type())) {
      frame.message = field->message_type();
    }
  } else {
    if (element && field != nullptr && !HoldsDynamicValues(field)) {
      return absl::InvalidArgumentError(
          absl::StrCat("field \"", Path(stack_.size(), false),
                       "\": an array inside an array (a repeated field holds "
                       "single values)"));
    }
    if (field != nullptr && !HoldsDynamicValues(field)) frame.values = field;
  }
  stack_.push_back(frame);
  return absl::OkStatus();
}

absl::Status Scanner::Key(size_t start, size_t end) {
  Frame& object = stack_.back();
  object.expect_key = false;
  object.key_start = start;
  const absl::string_view raw = json_.substr(start + 1, end - start - 2);
  const bool escaped = raw.find('\\') != absl::string_view::npos;
  absl::string_view key = raw;
  if (escaped) {
    decoded_.push_back(DecodedKey(start));
    key = decoded_.back();
  }
  const FieldDescriptor* field =
      object.message != nullptr ? FindField(object.message, key) : nullptr;
  object.key_field = field;
  // Fields by number: "lot_id" and "lotId" are one field.
  bool repeated;
  if (field != nullptr) {
    const auto begin = fields_.begin() + object.fields_begin;
    repeated =
        std::find(begin, fields_.end(), field->number()) != fields_.end();
    if (!repeated) fields_.push_back(field->number());
  } else {
    repeated = !keys_.insert({object.serial, key}).second;
  }
  if (repeated) {
    return absl::InvalidArgumentError(absl::StrCat(
        "field \"", Path(stack_.size(), true), "\" is given twice"));
  }
  return absl::OkStatus();
}

absl::Status Scanner::CheckUtf8(size_t start, size_t end, bool is_key) const {
  if (!check_strings_) return absl::OkStatus();
  const std::string problem =
      Utf8Problem(json_.substr(start + 1, end - start - 2));
  if (problem.empty()) return absl::OkStatus();
  if (is_key) {
    return absl::InvalidArgumentError(
        absl::StrCat("field \"", Path(stack_.size() - 1, false),
                     "\": a key is not valid UTF-8 (", problem, ")"));
  }
  const bool after_key = !stack_.empty() && stack_.back().object;
  return absl::InvalidArgumentError(
      absl::StrCat("field \"", Path(stack_.size(), after_key),
                   "\": not valid UTF-8 (", problem, " of the string)"));
}

absl::Status Scanner::NotJson(size_t at, bool is_key,
                              absl::string_view what) const {
  const std::string path =
      is_key ? Path(stack_.size() - 1, false)
             : Path(stack_.size(), !stack_.empty() && stack_.back().object);
  return absl::InvalidArgumentError(absl::StrCat(
      "field \"", path, "\": ", what, " is not JSON (byte ", at, ")"));
}

absl::Status Scanner::CheckNumber(size_t start, size_t end) const {
  // A number where a key belongs, or outside any object or array, is
  // malformed or no message: the parser will say so.
  if (stack_.empty() || (stack_.back().object && stack_.back().expect_key)) {
    return absl::OkStatus();
  }
  const absl::string_view literal = json_.substr(start, end - start);
  if (!BeyondDoubleRange(literal)) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      "field \"", Path(stack_.size(), stack_.back().object), "\": the number ",
      ShownNumber(literal), " is beyond the range of a double"));
}

absl::Status Scanner::Run() {
  size_t i = 0;
  while (i < json_.size()) {
    const char c = json_[i];
    switch (c) {
      case '{':
      case '[': {
        absl::Status status = Open(c);
        if (!status.ok()) return status;
        ++i;
        break;
      }
      case '}':
      case ']':
        if (stack_.empty() || stack_.back().object != (c == '}')) {
          return absl::OkStatus();  // Malformed: the parser will say so.
        }
        if (stack_.back().object) fields_.resize(stack_.back().fields_begin);
        stack_.pop_back();
        ++i;
        break;
      case ',':
        if (!stack_.empty()) {
          if (stack_.back().object) {
            stack_.back().expect_key = true;
          } else {
            ++stack_.back().element;
          }
        }
        ++i;
        break;
      case '"': {
        const bool is_key = ExpectsKey();
        const size_t end = SkipString(json_, i, nullptr);
        if (end == absl::string_view::npos) return absl::OkStatus();
        absl::Status utf8 = CheckUtf8(i, end, is_key);
        if (!utf8.ok()) return utf8;
        if (is_key) {
          absl::Status status = Key(i, end);
          if (!status.ok()) return status;
        }
        i = end;
        break;
      }
      case '\'':
        // Protobuf's parser reads a string in single quotes, with '"' a
        // plain character in it: read as JSON, that '"' would open a string
        // hiding what follows (deep nesting, a repeated key) from the scan.
        return NotJson(i, ExpectsKey(),
                       ExpectsKey() ? "a key in single quotes"
                                    : "a string in single quotes");
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          const size_t end = SkipNumber(json_, i);
          absl::Status number = CheckNumber(i, end);
          if (!number.ok()) return number;
          i = end;
        } else if (ExpectsKey() && StartsUnquotedKey(c)) {
          // Protobuf's parser reads {title: "a"} as {"title": "a"}; the
          // scan would not see the key, nor a second one.
          return NotJson(i, true, "a key without quotes");
        } else {
          ++i;
        }
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::string_view StripUtf8Bom(absl::string_view text) {
  if (absl::StartsWith(text, "\xEF\xBB\xBF")) text.remove_prefix(3);
  return text;
}

absl::Status ScanJson(absl::string_view json, const JsonScanOptions& options) {
  return Scanner(json, options).Run();
}

}  // namespace internal
}  // namespace procmatch
