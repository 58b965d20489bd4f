// File: lib/internal/prefetch.h
//
// INTERNAL. Asking the processor to load a cache line ahead of a read that
// would wait for it: retrieval tightens candidates, and the alert index
// verifies candidate rules, in an order of their own, so each one's record
// is a cache miss unless it is loaded a few candidates ahead.
//
// Example:
//
//   for (size_t k = 0; k < docs.size(); ++k) {
//     if (k + 8 < docs.size()) PrefetchLine(records[docs[k + 8]]);
//     Use(*records[docs[k]]);
//   }
//
// GCC 12 at -O2 dropped __builtin_prefetch of some addresses read through
// two loads (a doc's block pointer, the doc read from the table of docs; a
// pool's offset in a rule's record) from the object code of both loops: in
// retrieval 4 of 7 prefetches were left, in the alert index's candidate
// loop 3 of 8 (seen with objdump; clang kept them). On x86-64 the
// instruction is written out instead.
#ifndef PROCMATCH_LIB_INTERNAL_PREFETCH_H_
#define PROCMATCH_LIB_INTERNAL_PREFETCH_H_

#include <cstdint>

namespace procmatch {
namespace internal {

// The bytes of a cache line on the machines procmatch runs on.
constexpr uintptr_t kCacheLineBytes = 64;

// Starts loading the cache line holding `address` into every cache level.
// A prefetch never faults and changes no value: `address` may be null or
// lie outside any allocation.
inline void PrefetchLine(const void* address) {
#if defined(__GNUC__) && defined(__x86_64__)
  asm volatile("prefetcht0 (%0)" : : "r"(address));
#else
  __builtin_prefetch(address);
#endif
}

// The same for the `bytes` bytes from `address` (every line they touch).
// The addresses are computed as integers, so that none is formed past an
// allocation's end.
inline void PrefetchBytes(const void* address, uintptr_t bytes) {
  const uintptr_t begin = reinterpret_cast<uintptr_t>(address);
  for (uintptr_t line = begin & ~(kCacheLineBytes - 1); line < begin + bytes;
       line += kCacheLineBytes) {
    PrefetchLine(reinterpret_cast<const void*>(line));
  }
}

}  // namespace internal
}  // namespace procmatch

#endif  // PROCMATCH_LIB_INTERNAL_PREFETCH_H_
