// Load on the gRPC service (lib/service, doc/service.md): N concurrent
// clients on 127.0.0.1 match the real TED notices against generated
// suppliers (benchmarks/corpus_generator.h) for a fixed time, while a
// supplier update and a snapshot reload happen. Reports throughput,
// p50/p99 latency and errors, beside a single-client run in the same
// process (the baseline). Bounded: --seconds per phase and --max_requests
// per client.
//
//   bazel run -c opt //benchmarks:service_load -- --data=$PWD/data
//       --suppliers=100000 --clients=4 --seconds=20
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "benchmarks/corpus_generator.h"
#include "grpcpp/grpcpp.h"
#include "procmatch/service/service.h"
#include "procmatch/snapshot.h"
#include "procmatch/supplier_index.h"
#include "procmatch/v1/service.grpc.pb.h"

namespace procmatch {
namespace {

struct Phase {
  std::string name;
  int clients = 0;
  double seconds = 0;
  std::vector<double> latencies_ms;
  int errors = 0;
  std::string first_error;
};

double Percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(q * v.size()))];
}

// `clients` threads, each with its own channel, matching requests in turn
// for `duration` or `max_requests` each; `during` runs on this thread
// meanwhile.
Phase Run(const std::string& name, const std::string& address, int clients,
          absl::Duration duration, int max_requests,
          const std::vector<v1::MatchRequest>& requests,
          const std::function<void()>& during) {
  Phase phase;
  phase.name = name;
  phase.clients = clients;
  std::vector<std::vector<double>> latencies(clients);
  std::vector<int> errors(clients, 0);
  std::vector<std::string> first_error(clients);
  const absl::Time start = absl::Now();
  const absl::Time end = start + duration;
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      auto stub = v1::Procmatch::NewStub(
          grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
      for (int i = 0; i < max_requests && absl::Now() < end; ++i) {
        const v1::MatchRequest& r = requests[(c * 7919 + i) % requests.size()];
        grpc::ClientContext context;
        context.AddMetadata("authorization", "Bearer load-token");
        context.set_deadline(std::chrono::system_clock::now() +
                             std::chrono::seconds(30));
        v1::MatchResponse response;
        const absl::Time t = absl::Now();
        grpc::Status s = stub->Match(&context, r, &response);
        latencies[c].push_back(absl::ToDoubleMilliseconds(absl::Now() - t));
        if (!s.ok()) {
          if (errors[c]++ == 0) {
            first_error[c] =
                absl::StrCat(s.error_code(), ": ", s.error_message());
          }
        }
      }
    });
  }
  if (during) during();
  for (std::thread& t : threads) t.join();
  phase.seconds = absl::ToDoubleSeconds(absl::Now() - start);
  for (int c = 0; c < clients; ++c) {
    phase.latencies_ms.insert(phase.latencies_ms.end(), latencies[c].begin(),
                              latencies[c].end());
    phase.errors += errors[c];
    if (phase.first_error.empty()) phase.first_error = first_error[c];
  }
  return phase;
}

int Main(int argc, char** argv) {
  std::string data = "data";
  int suppliers = 100000, clients = 4, max_requests = 100000;
  double seconds = 20;
  for (int i = 1; i < argc; ++i) {
    absl::string_view a = argv[i];
    if (absl::ConsumePrefix(&a, "--data=")) data = std::string(a);
    if (absl::ConsumePrefix(&a, "--suppliers=")) {
      (void)absl::SimpleAtoi(a, &suppliers);
    }
    if (absl::ConsumePrefix(&a, "--clients="))
      (void)absl::SimpleAtoi(a, &clients);
    if (absl::ConsumePrefix(&a, "--seconds="))
      (void)absl::SimpleAtod(a, &seconds);
    if (absl::ConsumePrefix(&a, "--max_requests=")) {
      (void)absl::SimpleAtoi(a, &max_requests);
    }
  }
  auto gen = CorpusGenerator::FromData(data + "/ted/notices_dev.jsonl",
                                       data + "/nuts/nuts2021_lvl3.tsv");
  if (!gen.ok()) {
    std::cerr << gen.status() << "\n";
    return 1;
  }
  std::cerr << "building " << suppliers << " suppliers...\n";
  SupplierIndex::Builder builder;
  for (v1::SupplierProfile& p : gen->Suppliers(suppliers, 1)) {
    if (!builder.Add(std::move(p)).ok()) return 1;
  }
  auto index = std::move(builder).Build();
  if (!index.ok()) return 1;
  const char* tmp = std::getenv("TMPDIR");
  const std::string snapshot =
      absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/service_load.snapshot");
  {
    std::ofstream out(snapshot, std::ios::binary);
    out << SaveSnapshot(**index);
  }
  // An update: 1% of the suppliers replaced by fresh profiles.
  v1::SupplierUpdate update;
  std::vector<v1::SupplierProfile> fresh =
      gen->Suppliers(std::max(1, suppliers / 100), 2);
  for (size_t i = 0; i < fresh.size(); ++i) {
    fresh[i].set_id(
        (*index)->profile(static_cast<int>(i * 97 % suppliers)).id());
    *update.add_upserts() = fresh[i];
  }

  service::ServerConfig config;
  config.listen = "127.0.0.1:0";
  config.snapshot_path = snapshot;
  config.policy = *service::Policy::FromText(
      "callers { name: \"load\" bearer_tokens: \"load-token\" methods: \"*\" "
      "clearance_suppliers: \"*\" }");
  config.limits.max_concurrent_requests = std::max(64, clients * 2);
  std::atomic<int64_t> logged{0};
  config.log = [&logged](const std::string&) { ++logged; };
  auto server = service::Server::Start(*index, std::move(config));
  if (!server.ok()) {
    std::cerr << server.status() << "\n";
    return 1;
  }
  const std::string address = absl::StrCat("127.0.0.1:", (*server)->port());
  const auto& requests = gen->Requests();
  const absl::Duration phase = absl::Seconds(seconds);

  std::cerr << "single client...\n";
  Phase single = Run("1 client", address, 1, phase, max_requests, requests, {});
  std::cerr << clients << " clients, with an update and a reload...\n";
  double update_ms = 0, reload_ms = 0;
  std::string update_error, reload_error;
  Phase loaded =
      Run(absl::StrCat(clients, " clients + update + reload"), address, clients,
          phase, max_requests, requests, [&] {
            auto stub = v1::Procmatch::NewStub(grpc::CreateChannel(
                address, grpc::InsecureChannelCredentials()));
            absl::SleepFor(phase / 3);
            {
              grpc::ClientContext context;
              context.AddMetadata("authorization", "Bearer load-token");
              v1::UpdateSuppliersResponse r;
              const absl::Time t = absl::Now();
              grpc::Status s = stub->UpdateSuppliers(&context, update, &r);
              update_ms = absl::ToDoubleMilliseconds(absl::Now() - t);
              if (!s.ok()) update_error = s.error_message();
            }
            absl::SleepFor(phase / 3);
            {
              grpc::ClientContext context;
              context.AddMetadata("authorization", "Bearer load-token");
              v1::ReloadResponse r;
              const absl::Time t = absl::Now();
              grpc::Status s = stub->Reload(&context, {}, &r);
              reload_ms = absl::ToDoubleMilliseconds(absl::Now() - t);
              if (!s.ok()) reload_error = s.error_message();
            }
          });
  (*server)->Shutdown(absl::Seconds(10));
  std::remove(snapshot.c_str());

  std::cout
      << "## Service under load\n\n"
      << absl::StrFormat(
             "%d generated suppliers, real TED notices (%d, cycling), "
             "top 10, bearer token, plaintext on 127.0.0.1, %u cores; "
             "%.0f s per phase. Update: %d profiles replaced (%.0f ms%s); "
             "reload of the snapshot (%.0f ms%s).\n\n",
             suppliers, static_cast<int>(requests.size()),
             std::thread::hardware_concurrency(), seconds,
             update.upserts_size(), update_ms,
             update_error.empty() ? "" : (", FAILED: " + update_error),
             reload_ms,
             reload_error.empty() ? "" : (", FAILED: " + reload_error))
      << "| phase | requests | throughput | p50 | p99 | errors |\n"
      << "| --- | --- | --- | --- | --- | --- |\n";
  for (const Phase* p : {&single, &loaded}) {
    std::cout << absl::StrFormat(
        "| %s | %d | %.0f q/s | %.2f ms | %.2f ms | %d%s |\n", p->name,
        static_cast<int>(p->latencies_ms.size()),
        p->latencies_ms.size() / p->seconds, Percentile(p->latencies_ms, 0.5),
        Percentile(p->latencies_ms, 0.99), p->errors,
        p->first_error.empty() ? "" : " (" + p->first_error + ")");
  }
  std::cout << absl::StrFormat(
      "\np99 under load / single-client p99: %.2fx (target: at most 3x); "
      "throughput ratio: %.2fx. Request log lines: %d.\n",
      Percentile(loaded.latencies_ms, 0.99) /
          Percentile(single.latencies_ms, 0.99),
      (loaded.latencies_ms.size() / loaded.seconds) /
          (single.latencies_ms.size() / single.seconds),
      static_cast<int>(logged.load()));
  return loaded.errors + single.errors == 0 && update_error.empty() &&
                 reload_error.empty()
             ? 0
             : 1;
}

}  // namespace
}  // namespace procmatch

int main(int argc, char** argv) { return procmatch::Main(argc, argv); }
