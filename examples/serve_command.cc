// procmatch serve: the procmatch.v1.Procmatch gRPC service over a snapshot
// (lib/service, doc/service.md). SIGHUP reloads the snapshot; SIGTERM and
// SIGINT stop it gracefully, letting requests in flight finish.
#include <signal.h>

#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "examples/cli_common.h"
#include "examples/commands.h"
#include "procmatch/alert_index.h"
#include "procmatch/record_io.h"
#include "procmatch/service/policy.h"
#include "procmatch/service/service.h"

namespace procmatch {
namespace cli {
namespace {

constexpr char kServeUsage[] =
    R"(usage: procmatch serve --index SNAPSHOT --listen HOST:PORT [OPTIONS]

Serves procmatch.v1.Procmatch over gRPC (doc/service.md). SIGHUP reloads
SNAPSHOT; SIGTERM or SIGINT stops, letting requests in flight finish.

  --tls-cert FILE --tls-key FILE   PEM server certificate and key (TLS);
                                   without them the service is plaintext
  --client-ca FILE                 PEM CA of client certificates (mTLS)
  --policy FILE                    who may call what (ServicePolicy, text
                                   format); without it every caller may do
                                   everything: loopback development only
  --rules FILE...                  alert rules for EvaluateNotices
  --max-alert-patterns N           RE2 patterns of all the rules together,
                                   default 100000 (as alerts)
  --max-top-k N                    default 1000
  --max-batch N                    requests or notices per call, default 1000
  --max-concurrent N               requests running at once, default 64
  --max-message-bytes N            default 16777216
  --grace-seconds N                shutdown grace for requests in flight,
                                   default 30
)";

// serve's own options: "--name value", "--name=value"; --rules takes the
// files up to the next option.
absl::StatusOr<std::map<std::string, std::vector<std::string>>> ParseServe(
    int argc, char** argv) {
  static const char* const kOptions[] = {
      "index",        "listen",    "tls-cert",       "tls-key",
      "client-ca",    "policy",    "rules",          "max-alert-patterns",
      "max-top-k",    "max-batch", "max-concurrent", "max-message-bytes",
      "grace-seconds"};
  std::map<std::string, std::vector<std::string>> out;
  std::string list;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (!absl::StartsWith(a, "--")) {
      if (list.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat("serve: unexpected argument \"", a, "\""));
      }
      out[list].push_back(a);
      continue;
    }
    a = a.substr(2);
    std::string value;
    const size_t eq = a.find('=');
    const bool inline_value = eq != std::string::npos;
    if (inline_value) {
      value = a.substr(eq + 1);
      a = a.substr(0, eq);
    }
    bool known = false;
    for (const char* o : kOptions) known = known || a == o;
    if (!known) {
      return absl::InvalidArgumentError(
          absl::StrCat("serve: unknown option --", a));
    }
    list.clear();
    if (a == "rules") {
      list = a;
      out[a];
      if (inline_value) out[a].push_back(value);
      continue;
    }
    if (!inline_value) {
      if (i + 1 >= argc) {
        return absl::InvalidArgumentError(
            absl::StrCat("serve: --", a, " needs a value"));
      }
      value = argv[++i];
    }
    out[a] = {value};
  }
  return out;
}

// The file of option `name` into `content`, when given. PEM material and
// policies are small: a file over 1 MiB (or /dev/zero) is refused before it
// is read whole, and an empty one is refused, not taken for "not given" (an
// empty --tls-cert and --tls-key served plaintext; session 11 sweep).
absl::Status ReadInto(const std::map<std::string, std::vector<std::string>>& o,
                      const std::string& name, std::string* content) {
  auto it = o.find(name);
  if (it == o.end()) return absl::OkStatus();
  RecordLimits small;
  small.max_file_bytes = 1 << 20;
  absl::StatusOr<std::string> read = ReadFileOrStdin(it->second[0], small);
  if (!read.ok()) return read.status();
  if (read->empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("serve: --", name, " ", it->second[0], ": is empty"));
  }
  *content = *std::move(read);
  return absl::OkStatus();
}

absl::Status SetLimit(const std::map<std::string, std::vector<std::string>>& o,
                      const std::string& name, int* limit) {
  auto it = o.find(name);
  if (it == o.end()) return absl::OkStatus();
  if (!absl::SimpleAtoi(it->second[0], limit) || *limit <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("serve: --", name, " must be a positive integer, not \"",
                     it->second[0], "\""));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<const AlertIndex>> ReadRules(
    const std::vector<std::string>& paths, const Options& options) {
  Args args;
  Problems problems(/*skip_invalid=*/false);
  AlertIndex::Builder builder(options);
  ForEachRecord<v1::AlertRule>(
      args, paths, &problems,
      [&](const std::string& path, int record, v1::AlertRule rule) {
        absl::Status added = builder.Add(rule);
        if (!added.ok()) {
          problems.Report(
              absl::StrCat(path, ": record ", record, ": ", added.message()));
        }
      });
  if (problems.unreadable() > 0) return problems.StopReason("alert rules");
  if (problems.count() > 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(problems.count(),
                     " invalid alert rules; serve starts with all or none"));
  }
  return std::move(builder).Build();
}

}  // namespace

int RunServe(int argc, char** argv) {
  auto options = ParseServe(argc, argv);
  if (!options.ok() || !options->count("index") || !options->count("listen")) {
    if (!options.ok())
      std::cerr << "procmatch: " << options.status().message() << "\n";
    std::cerr << kServeUsage;
    return 2;
  }
  const auto& o = *options;
  service::ServerConfig config;
  config.listen = o.at("listen")[0];
  config.snapshot_path = o.at("index")[0];
  std::string policy_text;
  absl::Status s = ReadInto(o, "tls-cert", &config.tls_cert_pem);
  if (s.ok()) s = ReadInto(o, "tls-key", &config.tls_key_pem);
  if (s.ok()) s = ReadInto(o, "client-ca", &config.client_ca_pem);
  if (s.ok()) s = ReadInto(o, "policy", &policy_text);
  if (s.ok()) s = SetLimit(o, "max-top-k", &config.limits.max_top_k);
  if (s.ok()) s = SetLimit(o, "max-batch", &config.limits.max_batch_size);
  if (s.ok()) {
    s = SetLimit(o, "max-concurrent", &config.limits.max_concurrent_requests);
  }
  if (s.ok()) {
    s = SetLimit(o, "max-message-bytes", &config.limits.max_message_bytes);
  }
  int grace_seconds = 30;
  if (s.ok()) s = SetLimit(o, "grace-seconds", &grace_seconds);
  if (!s.ok()) return Fail(s);
  if (o.count("policy")) {
    absl::StatusOr<service::Policy> policy =
        service::Policy::FromText(policy_text);
    if (!policy.ok()) return Fail(policy.status());
    config.policy = *std::move(policy);
  } else {
    std::cerr << "procmatch serve: no --policy: every caller may call every "
                 "method (development only)\n";
  }
  const auto bound = o.find("max-alert-patterns");
  absl::StatusOr<Options> alert_options =
      AlertIndexOptions(bound == o.end() ? nullptr : &bound->second[0]);
  if (!alert_options.ok()) return Fail(alert_options.status());
  if (o.count("rules")) {
    auto rules = ReadRules(o.at("rules"), *alert_options);
    if (!rules.ok()) return Fail(rules.status());
    config.alerts = *std::move(rules);
  }

  Args index_args;
  index_args.flags["index"] = config.snapshot_path;
  Problems problems(/*skip_invalid=*/false);
  auto index = OpenIndex(index_args, &problems);
  if (!index.ok()) return Fail(index.status());

  // The signals are taken by sigwait() below, on this thread; every thread
  // gRPC starts inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGHUP);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  const int suppliers = (*index)->size();
  auto server = service::Server::Start(*std::move(index), std::move(config));
  if (!server.ok()) return Fail(server.status());
  std::cerr << "procmatch serve: " << suppliers << " suppliers on port "
            << (*server)->port() << "\n";
  while (true) {
    int signal = 0;
    if (sigwait(&signals, &signal) != 0) continue;
    if (signal == SIGHUP) {
      absl::Status reloaded = (*server)->Reload();
      std::cerr << "procmatch serve: SIGHUP: "
                << (reloaded.ok() ? std::string("reloaded")
                                  : std::string(reloaded.message()))
                << "\n";
      continue;
    }
    std::cerr << "procmatch serve: stopping; requests in flight have "
              << grace_seconds << "s\n";
    (*server)->Shutdown(absl::Seconds(grace_seconds));
    (*server)->Wait();
    return 0;
  }
}

}  // namespace cli
}  // namespace procmatch
