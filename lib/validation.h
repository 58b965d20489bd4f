// File: lib/validation.h
//
// Validation of every top-level message of the exchange schema
// (procmatch.v1): supplier profiles and updates, tenders, match, consortium
// and coverage requests, alert rules. A record that passes is safe to index
// or match; one that fails gets every problem, each naming the record, the
// field path (proto field names, 0-based indexes) and what is wrong:
//
//   tender "T-17": lots[1].requirements[0].cpv_experience.cpv_codes[0]:
//       unknown CPV code "3530000"
//
// Example:
//
//   procmatch::Validator validator;  // builtin CPV and NUTS lists
//   absl::Status status = validator.ValidateTender(tender);
//   if (!status.ok()) {
//     // status.message() has the first problem and the count of the others;
//     // validator.CheckTender(tender) lists them all.
//   }
//
// A record's report is bounded (Options::max_problems_per_record,
// Options::max_id_bytes_in_messages): a hostile record with a huge id and
// thousands of bad codes costs little to reject.
//
// Threading: a Validator is immutable after construction and safe for
// concurrent use by multiple threads. It refers to the taxonomies it was
// given, which must outlive it.
#ifndef PROCMATCH_LIB_VALIDATION_H_
#define PROCMATCH_LIB_VALIDATION_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "procmatch/cpv.h"
#include "procmatch/nuts.h"
#include "procmatch/options.h"
#include "procmatch/v1/alert.pb.h"
#include "procmatch/v1/consortium.pb.h"
#include "procmatch/v1/coverage.pb.h"
#include "procmatch/v1/match.pb.h"
#include "procmatch/v1/supplier.pb.h"
#include "procmatch/v1/tender.pb.h"

namespace procmatch {

// One thing wrong with one field of one record.
struct ValidationProblem {
  std::string record;   // `supplier "BE-0203201340"`, `tender "T-17"`.
  std::string field;    // `capabilities[2].technology_readiness`.
  std::string problem;  // `TRL 11 is outside 1-9`.

  // "record: field: problem" (or "record: problem" for the whole record).
  std::string ToString() const;
};

class Validator {
 public:
  // Checks against the taxonomies and limits of `options` (the builtin CPV
  // 2008 and NUTS 2021 lists by default), which must outlive the Validator.
  explicit Validator(const Options& options = {});

  // Every problem of the record, in field order; empty when it is valid.
  std::vector<ValidationProblem> CheckSupplier(
      const v1::SupplierProfile& supplier) const;
  std::vector<ValidationProblem> CheckSupplierUpdate(
      const v1::SupplierUpdate& update) const;
  std::vector<ValidationProblem> CheckTender(const v1::Tender& tender) const;
  std::vector<ValidationProblem> CheckMatchRequest(
      const v1::MatchRequest& request) const;
  std::vector<ValidationProblem> CheckConsortiumRequest(
      const v1::ConsortiumRequest& request) const;
  std::vector<ValidationProblem> CheckCoverageRequest(
      const v1::CoverageRequest& request) const;
  std::vector<ValidationProblem> CheckAlertRule(
      const v1::AlertRule& rule) const;
  // Each upsert as CheckAlertRule (fields prefixed "upserts[i]."), ids given
  // twice, and removed ids that are empty or also upserted.
  std::vector<ValidationProblem> CheckAlertRuleUpdate(
      const v1::AlertRuleUpdate& update) const;

  // OK, or InvalidArgument with the first problem and "(and N more
  // problems)" when there are several.
  absl::Status ValidateSupplier(const v1::SupplierProfile& supplier) const;
  absl::Status ValidateSupplierUpdate(const v1::SupplierUpdate& update) const;
  absl::Status ValidateTender(const v1::Tender& tender) const;
  absl::Status ValidateMatchRequest(const v1::MatchRequest& request) const;
  absl::Status ValidateConsortiumRequest(
      const v1::ConsortiumRequest& request) const;
  absl::Status ValidateCoverageRequest(
      const v1::CoverageRequest& request) const;
  absl::Status ValidateAlertRule(const v1::AlertRule& rule) const;
  absl::Status ValidateAlertRuleUpdate(const v1::AlertRuleUpdate& update) const;

  const CpvTaxonomy& cpv() const { return *cpv_; }
  const NutsTaxonomy& nuts() const { return *nuts_; }
  const Options& options() const { return options_; }

 private:
  const CpvTaxonomy* cpv_;
  const NutsTaxonomy* nuts_;
  Options options_;
};

// Folds a problem list into one status: OK when empty.
absl::Status ProblemsToStatus(const std::vector<ValidationProblem>& problems);

}  // namespace procmatch

#endif  // PROCMATCH_LIB_VALIDATION_H_
