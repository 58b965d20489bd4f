#include "lib/iso_codes.h"

#include <algorithm>
#include <iterator>

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

bool IsEuMemberState(absl::string_view iso_country) {
  return InSorted(kEuMemberStates, iso_country);
}

bool IsEdfEligibleCountry(absl::string_view iso_country) {
  return IsEuMemberState(iso_country) || iso_country == "NO";
}

}  // namespace procmatch
