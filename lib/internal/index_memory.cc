// IndexData::CountMemory: the heap an index holds, by part, from sizes and
// capacities (issue 16), each block as lib/internal/heap_bytes.h counts it.
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "procmatch/internal/heap_bytes.h"
#include "procmatch/internal/index_data.h"
#include "procmatch/internal/supplier_doc.h"

namespace procmatch {
namespace internal {
namespace {

// A std::string's heap: none while it fits inline (15 characters).
int64_t Heap(const std::string& s) {
  return s.capacity() > 15 ? HeapBlockBytes(s.capacity() + 1) : 0;
}

template <typename T>
int64_t Heap(const std::vector<T>& v) {
  return HeapBlockBytes(v.capacity() * sizeof(T));
}

// An Abseil flat_hash_map's one block, and `value`'s heap of each entry.
template <typename K, typename V, typename ValueHeap>
int64_t Heap(const absl::flat_hash_map<K, V>& map, ValueHeap value) {
  using Slot = std::pair<const K, V>;
  int64_t bytes = HeapBlockBytes(
      HashTableBytes(map.capacity(), sizeof(Slot), alignof(Slot)));
  for (const auto& [key, v] : map) bytes += value(key, v);
  return bytes;
}

int64_t KeyHeap(const std::string& key) { return Heap(key); }
int64_t KeyHeap(CpvCode) { return 0; }

template <typename K, typename V>
int64_t MapOfVectors(const absl::flat_hash_map<K, std::vector<V>>& map) {
  return Heap(map, [](const K& key, const std::vector<V>& v) {
    return KeyHeap(key) + Heap(v);
  });
}

}  // namespace

IndexData::MemoryUsage IndexData::CountMemory() const {
  // The doc's parts, summed over the docs.
  int64_t record = 0, parts = 0, rarely_set = 0, levels = 0, contracts = 0,
          terms = 0;
  MemoryUsage usage;
  for (const std::shared_ptr<const SupplierDoc>& shared : docs_) {
    const SupplierDoc& d = *shared;
    // std::make_shared: the doc beside its count block (a vtable pointer
    // and two counts).
    record += HeapBlockBytes(sizeof(SupplierDoc) + 16);
    parts += HeapBlockBytes(d.parts.AllocatedBytes());
    rarely_set += HeapBlockBytes(d.rarely_set.AllocatedBytes());
    levels += HeapBlockBytes(d.capability_levels.AllocatedBytes());
    contracts += HeapBlockBytes(d.contracts.AllocatedBytes());
    terms += HeapBlockBytes(d.terms.AllocatedBytes());
    usage.profile_bytes += d.profile_bytes.view().size();
  }
  usage.parts = {
      {"doc records (SupplierDoc and its shared_ptr count)", record},
      {"ids, names, offered CPV codes (BCD forms), capability tags and CPV "
       "concepts",
       parts},
      {"alternative names, clearances, cleared staff, certificates and "
       "languages",
       rarely_set},
      {"capability levels", levels},
      {"past contracts", contracts},
      {"forward term lists", terms},
      {"doc pointers", Heap(docs_)},
      {"vocabulary",
       HeapBlockBytes(
           vocabulary_.AllocatedBytes())},  // Three blocks, near enough.
      {"CPV postings (any and offered)",
       MapOfVectors(cpv_postings_) + MapOfVectors(offered_cpv_postings_)},
      {"term postings",
       HeapBlockBytes(
           term_postings_.AllocatedBytes())},  // Four blocks, near enough.
      {"tag, certification and buyer postings",
       MapOfVectors(tag_postings_) + MapOfVectors(certification_postings_) +
           MapOfVectors(buyer_postings_)},
      {"concept postings", Heap(concept_postings_,
                                [](CpvCode, const ConceptPostingList& list) {
                                  return Heap(list.postings) + Heap(list.marks);
                                })},
      {"per-supplier columns and locations",
       Heap(lengths_) + Heap(location_ids_) + Heap(locations_) +
           Heap(location_starts_) + Heap(location_docs_) + Heap(turnovers_) +
           Heap(track_ceilings_) + Heap(buyer_ceilings_) +
           Heap(contract_dates_) + Heap(contract_divisions_) +
           Heap(offered_divisions_) + Heap(turnover_currencies_) +
           Heap(currency_ids_,
                [](const std::string& key, int32_t) { return Heap(key); })},
  };
  for (const MemoryPart& part : usage.parts) usage.heap_bytes += part.bytes;
  usage.mapped_bytes = static_cast<int64_t>(term_postings_.MappedBytes());
  return usage;
}

}  // namespace internal
}  // namespace procmatch
