#include "procmatch/internal/json_scan.h"

#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
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
    if (cp >= 0xD800 && cp < 0xDC00 && i + 1 < s.size() && s[i] == '\\' &&
        s[i + 1] == 'u' && Hex4(s, i + 2, &low) && low >= 0xDC00 &&
        low < 0xE000) {
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
      i += 6;
    }
    AppendUtf8(cp, decoded);
  }
  return absl::string_view::npos;
}

std::string ShownKey(const std::string& key) {
  if (key.size() <= kMaxKeyInMessage) return key;
  size_t cut = kMaxKeyInMessage;
  while (cut > 0 && (static_cast<unsigned char>(key[cut]) & 0xC0) == 0x80) {
    --cut;
  }
  return absl::StrCat(key.substr(0, cut), "...");
}

struct Frame {
  bool object = false;
  // Object: the message whose fields the keys name, or null (untyped, or a
  // map: keys are map keys).
  const Descriptor* message = nullptr;
  // Array: the repeated field its elements belong to. Map object: the map's
  // value field. Null when untyped.
  const FieldDescriptor* values = nullptr;
  // Keys joined by '.', for messages.
  std::string path;
  absl::flat_hash_set<std::string> keys;
  bool expect_key = true;
  // Object: the field of the last key, and its path.
  const FieldDescriptor* key_field = nullptr;
  std::string key_path;
};

}  // namespace

absl::string_view StripUtf8Bom(absl::string_view text) {
  if (absl::StartsWith(text, "\xEF\xBB\xBF")) text.remove_prefix(3);
  return text;
}

absl::Status ScanJson(absl::string_view json, const JsonScanOptions& options) {
  std::vector<Frame> stack;
  std::string key;
  size_t i = 0;
  while (i < json.size()) {
    const char c = json[i];
    switch (c) {
      case '{':
      case '[': {
        // The field this value belongs to, and whether it is one element of
        // a repeated field.
        const FieldDescriptor* field = nullptr;
        bool element = false;
        bool typed = options.message != nullptr;
        std::string path;
        if (!stack.empty()) {
          Frame& parent = stack.back();
          if (parent.object) {
            field =
                parent.message != nullptr ? parent.key_field : parent.values;
            path = parent.message != nullptr || parent.values == nullptr
                       ? parent.key_path
                       : parent.path;
          } else {
            field = parent.values;
            element = true;
            path = parent.path;
          }
          typed = field != nullptr;
        }
        if (static_cast<int>(stack.size()) >= options.max_depth) {
          return absl::InvalidArgumentError(
              absl::StrCat("JSON nested more than ", options.max_depth,
                           " levels deep (limit max_json_depth)"));
        }
        Frame frame;
        frame.path = path;
        if (c == '{') {
          frame.object = true;
          if (stack.empty() && typed) {
            frame.message = options.message;
          } else if (field != nullptr && field->is_map() && !element) {
            frame.values = field->message_type()->map_value();
          } else if (field != nullptr &&
                     field->type() == FieldDescriptor::TYPE_MESSAGE &&
                     !IsWellKnown(field->message_type())) {
            frame.message = field->message_type();
          }
        } else {
          if (element && field != nullptr && !HoldsDynamicValues(field)) {
            return absl::InvalidArgumentError(absl::StrCat(
                "field \"", path,
                "\": an array inside an array (a repeated field holds "
                "single values)"));
          }
          if (field != nullptr && !HoldsDynamicValues(field)) {
            frame.values = field;
          }
        }
        stack.push_back(std::move(frame));
        ++i;
        break;
      }
      case '}':
      case ']':
        if (stack.empty() || stack.back().object != (c == '}')) {
          return absl::OkStatus();  // Malformed: the parser will say so.
        }
        stack.pop_back();
        ++i;
        break;
      case ',':
        if (!stack.empty() && stack.back().object) {
          stack.back().expect_key = true;
        }
        ++i;
        break;
      case '"': {
        const bool is_key =
            !stack.empty() && stack.back().object && stack.back().expect_key;
        key.clear();
        const size_t end = SkipString(json, i, is_key ? &key : nullptr);
        if (end == absl::string_view::npos) return absl::OkStatus();
        i = end;
        if (!is_key) break;
        Frame& object = stack.back();
        object.expect_key = false;
        const FieldDescriptor* field = object.message != nullptr
                                           ? FindField(object.message, key)
                                           : nullptr;
        const std::string name =
            field != nullptr ? field->name() : ShownKey(key);
        object.key_field = field;
        object.key_path =
            object.path.empty() ? name : absl::StrCat(object.path, ".", name);
        // Fields by number: "lot_id" and "lotId" are one field.
        std::string identity = field != nullptr
                                   ? absl::StrCat("#", field->number())
                                   : absl::StrCat("\"", key);
        if (!object.keys.insert(std::move(identity)).second) {
          return absl::InvalidArgumentError(
              absl::StrCat("field \"", object.key_path, "\" is given twice"));
        }
        break;
      }
      default:
        ++i;
    }
  }
  return absl::OkStatus();
}

}  // namespace internal
}  // namespace procmatch
