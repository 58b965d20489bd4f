// Runs indexed matching repeatedly for profiling (perf, callgrind):
//   bazel build -c opt //benchmarks:match_profile
//   valgrind --tool=callgrind bazel-bin/benchmarks/match_profile 20000 40
#include <cstdlib>
#include <iostream>

#include "procmatch/matcher.h"
#include "tests/random_corpus.h"

int main(int argc, char** argv) {
  const int suppliers = argc > 1 ? std::atoi(argv[1]) : 20000;
  const int queries = argc > 2 ? std::atoi(argv[2]) : 40;
  procmatch::SupplierIndex::Builder builder;
  for (const auto& s : procmatch::testing::RandomSuppliers(suppliers, 2026)) {
    (void)builder.Add(s);
  }
  procmatch::Matcher matcher(*std::move(builder).Build());
  int64_t scored = 0;
  for (auto& r : procmatch::testing::RandomRequests(queries, 99)) {
    r.mutable_options()->set_top_k(10);
    scored += matcher.Match(r)->counters().scored();
  }
  std::cout << "scored " << scored << "\n";
}
