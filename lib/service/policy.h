// File: lib/service/policy.h
//
// Who may call the procmatch service and what each caller may read: the
// ServicePolicy of proto/procmatch/v1/policy.proto, checked. A caller is
// identified by a bearer token or by the name on its verified client
// certificate; the policy says which methods it may call, which
// subscribers' alerts it may read and which suppliers' clearance and
// ownership details it may see. Redact() removes those details from a
// response for the suppliers the caller may not see them for.
//
// Example:
//
//   absl::StatusOr<procmatch::service::Policy> policy =
//       procmatch::service::Policy::FromText(text);  // names the problem
//   const procmatch::service::Caller* caller =
//       policy->FindByToken("s3cret-token");  // nullptr: unknown
//   if (caller != nullptr && caller->MayCall("Match")) { ... }
//
// Threading: a Policy is immutable after construction; share it freely.
#ifndef PROCMATCH_LIB_SERVICE_POLICY_H_
#define PROCMATCH_LIB_SERVICE_POLICY_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "procmatch/v1/consortium.pb.h"
#include "procmatch/v1/match.pb.h"
#include "procmatch/v1/policy.pb.h"
#include "procmatch/v1/tender.pb.h"

namespace procmatch {
namespace service {

// What replaces a redacted text field.
inline constexpr char kRedacted[] = "[redacted]";

// One caller's rights. Patterns are an exact value, "*" or a prefix ending
// in "*".
class Caller {
 public:
  explicit Caller(v1::CallerPolicy policy) : policy_(std::move(policy)) {}

  const std::string& name() const { return policy_.name(); }
  // `method` is the short name of a procmatch.v1.Procmatch method.
  bool MayCall(absl::string_view method) const;
  bool MayReadAlertsOf(absl::string_view subscriber) const;
  bool MayReadClearanceOf(absl::string_view supplier_id) const;

 private:
  v1::CallerPolicy policy_;
};

// Everyone: the caller of a service started without a policy (loopback
// development only; doc/service.md).
const Caller& AnonymousCaller();

class Policy {
 public:
  // The policy in `text` (text format of ServicePolicy). InvalidArgument
  // for a parse error (with its line and column), no caller at all, a
  // caller without name, identity or method, a duplicate name, a token or
  // certificate name given to two callers, or an unknown method name.
  static absl::StatusOr<Policy> FromText(absl::string_view text);
  static absl::StatusOr<Policy> FromProto(const v1::ServicePolicy& policy);

  // nullptr when no caller has this token or certificate name.
  const Caller* FindByToken(absl::string_view token) const;
  const Caller* FindByCertificateName(absl::string_view name) const;

 private:
  std::vector<Caller> callers_;
  absl::flat_hash_map<std::string, int> by_token_;
  absl::flat_hash_map<std::string, int> by_certificate_;
};

// True when `pattern` admits `value` (exact, "*", or "prefix*").
bool PatternAdmits(absl::string_view pattern, absl::string_view value);

// The short names of the methods of procmatch.v1.Procmatch.
const std::vector<std::string>& ServiceMethods();

// Removes the clearance and ownership details of the suppliers `caller`
// may not read from `response`, a response to a request for `tender`:
// the reason of every outcome of a clearance requirement, or of an
// establishment requirement on third-country control, becomes kRedacted
// (whether it was met stays: it decides eligibility, which is the answer).
void Redact(const Caller& caller, const v1::Tender& tender,
            v1::MatchResponse* response);

// The same for a consortium response: each member's assignments as above
// (with the package's tender, ConsortiumBuilder::PackageRequest), and its
// control_group and eligible_through_guarantees; the independence rule's
// reason when a member is not readable; a left-out candidate's reason
// about control.
void Redact(const Caller& caller, const v1::Call& call,
            v1::ConsortiumResponse* response);

}  // namespace service
}  // namespace procmatch

#endif  // PROCMATCH_LIB_SERVICE_POLICY_H_
