// File: lib/dates.h
//
// Conversions between the schema's calendar types (procmatch.v1.Date,
// google.protobuf.Timestamp) and Abseil's civil time.
//
// Example:
//
//   procmatch::v1::Date d;
//   d.set_year(2026); d.set_month(2); d.set_day(30);
//   procmatch::CheckDate(d);  // InvalidArgument: "2026-02-30 is not a date"
#ifndef PROCMATCH_LIB_DATES_H_
#define PROCMATCH_LIB_DATES_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "google/protobuf/timestamp.pb.h"
#include "procmatch/v1/common.pb.h"

namespace procmatch {

// OK when `date` is a real calendar day between 1900-01-01 and 2200-12-31.
absl::Status CheckDate(const v1::Date& date);

// True when the date is unset (all fields zero).
bool IsUnset(const v1::Date& date);

// REQUIRES: CheckDate(date).ok().
absl::CivilDay ToCivilDay(const v1::Date& date);
v1::Date ToDate(absl::CivilDay day);

// Parses "2026-03-31".
absl::StatusOr<v1::Date> ParseDate(absl::string_view text);

// "2026-03-31".
std::string FormatDate(const v1::Date& date);

// The UTC calendar day of a timestamp.
absl::CivilDay UtcDay(const google::protobuf::Timestamp& ts);

}  // namespace procmatch

#endif  // PROCMATCH_LIB_DATES_H_
