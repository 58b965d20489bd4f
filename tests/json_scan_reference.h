// File: tests/json_scan_reference.h
//
// The brute-force twin of internal::ScanJson: its first implementation,
// which keeps every key of every object as a std::string in a hash set per
// object and builds each key's path as it goes. Slower, obviously right;
// tests/json_scan_test.cc checks that ScanJson gives the same verdict and
// the same message on random JSON, and benchmarks/json_scan_benchmark.cc
// measures the two side by side.
#ifndef PROCMATCH_TESTS_JSON_SCAN_REFERENCE_H_
#define PROCMATCH_TESTS_JSON_SCAN_REFERENCE_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "procmatch/internal/json_scan.h"

namespace procmatch {
namespace reference {

// Same contract as internal::ScanJson.
absl::Status ScanJsonReference(absl::string_view json,
                               const internal::JsonScanOptions& options);

}  // namespace reference
}  // namespace procmatch

#endif  // PROCMATCH_TESTS_JSON_SCAN_REFERENCE_H_
