// The JSON pre-scan (internal::ScanJson) against its first implementation
// (tests/json_scan_reference), on real lines: the bundled suppliers and
// tenders (typed, by their messages) and the reduced TED notices (untyped,
// as the TED JSON importer scans them). Run from the workspace root or with
// `bazel run -c opt //benchmarks:json_scan_benchmark`.
#include <fstream>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "procmatch/internal/json_scan.h"
#include "procmatch/v1/supplier.pb.h"
#include "procmatch/v1/tender.pb.h"
#include "tests/json_scan_reference.h"

namespace procmatch {
namespace {

std::vector<std::string> Lines(const char* path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

struct Input {
  const char* path;
  const google::protobuf::Descriptor* message;
};

const Input& InputOf(int64_t i) {
  static const Input kInputs[] = {
      {"data/sample/suppliers.jsonl", v1::SupplierProfile::descriptor()},
      {"data/sample/tenders.jsonl", v1::Tender::descriptor()},
      {"data/ted/notices_dev.jsonl", nullptr},
  };
  return kInputs[i];
}

template <absl::Status (*kScan)(absl::string_view,
                                const internal::JsonScanOptions&)>
void BM_Scan(benchmark::State& state) {
  const Input& input = InputOf(state.range(0));
  const std::vector<std::string> lines = Lines(input.path);
  if (lines.empty()) {
    state.SkipWithError("no input: run from the workspace root");
    return;
  }
  internal::JsonScanOptions options;
  options.message = input.message;
  int64_t bytes = 0;
  for (auto _ : state) {
    for (const std::string& line : lines) {
      benchmark::DoNotOptimize(kScan(line, options));
      bytes += line.size();
    }
  }
  state.SetBytesProcessed(bytes);
  state.SetItemsProcessed(state.iterations() * lines.size());
  state.SetLabel(input.path);
}

BENCHMARK_TEMPLATE(BM_Scan, internal::ScanJson)->DenseRange(0, 2);
BENCHMARK_TEMPLATE(BM_Scan, reference::ScanJsonReference)->DenseRange(0, 2);

}  // namespace
}  // namespace procmatch
