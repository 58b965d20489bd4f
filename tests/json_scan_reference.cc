#include "tests/json_scan_reference.h"

#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "re2/re2.h"

namespace procmatch {
namespace reference {
namespace {

using internal::JsonScanOptions;
using internal::json_scan_detail::FindField;
using internal::json_scan_detail::HoldsDynamicValues;
using internal::json_scan_detail::IsWellKnown;
using internal::json_scan_detail::ShownKey;
using internal::json_scan_detail::ShownNumber;
using internal::json_scan_detail::SkipString;
using internal::json_scan_detail::StartsUnquotedKey;
using internal::json_scan_detail::Utf8Problem;

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

struct Frame {
  bool object = false;
  // Object: the message whose fields the keys name, or null (untyped, or a
  // map: keys are map keys).
  const Descriptor* message = nullptr;
  // Array: the repeated field its elements belong to. Map object: the map's
  // value field. Null when untyped.
  const FieldDescriptor* values = nullptr;
  // The path of this object or array: keys joined by '.', element numbers
  // in brackets.
  std::string path;
  // Array: the number of the current element.
  int element = 0;
  absl::flat_hash_set<std::string> keys;
  bool expect_key = true;
  // Object: the field of the last key, and its path.
  const FieldDescriptor* key_field = nullptr;
  std::string key_path;
};

// Whether `literal`, a run of the characters a number may hold, is a JSON
// number (RFC 8259) that reads as an infinity: by the grammar and strtod,
// with no shortcut.
bool BeyondDoubleRange(const std::string& literal) {
  static const RE2 kNumber(R"(-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?)");
  return RE2::FullMatch(literal, kNumber) &&
         std::isinf(std::strtod(literal.c_str(), nullptr));
}

// The path of the field a value at the current position belongs to.
std::string ValuePath(const std::vector<Frame>& stack) {
  if (stack.empty()) return "";
  const Frame& parent = stack.back();
  return parent.object ? parent.key_path
                       : absl::StrCat(parent.path, "[", parent.element, "]");
}

}  // namespace

absl::Status ScanJsonReference(absl::string_view json,
                               const JsonScanOptions& options) {
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
            path = absl::StrCat(parent.path, "[", parent.element, "]");
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
        } else if (!stack.empty()) {
          ++stack.back().element;
        }
        ++i;
        break;
      case '"': {
        const bool is_key =
            !stack.empty() && stack.back().object && stack.back().expect_key;
        key.clear();
        const size_t end = SkipString(json, i, is_key ? &key : nullptr);
        if (end == absl::string_view::npos) return absl::OkStatus();
        // Every string checked on its own.
        const std::string problem =
            Utf8Problem(json.substr(i + 1, end - i - 2));
        if (!problem.empty() && is_key) {
          return absl::InvalidArgumentError(
              absl::StrCat("field \"", stack.back().path,
                           "\": a key is not valid UTF-8 (", problem, ")"));
        }
        if (!problem.empty()) {
          std::string path;
          if (!stack.empty()) {
            const Frame& parent = stack.back();
            path = parent.object
                       ? parent.key_path
                       : absl::StrCat(parent.path, "[", parent.element, "]");
          }
          return absl::InvalidArgumentError(
              absl::StrCat("field \"", path, "\": not valid UTF-8 (", problem,
                           " of the string)"));
        }
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
      case '\'': {
        // Not JSON, but protobuf's parser reads it as a string.
        const bool is_key =
            !stack.empty() && stack.back().object && stack.back().expect_key;
        return absl::InvalidArgumentError(absl::StrCat(
            "field \"", is_key ? stack.back().path : ValuePath(stack),
            "\": ", is_key ? "a key" : "a string",
            " in single quotes is not JSON (byte ", i, ")"));
      }
      default: {
        if (!stack.empty() && stack.back().object && stack.back().expect_key &&
            StartsUnquotedKey(c)) {
          return absl::InvalidArgumentError(absl::StrCat(
              "field \"", stack.back().path,
              "\": a key without quotes is not JSON (byte ", i, ")"));
        }
        if (c != '-' && !(c >= '0' && c <= '9')) {
          ++i;
          break;
        }
        size_t end = json.find_first_not_of("0123456789+-.eE", i);
        if (end == absl::string_view::npos) end = json.size();
        const std::string literal(json.substr(i, end - i));
        i = end;
        // Only a value inside an object or array names a field.
        if (stack.empty() || (stack.back().object && stack.back().expect_key)) {
          break;
        }
        if (BeyondDoubleRange(literal)) {
          const Frame& parent = stack.back();
          const std::string path =
              parent.object
                  ? parent.key_path
                  : absl::StrCat(parent.path, "[", parent.element, "]");
          return absl::InvalidArgumentError(absl::StrCat(
              "field \"", path, "\": the number ", ShownNumber(literal),
              " is beyond the range of a double"));
        }
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace reference
}  // namespace procmatch
