// The vocabulary of an index's analysed terms in one block of characters.
#include "procmatch/internal/term_dictionary.h"

#include "absl/hash/hash.h"
#include "procmatch/internal/heap_bytes.h"

namespace procmatch {
namespace internal {

TermDictionary::TermDictionary(const std::vector<absl::string_view>& terms) {
  size_t chars = 0;
  for (absl::string_view t : terms) chars += t.size();
  chars_.reserve(chars);
  ends_.reserve(terms.size());
  for (absl::string_view t : terms) {
    chars_.insert(chars_.end(), t.begin(), t.end());
    ends_.push_back(static_cast<uint32_t>(chars_.size()));
  }
  // Only now are the blocks where they stay.
  const Texts texts{chars_.data(), ends_.data()};
  ids_ = absl::flat_hash_set<uint32_t, Hash, Eq>(terms.size(), Hash{texts},
                                                 Eq{texts});
  for (uint32_t id = 0; id < terms.size(); ++id) ids_.insert(id);
}

size_t TermDictionary::Hash::operator()(uint32_t id) const {
  return absl::Hash<absl::string_view>()(texts(id));
}

size_t TermDictionary::Hash::operator()(absl::string_view text) const {
  return absl::Hash<absl::string_view>()(text);
}

int64_t TermDictionary::Find(absl::string_view term) const {
  const auto it = ids_.find(term);
  return it == ids_.end() ? int64_t{-1} : static_cast<int64_t>(*it);
}

size_t TermDictionary::AllocatedBytes() const {
  return chars_.capacity() + ends_.capacity() * sizeof(uint32_t) +
         HashTableBytes(ids_.capacity(), sizeof(uint32_t), alignof(uint32_t));
}

}  // namespace internal
}  // namespace procmatch
