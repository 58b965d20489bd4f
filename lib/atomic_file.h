// File: lib/atomic_file.h
//
// Writing a whole output file so that readers, and the next run after a
// crash or a full disk, see either the old file or the new one, never half
// of it: the bytes go to a temporary file in the same directory, which is
// flushed to disk (fsync) and renamed over the target; on any failure the
// temporary is removed and the target is untouched.
//
// Example:
//
//   absl::Status written =
//       procmatch::WriteFileAtomically("index.snap",
//       procmatch::SaveSnapshot(*index));
//   if (!written.ok()) { /* "index.snap: cannot write: No space left on device"
//   */ }
//
//   // Before reading any input, make sure the outputs can be written.
//   absl::Status usable = procmatch::CheckOutputPath("tenders.jsonl");
//
// Threading: reentrant; two writers of the same path race like rename(2):
// the last rename wins and each reader sees one whole file.
#ifndef PROCMATCH_LIB_ATOMIC_FILE_H_
#define PROCMATCH_LIB_ATOMIC_FILE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace procmatch {

// Replaces `path` with `content` atomically (temporary in the same
// directory, fsync of file and directory, rename). Errors name the path and
// carry the system's reason (errno text): the directory does not exist or
// is not writable, the disk is full, `path` exists and is not a regular file
// (a device, a directory, a FIFO: refused, never replaced).
absl::Status WriteFileAtomically(const std::string& path,
                                 absl::string_view content);

// Whether `path` can be written by WriteFileAtomically: not empty, not an
// existing non-regular file, in an existing, writable directory. For
// checking every output before the work that produces it.
absl::Status CheckOutputPath(const std::string& path);

}  // namespace procmatch

#endif  // PROCMATCH_LIB_ATOMIC_FILE_H_
