// Fuzzes procmatch::LoadSnapshot past its checksum: the harness rewrites the
// trailing CRC-32 to match the bytes before it, so that mutated records reach
// the structural checks (record framing, header counts, vocabulary, term ids)
// instead of stopping at "checksum mismatch". The magic number and format
// version are left to the fuzzer; the seeds carry valid ones.
//
// A snapshot that loads must save and load again: whatever LoadSnapshot
// accepts is an index the rest of the library can use.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "procmatch/internal/crc32.h"
#include "procmatch/snapshot.h"
#include "procmatch/supplier_index.h"
#include "tests/fuzz/harness.h"

namespace {

// The format's fixed parts: 8-byte magic, uint32 version, uint32 CRC trailer.
constexpr size_t kPrefixAndTrailer = 8 + 4 + 4;

void FixChecksum(std::string* bytes) {
  const size_t body = bytes->size() - 4;
  const uint32_t crc =
      procmatch::internal::Crc32(absl::string_view(*bytes).substr(0, body));
  for (int i = 0; i < 4; ++i)
    (*bytes)[body + i] = static_cast<char>(crc >> (8 * i));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > procmatch::fuzz::kMaxInputBytes) return 0;
  std::string bytes(reinterpret_cast<const char*>(data), size);
  if (bytes.size() >= kPrefixAndTrailer) FixChecksum(&bytes);
  absl::StatusOr<std::shared_ptr<const procmatch::SupplierIndex>> index =
      procmatch::LoadSnapshot(bytes);
  if (!index.ok()) return 0;
  const std::string saved = procmatch::SaveSnapshot(**index);
  absl::StatusOr<std::shared_ptr<const procmatch::SupplierIndex>> reloaded =
      procmatch::LoadSnapshot(saved);
  if (!reloaded.ok() || (*reloaded)->size() != (*index)->size()) std::abort();
  return 0;
}
