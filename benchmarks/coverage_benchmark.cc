// Coverage benchmark: ComputeCoverage over generated suppliers
// (benchmarks/corpus_generator.h) and 50 capability areas: the 17 starter
// areas of data/coverage/edf_categories.jsonl and 33 CPV groups drawn from
// the real notices, with clearance and certification rules. Times the
// postings-based computation (median of --repetitions runs, one thread)
// and, up to --brute_max suppliers, the per-supplier brute force in the
// same process, for the ratio. Writes a Markdown table.
//
//   bazel run -c opt //benchmarks:coverage_benchmark -- --data=$PWD/data
//       --sizes=100000,1000000  (all on one line)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "benchmarks/corpus_generator.h"
#include "procmatch/coverage.h"
#include "procmatch/record_io.h"
#include "procmatch/supplier_index.h"

namespace procmatch {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

std::string Flag(int argc, char** argv, const std::string& name,
                 const std::string& fallback) {
  const std::string prefix = "--" + name + "=";
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.rfind(prefix, 0) == 0) return a.substr(prefix.size());
  }
  return fallback;
}

// 17 starter areas and 33 more: the most frequent CPV groups (3 digits) of
// the generated corpus, each with a rule.
v1::CoverageRequest Request(const std::string& data,
                            const std::vector<v1::SupplierProfile>& sample) {
  v1::CoverageRequest request;
  request.set_country("BE");
  request.mutable_as_of()->set_year(2026);
  request.mutable_as_of()->set_month(6);
  request.mutable_as_of()->set_day(1);
  absl::StatusOr<std::string> content =
      ReadFileOrStdin(data + "/coverage/edf_categories.jsonl");
  if (content.ok()) {
    ReadRecords<v1::CapabilityArea>(
        "areas", *content, RecordFormat::kJsonLines,
        [&](int, v1::CapabilityArea a) { *request.add_areas() = a; },
        [](absl::Status s) { std::cerr << s << "\n"; })
        .IgnoreError();
  }
  std::vector<std::pair<int, std::string>> groups;
  {
    std::map<std::string, int> count;
    for (const v1::SupplierProfile& p : sample) {
      for (const std::string& c : p.cpv_codes()) ++count[c.substr(0, 3)];
    }
    for (const auto& [g, n] : count) groups.emplace_back(-n, g);
    std::sort(groups.begin(), groups.end());
  }
  for (size_t i = 0; i < groups.size() && request.areas_size() < 50; ++i) {
    v1::CapabilityArea* a = request.add_areas();
    a->set_id(absl::StrCat("CPV-", groups[i].second));
    a->add_cpv_codes(groups[i].second + "00000");
    a->set_min_clearance(static_cast<v1::ClearanceLevel>(i % 4));
    if (i % 3 == 0) a->add_required_certifications("ISO 9001");
  }
  return request;
}

int Main(int argc, char** argv) {
  const std::string data = Flag(argc, argv, "data", "data");
  int repetitions = 5, brute_max = 100000;
  absl::SimpleAtoi(Flag(argc, argv, "repetitions", "5"), &repetitions);
  absl::SimpleAtoi(Flag(argc, argv, "brute_max", "100000"), &brute_max);
  std::vector<int> sizes;
  for (absl::string_view s :
       absl::StrSplit(Flag(argc, argv, "sizes", "100000,1000000"), ',')) {
    int n = 0;
    if (absl::SimpleAtoi(s, &n)) sizes.push_back(n);
  }
  absl::StatusOr<CorpusGenerator> generator = CorpusGenerator::FromData(
      data + "/ted/notices_dev.jsonl", data + "/nuts/nuts2021_lvl3.tsv");
  if (!generator.ok()) {
    std::cerr << generator.status() << "\n";
    return 1;
  }
  std::cout << "| suppliers | areas | in scope | generate + index s | coverage "
               "s (median) | brute force s | ratio |\n|---|---|---|---|---|---|"
               "---|\n";
  for (int n : sizes) {
    const Clock::time_point t0 = Clock::now();
    SupplierIndex::Builder builder;
    std::vector<v1::SupplierProfile> sample;
    // Generated in slices of 100k, so that the profiles of 1M are never
    // held twice.
    for (int done = 0; done < n;) {
      const int slice = std::min(100000, n - done);
      std::vector<v1::SupplierProfile> part =
          generator->Suppliers(slice, 17 + done);
      for (v1::SupplierProfile& p : part) {
        p.set_id(absl::StrCat(p.id(), "-", done));
        if (sample.size() < 20000) sample.push_back(p);
        absl::Status added = builder.Add(std::move(p));
        if (!added.ok()) {
          std::cerr << added << "\n";
          return 1;
        }
      }
      done += slice;
    }
    absl::StatusOr<std::shared_ptr<const SupplierIndex>> index =
        std::move(builder).Build();
    if (!index.ok()) {
      std::cerr << index.status() << "\n";
      return 1;
    }
    const double build = Seconds(t0, Clock::now());
    const v1::CoverageRequest request = Request(data, sample);
    std::vector<double> times;
    int in_scope = 0;
    for (int r = 0; r < repetitions; ++r) {
      const Clock::time_point a = Clock::now();
      absl::StatusOr<v1::CoverageReport> report =
          ComputeCoverage(**index, request, {});
      times.push_back(Seconds(a, Clock::now()));
      if (!report.ok()) {
        std::cerr << report.status() << "\n";
        return 1;
      }
      in_scope = report->suppliers_in_scope();
    }
    std::sort(times.begin(), times.end());
    const double fast = times[times.size() / 2];
    std::string brute = "-", ratio = "-";
    if (n <= brute_max) {
      const Clock::time_point a = Clock::now();
      absl::StatusOr<v1::CoverageReport> report =
          ComputeCoverageBruteForce(**index, request, {});
      const double slow = Seconds(a, Clock::now());
      brute = absl::StrFormat("%.3f", slow);
      ratio = absl::StrFormat("%.1fx", slow / fast);
    }
    std::cout << absl::StrFormat("| %d | %d | %d | %.1f | %.3f | %s | %s |\n",
                                 n, request.areas_size(), in_scope, build, fast,
                                 brute, ratio)
              << std::flush;
  }
  return 0;
}

}  // namespace
}  // namespace procmatch

int main(int argc, char** argv) { return procmatch::Main(argc, argv); }
