#include "procmatch/iso_codes.h"

#include <algorithm>
#include <bitset>
#include <iterator>
#include <utility>

#include "absl/strings/ascii.h"

namespace procmatch {
namespace {

#include "lib/iso_codes_data.inc"

constexpr const char* kEuMemberStates[] = {
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES",
    "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT", "LU",
    "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
};

template <size_t N>
bool InSorted(const char* const (&list)[N], absl::string_view code) {
  return std::binary_search(
      std::begin(list), std::end(list), code,
      [](absl::string_view a, absl::string_view b) { return a < b; });
}

// Membership in a list of codes of two or three ASCII letters, one bit per
// possible code (letters in the case the list has them): validation asks
// for every country, language and currency of every record, and a binary
// search over C strings measured a twentieth of a snapshot load.
class CodeSet {
 public:
  template <size_t N>
  explicit CodeSet(const char* const (&list)[N]) {
    for (const char* code : list) {
      const int i = Index(code);
      if (i >= 0) bits_[i] = true;
    }
  }

  bool Contains(absl::string_view code) const {
    const int i = Index(code);
    return i >= 0 && bits_[i];
  }

 private:
  static constexpr int kLetters = 52;  // A-Z, a-z.

  // The code's bit, or -1 when it is not two or three letters.
  static int Index(absl::string_view code) {
    if (code.size() != 2 && code.size() != 3) return -1;
    int i = 0;
    for (char c : code) {
      int letter;
      if (c >= 'A' && c <= 'Z') {
        letter = c - 'A';
      } else if (c >= 'a' && c <= 'z') {
        letter = 26 + (c - 'a');
      } else {
        return -1;
      }
      i = i * kLetters + letter;
    }
    return code.size() == 2 ? i : kLetters * kLetters + i;
  }

  std::bitset<kLetters * kLetters + kLetters * kLetters * kLetters> bits_;
};

const CodeSet& Countries() {
  static const CodeSet* const set = new CodeSet(kIsoCountries);
  return *set;
}
const CodeSet& Languages() {
  static const CodeSet* const set = new CodeSet(kIsoLanguages);
  return *set;
}
const CodeSet& Currencies() {
  static const CodeSet* const set = new CodeSet(kIsoCurrencies);
  return *set;
}

}  // namespace

bool IsIsoCountry(absl::string_view code) {
  return code == "XK" || Countries().Contains(code);
}

bool IsIsoLanguage(absl::string_view code) {
  return Languages().Contains(code);
}

bool IsIsoCurrency(absl::string_view code) {
  return Currencies().Contains(code);
}

namespace internal {

bool IsIsoCountryBySearch(absl::string_view code) {
  return code == "XK" || InSorted(kIsoCountries, code);
}
bool IsIsoLanguageBySearch(absl::string_view code) {
  return InSorted(kIsoLanguages, code);
}
bool IsIsoCurrencyBySearch(absl::string_view code) {
  return InSorted(kIsoCurrencies, code);
}

}  // namespace internal

namespace {

template <size_t N>
std::string LookUp(const std::pair<const char*, const char*> (&table)[N],
                   absl::string_view alpha3) {
  const std::string key = absl::AsciiStrToUpper(alpha3);
  auto it = std::lower_bound(
      std::begin(table), std::end(table), key,
      [](const std::pair<const char*, const char*>& e, const std::string& k) {
        return absl::string_view(e.first) < k;
      });
  return it != std::end(table) && it->first == key ? it->second : "";
}

}  // namespace

std::string CountryAlpha2(absl::string_view alpha3) {
  return LookUp(kCountryAlpha3, alpha3);
}

std::string LanguageAlpha2(absl::string_view alpha3) {
  return LookUp(kLanguageAlpha3, alpha3);
}

bool IsEuMemberState(absl::string_view iso_country) {
  return InSorted(kEuMemberStates, iso_country);
}

bool IsEdfEligibleCountry(absl::string_view iso_country) {
  return IsEuMemberState(iso_country) || iso_country == "NO";
}

}  // namespace procmatch
