#include "procmatch/identifiers.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace procmatch {
namespace {

bool AllAlnumUpper(absl::string_view s) {
  for (char c : s) {
    if (!absl::ascii_isdigit(c) && !absl::ascii_isupper(c)) return false;
  }
  return true;
}

bool AllDigits(absl::string_view s) {
  for (char c : s) {
    if (!absl::ascii_isdigit(c)) return false;
  }
  return true;
}

}  // namespace

std::string KboDigits(absl::string_view kbo) {
  std::string digits;
  for (char c : kbo) {
    if (absl::ascii_isdigit(c)) {
      digits.push_back(c);
    } else if (c != '.' && c != ' ') {
      return "";
    }
  }
  return digits;
}

absl::Status CheckKbo(absl::string_view kbo) {
  const std::string digits = KboDigits(kbo);
  if (digits.size() != 10) {
    return absl::InvalidArgumentError(
        absl::StrCat("enterprise number \"", kbo,
                     "\" must have 10 digits (dots and spaces allowed)"));
  }
  if (digits[0] != '0' && digits[0] != '1') {
    return absl::InvalidArgumentError(
        absl::StrCat("enterprise number \"", kbo, "\" must start with 0 or 1"));
  }
  uint64_t body = 0;
  for (int i = 0; i < 8; ++i) body = body * 10 + (digits[i] - '0');
  const int check = (digits[8] - '0') * 10 + (digits[9] - '0');
  const int expected = 97 - static_cast<int>(body % 97);
  if (check != expected) {
    return absl::InvalidArgumentError(
        absl::StrCat("enterprise number \"", kbo, "\" has check digits ",
                     digits.substr(8), ", expected ", expected));
  }
  return absl::OkStatus();
}

absl::Status CheckVat(absl::string_view vat) {
  if (vat.size() < 4 || vat.size() > 15 || !absl::ascii_isupper(vat[0]) ||
      !absl::ascii_isupper(vat[1]) || !AllAlnumUpper(vat.substr(2))) {
    return absl::InvalidArgumentError(absl::StrCat(
        "VAT number \"", vat,
        "\" must be a 2-letter country prefix and 2-13 letters or digits"));
  }
  if (vat.substr(0, 2) == "BE") {
    absl::Status kbo = CheckKbo(vat.substr(2));
    if (!kbo.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("Belgian VAT number \"", vat, "\": ", kbo.message()));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckLei(absl::string_view lei) {
  if (lei.size() != 20 || !AllAlnumUpper(lei)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "LEI \"", lei, "\" must be 20 upper-case letters or digits"));
  }
  int remainder = 0;
  for (char c : lei) {
    const int v = absl::ascii_isdigit(c) ? c - '0' : c - 'A' + 10;
    remainder =
        v >= 10 ? (remainder * 100 + v) % 97 : (remainder * 10 + v) % 97;
  }
  if (remainder != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("LEI \"", lei, "\" fails its ISO 7064 check digits"));
  }
  return absl::OkStatus();
}

absl::Status CheckNcage(absl::string_view ncage) {
  if (ncage.size() != 5 || !AllAlnumUpper(ncage)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "NCAGE code \"", ncage, "\" must be 5 upper-case letters or digits"));
  }
  return absl::OkStatus();
}

absl::Status CheckPic(absl::string_view pic) {
  if (pic.size() != 9 || !AllDigits(pic)) {
    return absl::InvalidArgumentError(
        absl::StrCat("PIC \"", pic, "\" must be 9 digits"));
  }
  return absl::OkStatus();
}

}  // namespace procmatch
