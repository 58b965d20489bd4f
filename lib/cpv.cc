#include "procmatch/cpv.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"

namespace procmatch {
namespace internal {
extern const char kCpvMainTsv[];
}  // namespace internal

namespace {

constexpr uint32_t kPow10[] = {1,      10,      100,      1000,     10000,
                               100000, 1000000, 10000000, 100000000};

// Parses exactly eight ASCII digits.
bool ParseEightDigits(absl::string_view s, uint32_t* out) {
  if (s.size() != 8) return false;
  uint32_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint32_t>(c - '0');
  }
  *out = v;
  return true;
}

}  // namespace

int CpvCode::depth() const {
  int depth = 8;
  uint32_t d = digits_;
  while (depth > 2 && d % 10 == 0) {
    d /= 10;
    --depth;
  }
  return depth;
}

CpvCode CpvCode::Truncated(int depth) const {
  const uint32_t unit = kPow10[8 - depth];
  return CpvCode(digits_ / unit * unit);
}

bool CpvCode::Covers(CpvCode other) const {
  const int d = depth();
  return other.depth() >= d && other.Truncated(d) == *this;
}

uint32_t CpvCode::bcd() const {
  // Four digits at a time, without a loop: the divisions by constants
  // compile to multiplications (a loop of eight divisions was 3% of a
  // snapshot load, issue 16). The last eight digits, as the loop took.
  const uint32_t d = digits_ % 100000000;
  const auto four = [](uint32_t v) {
    const uint32_t high = v / 100, low = v % 100;
    return (high / 10) << 12 | (high % 10) << 8 | (low / 10) << 4 | low % 10;
  };
  return four(d / 10000) << 16 | four(d % 10000);
}

std::string CpvCode::ToString() const {
  return absl::StrFormat("%08u", digits_);
}

const CpvTaxonomy& CpvTaxonomy::Builtin() {
  static const CpvTaxonomy* const kBuiltin = [] {
    absl::StatusOr<CpvTaxonomy> cpv = FromTsv(internal::kCpvMainTsv);
    // The embedded list is part of the build and tested; failing here is a
    // build defect, not an input error.
    if (!cpv.ok()) {
      std::fprintf(stderr, "procmatch: builtin CPV list: %s\n",
                   std::string(cpv.status().message()).c_str());
      std::abort();
    }
    return new CpvTaxonomy(*std::move(cpv));
  }();
  return *kBuiltin;
}

absl::StatusOr<CpvTaxonomy> CpvTaxonomy::FromTsv(absl::string_view tsv) {
  CpvTaxonomy cpv;
  std::vector<std::pair<Entry, uint8_t>> entries;  // With its check digit.
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(tsv, '\n')) {
    ++line_number;
    if (line_number == 1 || absl::StripAsciiWhitespace(line).empty()) continue;
    std::vector<absl::string_view> fields = absl::StrSplit(line, '\t');
    if (fields.size() < 2) {
      return absl::InvalidArgumentError(absl::StrCat(
          "CPV list line ", line_number, ": expected code<TAB>label"));
    }
    absl::string_view code = fields[0];
    uint32_t digits;
    if (code.size() != 10 || code[8] != '-' ||
        !ParseEightDigits(code.substr(0, 8), &digits) || digits == 0 ||
        !absl::ascii_isdigit(code[9])) {
      return absl::InvalidArgumentError(
          absl::StrCat("CPV list line ", line_number, ": code \"", code,
                       "\" is not of the form NNNNNNNN-C"));
    }
    entries.push_back(
        {Entry{CpvCode::FromDigits(digits),
               std::string(absl::StripAsciiWhitespace(fields[1]))},
         static_cast<uint8_t>(code[9] - '0')});
  }
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    return a.first.code < b.first.code;
  });
  for (auto& [entry, check_digit] : entries) {
    cpv.entries_.push_back(std::move(entry));
    cpv.check_digits_.push_back(check_digit);
  }
  for (size_t i = 0; i < cpv.entries_.size(); ++i) {
    if (!cpv.ordinal_.emplace(cpv.entries_[i].code, static_cast<int>(i))
             .second) {
      return absl::InvalidArgumentError(
          absl::StrCat("CPV list: duplicate code \"",
                       cpv.entries_[i].code.ToString(), "\""));
    }
  }
  if (cpv.entries_.empty()) {
    return absl::InvalidArgumentError("CPV list: no codes");
  }
  return cpv;
}

absl::StatusOr<CpvCode> CpvTaxonomy::Parse(absl::string_view text) const {
  absl::string_view s = absl::StripAsciiWhitespace(text);
  uint32_t digits = 0;
  int check_digit = -1;
  bool well_formed = false;
  if (s.size() == 8) {
    well_formed = ParseEightDigits(s, &digits);
  } else if (s.size() == 10 && s[8] == '-' && absl::ascii_isdigit(s[9])) {
    well_formed = ParseEightDigits(s.substr(0, 8), &digits);
    check_digit = s[9] - '0';
  }
  if (!well_formed) {
    return absl::InvalidArgumentError(absl::StrCat(
        "malformed CPV code \"", text,
        "\": expected 8 digits, optionally with a check digit (35613000-4)"));
  }
  CpvCode code = CpvCode::FromDigits(digits);
  auto it = ordinal_.find(code);
  if (it == ordinal_.end()) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown CPV code \"", text, "\""));
  }
  const int expected = check_digits_[it->second];
  if (check_digit >= 0 && check_digit != expected) {
    return absl::InvalidArgumentError(
        absl::StrCat("CPV code \"", text, "\" has check digit ", check_digit,
                     ", expected ", expected));
  }
  return code;
}

absl::string_view CpvTaxonomy::Label(CpvCode code) const {
  auto it = ordinal_.find(code);
  return it == ordinal_.end() ? absl::string_view()
                              : absl::string_view(entries_[it->second].label);
}

std::string CpvTaxonomy::WithCheckDigit(CpvCode code) const {
  auto it = ordinal_.find(code);
  return absl::StrCat(code.ToString(), "-",
                      it == ordinal_.end() ? 0 : check_digits_[it->second]);
}

std::vector<CpvCode> CpvTaxonomy::Ancestors(CpvCode code) const {
  std::vector<CpvCode> ancestors;
  for (int d = code.depth() - 1; d >= 2; --d) {
    CpvCode up = code.Truncated(d);
    if (Contains(up) && (ancestors.empty() || ancestors.back() != up)) {
      ancestors.push_back(up);
    }
  }
  return ancestors;
}

int CpvTaxonomy::CommonDepth(CpvCode a, CpvCode b) const {
  for (int d = std::min(a.depth(), b.depth()); d >= 2; --d) {
    CpvCode up = a.Truncated(d);
    if (up == b.Truncated(d) && Contains(up)) return d;
  }
  return 0;
}

bool CpvTaxonomy::HasCodeWithPrefix(absl::string_view digits) const {
  if (digits.empty() || digits.size() > 8) return false;
  uint32_t low = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
    low = low * 10 + static_cast<uint32_t>(c - '0');
  }
  const uint32_t unit = kPow10[8 - digits.size()];
  low *= unit;
  auto it = std::lower_bound(
      entries_.begin(), entries_.end(), low,
      [](const Entry& e, uint32_t v) { return e.code.digits() < v; });
  return it != entries_.end() && it->code.digits() < low + unit;
}

int CpvTaxonomy::Ordinal(CpvCode code) const {
  auto it = ordinal_.find(code);
  return it == ordinal_.end() ? -1 : it->second;
}

}  // namespace procmatch
