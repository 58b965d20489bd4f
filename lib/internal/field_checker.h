// File: lib/internal/field_checker.h
//
// INTERNAL. The field checks validation applies to every record kind (ids,
// countries, languages, CPV and NUTS codes, money, dates, registry
// identifiers, keyword patterns, UTF-8 of every string), collecting the
// problems of one record with the bounds of Options: at most
// max_problems_per_record problems listed, ids cut in messages.
#ifndef PROCMATCH_LIB_INTERNAL_FIELD_CHECKER_H_
#define PROCMATCH_LIB_INTERNAL_FIELD_CHECKER_H_

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "procmatch/dates.h"
#include "procmatch/internal/keyword_pattern.h"
#include "procmatch/iso_codes.h"
#include "procmatch/utf8.h"
#include "procmatch/v1/alert.pb.h"
#include "procmatch/v1/common.pb.h"
#include "procmatch/validation.h"

namespace procmatch {
namespace internal {

// Largest id of a record or list entry, in bytes.
constexpr size_t kMaxIdBytes = 128;

// Entries of one list of an alert rule (CPV and NUTS prefixes, countries,
// languages, keywords) and terms of one keyword: the alert index counts
// them in 16 bits. Validation and compiling refuse more before analysing
// any entry.
constexpr int kMaxAlertListEntries = 65535;

// The first list of `rule` holding more than kMaxAlertListEntries entries
// and the problem ("keywords", "70000 entries; at most 65535"), or two empty
// strings when none does.
inline std::pair<std::string, std::string> OverlongAlertList(
    const v1::AlertRule& rule) {
  const std::pair<const char*, int> lists[] = {
      {"cpv_prefixes", rule.cpv_prefixes_size()},
      {"exclude_cpv_prefixes", rule.exclude_cpv_prefixes_size()},
      {"nuts_prefixes", rule.nuts_prefixes_size()},
      {"buyer_countries", rule.buyer_countries_size()},
      {"languages", rule.languages_size()},
      {"keywords", rule.keywords_size()}};
  for (const auto& [field, size] : lists) {
    if (size > kMaxAlertListEntries) {
      return {field,
              absl::StrCat(size, " entries; at most ", kMaxAlertListEntries)};
    }
  }
  return {};
}

// An ASCII control character: U+0000 to U+001F, or DEL. An id is printed
// in every message about its record and written to terminals and logs, where
// such a byte would be invisible or act.
inline bool IsControlCharacter(char c) {
  const unsigned char b = static_cast<unsigned char>(c);
  return b < 0x20 || b == 0x7f;
}

// The offset of the first control character in `id`, or -1.
inline ptrdiff_t FirstControlCharacter(absl::string_view id) {
  for (size_t i = 0; i < id.size(); ++i) {
    if (IsControlCharacter(id[i])) return static_cast<ptrdiff_t>(i);
  }
  return -1;
}

// `id` with each ASCII control character written as \xNN, so that the
// message about a record refused for one shows it.
inline std::string EscapeControlCharacters(absl::string_view id) {
  if (FirstControlCharacter(id) < 0) return std::string(id);
  std::string out;
  for (char c : id) {
    if (IsControlCharacter(c)) {
      absl::StrAppend(
          &out, "\\x",
          absl::Hex(static_cast<unsigned char>(c), absl::kZeroPad2));
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// `kind "id"`, the id cut to Options::max_id_bytes_in_messages on a
// character boundary and its control characters escaped: every problem of a
// record repeats it.
inline std::string Quoted(absl::string_view kind, absl::string_view id,
                          const Options& options) {
  const size_t max =
      static_cast<size_t>(std::max(8, options.max_id_bytes_in_messages));
  if (id.size() <= max) {
    return absl::StrCat(kind, " \"", EscapeControlCharacters(id), "\"");
  }
  return absl::StrCat(
      kind, " \"",
      EscapeControlCharacters(id.substr(0, Utf8PrefixLength(id, max))),
      "...\" (", id.size(), "-byte id)");
}

// Collects the problems of one record.
class Checker {
 public:
  // Problems are appended to `out`, at most max_problems_per_record of
  // them; the others are counted and summed up in one last problem when the
  // Checker goes away.
  Checker(const Validator& v, std::string record,
          std::vector<ValidationProblem>* out)
      : v_(v), record_(std::move(record)), out_(out), first_(out->size()) {}
  Checker(const Checker&) = delete;
  Checker& operator=(const Checker&) = delete;
  ~Checker() {
    if (dropped_ > 0) {
      out_->push_back(ValidationProblem{
          record_, "",
          absl::StrCat(dropped_, " more problem", dropped_ > 1 ? "s" : "",
                       " not listed (limit: ",
                       v_.options().max_problems_per_record, " per record)")});
    }
  }

  void Add(absl::string_view field, std::string problem) {
    if (out_->size() - first_ >=
        static_cast<size_t>(
            std::max(1, v_.options().max_problems_per_record))) {
      ++dropped_;
      return;
    }
    out_->push_back(
        ValidationProblem{record_, std::string(field), std::move(problem)});
  }

  void Id(absl::string_view field, absl::string_view id) {
    if (id.empty()) {
      Add(field, "is empty");
    } else if (id.size() > kMaxIdBytes) {
      Add(field,
          absl::StrCat("is ", id.size(), " bytes, more than ", kMaxIdBytes));
    } else if (const ptrdiff_t at = FirstControlCharacter(id); at >= 0) {
      Add(field, absl::StrCat("holds a control character (byte 0x",
                              absl::Hex(static_cast<unsigned char>(id[at]),
                                        absl::kZeroPad2),
                              " at byte ", at, ")"));
    }
  }

  void Country(absl::string_view field, absl::string_view code) {
    if (!code.empty() && !IsIsoCountry(code)) {
      Add(field, absl::StrCat("\"", code,
                              "\" is not an ISO 3166-1 alpha-2 country code"));
    }
  }

  void Language(absl::string_view field, absl::string_view code) {
    if (!code.empty() && !IsIsoLanguage(code)) {
      Add(field,
          absl::StrCat("\"", code, "\" is not an ISO 639-1 language code"));
    }
  }

  void Cpv(absl::string_view field, absl::string_view code) {
    absl::StatusOr<CpvCode> parsed = v_.cpv().Parse(code);
    if (!parsed.ok()) Add(field, std::string(parsed.status().message()));
  }

  void CpvList(absl::string_view field,
               const google::protobuf::RepeatedPtrField<std::string>& codes) {
    for (int i = 0; i < codes.size(); ++i) {
      Cpv(absl::StrCat(field, "[", i, "]"), codes[i]);
    }
  }

  void Nuts(absl::string_view field, absl::string_view code) {
    absl::StatusOr<NutsCode> parsed = v_.nuts().Parse(code);
    if (!parsed.ok()) Add(field, std::string(parsed.status().message()));
  }

  void Money(absl::string_view field, const v1::Money& money) {
    if (!std::isfinite(money.amount()) || money.amount() < 0) {
      Add(absl::StrCat(field, ".amount"),
          absl::StrCat(money.amount(), " is not a finite amount >= 0"));
    }
    if (money.currency().empty()) {
      Add(absl::StrCat(field, ".currency"), "is empty");
    } else if (!IsIsoCurrency(money.currency())) {
      Add(absl::StrCat(field, ".currency"),
          absl::StrCat("\"", money.currency(),
                       "\" is not an ISO 4217 currency code"));
    }
  }

  void Date(absl::string_view field, const v1::Date& date) {
    absl::Status s = CheckDate(date);
    if (!s.ok()) Add(field, std::string(s.message()));
  }

  void Identifier(absl::string_view field, absl::string_view value,
                  absl::Status (*check)(absl::string_view)) {
    if (value.empty()) return;
    absl::Status s = check(value);
    if (!s.ok()) Add(field, std::string(s.message()));
  }

  // Compiles the pattern exactly as matching will (internal/keyword_pattern).
  // Past Options::max_keyword_patterns patterns in the record, the first one
  // over is a problem and the rest are neither compiled nor reported.
  void Pattern(absl::string_view field, absl::string_view pattern,
               bool case_sensitive) {
    const int max = v_.options().max_keyword_patterns;
    if (++patterns_ > max) {
      if (patterns_ == max + 1) {
        Add(field, absl::StrCat("is keyword pattern ", patterns_,
                                " of the record; at most ", max,
                                " (max_keyword_patterns)"));
      }
      return;
    }
    if (pattern.empty()) {
      Add(field, "is empty");
      return;
    }
    absl::StatusOr<std::unique_ptr<RE2>> re = internal::CompileKeywordPattern(
        pattern, case_sensitive, v_.options().max_pattern_memory);
    if (!re.ok()) Add(field, std::string(re.status().message()));
  }

  // Every string field anywhere in the message must be valid UTF-8. One
  // walk over the set fields; a field's path is spelled out only to report
  // a problem, so a valid message (nearly every one) builds no names.
  void Utf8(const google::protobuf::Message& message,
            const std::string& prefix) {
    Utf8Walk(message, FieldPath{nullptr, &prefix, nullptr, -1});
  }

 private:
  // Where a field sits: its parent's path, the field and, in a repeated
  // field, the index; the root holds the caller's prefix.
  struct FieldPath {
    const FieldPath* parent;
    const std::string* root;  // Set at the root only.
    const google::protobuf::FieldDescriptor* field;
    int index;  // -1 outside a repeated field.

    std::string ToString() const {
      if (root != nullptr) return *root;
      const std::string up = parent->ToString();
      std::string out =
          up.empty() ? field->name() : absl::StrCat(up, ".", field->name());
      if (index >= 0) absl::StrAppend(&out, "[", index, "]");
      return out;
    }
  };

  void Utf8Walk(const google::protobuf::Message& message, const FieldPath& at) {
    const google::protobuf::Reflection* r = message.GetReflection();
    std::vector<const google::protobuf::FieldDescriptor*> fields;
    r->ListFields(message, &fields);
    std::string scratch;
    for (const google::protobuf::FieldDescriptor* f : fields) {
      const bool repeated = f->is_repeated();
      const int n = repeated ? r->FieldSize(message, f) : 1;
      for (int i = 0; i < n; ++i) {
        const FieldPath here{&at, nullptr, f, repeated ? i : -1};
        if (f->cpp_type() ==
            google::protobuf::FieldDescriptor::CPPTYPE_STRING) {
          const std::string& text =
              repeated ? r->GetRepeatedStringReference(message, f, i, &scratch)
                       : r->GetStringReference(message, f, &scratch);
          const ptrdiff_t bad = FirstInvalidUtf8Offset(text);
          if (bad >= 0) {
            Add(here.ToString(),
                absl::StrCat("is not valid UTF-8 (byte ", bad, ")"));
          }
        } else if (f->cpp_type() ==
                   google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE) {
          Utf8Walk(repeated ? r->GetRepeatedMessage(message, f, i)
                            : r->GetMessage(message, f),
                   here);
        }
      }
    }
  }

  const Validator& v_;
  std::string record_;
  std::vector<ValidationProblem>* out_;
  size_t first_;  // Size of *out_ when this record started.
  int64_t dropped_ = 0;
  int patterns_ = 0;  // Keyword patterns met in the record so far.
};

// Validator::ValidateSupplier without the UTF-8 walk, for a profile that
// protobuf's binary parser produced: the parser refuses invalid UTF-8 in
// every proto3 string field, by the same definition as
// FirstInvalidUtf8Offset (validation_test.cc checks that the two agree on
// random bytes). The snapshot loader uses it: the walk was a sixth of a
// load.
absl::Status ValidateParsedSupplier(const Validator& validator,
                                    const v1::SupplierProfile& supplier);

// One requirement at field path `f`; `has_value`: a value multiple has a
// value to multiply (validation.cc).
void CheckRequirement(Checker& c, const v1::Requirement& r,
                      const std::string& f, bool has_value);

// The consortium rules of a tender or call, fields under `prefix`
// ("consortium_rules.", "call.rules."); contradictions between rules
// (minimums above maximums) are problems (consortium_validation.cc).
void CheckConsortiumRules(Checker& c, const v1::ConsortiumRules& rules,
                          const std::string& prefix);

}  // namespace internal
}  // namespace procmatch

#endif  // PROCMATCH_LIB_INTERNAL_FIELD_CHECKER_H_
