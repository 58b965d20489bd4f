#include "procmatch/internal/profile_scores.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "procmatch/internal/components.h"
#include "procmatch/internal/requirements.h"

namespace procmatch {
namespace internal {

ProfileScores::ProfileScores(const Matcher& matcher, const v1::Tender& tender)
    : index_(IndexAccess::Data(*matcher.index_)) {
  *request_.mutable_tender() = tender;
  absl::StatusOr<std::unique_ptr<Query>> query =
      PrepareQuery(request_, index_, matcher.validator_);
  prepared_ = query.status();
  if (query.ok()) query_ = std::move(*query);
}

absl::StatusOr<double> ProfileScores::Score(
    absl::string_view supplier_id) const {
  // As Matcher::Explain(), without the words and the rank.
  const int doc = index_.FindDoc(supplier_id);
  if (doc < 0) {
    return absl::NotFoundError(
        absl::StrCat("no supplier \"", supplier_id, "\" in the index"));
  }
  if (!prepared_.ok()) return prepared_;
  const SupplierDoc& d = index_.doc(doc);
  if (!Eligible(*query_, d, nullptr)) return -1;
  double value[kComponentCount];
  return internal::Score(*query_, index_, d, value);
}

}  // namespace internal
}  // namespace procmatch
