// File: tests/merged_concepts_twin.h
//
// The brute-force twin of CpvConcepts::MergedConceptsOfTerms (a supplier's
// concepts in one call over its languages), shared by the tests that
// compare the two (tests/concept_ranking_test.cc on random profiles,
// tests/fuzz/text_fuzzer.cc on hostile text).
//
// The twin reaches the private TopConceptsByDefinition through the caller's
// peer class (each test binary declares its own CpvConceptsPeer, the friend
// of CpvConcepts), so it is a template over the peer:
//
//   const std::vector<Concept> expected =
//       MergedConceptsByDefinition<CpvConceptsPeer>(concepts, parts,
//                                                   CpvConcepts::kMaxConcepts,
//                                                   0.1);
#ifndef PROCMATCH_TESTS_MERGED_CONCEPTS_TWIN_H_
#define PROCMATCH_TESTS_MERGED_CONCEPTS_TWIN_H_

#include <algorithm>
#include <map>
#include <vector>

#include "absl/strings/string_view.h"
#include "procmatch/cpv.h"
#include "procmatch/cpv_concepts.h"

namespace procmatch {

// The index of `language` in kConceptLanguages (exactly: "fr", not "FR"),
// as CpvConcepts resolves a part's language; -1 for none.
inline int ConceptLanguageIndex(absl::string_view language) {
  for (int l = 0; l < kConceptLanguageCount; ++l) {
    if (language == kConceptLanguages[l]) return l;
  }
  return -1;
}

// The concepts of a text in several languages by definition: each part's
// concepts by the brute-force twins (Peer::TopConceptsByDefinition), no part
// of a language ConceptLanguageIndex does not know, each code at its largest
// weight, all sorted strongest first (ties: the lower code), the first
// `max_concepts` kept. Peer provides
//   static std::vector<Concept> TopConceptsByDefinition(
//       const CpvConcepts&, const std::vector<std::string>& terms, int l,
//       int max_concepts, double min_weight, bool labels_only);
template <typename Peer>
std::vector<Concept> MergedConceptsByDefinition(
    const CpvConcepts& concepts,
    const std::vector<CpvConcepts::LanguageTerms>& parts, int max_concepts,
    double min_weight) {
  std::map<CpvCode, double> largest;
  for (const CpvConcepts::LanguageTerms& part : parts) {
    const int l = ConceptLanguageIndex(part.language);
    if (l < 0) continue;
    for (const Concept& c : Peer::TopConceptsByDefinition(
             concepts, *part.terms, l, max_concepts, min_weight, false)) {
      double& w = largest.try_emplace(c.code, c.weight).first->second;
      w = std::max(w, c.weight);
    }
  }
  std::vector<Concept> out;
  for (const auto& [code, weight] : largest) out.push_back({code, weight});
  std::sort(out.begin(), out.end(), [](const Concept& a, const Concept& b) {
    return a.weight > b.weight || (a.weight == b.weight && a.code < b.code);
  });
  if (out.size() > static_cast<size_t>(std::max(0, max_concepts))) {
    out.resize(std::max(0, max_concepts));
  }
  return out;
}

}  // namespace procmatch

#endif  // PROCMATCH_TESTS_MERGED_CONCEPTS_TWIN_H_
