// File: lib/internal/heap_bytes.h
//
// INTERNAL. What blocks on the heap take, for counting an index's memory
// (IndexData::CountMemory, issue 16): as glibc's malloc (64-bit) takes a
// request, and as an Abseil flat hash table sizes its one block.
#ifndef PROCMATCH_LIB_INTERNAL_HEAP_BYTES_H_
#define PROCMATCH_LIB_INTERNAL_HEAP_BYTES_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace procmatch {
namespace internal {

// A request of `bytes` plus malloc's 8-byte header, rounded up to 16, at
// least 32; nothing for none.
inline int64_t HeapBlockBytes(size_t bytes) {
  if (bytes == 0) return 0;
  return std::max<int64_t>(32, (static_cast<int64_t>(bytes) + 8 + 15) & ~15);
}

// The bytes an absl::flat_hash_map or flat_hash_set of `capacity` slots
// requests: a control byte a slot, one more and a group's 15 clones, then
// the slots at their alignment.
inline size_t HashTableBytes(size_t capacity, size_t slot_size,
                             size_t slot_align) {
  if (capacity == 0) return 0;
  const size_t control = capacity + 1 + 15;
  return (control + slot_align - 1) / slot_align * slot_align +
         capacity * slot_size;
}

}  // namespace internal
}  // namespace procmatch

#endif  // PROCMATCH_LIB_INTERNAL_HEAP_BYTES_H_
