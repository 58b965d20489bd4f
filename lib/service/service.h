// File: lib/service/service.h
//
// procmatch over gRPC: the procmatch.v1.Procmatch service
// (proto/procmatch/v1/service.proto), a thin layer over the library, and a
// server that runs it with TLS, per-caller authorisation, limits, deadlines,
// hot reload and graceful shutdown. doc/service.md is the guide.
//
// Example:
//
//   procmatch::service::ServerConfig config;
//   config.listen = "127.0.0.1:0";             // an ephemeral port
//   config.tls_cert_pem = cert;                // empty: plaintext
//   config.tls_key_pem = key;
//   config.policy = *procmatch::service::Policy::FromText(policy_text);
//   config.snapshot_path = "suppliers.snapshot";  // for Reload and SIGHUP
//   absl::StatusOr<std::unique_ptr<procmatch::service::Server>> server =
//       procmatch::service::Server::Start(index, config);
//   // ... clients call 127.0.0.1:(*server)->port() ...
//   (*server)->Shutdown(absl::Seconds(10));  // in-flight requests finish
//
// Every request is authenticated (bearer token or client certificate,
// lib/service/policy.h), authorised by method, admitted under the
// concurrency limit, run against the index generation current when it
// started, redacted for its caller and logged on one line.
//
// Threading: a Server is safe for concurrent use; requests run on gRPC's
// threads. Reload(), UpdateSuppliers and EvaluateNotices may run while
// requests are served: readers are never blocked by a new generation.
#ifndef PROCMATCH_LIB_SERVICE_SERVICE_H_
#define PROCMATCH_LIB_SERVICE_SERVICE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "procmatch/alert_index.h"
#include "procmatch/options.h"
#include "procmatch/service/policy.h"
#include "procmatch/supplier_index.h"

namespace grpc {
class Server;
}  // namespace grpc

namespace procmatch {
namespace service {

// What one request may cost; each refused with its gRPC status and a
// message naming the limit.
struct ServiceLimits {
  // Largest request or response message (RESOURCE_EXHAUSTED, from gRPC).
  // Default: 16 MiB.
  int max_message_bytes = 16 << 20;
  // Largest MatchOptions.top_k (INVALID_ARGUMENT). Default: 1,000.
  int max_top_k = 1000;
  // Most requests in one MatchBatch, or notices in one EvaluateNotices
  // (INVALID_ARGUMENT). Default: 1,000.
  int max_batch_size = 1000;
  // Requests running at once, streams included; one more is refused
  // (RESOURCE_EXHAUSTED) rather than queued. Default: 64.
  int max_concurrent_requests = 64;
  // Open SubscribeAlerts streams (RESOURCE_EXHAUSTED). Default: 256.
  int max_subscriptions = 256;
  // Alerts queued for one slow subscriber before its stream is ended
  // (RESOURCE_EXHAUSTED). Default: 10,000.
  int max_queued_alerts = 10000;
};

struct ServerConfig {
  // Address to listen on, "host:port"; port 0 picks a free one (port()).
  std::string listen = "127.0.0.1:0";

  // PEM server certificate chain and private key. Both empty: plaintext
  // (loopback development only).
  std::string tls_cert_pem;
  std::string tls_key_pem;
  // PEM CA of client certificates. Set: clients may present a certificate
  // (mTLS), verified against it; its subject CN or DNS SAN names the caller.
  std::string client_ca_pem;

  // Who may call what. Unset: every caller is AnonymousCaller(), with every
  // right (loopback development only).
  std::optional<Policy> policy;

  ServiceLimits limits;

  // The snapshot Reload() and SIGHUP read again; empty: Reload is
  // FAILED_PRECONDITION. Loaded with `index_options`.
  std::string snapshot_path;
  Options index_options;

  // Rules EvaluateNotices runs; nullptr: no rules (no alerts).
  std::shared_ptr<const AlertIndex> alerts;

  // Receives one line per finished request ("method=Match caller=portal
  // peer=ipv4:127.0.0.1:5000 status=OK latency_ms=1.234"). Default:
  // standard error. Called from request threads, concurrently.
  std::function<void(const std::string& line)> log;
};

class ServiceImpl;

class Server {
 public:
  // Starts serving `index` with `config`. Errors: an unusable address or
  // port, TLS material that does not load, limits that are not positive.
  static absl::StatusOr<std::unique_ptr<Server>> Start(
      std::shared_ptr<const SupplierIndex> index, ServerConfig config);
  ~Server();  // Shutdown(absl::ZeroDuration()) if still running.

  int port() const { return port_; }

  // Reloads config.snapshot_path as a new generation; the Reload RPC and
  // SIGHUP (procmatch serve) call it. Requests running go on with the
  // generation they started with.
  absl::Status Reload();
  // The generation served now.
  uint64_t generation() const;

  // Stops accepting requests, ends alert streams, lets running requests
  // finish for up to `grace`, then cancels the rest. Idempotent.
  void Shutdown(absl::Duration grace);
  // Blocks until Shutdown() has finished.
  void Wait();

 private:
  Server() = default;
  std::unique_ptr<ServiceImpl> service_;
  std::unique_ptr<grpc::Server> server_;
  absl::Mutex shutdown_mu_;
  bool shut_down_ ABSL_GUARDED_BY(shutdown_mu_) = false;
  int port_ = 0;
};

}  // namespace service
}  // namespace procmatch

#endif  // PROCMATCH_LIB_SERVICE_SERVICE_H_
