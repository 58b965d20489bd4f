// File: lib/iso_codes.h
//
// Membership tests for the ISO code lists that procmatch records use:
// countries (ISO 3166-1 alpha-2), languages (ISO 639-1) and currencies
// (ISO 4217), plus the country groups that eligibility rules name.
//
// Example:
//
//   procmatch::IsIsoCountry("BE");          // true
//   procmatch::IsIsoLanguage("nl");         // true
//   procmatch::IsEdfEligibleCountry("NO");  // true: EDF associated country
//
// All functions are pure and thread-safe. Codes are case-sensitive: countries
// and currencies upper case, languages lower case.
#ifndef PROCMATCH_LIB_ISO_CODES_H_
#define PROCMATCH_LIB_ISO_CODES_H_

#include <string>

#include "absl/strings/string_view.h"

namespace procmatch {

// ISO 3166-1 alpha-2, plus "XK" (Kosovo), which the EU and NUTS use.
bool IsIsoCountry(absl::string_view code);

// ISO 639-1 two-letter language codes.
bool IsIsoLanguage(absl::string_view code);

// ISO 4217 alphabetic currency codes.
bool IsIsoCurrency(absl::string_view code);

// The ISO 3166-1 alpha-2 code of an alpha-3 one ("FRA" -> "FR"), as eForms
// writes countries; "" when unknown. Case-insensitive.
std::string CountryAlpha2(absl::string_view alpha3);

// The ISO 639-1 code of an ISO 639-2 one, terminological or bibliographic
// ("FRA" or "FRE" -> "fr"), as eForms writes languages; "" when unknown.
std::string LanguageAlpha2(absl::string_view alpha3);

// The 27 EU member states, by ISO code ("GR" for Greece).
bool IsEuMemberState(absl::string_view iso_country);

// Where an entity may be established to take part in a European Defence Fund
// action (Regulation (EU) 2021/697 art. 5 and 9): a member state or an
// associated country (Norway, the only EEA EFTA state that takes part).
bool IsEdfEligibleCountry(absl::string_view iso_country);

namespace internal {

// IsIsoCountry, IsIsoLanguage and IsIsoCurrency by binary search over the
// code lists: the brute-force twins the tests check the fast ones against.
bool IsIsoCountryBySearch(absl::string_view code);
bool IsIsoLanguageBySearch(absl::string_view code);
bool IsIsoCurrencyBySearch(absl::string_view code);

}  // namespace internal
}  // namespace procmatch

#endif  // PROCMATCH_LIB_ISO_CODES_H_
