// Fuzzes procmatch::LoadSnapshot past its checksums: the harness rewrites
// the header's and every section's CRC-32 (formats 2 and 3, doc/snapshot.md)
// to match the bytes they cover, so that mutated sections reach the
// structural checks (section table, item ends, header counts, vocabulary
// order, term ids, stored concepts, profiles, stored term postings) instead
// of stopping at "checksum mismatch". The magic number and format version are
// left to the fuzzer; the seeds carry valid ones.
//
// A snapshot that loads must save and load again: whatever LoadSnapshot
// accepts is an index the rest of the library can use. And each doc of it
// must read back what it was restored from (the twins of
// tests/doc_readback.h, an abort() on a difference): its coded contracts
// the past contracts of its stored profile, field for field, and its coded
// term list, from the stored terms, the frequency of each term it lists (and
// 0 beside them) when asked by id. Its term postings, read as matching reads
// them, hold what the structural checks promise: docs ascending below the
// index's size, frequencies above 0, as many as each list says.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "procmatch/internal/index_data.h"
#include "procmatch/internal/snapshot_layout.h"
#include "procmatch/snapshot.h"
#include "procmatch/supplier_index.h"
#include "tests/doc_readback.h"
#include "tests/fuzz/harness.h"

namespace {

[[noreturn]] void Fail(const char* what, const std::string& difference) {
  std::fprintf(stderr, "snapshot fuzzer: %s: %s\n", what, difference.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > procmatch::fuzz::kMaxInputBytes) return 0;
  std::string bytes(reinterpret_cast<const char*>(data), size);
  procmatch::internal::ResealSnapshot(&bytes);
  absl::StatusOr<std::shared_ptr<const procmatch::SupplierIndex>> index =
      procmatch::LoadSnapshot(bytes);
  if (!index.ok()) return 0;
  const procmatch::internal::IndexData& restored =
      procmatch::internal::IndexAccess::Data(**index);
  for (int d = 0; d < static_cast<int>((*index)->size()); ++d) {
    const procmatch::internal::SupplierDoc& doc = restored.doc(d);
    std::string difference =
        procmatch::testing::ContractsDifference(doc.Profile(), doc.contracts);
    if (!difference.empty()) {
      Fail("a contract reads back otherwise", difference);
    }
    difference = procmatch::testing::TermListDifference(doc.terms);
    if (!difference.empty()) {
      Fail("a term list reads back otherwise", difference);
    }
  }
  const size_t terms = restored.Vocabulary().size();
  for (uint32_t t = 0; t < terms; ++t) {
    const procmatch::internal::TermPostingList list = restored.TermPostings(t);
    size_t count = 0;
    int64_t previous = -1;
    for (const auto& [doc, frequency] : list) {
      if (static_cast<int64_t>(doc) <= previous ||
          doc >= static_cast<uint32_t>((*index)->size()) || frequency == 0) {
        Fail("a term posting is out of range",
             "term " + std::to_string(t) + ", doc " + std::to_string(doc));
      }
      previous = doc;
      ++count;
    }
    if (count != list.size()) {
      Fail("a term's postings are not as many as it says",
           "term " + std::to_string(t));
    }
  }
  const std::string saved = procmatch::SaveSnapshot(**index);
  absl::StatusOr<std::shared_ptr<const procmatch::SupplierIndex>> reloaded =
      procmatch::LoadSnapshot(saved);
  if (!reloaded.ok() || (*reloaded)->size() != (*index)->size()) std::abort();
  return 0;
}
