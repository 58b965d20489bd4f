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
// Hostile input: every importer bounds what it reads by ImportLimits (the
// defaults fit every real notice seen), walks XML without recursion, never
// expands entities (an unknown "&name;" is dropped with a warning), and caps
// the warnings of one notice.
//
// Threading: reentrant. Uses pugixml (see doc/importers.md for why).
#ifndef PROCMATCH_LIB_TED_IMPORTER_H_
#define PROCMATCH_LIB_TED_IMPORTER_H_

#include <cstdint>
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

// Bounds on one notice, for the TED XML, TED JSON and eForms importers. A
// notice past a limit is refused (InvalidArgument naming the source and the
// limit) before the expensive work, except max_warnings, which only trims.
struct ImportLimits {
  // Deepest element nesting in an XML notice (the root element is level 1).
  // Real TED and eForms notices nest under 20 levels. The importers walk
  // iteratively, so a higher limit costs no stack, only patience.
  // Default: 256.
  int max_xml_depth = 256;

  // Deepest nesting of objects and arrays in one reduced-TED-JSON line.
  // Real lines nest 4 levels. The JSON parser behind it takes
  // super-quadratic time in the depth of nested arrays: 32k levels take
  // 25 s. Default: 64.
  int max_json_depth = 64;

  // Longest reduced-TED-JSON line. The longest real one is 280 KB. A line
  // is parsed whole in memory, several times its size. Default: 16 MiB.
  int64_t max_json_line_bytes = int64_t{16} << 20;

  // Most warnings kept for one notice; past it one last warning says how
  // many more were dropped. A hostile notice can raise one per element.
  // Default: 100.
  int max_warnings = 100;
};

// `source` names the file in messages. Errors (InvalidArgument): not XML
// (with the byte offset), nested deeper than limits.max_xml_depth, not a TED
// export, no DOC_ID, no title, or a result that does not validate.
absl::StatusOr<ImportedNotice> ImportTedXml(
    absl::string_view source, absl::string_view xml,
    const ImportLimits& limits = ImportLimits());

// Reads one line of the reduced TED JSON (data/ted/notices_dev.jsonl: doc_id,
// date, form, country, lang, legal_basis, buyer, buyer_activity, title,
// text, cpv, nuts, value_eur, lots with winners) into a Tender with awards,
// with the same normalisation as ImportTedXml. A leading UTF-8 byte order
// mark is skipped. Errors (InvalidArgument, naming `source`): a line longer
// than limits.max_json_line_bytes or nested deeper than
// limits.max_json_depth, not a JSON object, a key given twice, no doc_id,
// no title, or a result that does not validate. A field of the wrong type
// (lots not a list, value_eur not a number, a date that is no date) is
// ignored with a warning naming it.
absl::StatusOr<ImportedNotice> ImportTedReducedJson(
    absl::string_view source, absl::string_view line,
    const ImportLimits& limits = ImportLimits());

}  // namespace procmatch

#endif  // PROCMATCH_LIB_TED_IMPORTER_H_
