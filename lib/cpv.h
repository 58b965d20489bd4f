// File: lib/cpv.h
//
// The Common Procurement Vocabulary (CPV 2008, Regulation (EC) No 213/2008):
// the codes buyers use to say what they buy and suppliers use to say what
// they offer. CPV is a hierarchy by prefix:
//
// clang-format off
//   35000000-4  Security, fire-fighting, police and defence equipment  (division)
//   35600000-0  Military aircrafts, missiles and spacecrafts           (group)
//   35610000-3  Military aircrafts                                     (class)
//   35613000-4  Unmanned aerial vehicles                               (category)
// clang-format on
//
// Example:
//
//   const procmatch::CpvTaxonomy& cpv = procmatch::CpvTaxonomy::Builtin();
//   absl::StatusOr<procmatch::CpvCode> uav = cpv.Parse("35613000-4");
//   if (!uav.ok()) return uav.status();
//   cpv.Label(*uav);                      // "Unmanned aerial vehicles"
//   uav->depth();                         // 5
//   cpv.Ancestors(*uav);                  // 35610000, 35600000, 35000000
//   cpv.CommonDepth(*uav, *cpv.Parse("35600000"));  // 3
//
// Threading: CpvTaxonomy is immutable after construction and safe for
// concurrent use by multiple threads. Builtin() is constructed once, on first
// use, thread-safely, and never destroyed.
#ifndef PROCMATCH_LIB_CPV_H_
#define PROCMATCH_LIB_CPV_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace procmatch {

// One CPV main-vocabulary code, held as its eight digits without the check
// digit (35613000). A default-constructed CpvCode is invalid (value 0 is not
// a code: division 00 does not exist).
class CpvCode {
 public:
  constexpr CpvCode() = default;
  // REQUIRES: `digits` < 100000000. Does not check that the code exists; use
  // CpvTaxonomy::Parse for untrusted input.
  static constexpr CpvCode FromDigits(uint32_t digits) {
    return CpvCode(digits);
  }

  uint32_t digits() const { return digits_; }
  bool valid() const { return digits_ != 0; }

  // Significant digits: 2 for a division (35000000), 3 for a group
  // (35600000), 4 class, 5 category, up to 8.
  int depth() const;

  // The code cut to its first `depth` digits, zero-filled: the ancestor at
  // that depth. REQUIRES: 2 <= depth <= 8.
  CpvCode Truncated(int depth) const;

  // True when `other` is this code or lies below it in the hierarchy.
  bool Covers(CpvCode other) const;

  // "35613000", without check digit.
  std::string ToString() const;

  // The eight digits as packed BCD nibbles (35613000 -> 0x35613000): two
  // codes share a prefix of as many digits as their BCD forms share leading
  // nibbles, which scoring computes with one XOR instead of divisions.
  uint32_t bcd() const;

  friend bool operator==(CpvCode a, CpvCode b) {
    return a.digits_ == b.digits_;
  }
  friend bool operator!=(CpvCode a, CpvCode b) {
    return a.digits_ != b.digits_;
  }
  friend bool operator<(CpvCode a, CpvCode b) { return a.digits_ < b.digits_; }
  template <typename H>
  friend H AbslHashValue(H h, CpvCode c) {
    return H::combine(std::move(h), c.digits_);
  }

 private:
  explicit constexpr CpvCode(uint32_t digits) : digits_(digits) {}
  uint32_t digits_ = 0;
};

// The set of known CPV codes with their labels and check digits.
class CpvTaxonomy {
 public:
  // The CPV 2008 main vocabulary (9,454 codes, English labels) compiled into
  // the library from data/cpv/cpv2008_en.tsv.
  static const CpvTaxonomy& Builtin();

  // Reads a tab-separated list with a header line and rows
  // `code<TAB>label`, where code is `NNNNNNNN-C`. Errors name the line.
  static absl::StatusOr<CpvTaxonomy> FromTsv(absl::string_view tsv);

  CpvTaxonomy(CpvTaxonomy&&) = default;
  CpvTaxonomy& operator=(CpvTaxonomy&&) = default;
  // Copying a 9,454-entry table by accident would be costly; move it.
  CpvTaxonomy(const CpvTaxonomy&) = delete;
  CpvTaxonomy& operator=(const CpvTaxonomy&) = delete;

  // Parses "35613000" or "35613000-4" (surrounding spaces ignored). Errors:
  // malformed text, a check digit that is not the code's, or a code that is
  // not in the vocabulary. The message quotes the input.
  absl::StatusOr<CpvCode> Parse(absl::string_view text) const;

  bool Contains(CpvCode code) const { return ordinal_.contains(code); }

  // The English label, or "" for an unknown code.
  absl::string_view Label(CpvCode code) const;

  // "35613000-4". REQUIRES: Contains(code).
  std::string WithCheckDigit(CpvCode code) const;

  // Known codes strictly above `code`, nearest first. Levels missing from
  // the vocabulary are skipped.
  std::vector<CpvCode> Ancestors(CpvCode code) const;

  // Depth of the deepest known code that covers both `a` and `b` (2-8), or 0
  // when they are in different divisions.
  int CommonDepth(CpvCode a, CpvCode b) const;

  // True when some known code starts with `digits` (1-8 ASCII digits), as
  // in an alert rule's prefix "3570".
  bool HasCodeWithPrefix(absl::string_view digits) const;

  // A dense number 0..size()-1 for each known code, in code order; -1 for
  // an unknown code. Index structures use it as a term id.
  int Ordinal(CpvCode code) const;
  CpvCode CodeAt(int ordinal) const { return entries_[ordinal].code; }
  int size() const { return static_cast<int>(entries_.size()); }

 private:
  struct Entry {
    CpvCode code;
    std::string label;
  };
  CpvTaxonomy() = default;

  std::vector<Entry> entries_;  // Sorted by code.
  // By ordinal, apart from the entries: Parse() checks a code's digit for
  // every code a snapshot load validates, and the 40-byte entries missed
  // the cache there (half of Parse's time in a load, issue 16).
  std::vector<uint8_t> check_digits_;
  absl::flat_hash_map<CpvCode, int> ordinal_;
};

}  // namespace procmatch

#endif  // PROCMATCH_LIB_CPV_H_
