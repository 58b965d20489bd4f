// File: lib/internal/crc32.h
//
// INTERNAL. CRC-32 (IEEE 802.3, as zlib and PNG: reflected polynomial
// 0xEDB88320), the snapshot checksum. Crc32("123456789") == 0xCBF43926.
// A snapshot's load checks every byte of it, so the checksum is computed
// fast: on x86-64 processors with carry-less multiplication (PCLMULQDQ,
// every one since 2010) by folding 64 bytes at a time, as zlib's and the
// Linux kernel's do (Intel, "Fast CRC Computation for Generic Polynomials
// Using PCLMULQDQ Instruction", 2009): about a tenth of the instructions of
// the table-driven way, which computes the rest (and everything elsewhere)
// eight bytes at a time ("slicing by 8", eight 256-entry tables).
#ifndef PROCMATCH_LIB_INTERNAL_CRC32_H_
#define PROCMATCH_LIB_INTERNAL_CRC32_H_

#include <cstdint>

#include "absl/strings/string_view.h"

namespace procmatch {
namespace internal {

uint32_t Crc32(absl::string_view data);

}  // namespace internal
}  // namespace procmatch

#endif  // PROCMATCH_LIB_INTERNAL_CRC32_H_
