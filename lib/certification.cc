#include "procmatch/certification.h"

#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "procmatch/text_analyzer.h"

namespace procmatch {

std::string NormalizeScheme(absl::string_view scheme) {
  std::string folded = FoldText(scheme);
  // Editions and years qualify a scheme without changing it.
  for (absl::string_view cut :
       {" ed.", " ed ", " edition", ":", " (", "-ed."}) {
    const size_t at = absl::string_view(folded).find(cut);
    if (at != std::string::npos) folded.resize(at);
  }
  if (absl::EndsWith(folded, " ed")) folded.resize(folded.size() - 3);
  std::string key;
  for (char c : folded) {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) key.push_back(c);
  }
  if (absl::StartsWith(key, "isoiec")) key.erase(3, 3);
  return key;
}

}  // namespace procmatch
