// File: lib/internal/stop_words.h
//
// INTERNAL. Stop words for the 24 official EU languages, by ISO 639-1 code:
// words so common in any text that matching them says nothing. The text
// analyser drops them before stemming (they are compared lower-cased, not
// accent-folded).
//
// Sources (tools/gen_stop_words.py regenerates stop_words_data.inc):
// - Snowball's lists (BSD licence, as PostgreSQL and NLTK ship them) for
//   da de en es fi fr hu it nl pt sv;
// - stopwords-iso 1.1.0 (MIT licence) for bg cs el et ga hr lt lv pl ro sk sl,
//   the EU languages Snowball has no list for;
// - a few procmatch additions for en fr nl de (the earlier hand lists).
// Maltese has no list.
#ifndef PROCMATCH_LIB_INTERNAL_STOP_WORDS_H_
#define PROCMATCH_LIB_INTERNAL_STOP_WORDS_H_

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"

namespace procmatch {
namespace internal {

// Language code -> its stop words. Built once; thread-safe.
const absl::flat_hash_map<std::string, absl::flat_hash_set<std::string>>&
StopWordLists();

}  // namespace internal
}  // namespace procmatch

#endif  // PROCMATCH_LIB_INTERNAL_STOP_WORDS_H_
