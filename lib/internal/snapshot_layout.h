// File: lib/internal/snapshot_layout.h
//
// INTERNAL. The fixed parts of snapshot format 2 (doc/snapshot.md, "Format
// 2"): the header, the section table and the checksums, for lib/snapshot.cc
// and for the tests and the fuzzer, which reseal crafted files so that their
// structure, not their checksums, is what gets tested.
//
//   0   8   magic "PROCMSNP"
//   8   4   format version (uint32)
//   12  4   header CRC-32: bytes [0, 12) and [16, end of section table)
//   16  4   section count N
//   20  4   reserved, 0
//   24  24N section table: kind (uint32), CRC-32 of the section and its
//           padding (uint32), offset (uint64), length (uint64)
//   then the sections, each at an 8-byte-aligned offset, zero-padded to a
//   multiple of 8 bytes, back to back up to the end of the file.
//
// All integers are little-endian.
#ifndef PROCMATCH_LIB_INTERNAL_SNAPSHOT_LAYOUT_H_
#define PROCMATCH_LIB_INTERNAL_SNAPSHOT_LAYOUT_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "absl/base/config.h"
#include "absl/strings/string_view.h"

namespace procmatch {
namespace internal {

inline constexpr char kSnapshotMagic[8] = {'P', 'R', 'O', 'C',
                                           'M', 'S', 'N', 'P'};
inline constexpr size_t kSnapshotVersionAt = 8;
inline constexpr size_t kSnapshotHeaderCrcAt = 12;
inline constexpr size_t kSnapshotSectionCountAt = 16;
inline constexpr size_t kSnapshotFixedHeader = 24;
inline constexpr size_t kSnapshotTableEntry = 24;
inline constexpr size_t kSnapshotAlignment = 8;

// `n` rounded up to the alignment.
inline size_t SnapshotAligned(size_t n) {
  return (n + kSnapshotAlignment - 1) / kSnapshotAlignment * kSnapshotAlignment;
}

// Fixed-width little-endian integers, as every number in the file is
// stored: read from `p`, or appended to `*out`. The readers are inline (the
// loader calls them for every term of every supplier) and one load each on
// a little-endian machine: gcc -O2 kept the byte loops they were as loops,
// 30 instructions a number, a tenth of a load (issue 16).
inline uint32_t GetUint32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof(v));
#ifdef ABSL_IS_BIG_ENDIAN
  v = __builtin_bswap32(v);
#endif
  return v;
}
inline uint64_t GetUint64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof(v));
#ifdef ABSL_IS_BIG_ENDIAN
  v = __builtin_bswap64(v);
#endif
  return v;
}
void PutUint32(uint32_t v, std::string* out);
void PutUint64(uint64_t v, std::string* out);

// The header checksum of `header`: the fixed header and the section table,
// but for the checksum's own four bytes.
uint32_t SnapshotHeaderCrc(absl::string_view header);

// Rewrites every checksum of `bytes` (the sections' that lie inside the file,
// then the header's) to match the bytes they cover. Does nothing to what
// is too short for a format 2 header and its table. SaveSnapshot seals what
// it writes with it; tests and fuzzing reseal what they damage.
void ResealSnapshot(std::string* bytes);

}  // namespace internal
}  // namespace procmatch

#endif  // PROCMATCH_LIB_INTERNAL_SNAPSHOT_LAYOUT_H_
