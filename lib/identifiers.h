// File: lib/identifiers.h
//
// Checks for the registry identifiers a supplier profile carries. Each
// returns OK or an InvalidArgument error that says what is wrong with the
// identifier (the caller adds which record and field).
//
// Example:
//
//   procmatch::CheckKbo("0203.201.340");   // OK (check digits 40 = 97 - ...)
//   procmatch::CheckLei("5493001KJTIIGC8Y1R12");
//
// All functions are pure and thread-safe.
#ifndef PROCMATCH_LIB_IDENTIFIERS_H_
#define PROCMATCH_LIB_IDENTIFIERS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace procmatch {

// Belgian enterprise number (KBO/BCE): ten digits, dots and spaces allowed,
// first digit 0 or 1, last two digits = 97 - (first eight mod 97).
absl::Status CheckKbo(absl::string_view kbo);

// The ten digits of a KBO number without separators ("0203201340"), or ""
// when `kbo` has other characters than digits, dots and spaces.
std::string KboDigits(absl::string_view kbo);

// VAT number: a two-letter prefix ("BE", "EL" for Greece, "XI" for Northern
// Ireland) and 2-13 letters or digits; a Belgian one must be a valid KBO
// number.
absl::Status CheckVat(absl::string_view vat);

// ISO 17442 LEI: 20 upper-case letters or digits, ISO 7064 MOD 97-10 check.
absl::Status CheckLei(absl::string_view lei);

// NCAGE code: 5 upper-case letters or digits.
absl::Status CheckNcage(absl::string_view ncage);

// EU Participant Identification Code: 9 digits.
absl::Status CheckPic(absl::string_view pic);

}  // namespace procmatch

#endif  // PROCMATCH_LIB_IDENTIFIERS_H_
