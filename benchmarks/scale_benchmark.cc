// Scale benchmark: procmatch at 10k, 100k and 1M generated suppliers
// (benchmarks/corpus_generator.h), queried with the real TED notices, side
// by side with Xapian in the same process. Writes a Markdown table.
//
//   bazel run -c opt //benchmarks:scale_benchmark -- --data=$PWD/data
//   (tools/bench_scale.sh does this)
//
// Options: --data=DIR (default data), --sizes=10000,100000,1000000,
// --queries=N top-10 latency queries (default 1000), --exhaustive=N queries
// for the indexed/exhaustive ratio (default 100), --xapian_max=N largest
// size also indexed in Xapian (default 1000000), --build_threads=N
// (Options::build_threads, default 0: one per core), --tunings=1 retrieval
// alone with each internal::RetrievalTuning, compared, --concepts=0 the
// CPV concept layer off (Options::cpv_concepts), --load_only=FILE (run by
// the benchmark itself, below: load FILE and report memory). The --exhaustive
// queries are compared as well as timed: the table says how many pruned
// top 10s equal the exhaustive ones (ids, order, scores).
//
// Memory of the loaded index (issue 16), three ways: the resident set's
// growth across LoadSnapshotFile in this process, which still holds the
// built index (what the allocator kept from earlier phases moves it by
// ~20%); the same in a fresh process that loads the snapshot and does
// nothing else (`--load_only=FILE`, run by this one), beside malloc's
// in-use bytes there; and IndexData::CountMemory, the heap counted part by
// part from capacities, which does not move between runs.
//
// Page faults (issue 16's load and build targets): the faults the build,
// the save, the load, the load again (into freed memory) and the fresh
// process's load take, and what they cost at the price of a fault measured
// first on this machine (on a virtual machine that maps guest memory
// through its hypervisor, far more than bare metal pays).
#include <malloc.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "benchmarks/corpus_generator.h"
#include "benchmarks/xapian_baseline.h"
#include "procmatch/cpv_concepts.h"
#include "procmatch/internal/index_data.h"
#include "procmatch/internal/query.h"
#include "procmatch/internal/retrieval.h"
#include "procmatch/matcher.h"
#include "procmatch/options.h"
#include "procmatch/snapshot.h"
#include "procmatch/validation.h"

namespace procmatch {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// CPU time of the calling thread, in milliseconds. A query runs on one
// thread, so its CPU time does not count the time the thread waited for a
// core: on a shared machine it varies far less from run to run than the
// wall-clock latency beside it.
double ThreadCpuMs() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

int64_t ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  int64_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * sysconf(_SC_PAGESIZE);
}

// ResidentBytes() after returning the allocator's free memory to the
// system, so that what was freed does not count.
int64_t TrimmedResidentBytes() {
  malloc_trim(0);
  return ResidentBytes();
}

// malloc's bytes in use, in every arena and in blocks of their own mapping.
int64_t MallocInUseBytes() {
  const struct mallinfo2 info = mallinfo2();
  return static_cast<int64_t>(info.uordblks + info.hblkhd);
}

int64_t PeakBytes() {
  rusage u;
  getrusage(RUSAGE_SELF, &u);
  return static_cast<int64_t>(u.ru_maxrss) * 1024;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(p * v.size()));
  return v[i];
}

// Page faults the process has taken that needed no disk read (every
// thread's): a page of fresh memory touched for the first time is one.
int64_t MinorFaults() {
  rusage u;
  getrusage(RUSAGE_SELF, &u);
  return static_cast<int64_t>(u.ru_minflt);
}

// What a page fault costs on this machine, in microseconds: the median of
// five times 64 MB of fresh anonymous memory touched a page at a time,
// each mapped and unmapped on its own (transparent huge pages off for it,
// so that each page is a fault). On a virtual machine that populates guest
// pages through the hypervisor it is far dearer than on bare metal, and it
// decides what a step that allocates a lot costs. 0 when not measured.
double FaultMicroseconds() {
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  const size_t bytes = size_t{64} << 20;
  std::vector<double> us;
  for (int round = 0; round < 5; ++round) {
    void* mapped = mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mapped == MAP_FAILED) return 0;
    madvise(mapped, bytes, MADV_NOHUGEPAGE);
    volatile char* p = static_cast<volatile char*>(mapped);
    const int64_t faults = MinorFaults();
    const auto t0 = Clock::now();
    for (size_t i = 0; i < bytes; i += page) p[i] = 1;
    const double seconds = Seconds(t0, Clock::now());
    const int64_t taken = MinorFaults() - faults;
    munmap(mapped, bytes);
    if (taken > 0) us.push_back(seconds * 1e6 / static_cast<double>(taken));
  }
  return Percentile(us, 0.5);
}

std::string Size(int n) {
  if (n >= 1000000 && n % 1000000 == 0) return absl::StrCat(n / 1000000, "M");
  if (n >= 1000 && n % 1000 == 0) return absl::StrCat(n / 1000, "k");
  return absl::StrCat(n);
}

v1::ScoreWeights TextOnly() {
  v1::ScoreWeights w;
  w.set_cpv(0);
  w.set_text(1);
  w.set_track_record(0);
  w.set_capability_tags(0);
  w.set_desirable_requirements(0);
  w.set_size_fit(0);
  w.set_proximity(0);
  return w;
}

// What a fresh process reports of loading a snapshot (LoadOnly), in bytes.
struct FreshLoad {
  int64_t resident = 0;  // The resident set's growth, after malloc_trim.
  int64_t in_use = 0;    // malloc's in-use bytes' growth.
  int64_t heap = 0;      // IndexData::CountMemory's heap_bytes ...
  int64_t profiles = 0;  // ... and profile_bytes ...
  int64_t mapped = 0;    // ... and mapped_bytes.
  std::vector<std::pair<std::string, int64_t>> parts;  // Its parts.
  double load_s = 0;   // How long LoadSnapshotFile took there, ...
  int64_t faults = 0;  // ... and the page faults it took.
};

// `--load_only=FILE`: loads the snapshot in this process, which has done
// nothing else but make the taxonomies every load reads, and writes what
// FreshLoad holds to stdout, one "key bytes" line each ("part bytes name"
// for the parts).
int LoadOnly(const std::string& path, const Options& options) {
  CpvOf(options);
  NutsOf(options);
  if (options.cpv_concepts) CpvConcepts::Builtin();
  const int64_t resident_before = TrimmedResidentBytes();
  const int64_t in_use_before = MallocInUseBytes();
  const int64_t faults_before = MinorFaults();
  const auto t0 = Clock::now();
  auto loaded = LoadSnapshotFile(path, options);
  const double load_s = Seconds(t0, Clock::now());
  const int64_t faults = MinorFaults() - faults_before;
  if (!loaded.ok()) {
    std::cerr << "loading " << path << " failed: " << loaded.status() << "\n";
    return 1;
  }
  const int64_t resident = TrimmedResidentBytes() - resident_before;
  const int64_t in_use = MallocInUseBytes() - in_use_before;
  const internal::IndexData::MemoryUsage usage =
      internal::IndexAccess::Data(**loaded).CountMemory();
  std::cout << "resident " << resident << "\nin_use " << in_use << "\nheap "
            << usage.heap_bytes << "\nprofiles " << usage.profile_bytes
            << "\nmapped " << usage.mapped_bytes << "\nload_us "
            << static_cast<int64_t>(load_s * 1e6) << "\nfaults " << faults
            << "\n";
  for (const auto& part : usage.parts) {
    std::cout << "part " << part.bytes << " " << part.name << "\n";
  }
  return 0;
}

// `text` as one word of a POSIX shell command: in single quotes, each
// single quote of it closed, escaped and reopened.
std::string ShellQuoted(absl::string_view text) {
  return absl::StrCat("'", absl::StrReplaceAll(text, {{"'", "'\\''"}}), "'");
}

// Runs LoadOnly on `path` in a fresh process (this binary again). A child
// that cannot start or fails ends the benchmark (a table of zeros would
// read as measured), the snapshot removed first.
FreshLoad LoadInFreshProcess(const std::string& path, const Options& options) {
  const std::string command =
      absl::StrCat("/proc/", getpid(), "/exe --load_only=", ShellQuoted(path),
                   " --concepts=", options.cpv_concepts ? 1 : 0,
                   " --build_threads=", options.build_threads);
  auto fail = [&](absl::string_view what) {
    std::cerr << "the fresh process's load " << what << ": " << command << "\n";
    std::remove(path.c_str());
    std::exit(1);
  };
  FreshLoad out;
  FILE* child = popen(command.c_str(), "r");
  if (child == nullptr) fail("could not start");
  char line[512];
  while (std::fgets(line, sizeof(line), child) != nullptr) {
    absl::string_view text = absl::StripTrailingAsciiWhitespace(line);
    const std::vector<absl::string_view> words =
        absl::StrSplit(text, absl::MaxSplits(' ', 2));
    int64_t bytes = 0;
    if (words.size() < 2 || !absl::SimpleAtoi(words[1], &bytes)) continue;
    if (words[0] == "resident") out.resident = bytes;
    if (words[0] == "in_use") out.in_use = bytes;
    if (words[0] == "heap") out.heap = bytes;
    if (words[0] == "profiles") out.profiles = bytes;
    if (words[0] == "mapped") out.mapped = bytes;
    if (words[0] == "load_us") out.load_s = bytes / 1e6;
    if (words[0] == "faults") out.faults = bytes;
    if (words[0] == "part" && words.size() == 3) {
      out.parts.emplace_back(std::string(words[2]), bytes);
    }
  }
  if (pclose(child) != 0) fail("failed");
  return out;
}

struct Result {
  int n = 0;
  double build_s = 0, peak_mb = 0, index_bytes_per_supplier = 0;
  double profile_bytes_per_supplier = 0, snapshot_mb = 0, save_s = 0,
         load_s = 0;
  double median_ms = 0, p99_ms = 0;
  double median_cpu_ms = 0, p99_cpu_ms = 0;  // Thread CPU time.
  double qps_1 = 0, qps_all = 0;
  double exhaustive_ratio = 0;
  int compared = 0, identical = 0;  // Pruned against exhaustive results.
  int64_t candidates = 0;           // Candidates of the pruned queries.
  int64_t scored = 0;               // Suppliers the pruned queries scored.
  bool xapian = false;
  double xapian_build_s = 0, text_ms = 0, xapian_text_ms = 0, overlap = 0;
  double full_ms = 0, xapian_full_ms = 0;
  std::vector<std::string> tunings;  // Rows of the retrieval table.
  std::vector<std::string> slowest;  // Rows of its slowest tenders.
  // What a snapshot loaded from a file keeps resident, per supplier: the
  // whole index, profiles included (issue 16's "in total").
  double loaded_bytes_per_supplier = 0;
  // The same load in a fresh process (LoadOnly): what it reports.
  FreshLoad fresh;
  // Page faults (MinorFaults) taken by the build, the save and the load;
  // the load again, once the first loaded index is freed (into memory the
  // allocator may still hold), its time and faults.
  int64_t build_faults = 0, save_faults = 0, load_faults = 0;
  double again_s = 0;
  int64_t again_faults = 0;
};

// Retrieval alone (internal::RetrieveTopKWith) with each tuning, per query
// in rotating order, in one process: the ratios are what the seeds' floor
// and the lists left unread (MaxScore) change; the tops are compared with
// the first tuning's (no seeds: retrieval as before them).
struct Tuning {
  const char* name;
  internal::RetrievalTuning tuning;
};

std::vector<Tuning> Tunings() {
  std::vector<Tuning> t(28);
  t[0].name = "no seeds, every list read";
  t[0].tuning.seeds_beyond_k = -1;
  t[0].tuning.non_essential_share = 0;
  t[1].name = "k + 2 seeds, every list read";
  t[1].tuning.seeds_beyond_k = 2;
  t[1].tuning.non_essential_share = 0;
  t[2].name = "k + 16 seeds, every list read";
  t[2].tuning.non_essential_share = 0;
  t[3].name = "k + 16 seeds, lists up to 0.005 unread";
  t[3].tuning.non_essential_share = 0.005;
  t[4].name = "k + 16 seeds, lists up to 0.01 unread (default)";
  t[5].name = "k + 16 seeds, lists up to 0.02 unread";
  t[5].tuning.non_essential_share = 0.02;
  t[6].name = "the default with the ceilings before round 8";
  t[6].tuning.tight_ceilings = false;
  t[7].name = "the default, every candidate bounded component by component";
  t[7].tuning.summed_bound = false;
  t[8].name = "k + 16 seeds, lists up to 0.05 unread";
  t[8].tuning.non_essential_share = 0.05;
  t[9].name = "the default, concepts bounded by credit 1 (before session 12)";
  t[9].tuning.concept_credit_ceiling = false;
  t[10].name =
      "the default, every essential list read whole (before session 16)";
  t[10].tuning.probe_slack = -1;
  t[11].name = "the default, lists looked up with slack 0";
  t[11].tuning.probe_slack = 0;
  t[12].name = "the default, lists looked up with slack 0.25";
  t[12].tuning.probe_slack = 0.25;
  t[13].name = "the default, a lookup counted as 1 posting read";
  t[13].tuning.probe_lookup_steps = 1;
  t[14].name = "the default, a lookup counted as 4 postings read";
  t[14].tuning.probe_lookup_steps = 4;
  t[15].name = "the default, records not prefetched (before session 17)";
  t[15].tuning.prefetch_distance = 0;
  t[16].name =
      "the default, lists looked up all or none, every candidate in each "
      "(before session 19)";
  t[16].tuning.probes_by_list = false;
  t[17].name =
      "the default, terms left unread never read after all (before session "
      "20)";
  t[17].tuning.tightening_steps = -1;
  t[18].name = "the default, terms left unread read at the first tightening";
  t[18].tuning.tightening_steps = 0;
  t[19].name = "the default, a tightening counted as 25 postings read";
  t[19].tuning.tightening_steps = 25;
  t[20].name = "the default, a tightening counted as 400 postings read";
  t[20].tuning.tightening_steps = 400;
  t[21].name =
      "the default, postings read one after the other (before session 21)";
  t[21].tuning.read_ahead = 0;
  t[22].name = "the default, postings read 48 ahead";
  t[22].tuning.read_ahead = 48;
  t[23].name =
      "the default, postings read 16 ahead (the default from 2^18 "
      "suppliers)";
  t[23].tuning.read_ahead = 16;
  t[24].name =
      "the default, contract ceilings for any tender (before session 25)";
  t[24].tuning.contract_ceilings_by_tender = false;
  t[25].name = "the default, contract ceilings not scaled by recency";
  t[25].tuning.contract_recency = false;
  t[26].name = "the default, CPV credit not bounded by the offered divisions";
  t[26].tuning.offered_divisions = false;
  t[27].name =
      "the default, concepts bounded within a group by the group alone "
      "(before session 26)";
  t[27].tuning.concept_signatures = false;
  return t;
}

std::string Sorted(internal::Retrieved r) {
  std::sort(r.top.begin(), r.top.end(), internal::Better);
  std::string s;
  for (const auto& x : r.top) {
    absl::StrAppend(&s, x.doc, ":", absl::StrFormat("%a", x.score), " ");
  }
  return s;
}

// Also fills `slowest` with a row for each of the default's slowest tenders
// (thread CPU): what it read, passed over and tightened.
std::vector<std::string> CompareTunings(
    const SupplierIndex& index, const std::vector<v1::MatchRequest>& requests,
    const Options& options, std::vector<std::string>* slowest) {
  const internal::IndexData& data = internal::IndexAccess::Data(index);
  const Validator validator(options);
  const std::vector<Tuning> tunings = Tunings();
  const size_t n = tunings.size();
  std::vector<std::vector<double>> ms(n), cpu_ms(n);
  std::vector<int64_t> candidates(n, 0), scored(n, 0), lists(n, 0),
      tightened(n, 0), passed_over(n, 0), probed(n, 0), postings(n, 0),
      read_late(n, 0);
  std::vector<int> same(n, 0);
  // The default's row, and its times per tender with what each did.
  const size_t kDefault = 4;
  std::vector<std::pair<double, std::string>> by_time;
  int queries = 0;
  for (size_t i = 0; i < requests.size(); ++i) {
    auto q = internal::PrepareQuery(requests[i], data, validator);
    if (!q.ok()) continue;
    ++queries;
    std::vector<std::string> tops(n);
    for (size_t turn = 0; turn < n; ++turn) {
      const size_t t = (turn + i) % n;
      const double cpu0 = ThreadCpuMs();
      auto t0 = Clock::now();
      internal::Retrieved r =
          internal::RetrieveTopKWith(**q, data, tunings[t].tuning);
      ms[t].push_back(Seconds(t0, Clock::now()) * 1000);
      cpu_ms[t].push_back(ThreadCpuMs() - cpu0);
      candidates[t] += r.candidates;
      scored[t] += r.scored;
      lists[t] += r.non_essential;
      tightened[t] += r.tightened;
      passed_over[t] += r.passed_over;
      probed[t] += r.probed;
      postings[t] += r.postings_read;
      read_late[t] += r.read_late;
      if (t == kDefault) {
        const v1::Tender& tender = requests[i].tender();
        by_time.emplace_back(
            cpu_ms[t].back(),
            absl::StrFormat(
                "| %.2f ms | %s | %d / %d | %d / %d / %d / %d | %d (%d) | %d "
                "| %d |",
                cpu_ms[t].back(),
                tender.main_cpv().empty() ? "none" : tender.main_cpv(),
                (*q)->terms.size(), (*q)->concepts.size(), r.candidates,
                r.passed_over, r.tightened, r.scored, r.postings_read,
                r.read_late, r.probed, r.non_essential));
      }
      tops[t] = Sorted(std::move(r));
    }
    for (size_t t = 0; t < n; ++t) same[t] += tops[t] == tops[0];
  }
  std::sort(by_time.begin(), by_time.end(),
            [](const auto& a, const auto& b) { return a.first > b.first; });
  for (size_t i = 0; i < by_time.size() && i < 5; ++i) {
    slowest->push_back(by_time[i].second);
  }
  std::vector<std::string> rows;
  const double base = Percentile(cpu_ms[0], 0.5);
  // Per tender, a row's thread CPU time over the default's (kDefault) for the
  // same tender (above 1: the row is slower): paired, so less moved by the
  // machine's load than the medians of each row.
  for (size_t t = 0; t < n; ++t) {
    const double d = std::max(1, queries);
    std::vector<double> ratio;
    for (size_t i = 0; i < cpu_ms[t].size(); ++i) {
      if (cpu_ms[kDefault][i] > 0) {
        ratio.push_back(cpu_ms[t][i] / cpu_ms[kDefault][i]);
      }
    }
    rows.push_back(absl::StrFormat(
        "| %s | %.2f ms | %.2f ms | %.2f / %.2f ms | %.2fx | %.2f / %.2f / "
        "%.2f | %.0f / %.0f / %.0f / %.0f | %.0f (%.0f) | %.0f | %.1f | %d / "
        "%d |",
        tunings[t].name, Percentile(ms[t], 0.5), Percentile(ms[t], 0.99),
        Percentile(cpu_ms[t], 0.5), Percentile(cpu_ms[t], 0.99),
        base / Percentile(cpu_ms[t], 0.5), Percentile(ratio, 0.1),
        Percentile(ratio, 0.5), Percentile(ratio, 0.9), candidates[t] / d,
        passed_over[t] / d, tightened[t] / d, scored[t] / d, postings[t] / d,
        read_late[t] / d, probed[t] / d, lists[t] / d, same[t], queries));
  }
  return rows;
}

bool SameMatches(const v1::MatchResponse& a, const v1::MatchResponse& b) {
  if (a.matches_size() != b.matches_size()) return false;
  for (int i = 0; i < a.matches_size(); ++i) {
    if (a.matches(i).supplier_id() != b.matches(i).supplier_id() ||
        a.matches(i).score() != b.matches(i).score()) {
      return false;
    }
  }
  return true;
}

Result Run(const CorpusGenerator& gen, int n, int queries, int exhaustive,
           bool with_xapian, bool tunings, const Options& options) {
  Result r;
  r.n = n;
  auto phase = [n](const char* what) {
    std::cerr << "  " << n << ": " << what << "\n";
  };
  phase("generating");
  std::vector<v1::SupplierProfile> profiles = gen.Suppliers(n, 2026);
  int64_t profile_bytes = 0;
  for (const auto& p : profiles) profile_bytes += p.SpaceUsedLong();
  r.profile_bytes_per_supplier = static_cast<double>(profile_bytes) / n;
  const int64_t rss_before = ResidentBytes();
  phase("building");
  int64_t faults = MinorFaults();
  auto t0 = Clock::now();
  SupplierIndex::Builder builder(options);
  for (auto& p : profiles) (void)builder.Add(std::move(p));
  std::shared_ptr<const SupplierIndex> index = *std::move(builder).Build();
  r.build_s = Seconds(t0, Clock::now());
  r.build_faults = MinorFaults() - faults;
  profiles.clear();
  profiles.shrink_to_fit();
  // The profiles moved into the index: what the RSS grew by is the index.
  r.index_bytes_per_supplier =
      static_cast<double>(ResidentBytes() - rss_before) / n;

  phase("snapshot");
  faults = MinorFaults();
  t0 = Clock::now();
  const std::string bytes = SaveSnapshot(*index);
  r.save_s = Seconds(t0, Clock::now());
  r.save_faults = MinorFaults() - faults;
  r.snapshot_mb = bytes.size() / 1e6;
  // Loaded from a file, as a service starts: written out first (and in the
  // page cache), then timed from opening it.
  const std::string path = absl::StrCat(
      std::getenv("TMPDIR") != nullptr ? std::getenv("TMPDIR") : "/tmp",
      "/scale_benchmark_", getpid(), ".snapshot");
  {
    std::ofstream file(path, std::ios::binary);
    file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  r.fresh = LoadInFreshProcess(path, options);
  const int64_t rss_before_load = TrimmedResidentBytes();
  faults = MinorFaults();
  t0 = Clock::now();
  auto loaded = LoadSnapshotFile(path, options);
  r.load_s = Seconds(t0, Clock::now());
  r.load_faults = MinorFaults() - faults;
  r.loaded_bytes_per_supplier =
      static_cast<double>(TrimmedResidentBytes() - rss_before_load) / n;
  auto check = [&] {
    if (!loaded.ok() || (*loaded)->size() != index->size()) {
      std::cerr << "loading the snapshot failed: " << loaded.status() << "\n";
      std::remove(path.c_str());
      std::exit(1);
    }
  };
  check();
  loaded = absl::InternalError("released");  // Free the second copy.
  // Again, without malloc_trim: what the allocator kept of the freed copy
  // is used again without a page fault (what it gave back is not).
  faults = MinorFaults();
  t0 = Clock::now();
  loaded = LoadSnapshotFile(path, options);
  r.again_s = Seconds(t0, Clock::now());
  r.again_faults = MinorFaults() - faults;
  std::remove(path.c_str());
  check();
  loaded = absl::InternalError("released");

  phase("queries");
  Matcher matcher(index);
  const auto& all = gen.Requests();
  std::vector<v1::MatchRequest> requests;
  for (int i = 0; i < queries; ++i) {
    requests.push_back(all[i % all.size()]);
    if (!options.cpv_concepts) {
      requests.back().mutable_options()->mutable_weights()->set_concepts(0);
    }
  }
  std::vector<double> latencies, cpu_latencies;
  for (const auto& q : requests) {
    const double cpu0 = ThreadCpuMs();
    t0 = Clock::now();
    auto m = matcher.Match(q);
    latencies.push_back(Seconds(t0, Clock::now()) * 1000);
    cpu_latencies.push_back(ThreadCpuMs() - cpu0);
  }
  r.median_ms = Percentile(latencies, 0.5);
  r.p99_ms = Percentile(latencies, 0.99);
  r.median_cpu_ms = Percentile(cpu_latencies, 0.5);
  r.p99_cpu_ms = Percentile(cpu_latencies, 0.99);
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  for (unsigned threads : {1u, cores}) {
    t0 = Clock::now();
    auto batch = matcher.MatchBatch(requests, threads);
    const double qps = requests.size() / Seconds(t0, Clock::now());
    (threads == 1 ? r.qps_1 : r.qps_all) = qps;
  }
  std::vector<double> fast, slow;
  for (int i = 0; i < exhaustive && i < queries; ++i) {
    t0 = Clock::now();
    auto pruned = matcher.Match(requests[i]);
    fast.push_back(Seconds(t0, Clock::now()));
    t0 = Clock::now();
    auto everyone = matcher.MatchExhaustive(requests[i]);
    slow.push_back(Seconds(t0, Clock::now()));
    // Compared, not only timed: the same suppliers, order and scores.
    ++r.compared;
    r.identical +=
        pruned.ok() && everyone.ok() && SameMatches(*pruned, *everyone);
    if (pruned.ok()) {
      r.candidates += pruned->counters().candidates();
      r.scored += pruned->counters().scored();
    }
  }
  r.exhaustive_ratio = Percentile(slow, 0.5) / Percentile(fast, 0.5);
  if (tunings) {
    phase("retrieval tunings");
    r.tunings = CompareTunings(*index, requests, options, &r.slowest);
  }

  if (with_xapian) {
    phase("Xapian");
    r.xapian = true;
    XapianBaseline xapian;
    // Timed without parsing the profiles out of the index.
    for (int d = 0; d < index->size(); ++d) {
      const v1::SupplierProfile profile = index->profile(d);
      t0 = Clock::now();
      xapian.Add(profile);
      r.xapian_build_s += Seconds(t0, Clock::now());
    }
    t0 = Clock::now();
    xapian.Commit();
    r.xapian_build_s += Seconds(t0, Clock::now());
    std::vector<double> ours_text, theirs_text, ours_full, theirs_full;
    double overlap = 0;
    int compared = 0;
    for (size_t i = 0; i < requests.size(); ++i) {
      v1::MatchRequest text = requests[i];
      *text.mutable_options()->mutable_weights() = TextOnly();
      const v1::Tender& t = requests[i].tender();
      // Interleaved, alternating which goes first.
      std::vector<std::string> ours, theirs;
      for (int turn = 0; turn < 2; ++turn) {
        if ((turn == 0) == (i % 2 == 0)) {
          t0 = Clock::now();
          auto m = matcher.Match(text);
          ours_text.push_back(Seconds(t0, Clock::now()) * 1000);
          ours.clear();
          if (m.ok()) {
            for (const auto& x : m->matches()) {
              if (x.score() > 0) ours.push_back(x.supplier_id());
            }
          }
        } else {
          t0 = Clock::now();
          theirs = xapian.Top(t, "", 10, /*with_cpv=*/false);
          theirs_text.push_back(Seconds(t0, Clock::now()) * 1000);
        }
      }
      if (!ours.empty() && !theirs.empty()) {
        std::set<std::string> a(ours.begin(), ours.end());
        int common = 0;
        for (const auto& id : theirs) common += a.count(id);
        overlap +=
            static_cast<double>(common) / std::max(ours.size(), theirs.size());
        ++compared;
      }
      for (int turn = 0; turn < 2; ++turn) {
        if ((turn == 0) == (i % 2 == 1)) {
          t0 = Clock::now();
          (void)matcher.Match(requests[i]);
          ours_full.push_back(Seconds(t0, Clock::now()) * 1000);
        } else {
          t0 = Clock::now();
          (void)xapian.Top(t, "", 10, /*with_cpv=*/true);
          theirs_full.push_back(Seconds(t0, Clock::now()) * 1000);
        }
      }
    }
    r.text_ms = Percentile(ours_text, 0.5);
    r.xapian_text_ms = Percentile(theirs_text, 0.5);
    r.overlap = compared ? overlap / compared : 0;
    r.full_ms = Percentile(ours_full, 0.5);
    r.xapian_full_ms = Percentile(theirs_full, 0.5);
  }
  r.peak_mb = PeakBytes() / 1e6;
  return r;
}

int Main(int argc, char** argv) {
  std::string data = "data";
  std::vector<int> sizes = {10000, 100000, 1000000};
  int queries = 1000, exhaustive = 100, xapian_max = 1000000;
  bool tunings = false;
  std::string load_only;  // LoadOnly's file.
  // --concepts=0: the CPV concept layer off (Options::cpv_concepts and
  // weight 0), to measure what it costs (doc/benchmarks.md, issue 14).
  Options options;
  for (int i = 1; i < argc; ++i) {
    absl::string_view a = argv[i];
    if (absl::ConsumePrefix(&a, "--data=")) data = std::string(a);
    if (absl::ConsumePrefix(&a, "--queries="))
      (void)absl::SimpleAtoi(a, &queries);
    if (absl::ConsumePrefix(&a, "--exhaustive=")) {
      (void)absl::SimpleAtoi(a, &exhaustive);
    }
    if (absl::ConsumePrefix(&a, "--build_threads=")) {
      (void)absl::SimpleAtoi(a, &options.build_threads);
    }
    if (absl::ConsumePrefix(&a, "--xapian_max=")) {
      (void)absl::SimpleAtoi(a, &xapian_max);
    }
    if (absl::ConsumePrefix(&a, "--concepts=")) options.cpv_concepts = a != "0";
    if (absl::ConsumePrefix(&a, "--tunings=")) tunings = a != "0";
    if (absl::ConsumePrefix(&a, "--load_only=")) load_only = std::string(a);
    if (absl::ConsumePrefix(&a, "--sizes=")) {
      sizes.clear();
      for (absl::string_view s : absl::StrSplit(a, ',')) {
        int n;
        if (absl::SimpleAtoi(s, &n) && n > 0) sizes.push_back(n);
      }
    }
  }
  if (!load_only.empty()) return LoadOnly(load_only, options);
  // Measured first, while the process is small and the machine's other
  // work is the same as for the steps below.
  const double fault_us = FaultMicroseconds();
  auto gen = CorpusGenerator::FromData(data + "/ted/notices_dev.jsonl",
                                       data + "/nuts/nuts2021_lvl3.tsv");
  if (!gen.ok()) {
    std::cerr << gen.status() << "\n";
    return 1;
  }
  std::vector<Result> results;
  for (int n : sizes) {
    std::cerr << "size " << n << "...\n";
    results.push_back(
        Run(*gen, n, queries, exhaustive, n <= xapian_max, tunings, options));
  }
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  std::cout << "## Scale\n\n"
            << "Generated suppliers (benchmarks/corpus_generator.h), queried "
               "with "
            << queries << " real TED notices (cycling through "
            << gen->Requests().size() << "), top 10, " << cores << " cores.\n\n"
            << "| suppliers | build | build rate | peak memory | index bytes / "
               "supplier (profiles) | snapshot | save | load (x faster than "
               "build) | top-10 median | top-10 p99 | top-10 median / p99, "
               "thread CPU | batch q/s, 1 core | "
               "batch q/s, all cores | exhaustive / indexed | same top 10 as "
               "exhaustive | candidates / scored per query |\n"
            << "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | "
               "--- | --- | --- | --- | --- | --- |\n";
  for (const Result& r : results) {
    std::cout << absl::StrFormat(
        "| %s | %.2f s | %.0f k/s | %.0f MB | %.0f (%.0f) | %.0f MB | %.2f s | "
        "%.2f s (%.1fx) | %.2f ms | %.2f ms | %.2f / %.2f ms | %.0f | %.0f | "
        "%.2fx | %d / %d | %.0f / %.0f |\n",
        Size(r.n), r.build_s, r.n / r.build_s / 1000, r.peak_mb,
        r.index_bytes_per_supplier, r.profile_bytes_per_supplier, r.snapshot_mb,
        r.save_s, r.load_s, r.build_s / r.load_s, r.median_ms, r.p99_ms,
        r.median_cpu_ms, r.p99_cpu_ms, r.qps_1, r.qps_all, r.exhaustive_ratio,
        r.identical, r.compared,
        r.compared ? static_cast<double>(r.candidates) / r.compared : 0.0,
        r.compared ? static_cast<double>(r.scored) / r.compared : 0.0);
  }
  std::cout << "\n## Memory of an index loaded from its snapshot\n\n"
            << "Bytes a supplier. Resident, in total: the resident set's "
               "growth across the load, after malloc_trim, in this process "
               "(which holds the built index) and in a fresh one that does "
               "nothing else; malloc in use: the allocator's in-use bytes' "
               "growth there; counted: IndexData::CountMemory's heap, "
               "the profiles' bytes and the term postings matching reads "
               "where they lie (both in the mapped file; the postings' "
               "pages are not released after the load, and count in the "
               "resident set).\n\n"
            << "| suppliers | resident, in total | resident, fresh process | "
               "malloc in use, fresh process | counted heap | profile bytes | "
               "term postings in the file |\n"
            << "| --- | --- | --- | --- | --- | --- | --- |\n";
  for (const Result& r : results) {
    const double n = r.n;
    std::cout << absl::StrFormat(
        "| %s | %.0f | %.0f | %.0f | %.1f | %.1f | %.1f |\n", Size(r.n),
        r.loaded_bytes_per_supplier, r.fresh.resident / n, r.fresh.in_use / n,
        r.fresh.heap / n, r.fresh.profiles / n, r.fresh.mapped / n);
  }
  for (const Result& r : results) {
    std::cout << "\n### Counted heap by part, " << Size(r.n)
              << " suppliers loaded\n\n| part | bytes / supplier |\n"
              << "| --- | --- |\n";
    for (const auto& [name, bytes] : r.fresh.parts) {
      std::cout << absl::StrFormat("| %s | %.1f |\n", name,
                                   static_cast<double>(bytes) / r.n);
    }
  }
  // A step's time, its page faults and what those cost at `fault_us`.
  auto with_faults = [&](double seconds, int64_t faults) {
    const std::string cost =
        fault_us > 0 ? absl::StrFormat("%.2f s", faults * fault_us / 1e6)
                     : std::string("price not measured");
    return absl::StrFormat("%.2f s, %dk faults (%s)", seconds,
                           (faults + 500) / 1000, cost);
  };
  std::cout << "\n## Page faults\n\n"
            << "Each step's time, the page faults it took (getrusage, every "
               "thread) and, in brackets, what they cost at the "
            << absl::StrFormat("%.2f", fault_us)
            << " microseconds a page fault took on this machine (64 MB of "
               "fresh memory touched a page at a time, median of five, "
               "before anything else ran), if taken one after the other. Load "
               "again: the same load once "
               "the first loaded index is freed, without malloc_trim, so "
               "that the allocator's free memory is used again.\n\n"
            << "| suppliers | build | save | load | load again | load, fresh "
               "process |\n| --- | --- | --- | --- | --- | --- |\n";
  for (const Result& r : results) {
    std::cout << "| " << Size(r.n) << " | "
              << with_faults(r.build_s, r.build_faults) << " | "
              << with_faults(r.save_s, r.save_faults) << " | "
              << with_faults(r.load_s, r.load_faults) << " | "
              << with_faults(r.again_s, r.again_faults) << " | "
              << with_faults(r.fresh.load_s, r.fresh.faults) << " |\n";
  }
  std::cout << "\n## Beside Xapian (same process, interleaved per query)\n\n"
            << "| suppliers | Xapian build | text-only top-10: procmatch / "
               "Xapian median | speed ratio | top-10 overlap | full match / "
               "Xapian text + CPV median | ratio |\n"
            << "| --- | --- | --- | --- | --- | --- | --- |\n";
  for (const Result& r : results) {
    if (!r.xapian) continue;
    std::cout << absl::StrFormat(
        "| %s | %.2f s | %.3f / %.3f ms | %.2fx | %.0f%% | %.3f / %.3f ms | "
        "%.2fx |\n",
        Size(r.n), r.xapian_build_s, r.text_ms, r.xapian_text_ms,
        r.xapian_text_ms / r.text_ms, 100 * r.overlap, r.full_ms,
        r.xapian_full_ms, r.xapian_full_ms / r.full_ms);
  }
  std::cout << "\nRatios above 1 mean procmatch is faster.\n";
  for (const Result& r : results) {
    if (r.tunings.empty()) continue;
    std::cout
        << "\n## Retrieval alone, " << Size(r.n)
        << " suppliers (same process, rotating order per query)\n\n"
        << "| tuning | median | p99 | median / p99, thread CPU | speed-up "
           "(CPU) | CPU time over the default's, per tender (above 1: slower): "
           "p10 / median / p90 | candidates / passed over / tightened / scored "
           "per query | "
           "postings read (of them late) per query | lookups in probed lists "
           "per query | lists unread per query | same top k |\n"
        << "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- "
           "|\n";
    for (const std::string& row : r.tunings) std::cout << row << "\n";
    std::cout << "\nThe default's slowest tenders (thread CPU):\n\n"
              << "| thread CPU | main CPV code | terms / concepts | "
                 "candidates / passed over / tightened / scored | postings "
                 "read (late) | lookups | lists unread |\n"
              << "| --- | --- | --- | --- | --- | --- | --- |\n";
    for (const std::string& row : r.slowest) std::cout << row << "\n";
  }
  return 0;
}

}  // namespace
}  // namespace procmatch

int main(int argc, char** argv) { return procmatch::Main(argc, argv); }
