// File: lib/internal/profile_scores.h
//
// INTERNAL. One tender prepared once against a Matcher's index, then scored
// for any number of suppliers: what Matcher::Explain() answers for a
// request holding only that tender, without validating, copying and
// analysing the tender again for each supplier. Alert rules with a profile
// criterion (lib/internal/alert_rule) ask it for each of their suppliers.
//
// Threading: a ProfileScores is immutable once prepared; it keeps pointers
// into its Matcher's index, which must outlive it.
#ifndef PROCMATCH_LIB_INTERNAL_PROFILE_SCORES_H_
#define PROCMATCH_LIB_INTERNAL_PROFILE_SCORES_H_

#include <memory>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "procmatch/internal/index_data.h"
#include "procmatch/internal/query.h"
#include "procmatch/matcher.h"
#include "procmatch/v1/match.pb.h"
#include "procmatch/v1/tender.pb.h"

namespace procmatch {
namespace internal {

class ProfileScores {
 public:
  // `tender` prepared against `matcher`'s index as Explain() prepares a
  // request whose only field is the tender (an invalid tender is kept as
  // the error Score() returns).
  ProfileScores(const Matcher& matcher, const v1::Tender& tender);
  // The query points into request_: neither copied nor moved.
  ProfileScores(const ProfileScores&) = delete;
  ProfileScores& operator=(const ProfileScores&) = delete;

  // The score Explain(request, supplier_id) gives the supplier in
  // `matches`, or -1 when it lists it in `excluded` (not eligible).
  // Errors as Explain(), in its order: NotFound for an unknown supplier,
  // then the request's problem.
  absl::StatusOr<double> Score(absl::string_view supplier_id) const;

 private:
  v1::MatchRequest request_;  // The query points into it.
  const IndexData& index_;
  absl::Status prepared_;
  std::unique_ptr<Query> query_;  // When `prepared_` is OK.
};

}  // namespace internal
}  // namespace procmatch

#endif  // PROCMATCH_LIB_INTERNAL_PROFILE_SCORES_H_
