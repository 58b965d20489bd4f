#include "procmatch/iso_codes.h"

#include <algorithm>
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

}  // namespace

bool IsIsoCountry(absl::string_view code) {
  return code == "XK" || InSorted(kIsoCountries, code);
}

bool IsIsoLanguage(absl::string_view code) {
  return InSorted(kIsoLanguages, code);
}

bool IsIsoCurrency(absl::string_view code) {
  return InSorted(kIsoCurrencies, code);
}

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
