// File: lib/snapshot.h
//
// Saving a SupplierIndex to bytes and loading it back, much faster than
// building it again: a snapshot keeps each profile with its analysed text, so
// loading neither validates nor stems. The format (doc/snapshot.md) has a
// magic number, a format version and a CRC-32 over the whole file.
//
// Example:
//
//   std::string bytes = procmatch::SaveSnapshot(*index);
//   // ... write bytes to a file, later read them back ...
//   absl::StatusOr<std::shared_ptr<const procmatch::SupplierIndex>> loaded =
//       procmatch::LoadSnapshot(bytes);
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

// The format version this library writes; it reads this one only.
inline constexpr uint32_t kSnapshotFormatVersion = 1;

std::string SaveSnapshot(const SupplierIndex& index);

// The index saved in `bytes`, with `options` (taxonomies and limits are not
// saved: give the ones the index was built with). Every restored profile is
// validated again, so that a crafted file with a correct checksum cannot
// bring in what validation refuses. Errors: DataLoss for a file that is not
// a snapshot, truncated or corrupted (checksum mismatch, which is checked
// before anything else, inconsistent records, invalid profiles);
// FailedPrecondition for an intact snapshot of a newer format version.
absl::StatusOr<std::shared_ptr<const SupplierIndex>> LoadSnapshot(
    absl::string_view bytes, const Options& options = {});

}  // namespace procmatch

#endif  // PROCMATCH_LIB_SNAPSHOT_H_
