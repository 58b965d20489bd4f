#include "procmatch/internal/ted_notice.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace procmatch {
namespace internal {

bool ParseAmount(absl::string_view text, double* amount) {
  std::string digits;
  for (char c : text) {
    if (absl::ascii_isdigit(c)) digits.push_back(c);
    if (c == '.' || c == ',') digits.push_back('.');
  }
  return !digits.empty() && absl::SimpleAtod(digits, amount) && *amount > 0;
}

bool ParseTedTime(absl::string_view text, google::protobuf::Timestamp* ts) {
  int y, m, d, hh = 0, mm = 0;
  if (text.size() < 8 || !absl::SimpleAtoi(text.substr(0, 4), &y) ||
      !absl::SimpleAtoi(text.substr(4, 2), &m) ||
      !absl::SimpleAtoi(text.substr(6, 2), &d)) {
    return false;
  }
  // A time that does not parse is midnight: the day is what matters.
  if (text.size() >= 14 && (!absl::SimpleAtoi(text.substr(9, 2), &hh) ||
                            !absl::SimpleAtoi(text.substr(12, 2), &mm) ||
                            hh < 0 || hh > 23 || mm < 0 || mm > 59)) {
    hh = mm = 0;
  }
  const absl::CivilMinute t(y, m, d, hh, mm);
  if (t.year() != y || t.month() != m || t.day() != d) return false;
  ts->set_seconds(absl::ToUnixSeconds(absl::FromCivil(t, absl::UTCTimeZone())));
  return true;
}

v1::LegalBasis LegalBasisOf(absl::string_view directive,
                            absl::string_view form) {
  const std::pair<const char*, v1::LegalBasis> kKnown[] = {
      {"2009/81", v1::LEGAL_BASIS_DEFENCE_DIRECTIVE_2009_81_EC},
      {"32009L0081", v1::LEGAL_BASIS_DEFENCE_DIRECTIVE_2009_81_EC},
      {"2014/24", v1::LEGAL_BASIS_PUBLIC_DIRECTIVE_2014_24_EU},
      {"32014L0024", v1::LEGAL_BASIS_PUBLIC_DIRECTIVE_2014_24_EU},
      {"2014/25", v1::LEGAL_BASIS_UTILITIES_DIRECTIVE_2014_25_EU},
      {"32014L0025", v1::LEGAL_BASIS_UTILITIES_DIRECTIVE_2014_25_EU},
      {"2014/23", v1::LEGAL_BASIS_CONCESSIONS_DIRECTIVE_2014_23_EU},
      {"32014L0023", v1::LEGAL_BASIS_CONCESSIONS_DIRECTIVE_2014_23_EU}};
  for (const auto& [marker, basis] : kKnown) {
    if (absl::StrContains(directive, marker)) return basis;
  }
  if (absl::StrContains(form, "DEFENCE")) {
    return v1::LEGAL_BASIS_DEFENCE_DIRECTIVE_2009_81_EC;
  }
  return directive.empty() ? v1::LEGAL_BASIS_UNSPECIFIED
                           : v1::LEGAL_BASIS_OTHER;
}

v1::NoticeKind NoticeKindOf(absl::string_view document_type) {
  const std::string t = absl::AsciiStrToLower(document_type);
  if (absl::StrContains(t, "award")) return v1::NOTICE_KIND_CONTRACT_AWARD;
  if (absl::StrContains(t, "prior information") ||
      absl::StrContains(t, "periodic indicative")) {
    return v1::NOTICE_KIND_PRIOR_INFORMATION;
  }
  if (absl::StrContains(t, "contract notice")) {
    return v1::NOTICE_KIND_CONTRACT_NOTICE;
  }
  return t.empty() ? v1::NOTICE_KIND_UNSPECIFIED : v1::NOTICE_KIND_OTHER;
}

v1::ProcedureType ProcedureOf(absl::string_view procedure) {
  const std::string p = absl::AsciiStrToLower(procedure);
  if (p.empty()) return v1::PROCEDURE_TYPE_UNSPECIFIED;
  if (absl::StrContains(p, "open")) return v1::PROCEDURE_TYPE_OPEN;
  if (absl::StrContains(p, "restricted")) return v1::PROCEDURE_TYPE_RESTRICTED;
  if (absl::StrContains(p, "without")) {
    return v1::PROCEDURE_TYPE_NEGOTIATED_WITHOUT_PUBLICATION;
  }
  if (absl::StrContains(p, "competitive dialogue")) {
    return v1::PROCEDURE_TYPE_COMPETITIVE_DIALOGUE;
  }
  if (absl::StrContains(p, "competitive procedure with negotiation")) {
    return v1::PROCEDURE_TYPE_COMPETITIVE_NEGOTIATION;
  }
  if (absl::StrContains(p, "innovation")) {
    return v1::PROCEDURE_TYPE_INNOVATION_PARTNERSHIP;
  }
  if (absl::StrContains(p, "negotiated")) {
    return v1::PROCEDURE_TYPE_NEGOTIATED_WITH_PUBLICATION;
  }
  return v1::PROCEDURE_TYPE_OTHER;
}

}  // namespace internal
}  // namespace procmatch
