// File: lib/coverage.h
//
// Capability coverage: for each critical capability area of a request, how
// many national suppliers qualify (by region, size, clearance and
// certification), where there is a single source or none, and, from award
// history, how much of what the country's buyers awarded went abroad and
// how concentrated it was. Every metric is defined, with its formula, in
// doc/coverage.md.
//
// Example:
//
//   procmatch::v1::CoverageRequest request;
//   request.set_country("BE");
//   request.set_min_qualified_suppliers(3);
//   procmatch::v1::CapabilityArea* uav = request.add_areas();
//   uav->set_id("EDF-AIR");
//   uav->add_cpv_codes("35613000");         // unmanned aerial vehicles
//   uav->set_min_clearance(procmatch::v1::CLEARANCE_LEVEL_SECRET);
//   uav->add_required_certifications("AQAP 2110");
//
//   // `awards`: award notices (Tender.awards), e.g. from the TED importer.
//   absl::StatusOr<procmatch::v1::CoverageReport> report =
//       procmatch::ComputeCoverage(*index, request, awards);
//   if (!report.ok()) return report.status();  // names the field at fault
//   for (const auto& area : report->areas()) {
//     // area.qualified_suppliers(), area.gap(), area.award_history().hhi()
//   }
//
// Award history has two sources: the past contracts of the indexed
// profiles and the awards of the given tenders. A past contract whose
// source_notice_id is the id or source_notice_id of a given tender is the
// same award and is counted once (profiles built by the TED importer carry
// the notice id). A notice's winner is the indexed supplier of the same
// country whose name (or alternative name) has the same CompanyNameKey()
// (lib/track_record.h); otherwise it is known by TrackRecordSupplierId().
//
// Threading: both functions only read the index and their arguments and are
// safe to call concurrently on the same index.
#ifndef PROCMATCH_LIB_COVERAGE_H_
#define PROCMATCH_LIB_COVERAGE_H_

#include <vector>

#include "absl/status/statusor.h"
#include "procmatch/supplier_index.h"
#include "procmatch/v1/coverage.pb.h"
#include "procmatch/v1/tender.pb.h"

namespace procmatch {

// The coverage report of `request` over the suppliers of `index`, with the
// award history of their past contracts and of `awards`. The request is
// validated first with the index's options: InvalidArgument naming the
// field ("coverage request: areas[2].cpv_codes[0]: unknown CPV code ...").
// Tenders are used as they are (validate them on reading); a tender date
// or value that is unusable is skipped, not an error. Every area of the
// request is in the report, in request order, even when nobody qualifies.
//
// Finds each area's candidates from the index postings (CPV subtrees, tags,
// keyword terms) and assigns award records to areas in one pass; costs
// O(candidates + award records), not O(suppliers x areas).
absl::StatusOr<v1::CoverageReport> ComputeCoverage(
    const SupplierIndex& index, const v1::CoverageRequest& request,
    const std::vector<v1::Tender>& awards);

// The same report, computed the slow, obviously correct way: every
// supplier and every award record is tested against every area. For tests
// that compare the two on random inputs; O(suppliers x areas).
absl::StatusOr<v1::CoverageReport> ComputeCoverageBruteForce(
    const SupplierIndex& index, const v1::CoverageRequest& request,
    const std::vector<v1::Tender>& awards);

}  // namespace procmatch

#endif  // PROCMATCH_LIB_COVERAGE_H_
