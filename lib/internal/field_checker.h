// File: lib/internal/field_checker.h
//
// INTERNAL. The field checks validation applies to every record kind (ids,
// countries, languages, CPV and NUTS codes, money, dates, registry
// identifiers, keyword patterns, UTF-8 of every string, the value of every
// enum), collecting the problems of one record with the bounds of Options:
// at most max_problems_per_record problems listed, ids cut in messages.
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

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "procmatch/cpv.h"
#include "procmatch/dates.h"
#include "procmatch/internal/keyword_pattern.h"
#include "procmatch/iso_codes.h"
#include "procmatch/nuts.h"
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

// A field's path in its record ("capabilities[2].cpv_codes[0]"), spelled
// out only when a problem is reported, so that checking a valid record
// builds no names. A path is a chain of links on the caller's stack: a root
// (a path written out, or the prefix of a record nested in another), then
// links that each add a member name, an index or both. A link points to its
// parent: keep the parent alive (named) while the link is used.
class FieldPath {
 public:
  // The path `text`, written out; the names below it follow a dot.
  FieldPath(absl::string_view text) : name_(text) {}   // NOLINT: implicit.
  FieldPath(const std::string& text) : name_(text) {}  // NOLINT: implicit.
  FieldPath(const char* text) : name_(text) {}         // NOLINT: implicit.
  FieldPath(const FieldPath&) = delete;
  FieldPath& operator=(const FieldPath&) = delete;

  // The root of the fields of a record nested under `prefix` ("" or
  // "upserts[3]."): the names below it follow it without a dot.
  static FieldPath Prefix(absl::string_view prefix) {
    return FieldPath(nullptr, prefix, -1, /*prefix=*/true);
  }

  // Member `name` of this field.
  FieldPath Member(absl::string_view name) const {
    return FieldPath(this, name, -1);
  }
  // Element `index` of member `name` of this field: "name[index]".
  FieldPath Member(absl::string_view name, int index) const {
    return FieldPath(this, name, index);
  }
  // Element `index` of this (repeated) field.
  FieldPath Element(int index) const { return FieldPath(this, "", index); }

  // The path written out.
  std::string ToString() const {
    if (parent_ == nullptr) return std::string(name_);
    std::string out = parent_->ToString();
    if (!name_.empty()) {
      if (!out.empty() && !parent_->prefix_) out.push_back('.');
      out.append(name_.data(), name_.size());
    }
    if (index_ >= 0) absl::StrAppend(&out, "[", index_, "]");
    return out;
  }

 private:
  FieldPath(const FieldPath* parent, absl::string_view name, int index,
            bool prefix = false)
      : parent_(parent), name_(name), index_(index), prefix_(prefix) {}

  const FieldPath* parent_ = nullptr;  // Null at the root.
  absl::string_view name_;             // The root's text, or the member's name.
  int index_ = -1;                     // -1: no index.
  bool prefix_ = false;  // A root its children follow without a dot.
};

// Collects the problems of one record.
class Checker {
 public:
  // Problems are appended to `out`, at most max_problems_per_record of
  // them; the others are counted and summed up in one last problem when the
  // Checker goes away.
  Checker(const Validator& v, std::string record,
          std::vector<ValidationProblem>* out)
      : v_(v), record_(std::move(record)), out_(out), first_(out->size()) {}
  // The same for the record `kind "id"` (Quoted), written out at its first
  // problem only. REQUIRES: `kind` and `id` outlive the Checker (its
  // destructor may name the record).
  Checker(const Validator& v, absl::string_view kind, absl::string_view id,
          std::vector<ValidationProblem>* out)
      : v_(v), kind_(kind), id_(id), out_(out), first_(out->size()) {}
  Checker(const Checker&) = delete;
  Checker& operator=(const Checker&) = delete;
  ~Checker() {
    if (dropped_ > 0) {
      out_->push_back(ValidationProblem{
          Record(), "",
          absl::StrCat(dropped_, " more problem", dropped_ > 1 ? "s" : "",
                       " not listed (limit: ",
                       v_.options().max_problems_per_record, " per record)")});
    }
  }

  void Add(const FieldPath& field, std::string problem) {
    if (out_->size() - first_ >=
        static_cast<size_t>(
            std::max(1, v_.options().max_problems_per_record))) {
      ++dropped_;
      return;
    }
    out_->push_back(
        ValidationProblem{Record(), field.ToString(), std::move(problem)});
  }

  void Id(const FieldPath& field, absl::string_view id) {
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

  void Country(const FieldPath& field, absl::string_view code) {
    if (!code.empty() && !IsIsoCountry(code)) {
      Add(field, absl::StrCat("\"", code,
                              "\" is not an ISO 3166-1 alpha-2 country code"));
    }
  }

  void Language(const FieldPath& field, absl::string_view code) {
    if (!code.empty() && !IsIsoLanguage(code)) {
      Add(field,
          absl::StrCat("\"", code, "\" is not an ISO 639-1 language code"));
    }
  }

  // A code that parses is appended to `parsed` unless it is null.
  void Cpv(const FieldPath& field, absl::string_view code,
           std::vector<CpvCode>* parsed = nullptr) {
    absl::StatusOr<CpvCode> c = v_.cpv().Parse(code);
    if (!c.ok()) {
      Add(field, std::string(c.status().message()));
    } else if (parsed != nullptr) {
      parsed->push_back(*c);
    }
  }

  void CpvList(const FieldPath& field,
               const google::protobuf::RepeatedPtrField<std::string>& codes,
               std::vector<CpvCode>* parsed = nullptr) {
    for (int i = 0; i < codes.size(); ++i) {
      Cpv(field.Element(i), codes[i], parsed);
    }
  }

  // A code that parses is set in `parsed` unless it is null.
  void Nuts(const FieldPath& field, absl::string_view code,
            NutsCode* parsed = nullptr) {
    absl::StatusOr<NutsCode> c = v_.nuts().Parse(code);
    if (!c.ok()) {
      Add(field, std::string(c.status().message()));
    } else if (parsed != nullptr) {
      *parsed = *c;
    }
  }

  void Money(const FieldPath& field, const v1::Money& money) {
    if (!std::isfinite(money.amount()) || money.amount() < 0) {
      Add(field.Member("amount"),
          absl::StrCat(money.amount(), " is not a finite amount >= 0"));
    }
    if (money.currency().empty()) {
      Add(field.Member("currency"), "is empty");
    } else if (!IsIsoCurrency(money.currency())) {
      Add(field.Member("currency"),
          absl::StrCat("\"", money.currency(),
                       "\" is not an ISO 4217 currency code"));
    }
  }

  void Date(const FieldPath& field, const v1::Date& date) {
    absl::Status s = CheckDate(date);
    if (!s.ok()) Add(field, std::string(s.message()));
  }

  void Identifier(const FieldPath& field, absl::string_view value,
                  absl::Status (*check)(absl::string_view)) {
    if (value.empty()) return;
    absl::Status s = check(value);
    if (!s.ok()) Add(field, std::string(s.message()));
  }

  // Compiles the pattern exactly as matching will (internal/keyword_pattern).
  // Past Options::max_keyword_patterns patterns in the record, the first one
  // over is a problem and the rest are neither compiled nor reported.
  void Pattern(const FieldPath& field, absl::string_view pattern,
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

  // Every string field anywhere in the message must be valid UTF-8, and
  // every enum field must hold a value its enum names. One walk, in
  // field-number order (ListFields' order), so that the problems of a record
  // come in field order whatever their kind; a field's path is spelled out
  // only to report a problem, so a valid message (nearly every one) builds
  // no names.
  //
  // Proto3 enums are open: protobuf's JSON parser takes a number where a name
  // belongs ("level": 99) and its binary parser any number, and a
  // ClearanceLevel of 99 passed every clearance requirement, TOP_SECRET
  // included (session 21).
  void Values(const google::protobuf::Message& message,
              const std::string& prefix) {
    Walk</*kText=*/true>(message, FieldPath(prefix));
  }

  // The enum half of Values alone, for a message protobuf's binary parser
  // produced: that parser refuses invalid UTF-8 in every proto3 string field
  // but keeps any enum number. The walk enters only the message fields whose
  // type can hold an enum.
  void KnownEnums(const google::protobuf::Message& message,
                  const std::string& prefix) {
    Walk</*kText=*/false>(message, FieldPath(prefix));
  }

 private:
  // The fields of a type the walk reads, and whether the list is still being
  // made (a type met again below itself).
  struct WalkedFields {
    std::vector<const google::protobuf::FieldDescriptor*> fields;
    bool making = true;
  };

  // The fields of `type` the walk reads, by number: its enum fields, its
  // string fields when `kText`, and its message fields whose type holds one
  // of those at some depth. One list per type, mode and thread, made once:
  // listing the set fields of every message was half the walk, and the walk
  // a tenth of a build (issue 16). Each list is a heap object of its own, so
  // that a list being iterated stays where it is while a nested message's
  // first walk adds another to the map. Keyed by descriptor address: the
  // messages walked are generated ones, whose descriptors live as long as
  // the process.
  template <bool kText>
  static const std::vector<const google::protobuf::FieldDescriptor*>& FieldsOf(
      const google::protobuf::Descriptor* type) {
    return ListOf<kText>(type).fields;
  }

  // FieldsOf's list of `type`, made on first use. A list met again while it
  // is being made (a type below itself) is returned as it stands, `making`.
  template <bool kText>
  static const WalkedFields& ListOf(const google::protobuf::Descriptor* type) {
    using google::protobuf::FieldDescriptor;
    thread_local absl::flat_hash_map<const google::protobuf::Descriptor*,
                                     std::unique_ptr<WalkedFields>>
        lists;
    std::unique_ptr<WalkedFields>& slot = lists[type];
    if (slot != nullptr) return *slot;
    slot = std::make_unique<WalkedFields>();
    WalkedFields* list = slot.get();  // `slot` may move as the map grows.
    for (int i = 0; i < type->field_count(); ++i) {
      const FieldDescriptor* f = type->field(i);
      bool walked = f->cpp_type() == FieldDescriptor::CPPTYPE_ENUM ||
                    (kText && f->cpp_type() == FieldDescriptor::CPPTYPE_STRING);
      if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        // A type still being listed is walked: what it holds is not known
        // yet.
        const WalkedFields& nested = ListOf<kText>(f->message_type());
        walked = nested.making || !nested.fields.empty();
      }
      if (walked) list->fields.push_back(f);
    }
    std::sort(list->fields.begin(), list->fields.end(),
              [](const FieldDescriptor* a, const FieldDescriptor* b) {
                return a->number() < b->number();
              });
    list->making = false;
    return *list;
  }

  // Walks the fields FieldsOf lists. A string or enum field that is not set
  // reads as its default, "" or 0 in proto3 (and in an unset oneof), which
  // is valid UTF-8 and a value of every proto3 enum, so reading it reports
  // nothing; a message field is walked only when set. Proto3 has no
  // extensions.
  template <bool kText>
  void Walk(const google::protobuf::Message& message, const FieldPath& at) {
    using google::protobuf::FieldDescriptor;
    const google::protobuf::Reflection* r = message.GetReflection();
    std::string scratch;
    for (const FieldDescriptor* f : FieldsOf<kText>(message.GetDescriptor())) {
      const bool repeated = f->is_repeated();
      const FieldDescriptor::CppType cpp_type = f->cpp_type();
      if (!repeated && cpp_type == FieldDescriptor::CPPTYPE_MESSAGE &&
          !r->HasField(message, f)) {
        continue;
      }
      const int n = repeated ? r->FieldSize(message, f) : 1;
      for (int i = 0; i < n; ++i) {
        if (cpp_type == FieldDescriptor::CPPTYPE_STRING) {
          const std::string& value =
              repeated ? r->GetRepeatedStringReference(message, f, i, &scratch)
                       : r->GetStringReference(message, f, &scratch);
          const ptrdiff_t bad = FirstInvalidUtf8Offset(value);
          if (bad >= 0) {
            Add(at.Member(f->name(), repeated ? i : -1),
                absl::StrCat("is not valid UTF-8 (byte ", bad, ")"));
          }
        } else if (cpp_type == FieldDescriptor::CPPTYPE_ENUM) {
          const int value = repeated ? r->GetRepeatedEnumValue(message, f, i)
                                     : r->GetEnumValue(message, f);
          if (f->enum_type()->FindValueByNumber(value) == nullptr) {
            Add(at.Member(f->name(), repeated ? i : -1),
                absl::StrCat(value, " is not a value of ",
                             f->enum_type()->name()));
          }
        } else {
          Walk<kText>(repeated ? r->GetRepeatedMessage(message, f, i)
                               : r->GetMessage(message, f),
                      at.Member(f->name(), repeated ? i : -1));
        }
      }
    }
  }

  // The record's name, written out at its first use.
  const std::string& Record() {
    if (record_.empty() && !kind_.empty()) {
      record_ = Quoted(kind_, id_, v_.options());
    }
    return record_;
  }

  const Validator& v_;
  std::string record_;
  absl::string_view kind_, id_;  // Of a record named at its first problem.
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
// The codes of a supplier that validation parses, handed to analysis
// (AnalyzeProfile) so that it does not parse them again: parsing every code
// twice was 7% of a snapshot load (issue 16).
struct ParsedSupplierCodes {
  // The CPV codes in field order: cpv_codes, then each capability's, then
  // each past contract's.
  std::vector<CpvCode> cpv;
  // nuts_code; not valid() when it is empty.
  NutsCode nuts;
};

// With `parsed` (unless null), a valid supplier's codes are written into
// it (its CPV codes appended).
absl::Status ValidateParsedSupplier(const Validator& validator,
                                    const v1::SupplierProfile& supplier,
                                    ParsedSupplierCodes* parsed = nullptr);

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
