// File: lib/internal/ted_notice.h
//
// INTERNAL. What the TED XML and the reduced TED JSON importers share: the
// Reader that collects a notice's warnings and normalises its codes,
// countries and NUTS regions, and TED's ways of writing times, amounts,
// legal bases, notice kinds and procedures.
#ifndef PROCMATCH_LIB_INTERNAL_TED_NOTICE_H_
#define PROCMATCH_LIB_INTERNAL_TED_NOTICE_H_

#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/timestamp.pb.h"
#include "procmatch/cpv.h"
#include "procmatch/internal/xml_util.h"
#include "procmatch/iso_codes.h"
#include "procmatch/nuts.h"
#include "procmatch/v1/tender.pb.h"

namespace procmatch {
namespace internal {

// Collects the tender and its warnings for one notice.
class Reader {
 public:
  Reader(absl::string_view source, internal::NoticeWarnings* warnings)
      : source_(source), warnings_(warnings) {}

  void Warn(absl::string_view what) {
    warnings_->Add(absl::StrCat(source_, ": ", what));
  }

  // Lot ids unique and short enough, awards following them.
  void NormaliseLotIds(v1::Tender* t) {
    internal::NormaliseLotIds(t, [this](std::string w) { Warn(w); });
  }

  // The last warning, when some were dropped.
  void Finish() { warnings_->Finish(source_); }

  // A CPV code (with or without check digit) as the vocabulary knows it, or
  // "" with a warning.
  std::string Cpv(absl::string_view code, absl::string_view where) {
    absl::StatusOr<CpvCode> c = CpvTaxonomy::Builtin().Parse(code);
    if (!c.ok()) {
      Warn(absl::StrCat(where, ": ", c.status().message(), "; dropped"));
      return "";
    }
    return c->ToString();
  }

  std::string Nuts(absl::string_view code, absl::string_view where) {
    return internal::NutsCode2021(code, absl::StrCat(source_, ": ", where),
                                  warnings_);
  }

  // ISO country of a TED country value ("UK" and "EL" as TED writes them).
  std::string Country(absl::string_view value, absl::string_view where) {
    if (value.empty()) return "";
    const std::string iso = IsoCountryOfNuts(absl::AsciiStrToUpper(value));
    if (!IsIsoCountry(iso)) {
      Warn(absl::StrCat(where, ": country \"", value,
                        "\" is not ISO 3166; dropped"));
      return "";
    }
    return iso;
  }

 private:
  std::string source_;
  internal::NoticeWarnings* warnings_;
};

// A positive amount from TED's text ("1 250 000,00"); false when none.
bool ParseAmount(absl::string_view text, double* amount);

// "20210111" or "20210205 13:00" (UTC) as a Timestamp.
bool ParseTedTime(absl::string_view text, google::protobuf::Timestamp* ts);

// From the coded DIRECTIVE ("2009/81/EC") or the form's LEGAL_BASIS, a CELEX
// number ("32014L0024").
v1::LegalBasis LegalBasisOf(absl::string_view directive,
                            absl::string_view form);

v1::NoticeKind NoticeKindOf(absl::string_view document_type);

v1::ProcedureType ProcedureOf(absl::string_view procedure);

}  // namespace internal
}  // namespace procmatch

#endif  // PROCMATCH_LIB_INTERNAL_TED_NOTICE_H_
