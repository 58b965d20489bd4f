// File: lib/internal/term_postings.h
//
// INTERNAL. The term postings of an index: for each analysed term, the docs
// whose text has it with the term's frequency there, ascending by doc. All
// terms' postings lie in one byte array, each posting coded as the gap from
// the previous doc and the frequency, so that a term costs 12 bytes of
// offsets and a posting 1 or 2 bytes for most (8 bytes a pair and a vector a
// term before, issue 16).
//
// Example:
//
//   TermPostingStore postings = TermPostingStore::Build(terms, [&](auto post) {
//     for (uint32_t d = 0; d < docs; ++d) {
//       for (const auto& [term, tf] : doc(d).terms) post(d, term, tf);
//     }
//   });
//   for (const auto& [doc, tf] : postings.List(term)) { ... }
//
// The coding, one posting after the other: a varint (7 bits a byte, low
// bits first) of gap * 4 + (the frequency if 1-3, else 0), the gap being the
// doc minus the previous posting's doc (minus 0 for the first posting); when
// the low two bits are 0, a varint of the frequency follows. Postings are read
// in order only (no skipping): every reader scans whole lists.
//
// A snapshot (format 3, doc/snapshot.md) keeps the store in this form, 8-byte
// aligned, so that a load takes it instead of deriving it (AppendSection
// and FromSection): the terms' starts (uint64, one more at the end), their
// posting counts (uint32, zero-padded to a multiple of 8 bytes), then the
// coded postings. Loaded from a mapped snapshot file, the coded postings
// are read where they lie in it (the starts and counts are copied): checked
// once, on load, and checked again as they are decoded (a doc below the
// store's doc count, a posting inside its list), so that a file changed
// under the mapping stops the process with a message rather than send a
// reader outside its arrays.
//
// Threading: a built TermPostingStore is immutable and safe to read from any
// number of threads.
#ifndef PROCMATCH_LIB_INTERNAL_TERM_POSTINGS_H_
#define PROCMATCH_LIB_INTERNAL_TERM_POSTINGS_H_

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace procmatch {
namespace internal {

// (doc, term frequency).
using TermPosting = std::pair<uint32_t, uint32_t>;

// The coding of a (gap, frequency) pair described above, shared with the
// forward term lists (TermList, supplier_doc.h), whose gaps are between
// term ids.

// The varint at *p, of three bytes or more; moves *p past it.
uint64_t ReadLongerVarint(const uint8_t** p);

// The varint at *p; moves *p past it. One or two bytes inline: at 100k
// generated suppliers 28% of the postings take one byte, 69% two.
inline uint64_t ReadVarint(const uint8_t** p) {
  const uint8_t* q = *p;
  if (q[0] < 0x80) {
    *p = q + 1;
    return q[0];
  }
  if (q[1] < 0x80) {
    *p = q + 2;
    return (q[0] & 0x7fu) | (uint64_t{q[1]} << 7);
  }
  return ReadLongerVarint(p);
}

// The pair at *p: returns the gap and sets *frequency; moves *p past it.
inline uint64_t ReadGapAndFrequency(const uint8_t** p, uint32_t* frequency) {
  const uint64_t gap_and_frequency = ReadVarint(p);
  *frequency = static_cast<uint32_t>(gap_and_frequency & 3);
  if (*frequency == 0) *frequency = static_cast<uint32_t>(ReadVarint(p));
  return gap_and_frequency >> 2;
}

// The bytes the pair takes. REQUIRES: gap < 2^62.
size_t GapAndFrequencyBytes(uint64_t gap, uint32_t frequency);

// Writes the pair at `out`; returns the end of what it wrote.
// REQUIRES: gap < 2^62.
uint8_t* WriteGapAndFrequency(uint64_t gap, uint32_t frequency, uint8_t* out);

// The most bytes reading one posting may touch from its first: two varints
// of ten bytes. A list whose bytes changed after it was checked may be read
// that far past its end before the reader finds it out (FromSection).
inline constexpr size_t kMaxPostingBytes = 20;

// Stops the process, saying that a posting list read from a snapshot file no
// longer holds what was checked on load (the file was changed in place while
// mapped). Never returns.
[[noreturn]] void PostingsChangedSinceLoad();

// The postings of one term, decoded as they are iterated; a view into its
// TermPostingStore, valid as long as that is.
class TermPostingList {
 public:
  using value_type = TermPosting;
  // Iterates the (doc, frequency) pairs by doc, by value.
  class const_iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = TermPosting;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = value_type;

    value_type operator*() const { return {doc_, frequency_}; }
    const_iterator& operator++() {
      at_ = next_;
      if (at_ != end_) Decode();
      return *this;
    }
    bool operator==(const const_iterator& o) const { return at_ == o.at_; }
    bool operator!=(const const_iterator& o) const { return at_ != o.at_; }

   private:
    friend class TermPostingList;
    const_iterator(const uint8_t* at, const uint8_t* end, uint64_t docs)
        : at_(at), end_(end), docs_(docs) {
      if (at_ != end_) Decode();
    }
    // Reads the posting at at_: its doc and frequency, and where the next
    // begins. The bounds hold for every list the store was made with
    // (FromSection checked them): they fail only for bytes changed since,
    // under a mapped file.
    void Decode() {
      const uint8_t* p = at_;
      const uint64_t doc = doc_ + ReadGapAndFrequency(&p, &frequency_);
      if (doc >= docs_ || p > end_) PostingsChangedSinceLoad();
      doc_ = static_cast<uint32_t>(doc);
      next_ = p;
    }

    const uint8_t* at_;
    const uint8_t* end_;
    uint64_t docs_;  // No doc reaches it.
    const uint8_t* next_ = nullptr;
    uint32_t doc_ = 0;
    uint32_t frequency_ = 0;
  };

  TermPostingList() = default;

  // The number of docs (the term's document frequency).
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const_iterator begin() const { return const_iterator(begin_, end_, docs_); }
  const_iterator end() const { return const_iterator(end_, end_, docs_); }

 private:
  friend class TermPostingStore;
  TermPostingList(const uint8_t* begin, const uint8_t* end, size_t size,
                  uint64_t docs)
      : begin_(begin), end_(end), size_(size), docs_(docs) {}

  const uint8_t* begin_ = nullptr;
  const uint8_t* end_ = nullptr;
  size_t size_ = 0;
  uint64_t docs_ = 0;
};

// The postings of every term of an index, by term id. Built once, then
// immutable; copying copies the arrays, or shares the mapped file a loaded
// store reads its postings from.
class TermPostingStore {
 public:
  TermPostingStore() = default;

  // The postings of terms 0 to `terms` - 1. `for_each_posting(post)` calls
  // `post(doc, term, frequency)` for every posting, docs in ascending order
  // (a doc's terms in any order, each once); it is called twice, and must
  // give the same postings both times. REQUIRES: term < `terms`.
  template <typename ForEachPosting>
  static TermPostingStore Build(size_t terms, ForEachPosting for_each_posting) {
    TermPostingStore postings(terms);
    for_each_posting(
        [&postings](uint32_t doc, uint32_t term, uint32_t frequency) {
          postings.Count(doc, term, frequency);
        });
    postings.Allocate();
    for_each_posting(
        [&postings](uint32_t doc, uint32_t term, uint32_t frequency) {
          postings.Write(doc, term, frequency);
        });
    postings.Finish();
    return postings;
  }

  // Appends the store to `out` as a snapshot keeps it (above), term i being
  // this store's term order[i]: SectionSize() bytes, written where they go
  // (a copy of a section is a copy of a tenth of the file). REQUIRES:
  // `order` is a permutation of the term ids.
  void AppendSection(const std::vector<uint32_t>& order,
                     std::string* out) const;
  size_t SectionSize() const;

  // The store a section (AppendSection) of `terms` terms and `docs` docs holds,
  // checked in one pass over it so that no crafted bytes can crash or hang a
  // reader: starts rising to the end of the postings, each posting's varints
  // terminated inside its term's list, docs ascending and below `docs`,
  // frequencies from 1 to 2^32 - 1, and each list holding exactly its count.
  // Not checked: that the postings agree with the docs' own terms. Errors
  // (DataLoss) name the term, the posting and the problem, the first in
  // term order. With a `file` that holds `section`'s bytes (a mapped
  // snapshot), the coded postings are read where they lie, and the store
  // (and its copies) keep `file`; without, they are copied. REQUIRES: with a
  // `file`, kMaxPostingBytes after the section's end are readable.
  static absl::StatusOr<TermPostingStore> FromSection(
      absl::string_view section, size_t terms, uint64_t docs,
      std::shared_ptr<const void> file = nullptr);

  // The number of terms.
  size_t size() const { return sizes_.size(); }
  // What its arrays allocated, in bytes (memory accounting): postings read
  // from a mapped file are not counted (MappedBytes).
  size_t AllocatedBytes() const {
    return starts_.capacity() * sizeof(uint64_t) +
           sizes_.capacity() * sizeof(uint32_t) + bytes_.capacity() +
           last_doc_.capacity() * sizeof(uint32_t);
  }
  // The bytes of coded postings read from a mapped file (0 when built or
  // copied).
  size_t MappedBytes() const { return MappedPostings().size(); }
  // The coded postings read from a mapped file (empty when built or copied).
  absl::string_view MappedPostings() const {
    return file_ == nullptr
               ? absl::string_view()
               : absl::string_view(reinterpret_cast<const char*>(mapped_),
                                   coded_size_);
  }
  // REQUIRES: term < size().
  TermPostingList List(uint32_t term) const {
    const uint8_t* coded = this->coded();
    return TermPostingList(coded + starts_[term], coded + starts_[term + 1],
                           sizes_[term], docs_);
  }

 private:
  explicit TermPostingStore(size_t terms);
  // Build's first pass: sizes the term's postings. starts_[term + 1] holds
  // the term's byte count and last_doc_ its last doc meanwhile.
  void Count(uint32_t doc, uint32_t term, uint32_t frequency);
  // Between the passes: the byte array, and each term's start.
  void Allocate();
  // Build's second pass: codes the posting; starts_[term + 1] is where the
  // term's next posting goes meanwhile.
  void Write(uint32_t doc, uint32_t term, uint32_t frequency);
  // After the second pass: drops the scratch.
  void Finish();

  // The coded postings: bytes_, or the mapped file's bytes.
  const uint8_t* coded() const {
    return file_ != nullptr ? mapped_ : bytes_.data();
  }

  std::vector<uint64_t> starts_;  // Into coded(), by term; one more at the end.
  std::vector<uint32_t> sizes_;   // Postings, by term.
  std::vector<uint8_t> bytes_;    // Built or copied here, else empty ...
  std::shared_ptr<const void> file_;  // ... and the mapped file held ...
  const uint8_t* mapped_ = nullptr;   // ... with the postings there, ...
  size_t coded_size_ = 0;             // ... of this many bytes.
  // A bound on the docs, above every doc of a list (FromSection's `docs`;
  // 2^32 for a built store, whose lists are not read from a file).
  uint64_t docs_ = uint64_t{1} << 32;
  std::vector<uint32_t> last_doc_;  // While building.
};

}  // namespace internal
}  // namespace procmatch

#endif  // PROCMATCH_LIB_INTERNAL_TERM_POSTINGS_H_
