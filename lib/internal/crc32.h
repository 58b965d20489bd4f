// File: lib/internal/crc32.h
//
// INTERNAL. CRC-32 (IEEE 802.3, as zlib and PNG: reflected polynomial
// 0xEDB88320), the snapshot checksum. Crc32("123456789") == 0xCBF43926.
#ifndef PROCMATCH_LIB_INTERNAL_CRC32_H_
#define PROCMATCH_LIB_INTERNAL_CRC32_H_

#include <array>
#include <cstdint>

#include "absl/strings/string_view.h"

namespace procmatch {
namespace internal {

inline uint32_t Crc32(absl::string_view data) {
  static const std::array<uint32_t, 256> kTable = [] {
    std::array<uint32_t, 256> table{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      table[i] = c;
    }
    return table;
  }();
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char b : data) crc = kTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}

}  // namespace internal
}  // namespace procmatch

#endif  // PROCMATCH_LIB_INTERNAL_CRC32_H_
