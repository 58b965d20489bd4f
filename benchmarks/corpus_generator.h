// File: benchmarks/corpus_generator.h
//
// Seeded supplier profiles at any size, shaped by real data: CPV codes drawn
// with the frequencies seen in data/ted/notices_dev.jsonl, capability and
// past-contract texts taken from the real notice titles and texts (in their
// languages) and CPV labels, NUTS 2021 level-3 regions from the real list,
// plausible sizes, certifications and clearances. Tenders are the real
// notices. The same seed and size give the same profiles.
#ifndef PROCMATCH_BENCHMARKS_CORPUS_GENERATOR_H_
#define PROCMATCH_BENCHMARKS_CORPUS_GENERATOR_H_

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "procmatch/v1/match.pb.h"
#include "procmatch/v1/supplier.pb.h"

namespace procmatch {

class CorpusGenerator {
 public:
  // Reads the real notices and the NUTS list (paths in the data tree).
  static absl::StatusOr<CorpusGenerator> FromData(
      const std::string& notices_jsonl, const std::string& nuts_tsv);

  std::vector<v1::SupplierProfile> Suppliers(int n, uint32_t seed) const;

  // One request per real notice with CPV codes or text (awards removed),
  // top-10, as of the notice's publication date.
  const std::vector<v1::MatchRequest>& Requests() const { return requests_; }

 private:
  struct Snippet {
    std::string text;
    std::string language;
    std::vector<std::string> cpv;
  };
  CorpusGenerator() = default;

  std::vector<std::string> codes_;  // Every CPV occurrence: sampling
                                    // an index samples by frequency.
  std::vector<Snippet> snippets_;   // Real titles and texts.
  std::vector<std::string> nuts3_;  // NUTS 2021 level 3.
  std::vector<v1::MatchRequest> requests_;
};

}  // namespace procmatch

#endif  // PROCMATCH_BENCHMARKS_CORPUS_GENERATOR_H_
