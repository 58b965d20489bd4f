// Alert rules against the 1,745 real TED notices of data/ted/notices_dev.jsonl:
// notices per second for 1k, 10k and 100k rules on one core, with two
// baselines measured in the same process -- the naive loop that verifies
// every rule (AlertIndex::EvaluateExhaustive) and one RE2::Set holding every
// rule's patterns -- and the memory per rule.
//
//   bazel run -c opt //benchmarks:alert_benchmark -- \
//       --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
//
// Rules follow the real distributions: CPV prefixes (5-8 digits) of the
// notices' codes, their NUTS regions and buyer countries, keywords and
// two-word phrases from the real titles in their languages (23 languages),
// about 5% with RE2 patterns, a few value ranges and notice kinds, and ten
// profile rules matched through a Matcher over data/sample/suppliers.jsonl.
#include <algorithm>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "benchmark/benchmark.h"
#include "procmatch/alert_index.h"
#include "procmatch/matcher.h"
#include "procmatch/record_io.h"
#include "procmatch/supplier_index.h"
#include "procmatch/ted_importer.h"
#include "procmatch/text_analyzer.h"
#include "re2/re2.h"
#include "re2/set.h"

namespace procmatch {
namespace {

struct Corpus {
  std::vector<v1::Tender> notices;
  std::vector<std::string> cpv, nuts, countries;
  // Title words of 5+ bytes and adjacent pairs, with their language.
  std::vector<std::pair<std::string, std::string>> words, phrases;
  std::shared_ptr<const SupplierIndex> suppliers;
  std::unique_ptr<Matcher> matcher;
};

const Corpus& Data() {
  static Corpus* c = [] {
    auto* out = new Corpus;
    absl::StatusOr<std::string> lines =
        ReadFileOrStdin("data/ted/notices_dev.jsonl");
    if (!lines.ok()) std::abort();
    std::set<std::string> cpv, nuts, countries;
    for (absl::string_view line : absl::StrSplit(*lines, '\n')) {
      if (line.empty()) continue;
      absl::StatusOr<ImportedNotice> n = ImportTedReducedJson("dev", line);
      if (!n.ok()) continue;
      const v1::Tender& t = n->tender;
      if (!t.main_cpv().empty()) cpv.insert(t.main_cpv().substr(0, 8));
      for (const auto& code : t.additional_cpv()) cpv.insert(code.substr(0, 8));
      for (const auto& code : t.nuts_codes()) nuts.insert(code);
      countries.insert(t.buyer().country());
      std::vector<std::string> raw = absl::StrSplit(
          t.title(), absl::ByAnyChar(" ,.;:()/'\"-"), absl::SkipEmpty());
      for (size_t i = 0; i < raw.size(); ++i) {
        if (raw[i].size() < 5) continue;
        out->words.emplace_back(raw[i], t.language());
        if (i + 1 < raw.size() && raw[i + 1].size() >= 5) {
          out->phrases.emplace_back(absl::StrCat(raw[i], " ", raw[i + 1]),
                                    t.language());
        }
      }
      out->notices.push_back(t);
    }
    out->cpv.assign(cpv.begin(), cpv.end());
    out->nuts.assign(nuts.begin(), nuts.end());
    out->countries.assign(countries.begin(), countries.end());
    SupplierIndex::Builder builder;
    absl::StatusOr<std::string> suppliers =
        ReadFileOrStdin("data/sample/suppliers.jsonl");
    if (!suppliers.ok()) std::abort();
    (void)ReadRecords<v1::SupplierProfile>(
        "suppliers", *suppliers, RecordFormat::kJsonLines,
        [&](int, v1::SupplierProfile p) { (void)builder.Add(std::move(p)); },
        [](absl::Status) {});
    out->suppliers = *std::move(builder).Build();
    out->matcher = std::make_unique<Matcher>(out->suppliers);
    return out;
  }();
  return *c;
}

std::vector<v1::AlertRule> Rules(int n) {
  const Corpus& c = Data();
  std::mt19937 rng(n);
  auto pick = [&](const auto& from) -> const auto& {
    return from[std::uniform_int_distribution<size_t>(0, from.size() - 1)(rng)];
  };
  auto percent = [&](int p) { return static_cast<int>(rng() % 100) < p; };
  std::vector<v1::AlertRule> rules;
  for (int i = 0; i < n; ++i) {
    v1::AlertRule r;
    r.set_id(absl::StrCat("r", i));
    r.set_subscriber(absl::StrCat("s", i % 5000));
    // A subscriber's interest: a few CPV classes (5-8 digits), often in
    // one country; or words and phrases of their trade; or a region.
    const int kind = rng() % 100;
    if (kind < 60) {
      for (int k = 0, m = 1 + rng() % 3; k < m; ++k) {
        r.add_cpv_prefixes(pick(c.cpv).substr(0, 5 + rng() % 4));
      }
      if (percent(50)) r.add_buyer_countries(pick(c.countries));
    } else if (kind < 85) {
      for (int k = 0, m = 1 + rng() % 3; k < m; ++k) {
        const auto& [text, language] =
            percent(50) ? pick(c.phrases) : pick(c.words);
        r.add_keywords(text);
        r.set_keyword_language(language);
      }
    } else if (kind < 95) {
      r.add_nuts_prefixes(pick(c.nuts).substr(0, 4 + rng() % 2));
      r.add_cpv_prefixes(pick(c.cpv).substr(0, 3));
    } else {
      r.add_buyer_countries(pick(c.countries));
      r.add_cpv_prefixes(pick(c.cpv).substr(0, 4));
    }
    if (percent(5)) {
      r.add_keyword_patterns(absl::StrCat(
          RE2::QuoteMeta(absl::AsciiStrToLower(pick(c.words).first)), "|",
          RE2::QuoteMeta(absl::AsciiStrToLower(pick(c.words).first))));
    }
    if (percent(5)) {
      r.mutable_min_value()->set_amount(100000);
      r.mutable_min_value()->set_currency("EUR");
    }
    if (percent(5)) r.add_notice_kinds(v1::NOTICE_KIND_CONTRACT_NOTICE);
    rules.push_back(std::move(r));
  }
  for (int i = 0; i < 10 && i < n; ++i) {  // A few profile rules.
    v1::AlertRule& r = rules[i];
    const v1::SupplierProfile& s = c.suppliers->profile(i);
    r.clear_keywords();
    r.clear_cpv_prefixes();
    r.add_cpv_prefixes(s.cpv_codes(0).substr(0, 3));
    r.mutable_profile()->set_supplier_id(s.id());
    r.mutable_profile()->set_min_score(0.3);
  }
  return rules;
}

const AlertIndex& Index(int n) {
  static auto* built = new std::map<int, std::shared_ptr<const AlertIndex>>;
  auto& slot = (*built)[n];
  if (slot == nullptr) {
    AlertIndex::Builder builder;
    for (const v1::AlertRule& r : Rules(n)) (void)builder.Add(r);
    slot = *std::move(builder).Build();
  }
  return *slot;
}

EvaluationContext Context() {
  EvaluationContext context;
  context.now =
      absl::FromCivil(absl::CivilDay(2021, 1, 1), absl::UTCTimeZone());
  context.matcher = Data().matcher.get();
  return context;
}

void BM_Indexed(benchmark::State& state) {
  const AlertIndex& index = Index(state.range(0));
  const EvaluationContext context = Context();
  EvaluationStats stats;
  int64_t notices = 0;
  for (auto _ : state) {
    for (const v1::Tender& t : Data().notices) {
      benchmark::DoNotOptimize(index.Evaluate(t, context, &stats));
      ++notices;
    }
  }
  state.SetItemsProcessed(notices);
  state.counters["candidates/notice"] =
      static_cast<double>(stats.candidates) / notices;
  state.counters["alerts/notice"] = static_cast<double>(stats.alerts) / notices;
  state.counters["bytes/rule"] =
      static_cast<double>(index.ApproximateMemoryUsage()) / index.size();
  state.counters["always_checked"] = index.always_checked();
}
BENCHMARK(BM_Indexed)
    ->Arg(1000)
    ->Arg(10000)
    ->Arg(100000)
    ->Unit(benchmark::kMillisecond);

// The naive loop: every rule verified for every notice (1 in 10 notices,
// so that 100k rules finish).
void BM_NaiveLoop(benchmark::State& state) {
  const AlertIndex& index = Index(state.range(0));
  const EvaluationContext context = Context();
  int64_t notices = 0;
  for (auto _ : state) {
    for (size_t i = 0; i < Data().notices.size(); i += 10) {
      benchmark::DoNotOptimize(
          index.EvaluateExhaustive(Data().notices[i], context));
      ++notices;
    }
  }
  state.SetItemsProcessed(notices);
}
BENCHMARK(BM_NaiveLoop)
    ->Arg(1000)
    ->Arg(10000)
    ->Arg(100000)
    ->Unit(benchmark::kMillisecond);

// Text preparation alone (analysis in the notice's language and unstemmed):
// the floor under any rule count.
void BM_AnalyseOnly(benchmark::State& state) {
  int64_t notices = 0;
  for (auto _ : state) {
    for (const v1::Tender& t : Data().notices) {
      benchmark::DoNotOptimize(AnalyzeText(t.title(), t.language()));
      benchmark::DoNotOptimize(AnalyzeText(t.description(), t.language()));
      benchmark::DoNotOptimize(AnalyzeText(t.title(), ""));
      benchmark::DoNotOptimize(AnalyzeText(t.description(), ""));
      ++notices;
    }
  }
  state.SetItemsProcessed(notices);
}
BENCHMARK(BM_AnalyseOnly)->Unit(benchmark::kMillisecond);

// Baseline: every rule's patterns in one RE2::Set, run over each notice's
// folded text (what a pattern-only alerting system would do).
void BM_Re2Set(benchmark::State& state) {
  RE2::Options options;
  options.set_case_sensitive(false);
  options.set_max_mem(int64_t{1} << 30);
  RE2::Set set(options, RE2::UNANCHORED);
  int patterns = 0;
  for (const v1::AlertRule& r : Rules(state.range(0))) {
    for (const std::string& p : r.keyword_patterns()) {
      if (set.Add(p, nullptr) >= 0) ++patterns;
    }
  }
  if (!set.Compile()) state.SkipWithError("RE2::Set did not compile");
  std::vector<std::string> texts;
  for (const v1::Tender& t : Data().notices) {
    texts.push_back(FoldText(absl::StrCat(t.title(), "\n", t.description())));
  }
  int64_t notices = 0;
  std::vector<int> hits;
  for (auto _ : state) {
    for (const std::string& text : texts) {
      hits.clear();
      benchmark::DoNotOptimize(set.Match(text, &hits));
      ++notices;
    }
  }
  state.SetItemsProcessed(notices);
  state.counters["patterns"] = patterns;
}
BENCHMARK(BM_Re2Set)->Arg(1000)->Arg(10000)->Arg(100000)->Unit(
    benchmark::kMillisecond);

}  // namespace
}  // namespace procmatch

BENCHMARK_MAIN();
