// File: tests/ted_split.h
//
// The split of data/ted/notices_dev.jsonl into training and held-out
// notices, by a hash of the notice id: the same notice always falls on the
// same side, whatever the order or subset of the file. The concept model
// (benchmarks/cpv_concept_model) learns from training notices only; tests
// and figures evaluate on held-out ones only (doc/cross_language.md).
//
// Four folds by FNV-1a 64 of doc_id: fold 0 is held out (about a quarter),
// fold 1 is the development fold weights were tuned on (trained on folds 2
// and 3), folds 1-3 train the bundled model.
#ifndef PROCMATCH_TESTS_TED_SPLIT_H_
#define PROCMATCH_TESTS_TED_SPLIT_H_

#include <cstdint>

#include "absl/strings/string_view.h"

namespace procmatch {
namespace testing {

inline int NoticeFold(absl::string_view doc_id) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : doc_id) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return static_cast<int>(h % 4);
}

inline bool IsHeldOutNotice(absl::string_view doc_id) {
  return NoticeFold(doc_id) == 0;
}

}  // namespace testing
}  // namespace procmatch

#endif  // PROCMATCH_TESTS_TED_SPLIT_H_
