// Alert rules against real TED notices (data/ted/notices_dev.jsonl): notices
// per second for 1k, 10k and 100k rules on one core, candidates and alerts
// per notice, memory per rule, and two baselines measured in the same
// process -- the naive loop that verifies every rule
// (AlertIndex::EvaluateExhaustive) and one RE2::Set holding every rule's
// patterns.
//
//   bazel run -c opt //benchmarks:alert_benchmark -- --benchmark_repetitions=3
//
// BM_Stream/Matches: the index returning structured matches (rule and
// evidence); BM_Stream/Explained: the same with every match made an Alert
// proto with its words (AlertIndex::Evaluate); BM_ProtoVerified: the
// previous path, each candidate verified on its rule proto
// (--benchmark_filter=Matches for the fast path alone).
//
// The 1,745 notices are split by id (sorted, alternately): the rules are
// drawn from one half and the other half is the stream, as new notices meet
// rules written before them. A rule describes the interest of a subscriber
// in what some real notice of the first half is about (so common codes and
// words are drawn as often as they occur): CPV prefixes (5-8 digits) of its
// codes, half of them with its buyer country; or keywords and two-word
// phrases of its title in its language (23 languages); or its NUTS region
// with a 3-digit CPV division; about 5% with RE2 patterns, a few value
// bounds and notice kinds, and ten profile rules matched through a Matcher
// over data/sample/suppliers.jsonl.
#include <algorithm>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>  // NOLINT: a fresh thread-local memo
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "benchmark/benchmark.h"
#include "procmatch/alert_index.h"
#include "procmatch/internal/alert_rule.h"
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
  std::vector<v1::Tender> rule_source;  // The rules are drawn from these,
  std::vector<v1::Tender> stream;       // and evaluated against these.
  std::shared_ptr<const SupplierIndex> suppliers;
  std::unique_ptr<Matcher> matcher;
};

const Corpus& Data() {
  static Corpus* c = [] {
    auto* out = new Corpus;
    absl::StatusOr<std::string> lines =
        ReadFileOrStdin("data/ted/notices_dev.jsonl");
    if (!lines.ok()) std::abort();
    std::vector<v1::Tender> notices;
    for (absl::string_view line : absl::StrSplit(*lines, '\n')) {
      if (line.empty()) continue;
      absl::StatusOr<ImportedNotice> n = ImportTedReducedJson("dev", line);
      if (n.ok()) notices.push_back(std::move(n->tender));
    }
    std::sort(notices.begin(), notices.end(),
              [](const v1::Tender& a, const v1::Tender& b) {
                return a.id() < b.id();
              });
    for (size_t i = 0; i < notices.size(); ++i) {
      (i % 2 == 0 ? out->rule_source : out->stream)
          .push_back(std::move(notices[i]));
    }
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

// Title words of 5+ bytes, or adjacent pairs of them.
std::vector<std::string> TitleKeywords(const v1::Tender& t, bool pairs) {
  std::vector<std::string> raw = absl::StrSplit(
      t.title(), absl::ByAnyChar(" ,.;:()/'\"-"), absl::SkipEmpty());
  std::vector<std::string> out;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i].size() < 5) continue;
    if (!pairs) {
      out.push_back(raw[i]);
    } else if (i + 1 < raw.size() && raw[i + 1].size() >= 5) {
      out.push_back(absl::StrCat(raw[i], " ", raw[i + 1]));
    }
  }
  return out;
}

std::vector<v1::AlertRule> Rules(int n) {
  const Corpus& c = Data();
  std::mt19937 rng(n);
  auto pick = [&](const auto& from) -> const auto& {
    return from[std::uniform_int_distribution<size_t>(0, from.size() - 1)(rng)];
  };
  auto percent = [&](int p) { return static_cast<int>(rng() % 100) < p; };
  auto some_cpv = [&](const v1::Tender& t) {
    std::vector<std::string> codes = {t.main_cpv()};
    codes.insert(codes.end(), t.additional_cpv().begin(),
                 t.additional_cpv().end());
    return pick(codes).substr(0, 8);
  };
  // A word of some notice's title, for patterns.
  auto some_word = [&]() {
    for (;;) {
      std::vector<std::string> words =
          TitleKeywords(pick(c.rule_source), false);
      if (!words.empty()) return absl::AsciiStrToLower(pick(words));
    }
  };
  std::vector<v1::AlertRule> rules;
  while (static_cast<int>(rules.size()) < n) {
    const v1::Tender& t = pick(c.rule_source);
    v1::AlertRule r;
    r.set_id(absl::StrCat("r", rules.size()));
    r.set_subscriber(absl::StrCat("s", rules.size() % 5000));
    // A subscriber's interest: a few CPV classes (5-8 digits), often in
    // one country; or words and phrases of their trade; or a region.
    const int kind = rng() % 100;
    if (kind < 60) {
      for (int k = 0, m = 1 + rng() % 3; k < m; ++k) {
        r.add_cpv_prefixes(some_cpv(t).substr(0, 5 + rng() % 4));
      }
      if (percent(50)) r.add_buyer_countries(t.buyer().country());
    } else if (kind < 85) {
      for (int k = 0, m = 1 + rng() % 3; k < m; ++k) {
        std::vector<std::string> words = TitleKeywords(t, percent(50));
        if (words.empty()) words = TitleKeywords(t, false);
        if (words.empty()) break;
        r.add_keywords(pick(words));
      }
      if (r.keywords_size() == 0) continue;
      r.set_keyword_language(t.language());
    } else if (kind < 95) {
      if (t.nuts_codes_size() == 0) continue;
      r.add_nuts_prefixes(pick(t.nuts_codes()).substr(0, 4 + rng() % 2));
      r.add_cpv_prefixes(some_cpv(t).substr(0, 3));
    } else {
      r.add_buyer_countries(t.buyer().country());
      r.add_cpv_prefixes(some_cpv(t).substr(0, 4));
    }
    if (percent(5)) {
      r.add_keyword_patterns(absl::StrCat(RE2::QuoteMeta(some_word()), "|",
                                          RE2::QuoteMeta(some_word())));
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
    const v1::SupplierProfile s = c.suppliers->profile(i);
    r.clear_keywords();
    r.clear_cpv_prefixes();
    r.add_cpv_prefixes(s.cpv_codes(0).substr(0, 3));
    r.mutable_profile()->set_supplier_id(s.id());
    r.mutable_profile()->set_min_score(0.3);
  }
  return rules;
}

// Which rules an index holds.
enum class RuleSet {
  kDrawn,     // Rules(n): rules drawn as above; many share their criteria.
  kDistinct,  // DistinctRules(n): the same, no two with equal criteria.
};

// Rules(n), each made distinct by excluding its own combination of two or
// three CPV codes that no notice of the stream has: every rule then has
// criteria of its own, and each still alerts on exactly the notices it did
// (at the cost of checking the exclusions), so that the figures show the
// index without any sharing of criteria.
std::vector<v1::AlertRule> DistinctRules(int n) {
  const Corpus& c = Data();
  std::set<std::string> streamed;
  auto codes_of = [](const v1::Tender& t) {
    std::vector<std::string> codes = {t.main_cpv()};
    codes.insert(codes.end(), t.additional_cpv().begin(),
                 t.additional_cpv().end());
    for (const v1::Lot& lot : t.lots()) {
      codes.push_back(lot.main_cpv());
      codes.insert(codes.end(), lot.additional_cpv().begin(),
                   lot.additional_cpv().end());
    }
    std::vector<std::string> out;
    for (const std::string& code : codes) {
      if (code.size() >= 8) out.push_back(code.substr(0, 8));
    }
    return out;
  };
  for (const v1::Tender& t : c.stream) {
    for (const std::string& code : codes_of(t)) streamed.insert(code);
  }
  std::set<std::string> unseen;
  for (const v1::Tender& t : c.rule_source) {
    for (const std::string& code : codes_of(t)) {
      if (streamed.count(code) == 0) unseen.insert(code);
    }
  }
  const std::vector<std::string> pool(unseen.begin(), unseen.end());
  const size_t m = pool.size();
  if (m * m < static_cast<size_t>(n)) std::abort();
  std::vector<v1::AlertRule> rules = Rules(n);
  for (size_t i = 0; i < rules.size(); ++i) {
    // Distinct pairs (i mod m, i / m mod m); the third code breaks the
    // symmetry of pairs given in either order.
    rules[i].add_exclude_cpv_prefixes(pool[i % m]);
    rules[i].add_exclude_cpv_prefixes(pool[(i / m) % m]);
    if (i % m == (i / m) % m) rules[i].add_exclude_cpv_prefixes(pool[0]);
  }
  return rules;
}

const AlertIndex& Index(int n, RuleSet set = RuleSet::kDrawn) {
  static auto* built =
      new std::map<std::pair<int, RuleSet>, std::shared_ptr<const AlertIndex>>;
  auto& slot = (*built)[{n, set}];
  if (slot == nullptr) {
    AlertIndex::Builder builder;
    for (const v1::AlertRule& r :
         set == RuleSet::kDrawn ? Rules(n) : DistinctRules(n)) {
      (void)builder.Add(r);
    }
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

// What a pass over the stream returns per notice.
enum class Output {
  kMatches,    // AlertIndex::Match: rule and evidence, no words.
  kExplained,  // AlertIndex::Evaluate: an Alert proto with its words each.
};

// The stream through the index: a notice's text is analysed once (both
// forms), its candidates looked up, each candidate verified from the
// quick-check table, and (kExplained) each match put in words.
void RunIndexed(benchmark::State& state, const AlertIndex& index,
                Output output) {
  const EvaluationContext context = Context();
  EvaluationStats stats;
  int64_t notices = 0;
  for (const v1::Tender& t : Data().stream) {
    if (output == Output::kMatches) {
      absl::StatusOr<AlertMatches> matches = index.Match(t, context, &stats);
      if (!matches.ok()) {
        state.SkipWithError(matches.status().ToString().c_str());
      }
      benchmark::DoNotOptimize(matches);
    } else {
      absl::StatusOr<std::vector<v1::Alert>> alerts =
          index.Evaluate(t, context, &stats);
      if (!alerts.ok()) state.SkipWithError(alerts.status().ToString().c_str());
      benchmark::DoNotOptimize(alerts);
    }
    ++notices;
  }
  state.counters["candidates/notice"] =
      static_cast<double>(stats.candidates) / notices;
  state.counters["alerts/notice"] = static_cast<double>(stats.alerts) / notices;
  const absl::Duration stages[] = {stats.preparing, stats.selecting,
                                   stats.verifying, stats.explaining};
  const char* names[] = {"%prepare", "%select", "%verify", "%explain"};
  double seconds = 0;
  for (absl::Duration d : stages) seconds += absl::ToDoubleSeconds(d);
  for (int i = 0; i < 4; ++i) {
    state.counters[names[i]] = 100 * absl::ToDoubleSeconds(stages[i]) / seconds;
  }
}

// Memory and the always-checked list, outside the timed loop.
void IndexCounters(benchmark::State& state, const AlertIndex& index) {
  state.counters["bytes/rule"] =
      static_cast<double>(index.ApproximateMemoryUsage()) / index.size();
  state.counters["always_checked"] = index.always_checked();
  state.counters["rules"] = index.size();
  state.counters["criteria"] = index.criteria();
}

// BM_Stream/Matches and BM_Stream/Explained; the Distinct variants on rules
// that share no criteria.
void BM_Stream(benchmark::State& state, Output output, RuleSet set) {
  const AlertIndex& index = Index(state.range(0), set);
  int64_t notices = 0;
  for (auto _ : state) {
    RunIndexed(state, index, output);
    notices += Data().stream.size();
  }
  state.SetItemsProcessed(notices);
  IndexCounters(state, index);
}
BENCHMARK_CAPTURE(BM_Stream, Matches, Output::kMatches, RuleSet::kDrawn)
    ->Arg(1000)
    ->Arg(10000)
    ->Arg(100000)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Stream, Explained, Output::kExplained, RuleSet::kDrawn)
    ->Arg(1000)
    ->Arg(10000)
    ->Arg(100000)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Stream, MatchesDistinct, Output::kMatches,
                  RuleSet::kDistinct)
    ->Arg(1000)
    ->Arg(10000)
    ->Arg(100000)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Stream, ExplainedDistinct, Output::kExplained,
                  RuleSet::kDistinct)
    ->Arg(100000)
    ->Unit(benchmark::kMillisecond);

// The previous path, for comparison in the same process: the same
// postings and candidates, each candidate verified on its compiled rule
// (the AlertRule proto and its repeated fields, a heap object apiece) and
// each alert built with its words at once -- what EvaluateExhaustive still
// runs as the reference.
struct ProtoPath {
  std::vector<std::shared_ptr<const internal::CompiledAlertRule>> rules;
  internal::AlertPostings postings;
};

const ProtoPath& Proto(int n) {
  static auto* built = new std::map<int, std::unique_ptr<ProtoPath>>;
  auto& slot = (*built)[n];
  if (slot == nullptr) {
    slot = std::make_unique<ProtoPath>();
    for (const v1::AlertRule& r : Rules(n)) {
      if (!Validator().ValidateAlertRule(r).ok()) continue;
      auto compiled = internal::CompileAlertRule(r, Options());
      if (compiled.ok()) slot->rules.push_back(*std::move(compiled));
    }
    std::sort(slot->rules.begin(), slot->rules.end(),
              [](const auto& a, const auto& b) {
                return a->rule.id() < b->rule.id();
              });
    slot->postings.rule_count = static_cast<uint32_t>(slot->rules.size());
    for (uint32_t i = 0; i < slot->rules.size(); ++i) {
      if (slot->rules[i]->index_keys.empty())
        slot->postings.always.push_back(i);
      for (const std::string& key : slot->rules[i]->index_keys) {
        slot->postings.Add(key, i);
      }
    }
  }
  return *slot;
}

void BM_ProtoVerified(benchmark::State& state) {
  const ProtoPath& path = Proto(state.range(0));
  const EvaluationContext context = Context();
  int64_t notices = 0, alerts = 0;
  for (auto _ : state) {
    for (const v1::Tender& t : Data().stream) {
      absl::StatusOr<internal::PreparedNotice> n =
          internal::PrepareNotice(t, &path.postings);
      if (!n.ok()) state.SkipWithError("notice");
      std::vector<v1::Alert> out;
      v1::Alert alert;
      for (uint32_t i : internal::Candidates(path.postings, *n)) {
        absl::StatusOr<bool> hit =
            internal::VerifyAlertRule(*path.rules[i], *n, context, &alert);
        if (hit.ok() && *hit) out.push_back(std::move(alert));
        alert.Clear();
      }
      alerts += static_cast<int64_t>(out.size());
      benchmark::DoNotOptimize(out);
      ++notices;
    }
  }
  state.SetItemsProcessed(notices);
  state.counters["alerts/notice"] = static_cast<double>(alerts) / notices;
}
BENCHMARK(BM_ProtoVerified)
    ->Arg(1000)
    ->Arg(10000)
    ->Arg(100000)
    ->Unit(benchmark::kMillisecond);

// The same, each pass on a new thread: the per-thread stem memo starts
// empty, so every distinct word of the stream is stemmed once per pass (a
// cold start; the stream here has a tenth of a working day's notices).
void BM_IndexedColdMemo(benchmark::State& state) {
  const AlertIndex& index = Index(state.range(0));
  int64_t notices = 0;
  for (auto _ : state) {
    std::thread pass([&] { RunIndexed(state, index, Output::kMatches); });
    pass.join();
    notices += Data().stream.size();
  }
  state.SetItemsProcessed(notices);
  IndexCounters(state, index);
}
BENCHMARK(BM_IndexedColdMemo)
    ->Arg(100000)
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime();

// The naive loop: every rule verified for every notice (1 in 10 notices,
// so that 100k rules finish).
void BM_NaiveLoop(benchmark::State& state) {
  const AlertIndex& index = Index(state.range(0));
  const EvaluationContext context = Context();
  int64_t notices = 0;
  for (auto _ : state) {
    for (size_t i = 0; i < Data().stream.size(); i += 10) {
      benchmark::DoNotOptimize(
          index.EvaluateExhaustive(Data().stream[i], context));
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

// Text analysis alone, as before (the notice's language and unstemmed:
// two passes) and in one pass: the floor under any rule count.
void BM_AnalyseTwoPasses(benchmark::State& state) {
  int64_t notices = 0;
  for (auto _ : state) {
    for (const v1::Tender& t : Data().stream) {
      benchmark::DoNotOptimize(AnalyzeText(t.title(), t.language()));
      benchmark::DoNotOptimize(AnalyzeText(t.description(), t.language()));
      benchmark::DoNotOptimize(AnalyzeText(t.title(), ""));
      benchmark::DoNotOptimize(AnalyzeText(t.description(), ""));
      ++notices;
    }
  }
  state.SetItemsProcessed(notices);
}
BENCHMARK(BM_AnalyseTwoPasses)->Unit(benchmark::kMillisecond);

void BM_AnalyseOnePass(benchmark::State& state) {
  int64_t notices = 0;
  for (auto _ : state) {
    for (const v1::Tender& t : Data().stream) {
      benchmark::DoNotOptimize(AnalyzeStemmedAndPlain(t.title(), t.language()));
      benchmark::DoNotOptimize(
          AnalyzeStemmedAndPlain(t.description(), t.language()));
      ++notices;
    }
  }
  state.SetItemsProcessed(notices);
}
BENCHMARK(BM_AnalyseOnePass)->Unit(benchmark::kMillisecond);

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
  for (const v1::Tender& t : Data().stream) {
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
