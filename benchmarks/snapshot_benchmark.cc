// Building an index against loading its snapshot, in one process: the
// ratio issue 16 asks for (load >= 10x faster than build) without the rest
// of the scale benchmark around it. Suppliers are generated from the real
// notices (corpus_generator.h); the snapshot is written to a file once and
// loaded from it (LoadSnapshotFile, mapped, in the page cache), as a
// service starts. Each benchmark runs on 1 and on 2 build threads.
//
//   bazel run -c opt //benchmarks:snapshot_benchmark -- \
//       --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//
// The suppliers per second of each row are in its counters; the ratio is
// BM_Build's time over BM_LoadFile's at the same size and threads, and the
// concept layer's share of a build BM_Build's over BM_BuildWithoutConcepts'.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "benchmarks/corpus_generator.h"
#include "procmatch/cpv_concepts.h"
#include "procmatch/snapshot.h"
#include "procmatch/supplier_index.h"

namespace procmatch {
namespace {

const std::vector<v1::SupplierProfile>& SuppliersOf(int n) {
  static auto* cache = new std::map<int, std::vector<v1::SupplierProfile>>;
  auto it = cache->find(n);
  if (it != cache->end()) return it->second;
  auto gen = CorpusGenerator::FromData("data/ted/notices_dev.jsonl",
                                       "data/nuts/nuts2021_lvl3.tsv");
  if (!gen.ok()) {
    std::fprintf(stderr, "%s\n", gen.status().ToString().c_str());
    std::exit(1);
  }
  std::vector<v1::SupplierProfile> suppliers = gen->Suppliers(n, 20261129);
  // Models built at first use are not a build's cost: a one-off per process
  // (and, for the concept layer, per language), which a service pays once
  // at start. Every concept language's links first (a 1,000-supplier build
  // alone left some of them to be built inside the timed builds: 153 M
  // instructions of a 10k build, session 16), then one small build for the
  // rest.
  static bool warm = [&] {
    for (const char* language : kConceptLanguages) {
      (void)CpvConcepts::Builtin().TermIds(language);
    }
    SupplierIndex::Builder builder;
    for (int i = 0; i < 1000 && i < n; ++i) (void)builder.Add(suppliers[i]);
    return std::move(builder).Build().ok();
  }();
  (void)warm;
  return (*cache)[n] = std::move(suppliers);
}

Options WithThreads(int threads) {
  Options options;
  options.build_threads = threads;
  return options;
}

std::shared_ptr<const SupplierIndex> Build(
    const std::vector<v1::SupplierProfile>& suppliers, const Options& options) {
  SupplierIndex::Builder builder(options);
  for (const v1::SupplierProfile& s : suppliers) {
    if (!builder.Add(s).ok()) return nullptr;
  }
  absl::StatusOr<std::shared_ptr<const SupplierIndex>> index =
      std::move(builder).Build();
  return index.ok() ? *std::move(index) : nullptr;
}

// The snapshot file of n suppliers, written once per process.
const std::string& SnapshotPathOf(int n) {
  static auto* cache = new std::map<int, std::string>;
  auto it = cache->find(n);
  if (it != cache->end()) return it->second;
  std::shared_ptr<const SupplierIndex> index =
      Build(SuppliersOf(n), WithThreads(0));
  if (index == nullptr) {
    std::fprintf(stderr, "building %d suppliers failed\n", n);
    std::exit(1);
  }
  const char* tmp = std::getenv("TMPDIR");
  std::string path = absl::StrCat(tmp != nullptr ? tmp : "/tmp",
                                  "/snapshot_benchmark_", getpid(), "_", n);
  const std::string bytes = SaveSnapshot(*index);
  std::ofstream(path, std::ios::binary)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  static bool registered = [] {
    std::atexit([] {
      for (const auto& [n, path] : *cache) std::remove(path.c_str());
    });
    return true;
  }();
  (void)registered;
  return (*cache)[n] = std::move(path);
}

// The suppliers are copied into the builder: the copy is the caller's cost
// when it keeps its profiles, as a service rebuilding from its store does.
void BuildEachIteration(benchmark::State& state, const Options& options) {
  const int n = static_cast<int>(state.range(0));
  const std::vector<v1::SupplierProfile>& suppliers = SuppliersOf(n);
  for (auto _ : state) {
    std::shared_ptr<const SupplierIndex> index = Build(suppliers, options);
    if (index == nullptr) state.SkipWithError("build failed");
    benchmark::DoNotOptimize(index);
  }
  state.counters["suppliers/s"] = benchmark::Counter(
      static_cast<double>(n) * state.iterations(), benchmark::Counter::kIsRate);
}

void BM_Build(benchmark::State& state) {
  BuildEachIteration(state, WithThreads(static_cast<int>(state.range(1))));
}

// The same without the CPV concept layer (Options::cpv_concepts = false):
// the layer's share of a build is BM_Build's time over this one's.
void BM_BuildWithoutConcepts(benchmark::State& state) {
  Options options = WithThreads(static_cast<int>(state.range(1)));
  options.cpv_concepts = false;
  BuildEachIteration(state, options);
}

void BM_LoadFile(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const Options options = WithThreads(static_cast<int>(state.range(1)));
  const std::string& path = SnapshotPathOf(n);
  for (auto _ : state) {
    auto index = LoadSnapshotFile(path, options);
    if (!index.ok() || (*index)->size() != static_cast<size_t>(n)) {
      state.SkipWithError("load failed");
    }
    benchmark::DoNotOptimize(index);
  }
  state.counters["suppliers/s"] = benchmark::Counter(
      static_cast<double>(n) * state.iterations(), benchmark::Counter::kIsRate);
}

// Real time, and the CPU time of the whole process (every build thread):
// on a shared machine the CPU time is the steadier of the two.
BENCHMARK(BM_Build)
    ->ArgsProduct({{10000, 50000}, {1, 2}})
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime()
    ->UseRealTime();
BENCHMARK(BM_BuildWithoutConcepts)
    ->ArgsProduct({{10000, 50000}, {1, 2}})
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime()
    ->UseRealTime();
BENCHMARK(BM_LoadFile)
    ->ArgsProduct({{10000, 50000}, {1, 2}})
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime()
    ->UseRealTime();

}  // namespace
}  // namespace procmatch

BENCHMARK_MAIN();
