// File: lib/internal/posting_cursor.h
//
// INTERNAL. Looking suppliers up in a posting list in ascending doc order,
// for retrieval's probed lists (doc/scoring.md, "Exact top-k without
// scoring everyone", step 11): each lookup starts where the last one ended,
// so a run of lookups costs the logarithm of the gaps between them rather
// than the list's length.
#ifndef PROCMATCH_LIB_INTERNAL_POSTING_CURSOR_H_
#define PROCMATCH_LIB_INTERNAL_POSTING_CURSOR_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace procmatch {
namespace internal {

// The doc of a posting: plain doc ids, or (doc, weight) pairs.
inline uint32_t DocOf(uint32_t doc) { return doc; }
inline uint32_t DocOf(const std::pair<uint32_t, float>& p) { return p.first; }

// The first position at or after `from` of `list`, ascending by doc, whose
// doc is at least `doc` (list.size() for none): steps doubling from `from`,
// then a binary search between the last two. REQUIRES: from <= list.size().
template <typename Posting>
size_t AdvanceTo(const std::vector<Posting>& list, size_t from, uint32_t doc) {
  size_t lo = from, hi = from, step = 1;
  while (hi < list.size() && DocOf(list[hi]) < doc) {
    lo = hi + 1;
    hi += step;
    step *= 2;
  }
  hi = std::min(hi, list.size());
  // Every doc before lo is below `doc`; list[hi], if any, is not.
  return std::lower_bound(
             list.begin() + lo, list.begin() + hi, doc,
             [](const Posting& p, uint32_t d) { return DocOf(p) < d; }) -
         list.begin();
}

// Ascending lookups in one posting list, which must outlive the cursor.
template <typename Posting>
class PostingCursor {
 public:
  explicit PostingCursor(const std::vector<Posting>* list) : list_(list) {}

  // The first position of `doc` in the list, or -1. REQUIRES: `doc` is not
  // below the doc of the previous call.
  int64_t Find(uint32_t doc) {
    pos_ = AdvanceTo(*list_, pos_, doc);
    return pos_ < list_->size() && DocOf((*list_)[pos_]) == doc
               ? static_cast<int64_t>(pos_)
               : -1;
  }

 private:
  const std::vector<Posting>* list_;
  size_t pos_ = 0;
};

}  // namespace internal
}  // namespace procmatch

#endif  // PROCMATCH_LIB_INTERNAL_POSTING_CURSOR_H_
