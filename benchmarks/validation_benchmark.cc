// Throughput of the checks every reader runs on every record: CPV parsing
// and whole-record validation. Run:
//   bazel run -c opt //benchmarks:validation_benchmark
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "procmatch/cpv.h"
#include "procmatch/validation.h"

namespace procmatch {
namespace {

void BM_CpvParseWithCheckDigit(benchmark::State& state) {
  const CpvTaxonomy& cpv = CpvTaxonomy::Builtin();
  std::vector<std::string> codes;
  for (int i = 0; i < cpv.size(); i += 7) {
    codes.push_back(cpv.WithCheckDigit(cpv.CodeAt(i)));
  }
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(cpv.Parse(codes[i++ % codes.size()]));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CpvParseWithCheckDigit);

void BM_CpvCommonDepth(benchmark::State& state) {
  const CpvTaxonomy& cpv = CpvTaxonomy::Builtin();
  int i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(cpv.CommonDepth(
        cpv.CodeAt(i % cpv.size()), cpv.CodeAt((i * 31) % cpv.size())));
    ++i;
  }
}
BENCHMARK(BM_CpvCommonDepth);

v1::SupplierProfile Supplier(int n) {
  const CpvTaxonomy& cpv = CpvTaxonomy::Builtin();
  v1::SupplierProfile s;
  s.set_id("BE-" + std::to_string(n));
  s.set_name("Leverancier " + std::to_string(n));
  s.set_country("BE");
  s.set_nuts_code("BE211");
  s.add_languages("nl");
  s.add_languages("fr");
  for (int k = 0; k < 8; ++k) {
    s.add_cpv_codes(
        cpv.WithCheckDigit(cpv.CodeAt((n * 13 + k * 977) % cpv.size())));
  }
  for (int k = 0; k < 3; ++k) {
    v1::Capability* c = s.add_capabilities();
    c->set_description("Ontwerp, productie en onderhoud van systemen");
    c->add_cpv_codes(s.cpv_codes(k));
    c->set_technology_readiness(1 + k * 3);
  }
  for (int k = 0; k < 5; ++k) {
    v1::PastContract* p = s.add_past_contracts();
    p->set_title("Levering en onderhoud");
    p->set_buyer_country("BE");
    p->add_cpv_codes(s.cpv_codes(k));
  }
  return s;
}

void BM_ValidateSupplier(benchmark::State& state) {
  Validator validator;
  std::vector<v1::SupplierProfile> suppliers;
  for (int n = 0; n < 256; ++n) suppliers.push_back(Supplier(n));
  size_t i = 0;
  for (auto _ : state) {
    auto problems = validator.CheckSupplier(suppliers[i++ % suppliers.size()]);
    if (!problems.empty()) state.SkipWithError(problems[0].ToString().c_str());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ValidateSupplier);

}  // namespace
}  // namespace procmatch
