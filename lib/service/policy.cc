#include "procmatch/service/policy.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "procmatch/consortium.h"
#include "procmatch/record_io.h"

namespace procmatch {
namespace service {
namespace {

bool AnyAdmits(const google::protobuf::RepeatedPtrField<std::string>& patterns,
               absl::string_view value) {
  for (const std::string& p : patterns) {
    if (PatternAdmits(p, value)) return true;
  }
  return false;
}

// Kinds of requirement whose outcome tells a supplier's clearance or
// ownership.
bool IsSensitive(const v1::Requirement& r) {
  return r.has_clearance() || (r.has_establishment() &&
                               r.establishment().no_third_country_control());
}

void CollectSensitive(const v1::Tender& tender,
                      absl::flat_hash_set<std::string>* ids) {
  for (const v1::Requirement& r : tender.requirements()) {
    if (IsSensitive(r)) ids->insert(r.id());
  }
  for (const v1::Lot& lot : tender.lots()) {
    for (const v1::Requirement& r : lot.requirements()) {
      if (IsSensitive(r)) ids->insert(r.id());
    }
  }
}

void RedactOutcomes(
    const absl::flat_hash_set<std::string>& sensitive,
    google::protobuf::RepeatedPtrField<v1::RequirementOutcome>* outcomes) {
  for (v1::RequirementOutcome& o : *outcomes) {
    if (sensitive.contains(o.requirement_id())) o.set_reason(kRedacted);
  }
}

void RedactMatch(const Caller& caller,
                 const absl::flat_hash_set<std::string>& sensitive,
                 v1::SupplierMatch* match) {
  if (caller.MayReadClearanceOf(match->supplier_id())) return;
  RedactOutcomes(sensitive, match->mutable_requirements());
}

}  // namespace

bool PatternAdmits(absl::string_view pattern, absl::string_view value) {
  if (absl::EndsWith(pattern, "*")) {
    pattern.remove_suffix(1);
    return absl::StartsWith(value, pattern);
  }
  return pattern == value;
}

const std::vector<std::string>& ServiceMethods() {
  static const std::vector<std::string>* methods = new std::vector<std::string>{
      "Match",           "MatchBatch",        "Explain",
      "SuggestCpv",      "ProposeConsortium", "Coverage",
      "EvaluateNotices", "SubscribeAlerts",   "UpdateSuppliers",
      "Reload"};
  return *methods;
}

bool Caller::MayCall(absl::string_view method) const {
  return AnyAdmits(policy_.methods(), method);
}

bool Caller::MayReadAlertsOf(absl::string_view subscriber) const {
  return AnyAdmits(policy_.alert_subscribers(), subscriber);
}

bool Caller::MayReadClearanceOf(absl::string_view supplier_id) const {
  return AnyAdmits(policy_.clearance_suppliers(), supplier_id);
}

const Caller& AnonymousCaller() {
  static const Caller* anonymous = [] {
    v1::CallerPolicy p;
    p.set_name("anonymous");
    p.add_methods("*");
    p.add_alert_subscribers("*");
    p.add_clearance_suppliers("*");
    return new Caller(std::move(p));
  }();
  return *anonymous;
}

absl::StatusOr<Policy> Policy::FromText(absl::string_view text) {
  // Through the record reader: the parser's message (line and column) comes
  // in the status, not as a protobuf log line on stderr.
  v1::ServicePolicy proto;
  absl::Status refused;
  absl::Status read = ReadRecords<v1::ServicePolicy>(
      "policy", text, RecordFormat::kTextFormat,
      [&](int, v1::ServicePolicy p) { proto = std::move(p); },
      [&](absl::Status s) { refused = std::move(s); });
  if (!read.ok()) return read;
  if (!refused.ok()) return refused;
  return FromProto(proto);
}

absl::StatusOr<Policy> Policy::FromProto(const v1::ServicePolicy& proto) {
  if (proto.callers_size() == 0) {
    // Empty, or only comments: nobody could call anything, which is no
    // way to run a service (and without a policy everyone may).
    return absl::InvalidArgumentError(
        "policy: no callers; nobody could call the service");
  }
  Policy policy;
  absl::flat_hash_set<std::string> names;
  for (int i = 0; i < proto.callers_size(); ++i) {
    const v1::CallerPolicy& c = proto.callers(i);
    const std::string where = absl::StrCat("policy: callers[", i, "]");
    if (c.name().empty()) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": no name"));
    }
    if (!names.insert(c.name()).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": duplicate name \"", c.name(), "\""));
    }
    if (c.bearer_tokens_size() == 0 && c.certificate_names_size() == 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, " (", c.name(),
          "): no bearer_tokens and no certificate_names: nobody could be it"));
    }
    if (c.methods_size() == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, " (", c.name(), "): no methods"));
    }
    for (const std::string& m : c.methods()) {
      bool known = false;
      for (const std::string& s : ServiceMethods()) {
        known = known || PatternAdmits(m, s);
      }
      if (!known) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, " (", c.name(), "): methods: \"", m,
                         "\" names no method of procmatch.v1.Procmatch"));
      }
    }
    const int id = static_cast<int>(policy.callers_.size());
    for (const std::string& t : c.bearer_tokens()) {
      if (t.empty() || !policy.by_token_.emplace(t, id).second) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, " (", c.name(),
                         "): a bearer token is empty or given to "
                         "another caller too"));
      }
    }
    for (const std::string& n : c.certificate_names()) {
      if (n.empty() || !policy.by_certificate_.emplace(n, id).second) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, " (", c.name(), "): certificate name \"", n,
                         "\" is empty or given to another caller too"));
      }
    }
    policy.callers_.emplace_back(c);
  }
  return policy;
}

const Caller* Policy::FindByToken(absl::string_view token) const {
  auto it = by_token_.find(token);
  return it == by_token_.end() ? nullptr : &callers_[it->second];
}

const Caller* Policy::FindByCertificateName(absl::string_view name) const {
  auto it = by_certificate_.find(name);
  return it == by_certificate_.end() ? nullptr : &callers_[it->second];
}

void Redact(const Caller& caller, const v1::Tender& tender,
            v1::MatchResponse* response) {
  absl::flat_hash_set<std::string> sensitive;
  CollectSensitive(tender, &sensitive);
  for (v1::SupplierMatch& m : *response->mutable_matches()) {
    RedactMatch(caller, sensitive, &m);
  }
  for (v1::Exclusion& e : *response->mutable_excluded()) {
    if (caller.MayReadClearanceOf(e.supplier_id())) continue;
    RedactOutcomes(sensitive, e.mutable_reasons());
  }
}

void Redact(const Caller& caller, const v1::Call& call,
            v1::ConsortiumResponse* response) {
  absl::flat_hash_map<std::string, absl::flat_hash_set<std::string>>
      sensitive;  // By work package id.
  for (int w = 0; w < call.work_packages_size(); ++w) {
    CollectSensitive(ConsortiumBuilder::PackageRequest(call, w, 1).tender(),
                     &sensitive[call.work_packages(w).id()]);
  }
  for (v1::ConsortiumProposal& p : *response->mutable_proposals()) {
    bool all_readable = true;
    for (v1::ConsortiumMember& m : *p.mutable_members()) {
      if (caller.MayReadClearanceOf(m.supplier_id())) continue;
      all_readable = false;
      m.set_control_group(kRedacted);
      m.set_eligible_through_guarantees(false);
      for (v1::WorkPackageAssignment& a : *m.mutable_work_packages()) {
        RedactMatch(caller, sensitive[a.work_package_id()], a.mutable_match());
      }
    }
    if (!all_readable) {
      for (v1::RuleOutcome& r : *p.mutable_rules()) {
        if (r.rule() == "independence") r.set_reason(kRedacted);
      }
    }
    for (v1::LeftOutCandidate& l : *p.mutable_left_out()) {
      if (!caller.MayReadClearanceOf(l.supplier_id()) &&
          (absl::StrContains(l.reason(), "control") ||
           absl::StrContains(l.reason(), "guarantee"))) {
        l.set_reason(kRedacted);
      }
    }
  }
}

}  // namespace service
}  // namespace procmatch
