// The gRPC service (lib/service) against a live server on 127.0.0.1 with an
// ephemeral port: authentication, authorisation, redaction field by field,
// TLS, limits, deadlines, updates while reading, reload, shutdown, alerts.
// Certificates are made at test time with openssl in TEST_TMPDIR.
#include "procmatch/service/service.h"

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "google/protobuf/util/message_differencer.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "procmatch/alert_index.h"
#include "procmatch/cpv_concepts.h"
#include "procmatch/matcher.h"
#include "procmatch/service/policy.h"
#include "procmatch/snapshot.h"
#include "procmatch/supplier_index.h"
#include "procmatch/v1/service.grpc.pb.h"
#include "tests/random_corpus.h"

namespace procmatch {
namespace service {
namespace {

using google::protobuf::util::MessageDifferencer;

std::string TmpDir() {
  const char* t = std::getenv("TEST_TMPDIR");
  return t != nullptr ? t : "/tmp";
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A CA, a server certificate for 127.0.0.1 and a client certificate whose
// CN is `analytics`, all signed by the CA.
struct Certificates {
  std::string ca, server_cert, server_key, client_cert, client_key;
};

const Certificates& TestCertificates() {
  static const Certificates* certs = [] {
    const std::string d = TmpDir() + "/certs";
    const std::string script = absl::StrCat(
        "set -e; mkdir -p ", d, "; cd ", d,
        "; openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out "
        "ca.pem -days 1 -subj /CN=procmatch-test-ca 2>/dev/null"
        "; printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > san.ext"
        "; openssl req -newkey rsa:2048 -nodes -keyout server.key -out "
        "server.csr -subj /CN=localhost 2>/dev/null"
        "; openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key "
        "-CAcreateserial -out server.pem -days 1 -extfile san.ext 2>/dev/null"
        "; openssl req -newkey rsa:2048 -nodes -keyout client.key -out "
        "client.csr -subj /CN=analytics 2>/dev/null"
        "; openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key "
        "-CAcreateserial -out client.pem -days 1 2>/dev/null");
    if (std::system(script.c_str()) != 0) {
      ADD_FAILURE() << "openssl could not make the test certificates";
    }
    auto* c = new Certificates;
    c->ca = ReadFile(d + "/ca.pem");
    c->server_cert = ReadFile(d + "/server.pem");
    c->server_key = ReadFile(d + "/server.key");
    c->client_cert = ReadFile(d + "/client.pem");
    c->client_key = ReadFile(d + "/client.key");
    return c;
  }();
  return *certs;
}

constexpr char kPolicy[] = R"pb(
  callers {
    name: "portal"
    bearer_tokens: "portal-token"
    methods: "Match"
    methods: "MatchBatch"
    methods: "Explain"
    methods: "EvaluateNotices"
    methods: "SubscribeAlerts"
    alert_subscribers: "sub-a"
    clearance_suppliers: "S00001*"
  }
  callers {
    name: "admin"
    bearer_tokens: "admin-token"
    methods: "*"
    alert_subscribers: "*"
    clearance_suppliers: "*"
  }
  callers { name: "analytics" certificate_names: "analytics" methods: "Match" }
)pb";

std::shared_ptr<const SupplierIndex> BuildIndex(int n, uint32_t seed) {
  SupplierIndex::Builder builder;
  for (v1::SupplierProfile& p : testing::RandomSuppliers(n, seed)) {
    EXPECT_TRUE(builder.Add(std::move(p)).ok());
  }
  return *std::move(builder).Build();
}

// The notices of the alert test.
std::vector<v1::Tender> Notices() {
  std::vector<v1::Tender> notices;
  for (const v1::MatchRequest& r : testing::RandomRequests(10, 41)) {
    notices.push_back(r.tender());
  }
  return notices;
}

// A rule per subscriber that alerts on every notice of Notices().
std::shared_ptr<const AlertIndex> BuildAlerts() {
  std::set<std::string> prefixes;
  for (const v1::Tender& t : Notices()) {
    if (!t.main_cpv().empty()) prefixes.insert(t.main_cpv().substr(0, 4));
    for (const v1::Lot& lot : t.lots()) {
      if (!lot.main_cpv().empty()) prefixes.insert(lot.main_cpv().substr(0, 4));
    }
  }
  AlertIndex::Builder builder;
  for (const char* subscriber : {"sub-a", "sub-b"}) {
    v1::AlertRule rule;
    rule.set_id(absl::StrCat("rule-", subscriber));
    rule.set_subscriber(subscriber);
    for (const std::string& p : prefixes) rule.add_cpv_prefixes(p);
    absl::Status added = builder.Add(rule);
    EXPECT_TRUE(added.ok()) << added;
  }
  return *std::move(builder).Build();
}

class ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override { index_ = BuildIndex(400, 11); }

  // Starts a server; `tls` with the test certificates and client CA.
  void Start(bool tls, bool policy, ServiceLimits limits = {}) {
    ServerConfig config;
    if (tls) {
      config.tls_cert_pem = TestCertificates().server_cert;
      config.tls_key_pem = TestCertificates().server_key;
      config.client_ca_pem = TestCertificates().ca;
    }
    if (policy) config.policy = *Policy::FromText(kPolicy);
    config.limits = limits;
    config.alerts = BuildAlerts();
    config.snapshot_path = snapshot_path_;
    config.log = [this](const std::string& line) {
      absl::MutexLock lock(&log_mu_);
      log_.push_back(line);
    };
    absl::StatusOr<std::unique_ptr<Server>> server =
        Server::Start(index_, std::move(config));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    address_ = absl::StrCat("127.0.0.1:", server_->port());
  }

  std::unique_ptr<v1::Procmatch::Stub> TlsStub(bool client_cert = false) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = TestCertificates().ca;
    if (client_cert) {
      ssl.pem_cert_chain = TestCertificates().client_cert;
      ssl.pem_private_key = TestCertificates().client_key;
    }
    return v1::Procmatch::NewStub(
        grpc::CreateChannel(address_, grpc::SslCredentials(ssl)));
  }

  std::unique_ptr<v1::Procmatch::Stub> PlainStub() {
    return v1::Procmatch::NewStub(
        grpc::CreateChannel(address_, grpc::InsecureChannelCredentials()));
  }

  static void Prepare(grpc::ClientContext* context, const std::string& token,
                      absl::Duration timeout = absl::Seconds(30)) {
    if (!token.empty()) {
      context->AddMetadata("authorization", "Bearer " + token);
    }
    context->set_deadline(std::chrono::system_clock::now() +
                          absl::ToChronoMilliseconds(timeout));
  }

  grpc::Status Match(v1::Procmatch::Stub* stub, const std::string& token,
                     const v1::MatchRequest& request,
                     v1::MatchResponse* response) {
    grpc::ClientContext context;
    Prepare(&context, token);
    return stub->Match(&context, request, response);
  }

  std::vector<std::string> LogLines() {
    absl::MutexLock lock(&log_mu_);
    return log_;
  }

  std::shared_ptr<const SupplierIndex> index_;
  std::string snapshot_path_;
  std::unique_ptr<Server> server_;
  std::string address_;
  absl::Mutex log_mu_;
  std::vector<std::string> log_;
};

TEST_F(ServiceTest, NoCredentialsIsUnauthenticated) {
  Start(/*tls=*/true, /*policy=*/true);
  auto stub = TlsStub();
  v1::MatchRequest request = testing::RandomRequests(1, 3)[0];
  v1::MatchResponse response;
  grpc::Status s = Match(stub.get(), "", request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(absl::StrContains(s.error_message(), "no credentials"));
  s = Match(stub.get(), "not-a-token", request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(Match(stub.get(), "portal-token", request, &response).ok());
}

TEST_F(ServiceTest, WrongCallerIsPermissionDenied) {
  Start(/*tls=*/true, /*policy=*/true);
  auto stub = TlsStub();
  grpc::ClientContext context;
  Prepare(&context, "portal-token");
  v1::SupplierUpdate update;
  v1::UpdateSuppliersResponse response;
  grpc::Status s = stub->UpdateSuppliers(&context, update, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(absl::StrContains(s.error_message(), "\"portal\""));
  EXPECT_TRUE(absl::StrContains(s.error_message(), "UpdateSuppliers"));
  EXPECT_EQ(index_->generation(), server_->generation());
}

TEST_F(ServiceTest, ClientCertificateNamesTheCaller) {
  Start(/*tls=*/true, /*policy=*/true);
  auto stub = TlsStub(/*client_cert=*/true);
  v1::MatchRequest request = testing::RandomRequests(1, 4)[0];
  v1::MatchResponse response;
  EXPECT_TRUE(Match(stub.get(), "", request, &response).ok());
  grpc::ClientContext context;
  Prepare(&context, "");
  v1::ExplainRequest explain;
  *explain.mutable_match() = request;
  explain.set_supplier_id("S000001");
  grpc::Status s = stub->Explain(&context, explain, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(absl::StrContains(s.error_message(), "\"analytics\""));
}

TEST_F(ServiceTest, PlaintextClientAgainstTlsServerFailsCleanly) {
  Start(/*tls=*/true, /*policy=*/true);
  auto stub = PlainStub();
  v1::MatchRequest request = testing::RandomRequests(1, 5)[0];
  v1::MatchResponse response;
  grpc::ClientContext context;
  Prepare(&context, "admin-token", absl::Seconds(5));
  const absl::Time start = absl::Now();
  grpc::Status s = stub->Match(&context, request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  EXPECT_EQ(response.matches_size(), 0);
}

// Every field of the portal's response equals the admin's (and the
// library's), except the reasons of clearance and third-country control
// outcomes of suppliers outside the portal's S00001*: those are redacted.
TEST_F(ServiceTest, RedactionFieldByField) {
  Start(/*tls=*/true, /*policy=*/true);
  auto stub = TlsStub();
  Matcher matcher(index_);
  int redacted = 0, kept_sensitive = 0;
  for (v1::MatchRequest request : testing::RandomRequests(60, 21)) {
    request.mutable_options()->set_top_k(30);
    request.mutable_options()->set_include_excluded(true);
    v1::MatchResponse admin, portal;
    ASSERT_TRUE(Match(stub.get(), "admin-token", request, &admin).ok());
    ASSERT_TRUE(Match(stub.get(), "portal-token", request, &portal).ok());
    absl::StatusOr<v1::MatchResponse> library = matcher.Match(request);
    ASSERT_TRUE(library.ok());
    EXPECT_TRUE(MessageDifferencer::Equals(admin, *library));
    std::set<std::string> sensitive;
    auto collect = [&](const v1::Requirement& r) {
      if (r.has_clearance() || (r.has_establishment() &&
                                r.establishment().no_third_country_control())) {
        sensitive.insert(r.id());
      }
    };
    for (const auto& r : request.tender().requirements()) collect(r);
    for (const auto& lot : request.tender().lots()) {
      for (const auto& r : lot.requirements()) collect(r);
    }
    auto check = [&](const std::string& supplier,
                     const v1::RequirementOutcome& a,
                     const v1::RequirementOutcome& p) {
      EXPECT_EQ(a.requirement_id(), p.requirement_id());
      EXPECT_EQ(a.importance(), p.importance());
      EXPECT_EQ(a.met(), p.met());
      const bool hidden = sensitive.count(a.requirement_id()) > 0 &&
                          !absl::StartsWith(supplier, "S00001");
      if (hidden) {
        EXPECT_EQ(p.reason(), kRedacted) << supplier;
        ++redacted;
      } else {
        EXPECT_EQ(p.reason(), a.reason()) << supplier;
        if (sensitive.count(a.requirement_id()) > 0) ++kept_sensitive;
      }
    };
    ASSERT_EQ(admin.matches_size(), portal.matches_size());
    for (int i = 0; i < admin.matches_size(); ++i) {
      const v1::SupplierMatch& a = admin.matches(i);
      const v1::SupplierMatch& p = portal.matches(i);
      EXPECT_EQ(a.supplier_id(), p.supplier_id());
      EXPECT_EQ(a.supplier_name(), p.supplier_name());
      EXPECT_EQ(a.rank(), p.rank());
      EXPECT_EQ(a.score(), p.score());
      ASSERT_EQ(a.components_size(), p.components_size());
      for (int c = 0; c < a.components_size(); ++c) {
        EXPECT_TRUE(
            MessageDifferencer::Equals(a.components(c), p.components(c)));
      }
      ASSERT_EQ(a.requirements_size(), p.requirements_size());
      for (int r = 0; r < a.requirements_size(); ++r) {
        check(a.supplier_id(), a.requirements(r), p.requirements(r));
      }
    }
    ASSERT_EQ(admin.excluded_size(), portal.excluded_size());
    for (int i = 0; i < admin.excluded_size(); ++i) {
      const v1::Exclusion& a = admin.excluded(i);
      const v1::Exclusion& p = portal.excluded(i);
      EXPECT_EQ(a.supplier_id(), p.supplier_id());
      EXPECT_EQ(a.supplier_name(), p.supplier_name());
      ASSERT_EQ(a.reasons_size(), p.reasons_size());
      for (int r = 0; r < a.reasons_size(); ++r) {
        check(a.supplier_id(), a.reasons(r), p.reasons(r));
      }
    }
    EXPECT_TRUE(
        MessageDifferencer::Equals(admin.counters(), portal.counters()));
    EXPECT_EQ(admin.index_generation(), portal.index_generation());
    EXPECT_EQ(admin.tender_id(), portal.tender_id());
  }
  // The random requests reach both cases.
  EXPECT_GT(redacted, 0);
  EXPECT_GT(kept_sensitive, 0);
}

TEST(RedactConsortiumTest, MembersOutsideTheCallersSuppliers) {
  absl::StatusOr<Policy> policy = Policy::FromText(kPolicy);
  ASSERT_TRUE(policy.ok());
  const Caller* portal = policy->FindByToken("portal-token");
  ASSERT_NE(portal, nullptr);
  v1::Call call;
  call.set_id("CALL");
  call.add_work_packages()->set_id("WP1");
  v1::ConsortiumResponse response;
  v1::ConsortiumProposal* p = response.add_proposals();
  for (const char* id : {"S000010", "S000200"}) {
    v1::ConsortiumMember* m = p->add_members();
    m->set_supplier_id(id);
    m->set_control_group("GROUP-X");
    m->set_eligible_through_guarantees(true);
    m->set_country("BE");
  }
  v1::RuleOutcome* rule = p->add_rules();
  rule->set_rule("independence");
  rule->set_reason("2 control groups among the members");
  Redact(*portal, call, &response);
  EXPECT_EQ(p->members(0).control_group(), "GROUP-X");
  EXPECT_TRUE(p->members(0).eligible_through_guarantees());
  EXPECT_EQ(p->members(1).control_group(), kRedacted);
  EXPECT_FALSE(p->members(1).eligible_through_guarantees());
  EXPECT_EQ(p->members(1).country(), "BE");
  EXPECT_EQ(p->rules(0).reason(), kRedacted);
}

TEST(PolicyTest, RefusesPoliciesThatCannotWork) {
  EXPECT_FALSE(Policy::FromText("callers { name: \"x\" methods: \"*\" }").ok());
  EXPECT_FALSE(Policy::FromText("callers { name: \"x\" bearer_tokens: \"t\" "
                                "methods: \"Matchh\" }")
                   .ok());
  EXPECT_FALSE(
      Policy::FromText(
          "callers { name: \"x\" bearer_tokens: \"t\" methods: \"*\" }"
          "callers { name: \"y\" bearer_tokens: \"t\" methods: \"*\" }")
          .ok());
  EXPECT_FALSE(Policy::FromText("callers { nme: \"x\" }").ok());
  // Session 11 sweep: an empty or comment-only policy admitted nobody and
  // was served; a parse error went to stderr as a protobuf log line.
  for (const char* nobody : {"", "# to do\n"}) {
    EXPECT_EQ(Policy::FromText(nobody).status().message(),
              "policy: no callers; nobody could call the service");
  }
  EXPECT_TRUE(absl::StartsWith(
      Policy::FromText(std::string("\0x", 2)).status().message(),
      "policy: record 1: not a ServicePolicy: line 1 column 1: "));
  EXPECT_TRUE(PatternAdmits("BE-*", "BE-123"));
  EXPECT_FALSE(PatternAdmits("BE-*", "FR-123"));
  EXPECT_FALSE(PatternAdmits("BE-1", "BE-12"));
}

TEST_F(ServiceTest, LimitsAreRefusedWithTheirStatusAndName) {
  ServiceLimits limits;
  limits.max_top_k = 50;
  limits.max_batch_size = 5;
  limits.max_message_bytes = 256 << 10;
  Start(/*tls=*/false, /*policy=*/false, limits);
  auto stub = PlainStub();
  v1::MatchRequest request = testing::RandomRequests(1, 6)[0];
  v1::MatchResponse response;
  request.mutable_options()->set_top_k(51);
  grpc::Status s = Match(stub.get(), "", request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StrContains(s.error_message(), "max_top_k"))
      << s.error_message();
  request.mutable_options()->set_top_k(50);
  EXPECT_TRUE(Match(stub.get(), "", request, &response).ok());

  v1::MatchBatchRequest batch;
  for (int i = 0; i < 6; ++i) *batch.add_requests() = request;
  {
    grpc::ClientContext context;
    Prepare(&context, "");
    auto reader = stub->MatchBatch(&context, batch);
    while (reader->Read(&response)) {
    }
    s = reader->Finish();
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_TRUE(absl::StrContains(s.error_message(), "max_batch_size"));
  }
  request.mutable_tender()->set_description(std::string(300 << 10, 'a'));
  s = Match(stub.get(), "", request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
}

TEST_F(ServiceTest, ConcurrentRequestsOverTheLimitAreRefused) {
  ServiceLimits limits;
  limits.max_concurrent_requests = 1;
  Start(/*tls=*/false, /*policy=*/false, limits);
  auto stub = PlainStub();
  v1::MatchBatchRequest batch;
  for (v1::MatchRequest r : testing::RandomRequests(500, 8)) {
    r.mutable_options()->set_top_k(100);
    r.mutable_options()->set_include_excluded(true);
    *batch.add_requests() = r;
  }
  // A stream whose client does not read: its handler stays in flight,
  // blocked by flow control.
  grpc::ClientContext stream_context;
  Prepare(&stream_context, "");
  auto reader = stub->MatchBatch(&stream_context, batch);
  v1::MatchResponse response;
  ASSERT_TRUE(reader->Read(&response));
  grpc::Status s = Match(stub.get(), "", batch.requests(0), &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_TRUE(absl::StrContains(s.error_message(), "max_concurrent_requests"));
  stream_context.TryCancel();
  reader->Finish();
  // The slot is given back.
  bool ok = false;
  for (int i = 0; i < 100 && !ok; ++i) {
    ok = Match(stub.get(), "", batch.requests(0), &response).ok();
    if (!ok) absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_TRUE(ok);
}

TEST_F(ServiceTest, DeadlineStopsALongBatch) {
  index_ = BuildIndex(3000, 12);
  Start(/*tls=*/false, /*policy=*/false);
  auto stub = PlainStub();
  v1::MatchBatchRequest batch;
  for (v1::MatchRequest r : testing::RandomRequests(1000, 9)) {
    r.mutable_options()->set_top_k(200);
    *batch.add_requests() = r;
  }
  grpc::ClientContext context;
  Prepare(&context, "", absl::Milliseconds(100));
  auto reader = stub->MatchBatch(&context, batch);
  v1::MatchResponse response;
  int read = 0;
  while (reader->Read(&response)) ++read;
  grpc::Status s = reader->Finish();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_LT(read, 1000);
  // The server stops the batch too, and logs it as not OK.
  bool logged = false;
  for (int i = 0; i < 250 && !logged; ++i) {
    for (const std::string& line : LogLines()) {
      if (absl::StrContains(line, "method=MatchBatch")) {
        EXPECT_FALSE(absl::StrContains(line, "status=OK")) << line;
        logged = true;
      }
    }
    if (!logged) absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_TRUE(logged);
}

// Readers match while generations are published; every response is the
// library's answer on the generation it names, and none fails.
TEST_F(ServiceTest, UpdatesWhileReading) {
  Start(/*tls=*/false, /*policy=*/true);
  auto stub = PlainStub();
  std::vector<v1::MatchRequest> requests = testing::RandomRequests(20, 31);
  std::vector<std::shared_ptr<const SupplierIndex>> generations = {index_};
  std::vector<v1::SupplierProfile> fresh = testing::RandomSuppliers(30, 99);
  std::vector<v1::SupplierUpdate> updates;
  for (int u = 0; u < 5; ++u) {
    v1::SupplierUpdate update;
    for (int i = 0; i < 6; ++i) {
      v1::SupplierProfile p = fresh[u * 6 + i];
      p.set_id(absl::StrCat("S0000", 10 + u * 6 + i));  // Replaces one.
      *update.add_upserts() = p;
    }
    update.add_removed_ids(absl::StrCat("S000", 300 + u));
    updates.push_back(update);
    generations.push_back(*generations.back()->ApplyUpdate(update));
  }
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0}, checked{0};
  absl::Mutex seen_mu;
  std::vector<std::pair<int, v1::MatchResponse>> seen;
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&, t] {
      for (int i = t; !stop.load() || i < t + 8; ++i) {
        const int which = i % requests.size();
        v1::MatchResponse response;
        if (!Match(stub.get(), "admin-token", requests[which], &response)
                 .ok()) {
          ++failures;
          continue;
        }
        absl::MutexLock lock(&seen_mu);
        seen.emplace_back(which, response);
      }
    });
  }
  for (const v1::SupplierUpdate& update : updates) {
    absl::SleepFor(absl::Milliseconds(30));
    grpc::ClientContext context;
    Prepare(&context, "admin-token");
    v1::UpdateSuppliersResponse r;
    ASSERT_TRUE(stub->UpdateSuppliers(&context, update, &r).ok());
  }
  absl::SleepFor(absl::Milliseconds(30));
  stop = true;
  for (std::thread& t : readers) t.join();
  EXPECT_EQ(failures.load(), 0);
  std::set<uint64_t> generations_seen;
  for (const auto& [which, response] : seen) {
    const uint64_t g = response.index_generation();
    ASSERT_GE(g, generations.front()->generation());
    ASSERT_LE(g, generations.back()->generation());
    generations_seen.insert(g);
    const auto& index = generations[g - generations.front()->generation()];
    ASSERT_EQ(index->generation(), g);
    absl::StatusOr<v1::MatchResponse> expected =
        Matcher(index).Match(requests[which]);
    ASSERT_TRUE(expected.ok());
    EXPECT_TRUE(MessageDifferencer::Equals(response, *expected));
    ++checked;
  }
  EXPECT_GT(checked.load(), 0);
  EXPECT_GT(generations_seen.size(), 1u);
  EXPECT_EQ(server_->generation(), generations.back()->generation());
}

TEST_F(ServiceTest, ReloadServesTheSnapshotFileAgain) {
  snapshot_path_ = TmpDir() + "/reload.snapshot";
  {
    std::ofstream out(snapshot_path_, std::ios::binary);
    out << SaveSnapshot(*BuildIndex(50, 77));
  }
  Start(/*tls=*/false, /*policy=*/true);
  auto stub = PlainStub();
  grpc::ClientContext context;
  Prepare(&context, "admin-token");
  v1::ReloadResponse response;
  ASSERT_TRUE(stub->Reload(&context, {}, &response).ok());
  EXPECT_EQ(response.suppliers(), 50);
  v1::MatchResponse match;
  ASSERT_TRUE(
      Match(stub.get(), "admin-token", testing::RandomRequests(1, 2)[0], &match)
          .ok());
  EXPECT_EQ(match.counters().suppliers_considered(), 50);
  // A broken file leaves the generation served.
  { std::ofstream(snapshot_path_, std::ios::binary) << "not a snapshot"; }
  grpc::ClientContext again;
  Prepare(&again, "admin-token");
  grpc::Status s = stub->Reload(&again, {}, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::DATA_LOSS) << s.error_message();
  // A file over the input bound (1 GiB; sparse, nothing is read) is the
  // server's to fix, not a reason to retry: FAILED_PRECONDITION, not the
  // library's ResourceExhausted as RESOURCE_EXHAUSTED (doc/service.md).
  std::filesystem::resize_file(snapshot_path_, (int64_t{1} << 30) + 1);
  grpc::ClientContext over;
  Prepare(&over, "admin-token");
  s = stub->Reload(&over, {}, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
      << s.error_message();
  EXPECT_TRUE(absl::StrContains(s.error_message(), "(max_file_bytes)"))
      << s.error_message();
  ASSERT_TRUE(
      Match(stub.get(), "admin-token", testing::RandomRequests(1, 2)[0], &match)
          .ok());
  EXPECT_EQ(match.counters().suppliers_considered(), 50);
}

TEST_F(ServiceTest, AlertsReachOnlyTheirSubscribersReaders) {
  Start(/*tls=*/false, /*policy=*/true);
  auto stub = PlainStub();
  {
    grpc::ClientContext context;
    Prepare(&context, "portal-token");
    auto denied = stub->SubscribeAlerts(&context, [] {
      v1::SubscribeAlertsRequest r;
      r.set_subscriber("sub-b");
      return r;
    }());
    v1::Alert alert;
    EXPECT_FALSE(denied->Read(&alert));
    EXPECT_EQ(denied->Finish().error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  grpc::ClientContext stream_context;
  Prepare(&stream_context, "portal-token");
  v1::SubscribeAlertsRequest subscribe;
  subscribe.set_subscriber("sub-a");
  auto stream = stub->SubscribeAlerts(&stream_context, subscribe);
  absl::SleepFor(absl::Milliseconds(200));  // Let the stream open.
  v1::EvaluateNoticesRequest notices;
  for (const v1::Tender& t : Notices()) *notices.add_notices() = t;
  grpc::ClientContext context;
  Prepare(&context, "portal-token");
  v1::EvaluateNoticesResponse evaluated;
  ASSERT_TRUE(stub->EvaluateNotices(&context, notices, &evaluated).ok());
  ASSERT_GT(evaluated.alerts_size(), 0);
  EXPECT_EQ(evaluated.withheld(), evaluated.alerts_size());  // sub-b's.
  for (const v1::Alert& a : evaluated.alerts())
    EXPECT_EQ(a.subscriber(), "sub-a");
  for (int i = 0; i < evaluated.alerts_size(); ++i) {
    v1::Alert alert;
    ASSERT_TRUE(stream->Read(&alert));
    EXPECT_TRUE(MessageDifferencer::Equals(alert, evaluated.alerts(i)));
  }
  // Shutdown ends the stream normally.
  server_->Shutdown(absl::Seconds(5));
  v1::Alert extra;
  EXPECT_FALSE(stream->Read(&extra));
  EXPECT_TRUE(stream->Finish().ok());
}

TEST_F(ServiceTest, ShutdownFinishesRequestsInFlight) {
  Start(/*tls=*/false, /*policy=*/false);
  auto stub = PlainStub();
  v1::MatchBatchRequest batch;
  for (v1::MatchRequest r : testing::RandomRequests(200, 51)) {
    r.mutable_options()->set_top_k(30);
    *batch.add_requests() = r;
  }
  grpc::ClientContext context;
  Prepare(&context, "");
  auto reader = stub->MatchBatch(&context, batch);
  v1::MatchResponse response;
  ASSERT_TRUE(reader->Read(&response));
  std::thread stopper([this] { server_->Shutdown(absl::Seconds(20)); });
  int read = 1;
  while (reader->Read(&response)) ++read;
  EXPECT_TRUE(reader->Finish().ok());
  EXPECT_EQ(read, 200);
  stopper.join();
  // New requests are refused once it has stopped.
  grpc::Status s = Match(stub.get(), "", batch.requests(0), &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(ServiceTest, EachRequestIsLoggedOnOneLineWithoutContents) {
  Start(/*tls=*/false, /*policy=*/true);
  auto stub = PlainStub();
  v1::MatchRequest request = testing::RandomRequests(1, 61)[0];
  v1::MatchResponse response;
  ASSERT_TRUE(Match(stub.get(), "portal-token", request, &response).ok());
  ASSERT_GT(response.matches_size(), 0);
  const std::string name = response.matches(0).supplier_name();
  Match(stub.get(), "", request, &response);
  std::vector<std::string> lines = LogLines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_TRUE(absl::StrContains(lines[0], "method=Match caller=portal"));
  EXPECT_TRUE(absl::StrContains(lines[0], "status=OK latency_ms="));
  EXPECT_TRUE(absl::StrContains(lines[1], "caller=- "));
  EXPECT_TRUE(absl::StrContains(lines[1], "status=UNAUTHENTICATED"));
  for (const std::string& line : lines) {
    EXPECT_EQ(line.find('\n'), std::string::npos);
    EXPECT_FALSE(absl::StrContains(line, request.tender().title()));
    EXPECT_FALSE(absl::StrContains(line, name));
  }
}

TEST_F(ServiceTest, SuggestCpvAnswersAsTheLibraryDoes) {
  Start(/*tls=*/false, /*policy=*/false);
  auto stub = PlainStub();
  for (const auto& [text, language] :
       std::vector<std::pair<std::string, std::string>>{
           {"Levering van onbemande luchtvaartuigen", "nl"},
           {"Fourniture de drones de surveillance", ""},
           {"Munition und Sprengstoffe", "de"}}) {
    grpc::ClientContext context;
    Prepare(&context, "");
    v1::SuggestCpvRequest request;
    request.set_text(text);
    request.set_language(language);
    request.set_top_k(3);
    v1::SuggestCpvResponse response;
    ASSERT_TRUE(stub->SuggestCpv(&context, request, &response).ok()) << text;
    absl::StatusOr<std::vector<CpvSuggestion>> expected =
        SuggestCpv(text, language, 3);
    ASSERT_TRUE(expected.ok());
    ASSERT_EQ(response.suggestions_size(), static_cast<int>(expected->size()))
        << text;
    ASSERT_GT(response.suggestions_size(), 0) << text;
    for (int i = 0; i < response.suggestions_size(); ++i) {
      const v1::CpvSuggestion& got = response.suggestions(i);
      EXPECT_EQ(got.code(), (*expected)[i].code.ToString());
      EXPECT_EQ(got.label(), (*expected)[i].label);
      EXPECT_EQ(got.label_en(), (*expected)[i].label_en);
      EXPECT_EQ(got.evidence_words_size(),
                static_cast<int>((*expected)[i].evidence.size()));
    }
  }
  grpc::ClientContext context;
  Prepare(&context, "");
  v1::SuggestCpvRequest request;
  request.set_text("drones");
  request.set_top_k(1000000);
  v1::SuggestCpvResponse response;
  EXPECT_EQ(stub->SuggestCpv(&context, request, &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

}  // namespace
}  // namespace service
}  // namespace procmatch
