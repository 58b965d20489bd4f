#include "procmatch/internal/stop_words.h"

#include <utility>

#include "absl/strings/str_split.h"

namespace procmatch {
namespace internal {

const absl::flat_hash_map<std::string, absl::flat_hash_set<std::string>>&
StopWordLists() {
  static const auto* lists = [] {
    static constexpr std::pair<const char*, const char*> kLists[] = {
#include "lib/internal/stop_words_data.inc"
    };
    auto* m =
        new absl::flat_hash_map<std::string, absl::flat_hash_set<std::string>>;
    for (const auto& [language, words] : kLists) {
      auto& set = (*m)[language];
      for (absl::string_view w :
           absl::StrSplit(words, ' ', absl::SkipEmpty())) {
        set.insert(std::string(w));
      }
    }
    return m;
  }();
  return *lists;
}

}  // namespace internal
}  // namespace procmatch
