// Index build rate and top-10 query latency at 10k and 100k generated
// suppliers, indexed (Match) against the exhaustive reference in the same
// process. Run:
//   bazel run -c opt //benchmarks:matcher_benchmark -- \
//       --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <map>
#include <memory>
#include <vector>

#include "benchmark/benchmark.h"
#include "procmatch/matcher.h"
#include "procmatch/snapshot.h"
#include "tests/random_corpus.h"

namespace procmatch {
namespace {

const std::vector<v1::SupplierProfile>& Suppliers(int n) {
  static auto* cache = new std::map<int, std::vector<v1::SupplierProfile>>;
  auto it = cache->find(n);
  if (it == cache->end()) {
    it = cache->emplace(n, testing::RandomSuppliers(n, 2026)).first;
  }
  return it->second;
}

std::shared_ptr<const SupplierIndex> Index(int n) {
  static auto* cache = new std::map<int, std::shared_ptr<const SupplierIndex>>;
  auto it = cache->find(n);
  if (it == cache->end()) {
    SupplierIndex::Builder builder;
    for (const auto& s : Suppliers(n)) (void)builder.Add(s);
    it = cache->emplace(n, *std::move(builder).Build()).first;
  }
  return it->second;
}

std::vector<v1::MatchRequest> Requests() {
  std::vector<v1::MatchRequest> requests = testing::RandomRequests(200, 99);
  for (auto& r : requests) {
    r.mutable_options()->set_top_k(10);
    r.mutable_options()->set_include_excluded(false);
  }
  return requests;
}

void BM_Build(benchmark::State& state) {
  const auto& suppliers = Suppliers(state.range(0));
  for (auto _ : state) {
    SupplierIndex::Builder builder;
    for (const auto& s : suppliers) (void)builder.Add(s);
    benchmark::DoNotOptimize(std::move(builder).Build());
  }
  state.SetItemsProcessed(state.iterations() * suppliers.size());
}
BENCHMARK(BM_Build)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);

// Loading a snapshot against building the same index (BM_Build): the
// ratio is what `procmatch index` saves at start-up.
void BM_SnapshotLoad(benchmark::State& state) {
  const std::string bytes = SaveSnapshot(*Index(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(LoadSnapshot(bytes));
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.counters["bytes_per_supplier"] =
      static_cast<double>(bytes.size()) / state.range(0);
}
BENCHMARK(BM_SnapshotLoad)
    ->Arg(10000)
    ->Arg(100000)
    ->Unit(benchmark::kMillisecond);

void BM_SnapshotSave(benchmark::State& state) {
  auto index = Index(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(SaveSnapshot(*index));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_SnapshotSave)
    ->Arg(10000)
    ->Arg(100000)
    ->Unit(benchmark::kMillisecond);

template <bool kIndexed>
void BM_Top10(benchmark::State& state) {
  Matcher matcher(Index(state.range(0)));
  const std::vector<v1::MatchRequest> requests = Requests();
  size_t i = 0;
  for (auto _ : state) {
    const auto& r = requests[i++ % requests.size()];
    benchmark::DoNotOptimize(kIndexed ? matcher.Match(r)
                                      : matcher.MatchExhaustive(r));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_TEMPLATE(BM_Top10, true)
    ->Name("BM_Top10Indexed")
    ->Arg(10000)
    ->Arg(100000)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_TEMPLATE(BM_Top10, false)
    ->Name("BM_Top10Exhaustive")
    ->Arg(10000)
    ->Arg(100000)
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace procmatch
