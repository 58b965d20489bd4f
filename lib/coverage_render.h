// File: lib/coverage_render.h
//
// A CoverageReport (lib/coverage.h) for people: one CSV file per table, for
// spreadsheets, and one self-contained HTML page, for reading and printing:
// inline SVG charts (qualified suppliers by area and region, dependence on
// foreign suppliers, concentration of award value, the trend by year), each
// with a one-line reading, and the table of areas. The page fetches nothing
// (no script, font, style sheet or image from anywhere; no URL at all), so
// that it opens offline and can be mailed as it is.
//
// Example:
//
//   absl::StatusOr<procmatch::v1::CoverageReport> report =
//       procmatch::ComputeCoverage(*index, request, awards);
//   std::string html = procmatch::CoverageHtml(*report);
//   procmatch::WriteFileAtomically("coverage.html", html);
//   for (const procmatch::CsvTable& t : procmatch::CoverageCsv(*report)) {
//     procmatch::WriteFileAtomically("out/" + t.file_name, t.content);
//   }
//
// Threading: pure functions of their argument; thread-safe.
#ifndef PROCMATCH_LIB_COVERAGE_RENDER_H_
#define PROCMATCH_LIB_COVERAGE_RENDER_H_

#include <string>
#include <vector>

#include "procmatch/v1/coverage.pb.h"

namespace procmatch {

// One CSV table: RFC 4180 (CRLF line ends, fields with a comma, quote or
// line break quoted); a text cell starting with =, +, - or @ gets a leading
// apostrophe, so that a spreadsheet never takes a supplier name for a
// formula.
struct CsvTable {
  std::string file_name;  // "areas.csv"
  std::string content;
};

// areas.csv (one row per area, every metric), regions.csv (area, NUTS
// level, region, qualified suppliers), certifications.csv,
// clearances.csv, winners.csv (the four largest per area) and trend.csv
// (area, year).
std::vector<CsvTable> CoverageCsv(const v1::CoverageReport& report);

// The whole report as one HTML5 page, UTF-8, with inline CSS and SVG.
std::string CoverageHtml(const v1::CoverageReport& report);

}  // namespace procmatch

#endif  // PROCMATCH_LIB_COVERAGE_RENDER_H_
