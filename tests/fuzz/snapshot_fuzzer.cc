// Fuzzes procmatch::LoadSnapshot past its checksums: the harness rewrites
// the header's and every section's CRC-32 (format 2, doc/snapshot.md) to
// match the bytes they cover, so that mutated sections reach the structural
// checks (section table, item ends, header counts, vocabulary order, term
// ids, stored concepts, profiles) instead of stopping at "checksum
// mismatch". The magic number and format version are left to the fuzzer;
// the seeds carry valid ones.
//
// A snapshot that loads must save and load again: whatever LoadSnapshot
// accepts is an index the rest of the library can use.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "procmatch/internal/snapshot_layout.h"
#include "procmatch/snapshot.h"
#include "procmatch/supplier_index.h"
#include "tests/fuzz/harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > procmatch::fuzz::kMaxInputBytes) return 0;
  std::string bytes(reinterpret_cast<const char*>(data), size);
  procmatch::internal::ResealSnapshot(&bytes);
  absl::StatusOr<std::shared_ptr<const procmatch::SupplierIndex>> index =
      procmatch::LoadSnapshot(bytes);
  if (!index.ok()) return 0;
  const std::string saved = procmatch::SaveSnapshot(**index);
  absl::StatusOr<std::shared_ptr<const procmatch::SupplierIndex>> reloaded =
      procmatch::LoadSnapshot(saved);
  if (!reloaded.ok() || (*reloaded)->size() != (*index)->size()) std::abort();
  return 0;
}
