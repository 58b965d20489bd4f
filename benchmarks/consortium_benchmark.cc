// Consortium proposals at scale: the bundled six-package EDF-style call
// (data/sample/edf_call.jsonl: at most 8 members, top 5 proposals, 20
// candidates per package, no TRL minimums) over 10k and 100k generated
// suppliers (corpus_generator.h), on one thread, with the call's
// funding-rate preference and without it (the baseline, same process).
// Target: under 1 s at 100k.
//
//   bazel run -c opt //benchmarks:consortium_benchmark -- \
//       --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <algorithm>
#include <map>
#include <memory>
#include <string>

#include "benchmark/benchmark.h"
#include "benchmarks/corpus_generator.h"
#include "procmatch/consortium.h"
#include "procmatch/record_io.h"

namespace procmatch {
namespace {

std::shared_ptr<const SupplierIndex> IndexOf(int n) {
  static auto* cache = new std::map<int, std::shared_ptr<const SupplierIndex>>;
  auto it = cache->find(n);
  if (it != cache->end()) return it->second;
  auto gen = CorpusGenerator::FromData("data/ted/notices_dev.jsonl",
                                       "data/nuts/nuts2021_lvl3.tsv");
  if (!gen.ok()) return nullptr;
  SupplierIndex::Builder builder;
  for (auto& s : gen->Suppliers(n, 20261129)) {
    if (!builder.Add(std::move(s)).ok()) return nullptr;
  }
  auto index = std::move(builder).Build();
  if (!index.ok()) return nullptr;
  return (*cache)[n] = *index;
}

v1::ConsortiumRequest SampleRequest() {
  v1::ConsortiumRequest r;
  absl::StatusOr<std::string> content =
      ReadFileOrStdin("data/sample/edf_call.jsonl");
  if (!content.ok()) return r;
  ReadRecords<v1::Call>(
      "edf_call.jsonl", *content, RecordFormat::kJsonLines,
      [&](int, v1::Call c) { *r.mutable_call() = std::move(c); },
      [](absl::Status) {})
      .IgnoreError();
  r.set_request_id("bench");
  r.set_max_proposals(5);
  r.set_candidates_per_work_package(20);
  r.mutable_call()->mutable_rules()->set_max_members(8);
  // The generated profiles state technology readiness for few CPV codes;
  // without this, some packages have no candidate and nothing is searched.
  for (v1::WorkPackage& wp : *r.mutable_call()->mutable_work_packages()) {
    wp.set_min_technology_readiness(0);
  }
  return r;
}

// The preference the call weighs: 0 = none (the baseline: match scores
// only), 1 = the bundled call's art. 13(3) funding-rate increase.
void BM_Consortium(benchmark::State& state) {
  std::shared_ptr<const SupplierIndex> index = IndexOf(state.range(0));
  if (index == nullptr) {
    state.SkipWithError("cannot build the corpus (run from the workspace)");
    return;
  }
  ConsortiumBuilder builder(index);
  v1::ConsortiumRequest request = SampleRequest();
  if (state.range(1) == 0) request.mutable_call()->clear_funding_rate();
  int64_t nodes = 0, proposals = 0, fewest = 0;
  for (auto _ : state) {
    absl::StatusOr<v1::ConsortiumResponse> r = builder.Propose(request);
    if (!r.ok()) {
      state.SkipWithError(std::string(r.status().message()).c_str());
      return;
    }
    nodes = r->search_nodes();
    proposals = r->proposals_size();
    fewest = *std::min_element(r->candidates_per_work_package().begin(),
                               r->candidates_per_work_package().end());
    benchmark::DoNotOptimize(r);
  }
  state.counters["search_nodes"] = nodes;
  state.counters["proposals"] = proposals;
  state.counters["fewest_candidates"] = fewest;
}
BENCHMARK(BM_Consortium)
    ->ArgNames({"suppliers", "funding_rate"})
    ->Args({10000, 0})
    ->Args({10000, 1})
    ->Args({100000, 0})
    ->Args({100000, 1})
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace procmatch
