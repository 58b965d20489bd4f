#include "procmatch/internal/crc32.h"

#include <array>
#include <cstddef>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define PROCMATCH_CRC32_FOLDING 1
#endif

namespace procmatch {
namespace internal {
namespace {

// The CRC register `crc` (not inverted) after the `n` bytes at `p`, eight
// bytes at a time.
uint32_t SliceBy8(uint32_t crc, const unsigned char* p, size_t n) {
  using Tables = std::array<std::array<uint32_t, 256>, 8>;
  static const Tables kTables = [] {
    Tables t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[0][i] = c;
    }
    // t[k][i]: the CRC of byte i followed by k zero bytes.
    for (uint32_t i = 0; i < 256; ++i) {
      for (int k = 1; k < 8; ++k) {
        t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xFF];
      }
    }
    return t;
  }();
  for (; n >= 8; p += 8, n -= 8) {
    const uint32_t lo =
        crc ^
        (static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
         static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24);
    crc = kTables[7][lo & 0xFF] ^ kTables[6][(lo >> 8) & 0xFF] ^
          kTables[5][(lo >> 16) & 0xFF] ^ kTables[4][lo >> 24] ^
          kTables[3][p[4]] ^ kTables[2][p[5]] ^ kTables[1][p[6]] ^
          kTables[0][p[7]];
  }
  for (; n > 0; ++p, --n) crc = kTables[0][(crc ^ *p) & 0xFF] ^ (crc >> 8);
  return crc;
}

#ifdef PROCMATCH_CRC32_FOLDING

#define PROCMATCH_CRC32_TARGET __attribute__((target("pclmul,sse4.1")))

PROCMATCH_CRC32_TARGET inline __m128i Load(const unsigned char* at) {
  return _mm_loadu_si128(reinterpret_cast<const __m128i*>(at));
}

// x times k (each half of x by its half of k) plus `next`.
PROCMATCH_CRC32_TARGET inline __m128i FoldInto(__m128i x, __m128i k,
                                               __m128i next) {
  return _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(x, k, 0x00),
                                     _mm_clmulepi64_si128(x, k, 0x11)),
                       next);
}

// The CRC register `crc` after the `n` bytes at `p`, folded 64 bytes at a
// time with carry-less multiplications, then reduced (Barrett) to 32 bits.
// REQUIRES: n >= 64, a multiple of 16. The constants are x^k mod P(x) for
// the reflected polynomial (k = 4*128+32, 4*128-32, 128+32, 128-32, 64) and
// P(x) with its Barrett quotient, as the paper above derives them.
PROCMATCH_CRC32_TARGET uint32_t Fold(uint32_t crc, const unsigned char* p,
                                     size_t n) {
  const __m128i k1k2 = _mm_set_epi64x(0x01c6e41596, 0x0154442bd4);
  const __m128i k3k4 = _mm_set_epi64x(0x00ccaa009e, 0x01751997d0);
  const __m128i k5 = _mm_set_epi64x(0, 0x0163cd6124);
  const __m128i poly = _mm_set_epi64x(0x01f7011641, 0x01db710641);
  const __m128i mask32 = _mm_setr_epi32(~0, 0, ~0, 0);
  __m128i x1 = _mm_xor_si128(Load(p), _mm_cvtsi32_si128(static_cast<int>(crc)));
  __m128i x2 = Load(p + 16), x3 = Load(p + 32), x4 = Load(p + 48);
  p += 64;
  n -= 64;
  for (; n >= 64; p += 64, n -= 64) {
    x1 = FoldInto(x1, k1k2, Load(p));
    x2 = FoldInto(x2, k1k2, Load(p + 16));
    x3 = FoldInto(x3, k1k2, Load(p + 32));
    x4 = FoldInto(x4, k1k2, Load(p + 48));
  }
  // Four lanes into one, then the 16-byte blocks left.
  x1 = FoldInto(x1, k3k4, x2);
  x1 = FoldInto(x1, k3k4, x3);
  x1 = FoldInto(x1, k3k4, x4);
  for (; n >= 16; p += 16, n -= 16) x1 = FoldInto(x1, k3k4, Load(p));
  // 128 bits to 64, then Barrett's reduction to 32.
  x1 = _mm_xor_si128(_mm_srli_si128(x1, 8),
                     _mm_clmulepi64_si128(x1, k3k4, 0x10));
  x1 = _mm_xor_si128(_mm_srli_si128(x1, 4),
                     _mm_clmulepi64_si128(_mm_and_si128(x1, mask32), k5, 0x00));
  __m128i x2r = _mm_and_si128(x1, mask32);
  x2r = _mm_clmulepi64_si128(x2r, poly, 0x10);
  x2r = _mm_and_si128(x2r, mask32);
  x2r = _mm_clmulepi64_si128(x2r, poly, 0x00);
  x1 = _mm_xor_si128(x1, x2r);
  return static_cast<uint32_t>(_mm_extract_epi32(x1, 1));
}

bool CanFold() {
  static const bool can =
      __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1");
  return can;
}

#endif  // PROCMATCH_CRC32_FOLDING

}  // namespace

uint32_t Crc32(absl::string_view data) {
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  size_t n = data.size();
  uint32_t crc = 0xFFFFFFFFu;
#ifdef PROCMATCH_CRC32_FOLDING
  if (n >= 64 && CanFold()) {
    const size_t folded = n & ~size_t{15};
    crc = Fold(crc, p, folded);
    p += folded;
    n -= folded;
  }
#endif
  return SliceBy8(crc, p, n) ^ 0xFFFFFFFFu;
}

}  // namespace internal
}  // namespace procmatch
