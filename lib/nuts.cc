#include "procmatch/nuts.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace procmatch {
namespace internal {
extern const char kNutsLevel3Tsv[];
extern const char kNutsBelgiumUpperTsv[];
}  // namespace internal

NutsCode NutsCode::FromString(absl::string_view code) {
  NutsCode c;
  c.size_ = static_cast<int>(std::min<size_t>(code.size(), 5));
  std::copy_n(code.data(), c.size_, c.chars_.data());
  return c;
}

NutsCode NutsCode::AtLevel(int level) const {
  return FromString(code().substr(0, level + 2));
}

bool NutsCode::SameRegion(NutsCode a, NutsCode b, int level) {
  return a.level() >= level && b.level() >= level &&
         a.code().substr(0, level + 2) == b.code().substr(0, level + 2);
}

int NutsCode::CommonLevel(NutsCode a, NutsCode b) {
  int level = -1;
  for (int l = 0; l <= std::min(a.level(), b.level()); ++l) {
    if (!SameRegion(a, b, l)) break;
    level = l;
  }
  return level;
}

std::string IsoCountryOfNuts(absl::string_view nuts_country) {
  if (nuts_country == "EL") return "GR";
  if (nuts_country == "UK") return "GB";
  return std::string(nuts_country);
}

std::string NutsCountryOfIso(absl::string_view iso_country) {
  if (iso_country == "GR") return "EL";
  if (iso_country == "GB") return "UK";
  return std::string(iso_country);
}

const NutsTaxonomy& NutsTaxonomy::Builtin() {
  static const NutsTaxonomy* const kBuiltin = [] {
    absl::StatusOr<NutsTaxonomy> nuts =
        FromTsv(internal::kNutsLevel3Tsv, internal::kNutsBelgiumUpperTsv);
    // Embedded data is tested: failing here is a build defect.
    if (!nuts.ok()) {
      std::fprintf(stderr, "procmatch: builtin NUTS list: %s\n",
                   std::string(nuts.status().message()).c_str());
      std::abort();
    }
    return new NutsTaxonomy(*std::move(nuts));
  }();
  return *kBuiltin;
}

namespace {

bool WellFormed(absl::string_view code) {
  if (code.size() < 2 || code.size() > 5) return false;
  if (!absl::ascii_isupper(code[0]) || !absl::ascii_isupper(code[1])) {
    return false;
  }
  for (char c : code.substr(2)) {
    if (!absl::ascii_isupper(c) && !absl::ascii_isdigit(c)) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<NutsTaxonomy> NutsTaxonomy::FromTsv(
    absl::string_view level3_tsv, absl::string_view upper_tsv) {
  NutsTaxonomy nuts;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(level3_tsv, '\n')) {
    ++line_number;
    if (line_number == 1 || absl::StripAsciiWhitespace(line).empty()) continue;
    std::vector<absl::string_view> f = absl::StrSplit(line, '\t');
    if (f.size() < 5 || f[0].size() != 5 || !WellFormed(f[0])) {
      return absl::InvalidArgumentError(absl::StrCat(
          "NUTS list line ", line_number,
          ": expected a 5-character code and 4 labels (en, fr, nl, de)"));
    }
    NutsCode code = NutsCode::FromString(f[0]);
    nuts.LabelsOf(code) = Labels{std::string(f[1]), std::string(f[2]),
                                 std::string(f[3]), std::string(f[4])};
    for (int level = 0; level < 3; ++level) nuts.LabelsOf(code.AtLevel(level));
  }
  line_number = 0;
  for (absl::string_view line : absl::StrSplit(upper_tsv, '\n')) {
    ++line_number;
    if (line_number == 1 || absl::StripAsciiWhitespace(line).empty()) continue;
    std::vector<absl::string_view> f = absl::StrSplit(line, '\t');
    if (f.size() < 5 || f[0].size() > 4 || !WellFormed(f[0])) {
      return absl::InvalidArgumentError(
          absl::StrCat("NUTS upper-level list line ", line_number,
                       ": expected code, level and 3 labels (en, fr, nl)"));
    }
    Labels& labels = nuts.LabelsOf(NutsCode::FromString(f[0]));
    labels.en = std::string(f[2]);
    labels.fr = std::string(f[3]);
    labels.nl = std::string(f[4]);
  }
  if (nuts.regions_.empty()) {
    return absl::InvalidArgumentError("NUTS list: no regions");
  }
  return nuts;
}

NutsTaxonomy::Labels& NutsTaxonomy::LabelsOf(NutsCode code) {
  const auto [it, added] =
      regions_.try_emplace(code, static_cast<uint32_t>(labels_.size()));
  if (added) labels_.emplace_back();
  return labels_[it->second];
}

absl::StatusOr<NutsCode> NutsTaxonomy::Parse(absl::string_view text) const {
  std::string code = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(text));
  if (!WellFormed(code)) {
    return absl::InvalidArgumentError(
        absl::StrCat("malformed NUTS code \"", text,
                     "\": expected 2 letters and up to 3 letters or digits"));
  }
  NutsCode nuts = NutsCode::FromString(code);
  if (!Contains(nuts)) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown NUTS 2021 code \"", text, "\""));
  }
  return nuts;
}

absl::string_view NutsTaxonomy::Label(NutsCode code,
                                      absl::string_view language) const {
  auto it = regions_.find(code);
  if (it == regions_.end()) return {};
  const Labels& l = labels_[it->second];
  const std::string* chosen = &l.en;
  if (language == "fr") chosen = &l.fr;
  if (language == "nl") chosen = &l.nl;
  if (language == "de") chosen = &l.de;
  return chosen->empty() ? absl::string_view(l.en) : absl::string_view(*chosen);
}

}  // namespace procmatch
