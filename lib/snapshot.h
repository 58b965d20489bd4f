// File: lib/snapshot.h
//
// Saving a SupplierIndex to bytes and loading it back, much faster than
// building it again: a snapshot keeps each profile with its analysed text, its
// CPV concepts and the index's term postings, so loading analyses no text and
// derives no term postings. The format (doc/snapshot.md, version 3) has a
// magic number, a format version, a section table and a CRC-32 for the header
// and for each 8-byte-aligned section; every checksum is verified before the
// section is used.
//
// Example:
//
//   std::string bytes = procmatch::SaveSnapshot(*index);
//   // ... write bytes to a file, later read them back ...
//   absl::StatusOr<std::shared_ptr<const procmatch::SupplierIndex>> loaded =
//       procmatch::LoadSnapshot(bytes);
//   // or, mapping the file instead of reading it:
//   auto mapped = procmatch::LoadSnapshotFile("suppliers.snapshot");
//
// A loaded index matches exactly like the one saved. Loading a truncated,
// corrupted or newer-format snapshot is an error that says which, never a
// crash.
//
// Threading: both functions are reentrant.
#ifndef PROCMATCH_LIB_SNAPSHOT_H_
#define PROCMATCH_LIB_SNAPSHOT_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "procmatch/options.h"
#include "procmatch/supplier_index.h"

namespace procmatch {

// The format version this library writes. It reads this one, format 3
// (whose CPV postings a load derives) and format 2 (whose term postings it
// derives too); format 1 is refused with a message saying to rebuild with
// `procmatch index`.
inline constexpr uint32_t kSnapshotFormatVersion = 4;

std::string SaveSnapshot(const SupplierIndex& index);

// The index saved in `bytes`, with `options` (taxonomies and limits are not
// saved: give the ones the index was built with). Every restored profile is
// validated again, so that a crafted file with a correct checksum cannot
// bring in what validation refuses. The stored term and CPV postings are
// checked for structure only (docs, frequencies and codes in range, lists
// well formed), not for agreeing with the profiles: a crafted file can only
// make its own answers wrong (doc/snapshot.md, "The guarantee"). Errors:
// DataLoss for a file that is not a snapshot, truncated or corrupted (checksum
// mismatch, which is checked before anything else, inconsistent sections,
// invalid profiles); FailedPrecondition for an intact snapshot of format 1 or
// of a newer format. `bytes` may be freed once loaded: the index copies the
// profiles it keeps.
absl::StatusOr<std::shared_ptr<const SupplierIndex>> LoadSnapshot(
    absl::string_view bytes, const Options& options = {});

// The same, from the file at `path`, mapped into memory (read when it cannot
// be mapped). The profiles and the term postings are not copied: the index
// keeps the file mapped (read-only, MAP_PRIVATE), reads a profile from it
// when asked for one and the term postings on every match, so the file must
// not be changed in place or truncated while the index, or a generation
// derived from it, lives (a posting or profile changed so that it no
// longer reads stops the process with a message, one changed within bounds
// goes unnoticed, a truncation raises SIGBUS); replace it by renaming a new
// file over it, as `procmatch index --out` does (doc/snapshot.md, "What a
// loaded index keeps"). Errors as LoadSnapshot's, prefixed with the path;
// NotFound when the file cannot be opened.
absl::StatusOr<std::shared_ptr<const SupplierIndex>> LoadSnapshotFile(
    const std::string& path, const Options& options = {});

}  // namespace procmatch

#endif  // PROCMATCH_LIB_SNAPSHOT_H_
