#include "procmatch/service/service.h"

#include <atomic>
#include <chrono>
#include <deque>
#include <iostream>
#include <list>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "procmatch/consortium.h"
#include "procmatch/coverage.h"
#include "procmatch/cpv_concepts.h"
#include "procmatch/matcher.h"
#include "procmatch/record_io.h"
#include "procmatch/snapshot.h"
#include "procmatch/v1/service.grpc.pb.h"

namespace procmatch {
namespace service {
namespace {

constexpr char kServiceName[] = "procmatch.v1.Procmatch";

// One index generation and what serves requests on it. Requests take a
// shared_ptr to the current one and keep it until they finish.
struct Generation {
  explicit Generation(std::shared_ptr<const SupplierIndex> i)
      : index(i), matcher(i), consortium(i) {}
  std::shared_ptr<const SupplierIndex> index;
  Matcher matcher;
  ConsortiumBuilder consortium;
};

// Whose input a library status is about.
enum class Input { kRequest, kServerFile };

// A library status as the caller's gRPC status. The library refuses an input
// over a configured bound (a file over max_file_bytes, rules over
// max_alert_patterns) with ResourceExhausted, but to a gRPC client
// RESOURCE_EXHAUSTED means "busy: back off and retry", which the service keeps
// for its own transient refusals (concurrency, subscriptions, a slow
// stream). A bound refusal is not transient: INVALID_ARGUMENT when the
// request is over it (as max_top_k and max_batch_size are), FAILED_PRECONDITION
// when the server's own file is (Reload: the operator must fix the file or
// the bound) (doc/service.md, "Status codes").
grpc::Status ToGrpc(const absl::Status& s, Input input = Input::kRequest) {
  grpc::StatusCode code = static_cast<grpc::StatusCode>(s.code());
  if (s.code() == absl::StatusCode::kResourceExhausted) {
    code = input == Input::kRequest ? grpc::StatusCode::INVALID_ARGUMENT
                                    : grpc::StatusCode::FAILED_PRECONDITION;
  }
  return grpc::Status(code, std::string(s.message()));
}

std::string CodeName(grpc::StatusCode code) {
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

// Why a request must stop now, if it must: its caller cancelled or its
// deadline passed. Long loops call it between items.
grpc::Status Interrupted(grpc::ServerContext* context) {
  if (context->deadline() < std::chrono::system_clock::now()) {
    return grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                        "the request's deadline passed");
  }
  if (context->IsCancelled()) {
    return grpc::Status(grpc::StatusCode::CANCELLED,
                        "the caller cancelled the request");
  }
  return grpc::Status::OK;
}

// The alerts waiting for the open SubscribeAlerts streams.
class AlertHub {
 public:
  struct Subscription {
    std::string subscriber;
    std::deque<v1::Alert> queue;
    bool overflowed = false;
  };

  // nullptr when `max` subscriptions are open or the hub is closed.
  Subscription* Open(const std::string& subscriber, int max) {
    absl::MutexLock lock(&mu_);
    if (closed_ || static_cast<int>(open_.size()) >= max) return nullptr;
    open_.push_back(Subscription{subscriber, {}, false});
    return &open_.back();
  }

  void Close(Subscription* s) {
    absl::MutexLock lock(&mu_);
    for (auto it = open_.begin(); it != open_.end(); ++it) {
      if (&*it == s) {
        open_.erase(it);
        return;
      }
    }
  }

  void Publish(const v1::Alert& alert, int max_queued) {
    absl::MutexLock lock(&mu_);
    for (Subscription& s : open_) {
      if (s.subscriber != alert.subscriber()) continue;
      if (static_cast<int>(s.queue.size()) >= max_queued) {
        s.overflowed = true;
      } else {
        s.queue.push_back(alert);
      }
    }
  }

  // Ends every stream.
  void CloseAll() {
    absl::MutexLock lock(&mu_);
    closed_ = true;
  }

  // Waits up to `wait` for an alert of `s`. Returns false when there is
  // none (yet); sets *ended when the hub is closed, *overflowed when `s`
  // fell behind.
  bool Next(Subscription* s, absl::Duration wait, v1::Alert* alert, bool* ended,
            bool* overflowed) {
    absl::MutexLock lock(&mu_);
    auto ready = [this, s]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
      return closed_ || s->overflowed || !s->queue.empty();
    };
    mu_.AwaitWithTimeout(absl::Condition(&ready), wait);
    *ended = closed_;
    *overflowed = s->overflowed;
    if (s->queue.empty()) return false;
    *alert = std::move(s->queue.front());
    s->queue.pop_front();
    return true;
  }

 private:
  absl::Mutex mu_;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  std::list<Subscription> open_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

class ServiceImpl final : public v1::Procmatch::Service {
 public:
  ServiceImpl(std::shared_ptr<const SupplierIndex> index, ServerConfig config)
      : config_(std::move(config)),
        current_(std::make_shared<const Generation>(std::move(index))) {
    if (!config_.log) {
      config_.log = [](const std::string& line) {
        std::cerr << line + "\n" << std::flush;
      };
    }
  }

  std::shared_ptr<const Generation> Current() const {
    return std::atomic_load(&current_);
  }

  absl::StatusOr<std::shared_ptr<const Generation>> Reload() {
    if (config_.snapshot_path.empty()) {
      return absl::FailedPreconditionError(
          "reload: the server was started without a snapshot file");
    }
    absl::StatusOr<std::string> bytes = ReadFileOrStdin(config_.snapshot_path);
    if (!bytes.ok()) return bytes.status();
    absl::StatusOr<std::shared_ptr<const SupplierIndex>> index =
        LoadSnapshot(*bytes, config_.index_options);
    if (!index.ok()) {
      return absl::Status(index.status().code(),
                          absl::StrCat("reload: ", config_.snapshot_path, ": ",
                                       index.status().message()));
    }
    auto next = std::make_shared<const Generation>(*std::move(index));
    absl::MutexLock lock(&update_mu_);
    std::atomic_store(&current_, next);
    return next;
  }

  void BeginShutdown() { hub_.CloseAll(); }

  // One request from admission to its log line.
  class Call {
   public:
    // `counted`: holds a slot of max_concurrent_requests while it runs.
    Call(ServiceImpl* service, grpc::ServerContext* context, const char* method,
         bool counted = true)
        : service_(service),
          context_(context),
          method_(method),
          counted_(counted),
          start_(absl::Now()) {
      admission_ = service_->Authenticate(context, &caller_);
      if (admission_.ok() && !caller_->MayCall(method)) {
        admission_ =
            grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                         absl::StrCat("caller \"", caller_->name(),
                                      "\" may not call ", method, " (policy)"));
      }
      if (counted_) {
        const int running = service_->in_flight_.fetch_add(1) + 1;
        const int max = service_->config_.limits.max_concurrent_requests;
        if (admission_.ok() && running > max) {
          admission_ =
              grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                           absl::StrCat("max_concurrent_requests: ", max,
                                        " requests are running; retry later"));
        }
      }
    }
    ~Call() {
      if (counted_) service_->in_flight_.fetch_sub(1);
    }

    bool ok() const { return admission_.ok(); }
    const Caller& caller() const { return *caller_; }

    // Logs the request with `status` (its admission status when refused)
    // and returns it.
    grpc::Status Finish(grpc::Status status = grpc::Status::OK) {
      if (!admission_.ok()) status = admission_;
      service_->config_.log(absl::StrFormat(
          "procmatch-service time=%s method=%s caller=%s peer=%s status=%s "
          "latency_ms=%.3f",
          absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", start_, absl::UTCTimeZone()),
          method_, caller_ != nullptr ? caller_->name() : "-", context_->peer(),
          CodeName(status.error_code()),
          absl::ToDoubleMilliseconds(absl::Now() - start_)));
      return status;
    }

   private:
    ServiceImpl* service_;
    grpc::ServerContext* context_;
    const char* method_;
    bool counted_;
    absl::Time start_;
    const Caller* caller_ = nullptr;
    grpc::Status admission_;
  };

  grpc::Status Match(grpc::ServerContext* context,
                     const v1::MatchRequest* request,
                     v1::MatchResponse* response) override {
    Call call(this, context, "Match");
    if (!call.ok()) return call.Finish();
    return call.Finish(MatchOne(call, context, *request, response));
  }

  grpc::Status MatchBatch(
      grpc::ServerContext* context, const v1::MatchBatchRequest* request,
      grpc::ServerWriter<v1::MatchResponse>* writer) override {
    Call call(this, context, "MatchBatch");
    if (!call.ok()) return call.Finish();
    if (request->requests_size() > config_.limits.max_batch_size) {
      return call.Finish(TooMany("requests", request->requests_size()));
    }
    for (int i = 0; i < request->requests_size(); ++i) {
      v1::MatchResponse response;
      grpc::Status s = MatchOne(call, context, request->requests(i), &response);
      if (!s.ok()) {
        return call.Finish(grpc::Status(
            s.error_code(),
            absl::StrCat("requests[", i, "]: ", s.error_message())));
      }
      if (!writer->Write(response)) {
        return call.Finish(
            grpc::Status(grpc::StatusCode::CANCELLED, "the stream was closed"));
      }
    }
    return call.Finish();
  }

  grpc::Status Explain(grpc::ServerContext* context,
                       const v1::ExplainRequest* request,
                       v1::MatchResponse* response) override {
    Call call(this, context, "Explain");
    if (!call.ok()) return call.Finish();
    grpc::Status s = CheckTopK(request->match());
    if (s.ok()) s = Interrupted(context);
    if (!s.ok()) return call.Finish(s);
    auto g = Current();
    absl::StatusOr<v1::MatchResponse> r =
        g->matcher.Explain(request->match(), request->supplier_id());
    if (!r.ok()) return call.Finish(ToGrpc(r.status()));
    *response = *std::move(r);
    Redact(call.caller(), request->match().tender(), response);
    return call.Finish();
  }

  grpc::Status SuggestCpv(grpc::ServerContext* context,
                          const v1::SuggestCpvRequest* request,
                          v1::SuggestCpvResponse* response) override {
    Call call(this, context, "SuggestCpv");
    if (!call.ok()) return call.Finish();
    const int top = request->top_k() == 0 ? 5 : request->top_k();
    if (top < 0) {
      return call.Finish(
          grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                       absl::StrCat("top_k ", top, " is negative")));
    }
    if (grpc::Status s = CheckTopK("top_k", top); !s.ok()) {
      return call.Finish(s);
    }
    absl::StatusOr<std::vector<CpvSuggestion>> suggestions =
        procmatch::SuggestCpv(request->text(), request->language(), top);
    if (!suggestions.ok()) return call.Finish(ToGrpc(suggestions.status()));
    for (const CpvSuggestion& s : *suggestions) {
      v1::CpvSuggestion* out = response->add_suggestions();
      out->set_code(s.code.ToString());
      out->set_label(s.label);
      out->set_score(s.score);
      out->set_label_en(s.label_en);
      out->set_language(s.language);
      for (const ConceptEvidence& e : s.evidence) {
        out->add_evidence_words(e.word);
      }
    }
    return call.Finish();
  }

  grpc::Status ProposeConsortium(grpc::ServerContext* context,
                                 const v1::ConsortiumRequest* request,
                                 v1::ConsortiumResponse* response) override {
    Call call(this, context, "ProposeConsortium");
    if (!call.ok()) return call.Finish();
    grpc::Status s = Interrupted(context);
    if (!s.ok()) return call.Finish(s);
    auto g = Current();
    absl::StatusOr<v1::ConsortiumResponse> r = g->consortium.Propose(*request);
    if (!r.ok()) return call.Finish(ToGrpc(r.status()));
    *response = *std::move(r);
    Redact(call.caller(), request->call(), response);
    return call.Finish();
  }

  grpc::Status Coverage(grpc::ServerContext* context,
                        const v1::CoverageRequest* request,
                        v1::CoverageReport* response) override {
    Call call(this, context, "Coverage");
    if (!call.ok()) return call.Finish();
    grpc::Status s = Interrupted(context);
    if (!s.ok()) return call.Finish(s);
    auto g = Current();
    absl::StatusOr<v1::CoverageReport> r =
        ComputeCoverage(*g->index, *request, {});
    if (!r.ok()) return call.Finish(ToGrpc(r.status()));
    *response = *std::move(r);
    return call.Finish();
  }

  grpc::Status EvaluateNotices(grpc::ServerContext* context,
                               const v1::EvaluateNoticesRequest* request,
                               v1::EvaluateNoticesResponse* response) override {
    Call call(this, context, "EvaluateNotices");
    if (!call.ok()) return call.Finish();
    if (request->notices_size() > config_.limits.max_batch_size) {
      return call.Finish(TooMany("notices", request->notices_size()));
    }
    if (config_.alerts == nullptr) return call.Finish();
    auto g = Current();
    EvaluationContext evaluation;
    evaluation.now = absl::Now();
    evaluation.matcher = &g->matcher;
    for (int i = 0; i < request->notices_size(); ++i) {
      grpc::Status s = Interrupted(context);
      if (!s.ok()) return call.Finish(s);
      absl::StatusOr<std::vector<v1::Alert>> raised =
          config_.alerts->Evaluate(request->notices(i), evaluation);
      if (!raised.ok()) {
        return call.Finish(ToGrpc(absl::Status(
            raised.status().code(),
            absl::StrCat("notices[", i, "]: ", raised.status().message()))));
      }
      for (v1::Alert& alert : *raised) {
        hub_.Publish(alert, config_.limits.max_queued_alerts);
        if (call.caller().MayReadAlertsOf(alert.subscriber())) {
          *response->add_alerts() = std::move(alert);
        } else {
          response->set_withheld(response->withheld() + 1);
        }
      }
    }
    return call.Finish();
  }

  grpc::Status SubscribeAlerts(grpc::ServerContext* context,
                               const v1::SubscribeAlertsRequest* request,
                               grpc::ServerWriter<v1::Alert>* writer) override {
    Call call(this, context, "SubscribeAlerts", /*counted=*/false);
    if (!call.ok()) return call.Finish();
    if (!call.caller().MayReadAlertsOf(request->subscriber())) {
      return call.Finish(grpc::Status(
          grpc::StatusCode::PERMISSION_DENIED,
          absl::StrCat("caller \"", call.caller().name(),
                       "\" may not read the alerts of subscriber \"",
                       request->subscriber(), "\" (policy)")));
    }
    AlertHub::Subscription* s =
        hub_.Open(request->subscriber(), config_.limits.max_subscriptions);
    if (s == nullptr) {
      return call.Finish(grpc::Status(
          grpc::StatusCode::RESOURCE_EXHAUSTED,
          absl::StrCat("max_subscriptions: ", config_.limits.max_subscriptions,
                       " alert streams are open, or the server is stopping")));
    }
    grpc::Status status;
    while (true) {
      v1::Alert alert;
      bool ended = false, overflowed = false;
      const bool got =
          hub_.Next(s, absl::Milliseconds(100), &alert, &ended, &overflowed);
      if (overflowed) {
        status = grpc::Status(
            grpc::StatusCode::RESOURCE_EXHAUSTED,
            absl::StrCat("max_queued_alerts: more than ",
                         config_.limits.max_queued_alerts,
                         " alerts waited for this stream; subscribe again"));
        break;
      }
      if (got && !writer->Write(alert)) break;
      if (ended) break;  // Shutdown: the stream ends normally.
      if (context->IsCancelled()) {
        status = grpc::Status(grpc::StatusCode::CANCELLED,
                              "the caller cancelled the stream");
        break;
      }
    }
    hub_.Close(s);
    return call.Finish(status);
  }

  grpc::Status UpdateSuppliers(grpc::ServerContext* context,
                               const v1::SupplierUpdate* request,
                               v1::UpdateSuppliersResponse* response) override {
    Call call(this, context, "UpdateSuppliers");
    if (!call.ok()) return call.Finish();
    absl::MutexLock lock(&update_mu_);  // Writers queue; readers never wait.
    auto g = Current();
    absl::StatusOr<std::shared_ptr<const SupplierIndex>> next =
        g->index->ApplyUpdate(*request);
    if (!next.ok()) return call.Finish(ToGrpc(next.status()));
    auto generation = std::make_shared<const Generation>(*std::move(next));
    std::atomic_store(&current_, generation);
    response->set_index_generation(generation->index->generation());
    response->set_suppliers(generation->index->size());
    return call.Finish();
  }

  grpc::Status Reload(grpc::ServerContext* context,
                      const v1::ReloadRequest* request,
                      v1::ReloadResponse* response) override {
    Call call(this, context, "Reload");
    if (!call.ok()) return call.Finish();
    absl::StatusOr<std::shared_ptr<const Generation>> g = Reload();
    if (!g.ok()) return call.Finish(ToGrpc(g.status(), Input::kServerFile));
    response->set_index_generation((*g)->index->generation());
    response->set_suppliers((*g)->index->size());
    return call.Finish();
  }

 private:
  // The caller of `context`, or UNAUTHENTICATED.
  grpc::Status Authenticate(grpc::ServerContext* context,
                            const Caller** caller) const {
    if (!config_.policy.has_value()) {
      *caller = &AnonymousCaller();
      return grpc::Status::OK;
    }
    const auto& metadata = context->client_metadata();
    auto it = metadata.find("authorization");
    if (it != metadata.end()) {
      const std::string value(it->second.data(), it->second.size());
      constexpr absl::string_view kBearer = "Bearer ";
      if (!absl::StartsWith(value, kBearer)) {
        return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                            "the authorization metadata is not \"Bearer "
                            "<token>\"");
      }
      *caller = config_.policy->FindByToken(
          absl::string_view(value).substr(kBearer.size()));
      if (*caller == nullptr) {
        return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                            "unknown bearer token");
      }
      return grpc::Status::OK;
    }
    std::shared_ptr<const grpc::AuthContext> auth = context->auth_context();
    if (auth != nullptr && auth->IsPeerAuthenticated()) {
      for (const char* property :
           {"x509_common_name", "x509_subject_alternative_name"}) {
        for (const grpc::string_ref& name :
             auth->FindPropertyValues(property)) {
          *caller = config_.policy->FindByCertificateName(
              absl::string_view(name.data(), name.size()));
          if (*caller != nullptr) return grpc::Status::OK;
        }
      }
      return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                          "the client certificate names no caller of the "
                          "policy");
    }
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                        "no credentials: send \"authorization: Bearer "
                        "<token>\" metadata or a client certificate");
  }

  grpc::Status TooMany(const char* what, int count) const {
    return grpc::Status(
        grpc::StatusCode::INVALID_ARGUMENT,
        absl::StrCat(count, " ", what, " in one request; max_batch_size is ",
                     config_.limits.max_batch_size));
  }

  // `top_k`, named `field` in the request, within the service's max_top_k.
  grpc::Status CheckTopK(absl::string_view field, int top_k) const {
    if (top_k <= config_.limits.max_top_k) return grpc::Status::OK;
    return grpc::Status(
        grpc::StatusCode::INVALID_ARGUMENT,
        absl::StrCat(field, " ", top_k, " exceeds the service's max_top_k, ",
                     config_.limits.max_top_k));
  }
  grpc::Status CheckTopK(const v1::MatchRequest& request) const {
    return CheckTopK("options.top_k", request.options().top_k());
  }

  grpc::Status MatchOne(const Call& call, grpc::ServerContext* context,
                        const v1::MatchRequest& request,
                        v1::MatchResponse* response) {
    grpc::Status s = CheckTopK(request);
    if (s.ok()) s = Interrupted(context);
    if (!s.ok()) return s;
    auto g = Current();
    absl::StatusOr<v1::MatchResponse> r = g->matcher.Match(request);
    if (!r.ok()) return ToGrpc(r.status());
    *response = *std::move(r);
    Redact(call.caller(), request.tender(), response);
    return grpc::Status::OK;
  }

  ServerConfig config_;
  std::shared_ptr<const Generation> current_;  // std::atomic_load/store.
  absl::Mutex update_mu_;  // Serialises UpdateSuppliers and Reload.
  std::atomic<int> in_flight_{0};
  AlertHub hub_;
};

absl::StatusOr<std::unique_ptr<Server>> Server::Start(
    std::shared_ptr<const SupplierIndex> index, ServerConfig config) {
  const ServiceLimits& l = config.limits;
  if (l.max_message_bytes <= 0 || l.max_top_k <= 0 || l.max_batch_size <= 0 ||
      l.max_concurrent_requests <= 0 || l.max_subscriptions <= 0 ||
      l.max_queued_alerts <= 0) {
    return absl::InvalidArgumentError("serve: every limit must be positive");
  }
  if (config.tls_cert_pem.empty() != config.tls_key_pem.empty()) {
    return absl::InvalidArgumentError(
        "serve: give both the TLS certificate and its key, or neither");
  }
  if (!config.client_ca_pem.empty() && config.tls_cert_pem.empty()) {
    return absl::InvalidArgumentError(
        "serve: client certificates (mTLS) need a TLS server certificate");
  }
  std::shared_ptr<grpc::ServerCredentials> credentials;
  if (config.tls_cert_pem.empty()) {
    credentials = grpc::InsecureServerCredentials();
  } else {
    grpc::SslServerCredentialsOptions ssl(
        config.client_ca_pem.empty()
            ? GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE
            : GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY);
    ssl.pem_root_certs = config.client_ca_pem;
    ssl.pem_key_cert_pairs.push_back({config.tls_key_pem, config.tls_cert_pem});
    credentials = grpc::SslServerCredentials(ssl);
  }
  const std::string listen = config.listen;
  std::unique_ptr<Server> server(new Server());
  server->service_ =
      std::make_unique<ServiceImpl>(std::move(index), std::move(config));
  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  builder.AddListeningPort(listen, credentials, &server->port_);
  builder.SetMaxReceiveMessageSize(l.max_message_bytes);
  builder.SetMaxSendMessageSize(l.max_message_bytes);
  builder.RegisterService(server->service_.get());
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    return absl::UnavailableError(absl::StrCat(
        "serve: cannot listen on ", listen,
        " (address in use or unusable, or TLS certificate and key that do "
        "not load)"));
  }
  grpc::HealthCheckServiceInterface* health =
      server->server_->GetHealthCheckService();
  if (health != nullptr) health->SetServingStatus(kServiceName, true);
  return server;
}

Server::~Server() { Shutdown(absl::ZeroDuration()); }

absl::Status Server::Reload() { return service_->Reload().status(); }

uint64_t Server::generation() const {
  return service_->Current()->index->generation();
}

void Server::Shutdown(absl::Duration grace) {
  absl::MutexLock lock(&shutdown_mu_);
  if (shut_down_ || server_ == nullptr) return;
  shut_down_ = true;
  grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService();
  if (health != nullptr) health->SetServingStatus(false);
  service_->BeginShutdown();
  server_->Shutdown(std::chrono::system_clock::now() +
                    absl::ToChronoMilliseconds(grace));
}

void Server::Wait() { server_->Wait(); }

}  // namespace service
}  // namespace procmatch
