// File: lib/internal/requirements.h
//
// INTERNAL. Requirement checks, one function per kind of condition
// (CpvExperienceRequirement, CertificationRequirement, ...), each with its
// preparation (what is resolved once per query) and its evaluation for one
// supplier (met or not, with the reason in words). Adding a kind of
// requirement means a message in tender.proto, its checks in validation and
// one row in the table in requirements.cc.
#ifndef PROCMATCH_LIB_INTERNAL_REQUIREMENTS_H_
#define PROCMATCH_LIB_INTERNAL_REQUIREMENTS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "procmatch/internal/query.h"
#include "procmatch/internal/supplier_doc.h"
#include "procmatch/v1/match.pb.h"

namespace procmatch {
namespace internal {

struct Outcome {
  bool met;
  std::string reason;
};

// Resolves `p->rule` for `q`: codes parsed, scheme normalised, pattern
// compiled within `options.max_pattern_memory`. Errors name the requirement.
absl::Status PrepareRequirement(const Query& q, const Options& options,
                                PreparedRequirement* p);

// Whether the supplier meets the requirement, and why.
Outcome EvaluateRequirement(const PreparedRequirement& p, const SupplierDoc& d,
                            const Query& q);

// Appends `o` as the outcome of `r`.
void AppendOutcome(const v1::Requirement& r, Outcome o,
                   std::vector<v1::RequirementOutcome>* outcomes);

// True when every mandatory requirement holds; fills `reasons` with every
// failed one when given (else stops at the first).
bool Eligible(const Query& q, const SupplierDoc& d,
              std::vector<v1::RequirementOutcome>* reasons);

}  // namespace internal
}  // namespace procmatch

#endif  // PROCMATCH_LIB_INTERNAL_REQUIREMENTS_H_
