// File: lib/internal/term_dictionary.h
//
// INTERNAL. The vocabulary of an index's analysed terms, numbered 0 to
// size() - 1: the terms' characters one after the other in one block, where
// each term ends, and a hash set of term ids that finds a term's id from its
// text. About 14 bytes a term beside its characters (a 4-byte end, and a
// 4-byte id and a control byte a slot at half to seven eighths full), where
// an absl::flat_hash_map<std::string, uint32_t> took 41 bytes a slot and a
// heap block for each term longer than 15 bytes: 108 bytes a generated
// supplier at 100k (issue 16).
//
// Example:
//
//   TermDictionary vocabulary({"drone", "security"});
//   vocabulary.Find("security");  // 1
//   vocabulary.Find("radar");     // -1
//   vocabulary.term(0);           // "drone"
//
//   // A vocabulary read from a file, where a term may repeat:
//   absl::StatusOr<TermDictionary> read = TermDictionary::OfDistinct(terms);
//
// Threading: immutable once made; safe to read from any number of threads.
#ifndef PROCMATCH_LIB_INTERNAL_TERM_DICTIONARY_H_
#define PROCMATCH_LIB_INTERNAL_TERM_DICTIONARY_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace procmatch {
namespace internal {

class TermDictionary {
 public:
  TermDictionary() = default;
  // Term i of `terms` gets id i. REQUIRES: no term twice; together under
  // 4 GiB.
  explicit TermDictionary(const std::vector<absl::string_view>& terms);
  // Term i of `terms` gets id i, checked: an InvalidArgument error names
  // the first term that repeats an earlier one, or says that the terms are
  // 2^32 or more or add up to 4 GiB or more. For a vocabulary read from a file
  // (a snapshot's), made without hashing each term twice.
  static absl::StatusOr<TermDictionary> OfDistinct(
      const std::vector<absl::string_view>& terms);
  // Moves keep the blocks the set's functors point into; a copy would not.
  TermDictionary(TermDictionary&&) = default;
  TermDictionary& operator=(TermDictionary&&) = default;
  TermDictionary(const TermDictionary&) = delete;
  TermDictionary& operator=(const TermDictionary&) = delete;

  // The id of `term`, or -1.
  int64_t Find(absl::string_view term) const;
  // REQUIRES: id < size().
  absl::string_view term(uint32_t id) const {
    return Texts{chars_.data(), ends_.data()}(id);
  }
  size_t size() const { return ends_.size(); }
  // What its blocks take, in bytes (memory accounting).
  size_t AllocatedBytes() const;

 private:
  // Where the terms' texts are, for the set's functors: the vectors'
  // blocks, which moving the vocabulary keeps.
  struct Texts {
    const char* chars = nullptr;
    const uint32_t* ends = nullptr;
    absl::string_view operator()(uint32_t id) const {
      const uint32_t begin = id == 0 ? 0 : ends[id - 1];
      return absl::string_view(chars + begin, ends[id] - begin);
    }
  };
  // Hashes an id as its term's text, and a text as itself.
  struct Hash {
    using is_transparent = void;
    size_t operator()(uint32_t id) const;
    size_t operator()(absl::string_view text) const;
    Texts texts;
  };
  struct Eq {
    using is_transparent = void;
    // By text, so that inserting an id whose term an earlier id has finds
    // that one (OfDistinct's check).
    bool operator()(uint32_t a, uint32_t b) const {
      return a == b || texts(a) == texts(b);
    }
    bool operator()(uint32_t id, absl::string_view text) const {
      return texts(id) == text;
    }
    bool operator()(absl::string_view text, uint32_t id) const {
      return texts(id) == text;
    }
    Texts texts;
  };

  // Numbers `terms` in order, under `limit` characters in all; the first
  // id whose term repeats an earlier one, or -1 when none does. False when
  // the characters reach the limit.
  bool Fill(const std::vector<absl::string_view>& terms, size_t limit,
            int64_t* repeated);

  std::vector<char> chars_;
  std::vector<uint32_t> ends_;  // Term i ends at chars_[ends_[i]].
  absl::flat_hash_set<uint32_t, Hash, Eq> ids_;
};

}  // namespace internal
}  // namespace procmatch

#endif  // PROCMATCH_LIB_INTERNAL_TERM_DICTIONARY_H_
