// File: lib/consortium.h
//
// Consortia for calls made of work packages, such as European Defence Fund
// calls: eligible, complementary partners, proposed and explained.
//
// For each work package the Matcher ranks the suppliers (the package is
// matched as a tender of its own, with the call's eligibility rules as a
// mandatory requirement) and keeps the best few; a branch and bound then
// finds the best proposals: sets of members, each package assigned to one
// member that matched it, meeting every rule of the call (members,
// countries, independence of control, required members) and maximising the
// sum of the assigned match scores plus the call's stated preferences (SME
// share, national share, and for development actions the funding-rate
// increase of art. 13(3), reported with every proposal). doc/consortium.md
// states the rules with the articles of Regulation (EU) 2021/697 they come
// from (and what of them was verified), the objective, and why the search
// is exact for it.
//
// Example:
//
//   procmatch::ConsortiumBuilder builder(index);  // shared_ptr<const ...>
//   procmatch::v1::ConsortiumRequest request;
//   *request.mutable_call() = call;             // work packages and rules
//   request.add_required_supplier_ids("NL-ZEELAND-MARITIEM");  // "for me"
//   absl::StatusOr<procmatch::v1::ConsortiumResponse> response =
//       builder.Propose(request);
//   // response->proposals(0).members(0).work_packages(0).match() explains
//   // why the coordinator fits its first package; proposals(0).rules()
//   // lists every rule with its reason; an empty proposal list comes with
//   // no_proposal_reason, e.g. "no eligible consortium: the candidates of
//   // the work packages come from only 2 eligible countries (NL, FR); the
//   // call needs 3".
//
// Threading: a ConsortiumBuilder is immutable and safe for concurrent use
// by multiple threads (it builds nothing shared: the name says what it
// gives, a consortium). It keeps its index generation alive.
#ifndef PROCMATCH_LIB_CONSORTIUM_H_
#define PROCMATCH_LIB_CONSORTIUM_H_

#include <memory>

#include "absl/status/statusor.h"
#include "procmatch/matcher.h"
#include "procmatch/supplier_index.h"
#include "procmatch/v1/consortium.pb.h"

namespace procmatch {

class ConsortiumBuilder {
 public:
  explicit ConsortiumBuilder(std::shared_ptr<const SupplierIndex> index);

  // The best request.max_proposals() (default 5) proposals, best first, or
  // none with the binding rule in no_proposal_reason and binding_rules.
  // Candidates per package: request.candidates_per_work_package() (default
  // 20) best matches; but a package that a required member covers (its
  // match score is at least half the best candidate's) is kept for the
  // required members, so that partners are sought for the packages they do
  // not cover ("partners for me").
  // Errors: an invalid request (InvalidArgument, naming the field), a
  // required supplier not in the index (NotFound).
  absl::StatusOr<v1::ConsortiumResponse> Propose(
      const v1::ConsortiumRequest& request) const;

  // The tender a work package is matched as: id "<call id>/<package id>",
  // the package's texts, codes and requirements with the call's, plus the
  // eligibility and technology readiness requirements the call implies.
  // REQUIRES: 0 <= package < call.work_packages_size().
  static v1::MatchRequest PackageRequest(const v1::Call& call, int package,
                                         int top_k);

 private:
  std::shared_ptr<const SupplierIndex> index_;
  Matcher matcher_;
  Validator validator_;
};

}  // namespace procmatch

#endif  // PROCMATCH_LIB_CONSORTIUM_H_
