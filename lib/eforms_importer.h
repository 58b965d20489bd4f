// File: lib/eforms_importer.h
//
// Reads eForms UBL notices (contract notices, contract award notices, prior
// information notices; eForms SDK 1.x) into procmatch.v1.Tender records,
// with award outcomes for award notices.
//
// Example:
//
//   absl::StatusOr<procmatch::ImportedNotice> notice =
//       procmatch::ImportEforms("can_24_minimal.xml", xml_bytes);
//
// A notice that lacks what a tender needs is rejected, with every missing
// element named by its UBL path and eForms business term ("no notice
// identifier (cbc:ID, BT-701)"). Gaps that leave a usable tender are
// warnings: a code that is not in its eForms codelist, an unknown country,
// a change notice (procmatch does not apply changes to the notice they
// change: import that notice too). Older NUTS codes map as in the TED
// importer.
//
// Threading: reentrant. Uses pugixml (doc/importers.md).
#ifndef PROCMATCH_LIB_EFORMS_IMPORTER_H_
#define PROCMATCH_LIB_EFORMS_IMPORTER_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "procmatch/ted_importer.h"

namespace procmatch {

// `source` names the file in messages. The limits are those of the TED
// importer (ImportLimits in ted_importer.h): nesting deeper than
// limits.max_xml_depth is an error, warnings past limits.max_warnings are
// dropped and counted.
absl::StatusOr<ImportedNotice> ImportEforms(
    absl::string_view source, absl::string_view xml,
    const ImportLimits& limits = ImportLimits());

}  // namespace procmatch

#endif  // PROCMATCH_LIB_EFORMS_IMPORTER_H_
