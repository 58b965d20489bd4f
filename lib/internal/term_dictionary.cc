// The vocabulary of an index's analysed terms in one block of characters.
#include "procmatch/internal/term_dictionary.h"

#include <limits>

#include "absl/hash/hash.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "procmatch/internal/heap_bytes.h"

namespace procmatch {
namespace internal {

bool TermDictionary::Fill(const std::vector<absl::string_view>& terms,
                          size_t limit, int64_t* repeated) {
  size_t chars = 0;
  for (absl::string_view t : terms) chars += t.size();
  if (chars >= limit) return false;
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
  *repeated = -1;
  for (uint32_t id = 0; id < terms.size(); ++id) {
    if (!ids_.insert(id).second && *repeated < 0) *repeated = id;
  }
  return true;
}

TermDictionary::TermDictionary(const std::vector<absl::string_view>& terms) {
  int64_t repeated;
  Fill(terms, std::numeric_limits<size_t>::max(), &repeated);
}

absl::StatusOr<TermDictionary> TermDictionary::OfDistinct(
    const std::vector<absl::string_view>& terms) {
  TermDictionary dictionary;
  int64_t repeated;
  // Ids are 32-bit: 2^32 terms or more cannot be numbered.
  if (terms.size() > std::numeric_limits<uint32_t>::max() ||
      !dictionary.Fill(terms, size_t{1} << 32, &repeated)) {
    return absl::InvalidArgumentError(
        "the terms are 2^32 or more, or add up to 4 GiB or more of text");
  }
  if (repeated >= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("term ", repeated, " is a duplicate"));
  }
  return dictionary;
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
