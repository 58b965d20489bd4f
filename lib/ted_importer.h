// File: lib/ted_importer.h
//
// Reads TED XML exports (schemas R2.0.8 and R2.0.9: contract notices F02,
// award notices F03, utilities F05/F06, defence forms 16/17/18, and the other
// forms where they carry CPV codes) into procmatch.v1.Tender records, with
// award outcomes (ContractAward) for award notices.
//
// Example:
//
//   absl::StatusOr<procmatch::ImportedNotice> notice =
//       procmatch::ImportTedXml("010233-2021.xml", xml_bytes);
//   if (!notice.ok()) { /* names the file and the element */ }
//   for (const std::string& w : notice->warnings) { /* e.g. old NUTS code */ }
//
// What comes from where: the notice's coded data section (the same in every
// form) gives its id, publication date, country, language, CPV codes,
// places, value, deadline, notice kind, procedure, buyer activity and legal
// basis; the form in the original language gives title, description, buyer,
// lots and winners. NUTS codes of older NUTS versions are mapped to their
// longest NUTS 2021 prefix, with a warning; codes with none are dropped,
// with a warning. The result passes Validator::ValidateTender, or the import
// is an error.
//
// Threading: reentrant. Uses pugixml (see doc/importers.md for why).
#ifndef PROCMATCH_LIB_TED_IMPORTER_H_
#define PROCMATCH_LIB_TED_IMPORTER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "procmatch/v1/tender.pb.h"

namespace procmatch {

struct ImportedNotice {
  v1::Tender tender;
  // Imported, but something was adjusted or missing: "NUTS 2016 code FR214
  // mapped to FR".
  std::vector<std::string> warnings;
};

// `source` names the file in messages. Errors (InvalidArgument): not XML
// (with the byte offset), not a TED export, no DOC_ID, no title, or a result
// that does not validate.
absl::StatusOr<ImportedNotice> ImportTedXml(absl::string_view source,
                                            absl::string_view xml);

// Reads one line of the reduced TED JSON (data/ted/notices_dev.jsonl: doc_id,
// date, form, country, lang, legal_basis, buyer, buyer_activity, title,
// text, cpv, nuts, value_eur, lots with winners) into a Tender with awards,
// with the same normalisation as ImportTedXml.
absl::StatusOr<ImportedNotice> ImportTedReducedJson(absl::string_view source,
                                                    absl::string_view line);

}  // namespace procmatch

#endif  // PROCMATCH_LIB_TED_IMPORTER_H_
