// File: lib/certification.h
//
// Certification schemes are written many ways: "AQAP 2110", "AQAP-2110 Ed.
// D", "aqap2110" are one scheme, and so are "ISO/IEC 27001:2022" and "ISO
// 27001". NormalizeScheme maps each spelling to one key, so that a tender's
// requirement and a supplier's certificate meet.
//
// Example:
//
//   procmatch::NormalizeScheme("AQAP-2110 Ed. D");     // "aqap2110"
//   procmatch::NormalizeScheme("ISO/IEC 27001:2022");  // "iso27001"
//
// Pure and thread-safe.
#ifndef PROCMATCH_LIB_CERTIFICATION_H_
#define PROCMATCH_LIB_CERTIFICATION_H_

#include <string>

#include "absl/strings/string_view.h"

namespace procmatch {

// The scheme's key: lower-case letters and digits only, without edition
// ("Ed. D", "Edition 3") or year (":2015") suffixes, "ISO/IEC" read as "ISO".
// REQUIRES: scheme is valid UTF-8.
std::string NormalizeScheme(absl::string_view scheme);

}  // namespace procmatch

#endif  // PROCMATCH_LIB_CERTIFICATION_H_
