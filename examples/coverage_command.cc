// procmatch coverage: where the country is thin. Counts qualified suppliers
// per capability area and reads award history for dependence and
// concentration (lib/coverage.h); writes the report as a table or JSON
// Lines, and optionally CSV tables and a self-contained HTML page.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "examples/cli_common.h"
#include "examples/commands.h"
#include "examples/render.h"
#include "procmatch/atomic_file.h"
#include "procmatch/coverage.h"
#include "procmatch/coverage_render.h"
#include "procmatch/dates.h"
#include "procmatch/record_io.h"
#include "procmatch/validation.h"

namespace procmatch {
namespace cli {
namespace {

// The request of the command line, areas aside.
absl::Status FillRequest(const Args& args, v1::CoverageRequest* request) {
  request->set_country(args.Get("country", ""));
  auto number = [&](const std::string& flag, int* out) -> absl::Status {
    if (args.Has(flag) && !absl::SimpleAtoi(args.Get(flag, ""), out)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", flag, " must be a number"));
    }
    return absl::OkStatus();
  };
  int level = 0, min = 0;
  absl::Status s = number("nuts-level", &level);
  if (s.ok()) s = number("min-qualified", &min);
  if (!s.ok()) return s;
  request->set_nuts_level(level);
  request->set_min_qualified_suppliers(min);
  struct DateFlag {
    const char* flag;
    v1::Date* field;
  };
  for (const DateFlag& d :
       {DateFlag{"as-of", request->mutable_as_of()},
        DateFlag{"from", request->mutable_award_period()->mutable_start()},
        DateFlag{"to", request->mutable_award_period()->mutable_end()}}) {
    if (!args.Has(d.flag)) continue;
    absl::StatusOr<v1::Date> day = ParseDate(args.Get(d.flag, ""));
    if (!day.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", d.flag, ": ", day.status().message()));
    }
    *d.field = *day;
  }
  if (!args.Has("as-of")) request->clear_as_of();
  if (!args.Has("from")) request->mutable_award_period()->clear_start();
  if (!args.Has("to")) request->mutable_award_period()->clear_end();
  if (!args.Has("from") && !args.Has("to")) request->clear_award_period();
  if (args.lists.count("regions")) {
    for (const std::string& r : args.lists.at("regions")) {
      request->add_nuts_regions(r);
    }
  }
  return absl::OkStatus();
}

std::string Share(const v1::AwardHistory& h, double share) {
  return h.value() > 0 ? absl::StrFormat("%3.0f%%", 100 * share) : "   -";
}

void PrintCoverageTable(const v1::CoverageReport& r, std::ostream& out) {
  out << absl::StrFormat(
      "coverage of %s: %d suppliers in scope, %d areas, %d gaps (fewer than "
      "%d qualified), %d single source, %d with none\n\n",
      r.country().empty() ? "all countries" : r.country(),
      r.suppliers_in_scope(), r.areas_size(), r.gaps(),
      r.min_qualified_suppliers(), r.single_source_areas(),
      r.uncovered_areas());
  // "abroad": of the contracts by number, then of the awarded value.
  out << absl::StrFormat("%s %7s %9s %5s %5s %9s %6s %12s %6s %6s  %s\n",
                         Cell("area", 34), "capable", "qualified", "SMEs",
                         "R&D", "contracts", "abroad", "value", "abroad", "HHI",
                         "assessment");
  for (const v1::AreaCoverage& a : r.areas()) {
    const v1::AwardHistory& h = a.award_history();
    out << absl::StrFormat(
        "%s %7d %9d %5d %5d %9d %6s %12.0f %6s %6s  %s\n",
        Cell(a.area().name().empty() ? a.area().id() : a.area().name(), 34),
        a.capable_suppliers(), a.qualified_suppliers(), a.smes(),
        a.research_organisations(), h.contracts(),
        h.contracts() > 0
            ? absl::StrFormat("%3.0f%%", 100 * h.foreign_contract_share())
            : "   -",
        h.value(), Share(h, h.foreign_value_share()),
        h.value() > 0 ? absl::StrFormat("%.0f", h.hhi()) : "-", a.assessment());
  }
}

}  // namespace

int RunCoverage(const Args& args) {
  if (!args.lists.count("areas") ||
      (!args.lists.count("suppliers") && !args.Has("index"))) {
    std::cerr << "procmatch coverage: needs (--suppliers FILE... | --index "
                 "SNAPSHOT) --areas FILE...\n";
    return 2;
  }
  const std::string output = args.Get("output", isatty(1) ? "table" : "jsonl");
  if (output != "table" && output != "jsonl") {
    return Fail(absl::InvalidArgumentError("--output must be table or jsonl"));
  }
  // Before the work: outputs that cannot be written fail now.
  const std::string html = args.Get("html", "");
  const std::string csv_dir = args.Get("csv", "");
  if (args.Has("html")) {
    absl::Status usable = CheckOutputPath(html);
    if (!usable.ok()) return Fail(usable);
  }
  if (args.Has("csv")) {
    // The directory is made when missing (its parent must exist), as a
    // user naming a new folder for the tables expects.
    if (mkdir(csv_dir.c_str(), 0777) != 0 && errno != EEXIST) {
      return Fail(absl::FailedPreconditionError(
          absl::StrCat("--csv: cannot make directory ", csv_dir, ": ",
                       std::strerror(errno))));
    }
    absl::Status usable = CheckOutputPath(csv_dir + "/areas.csv");
    if (!usable.ok()) return Fail(usable);
  }
  v1::CoverageRequest request;
  absl::Status filled = FillRequest(args, &request);
  if (!filled.ok()) return Fail(filled);

  Problems problems(args.Has("skip-invalid"));
  Validator validator;
  // Each area is checked on its own, so that a problem names its file and
  // record: `areas.jsonl: record 3: capability area "EDF-SENS":
  // cpv_codes[0]: unknown CPV code "3530000"`.
  std::vector<v1::CapabilityArea> areas = ReadAll<v1::CapabilityArea>(
      args, args.lists.at("areas"),
      [&](const v1::CapabilityArea& area) {
        v1::CoverageRequest alone;
        *alone.add_areas() = area;
        std::vector<ValidationProblem> found =
            validator.CheckCoverageRequest(alone);
        for (ValidationProblem& p : found) {
          p.record = absl::StrCat("capability area \"", area.id(), "\"");
          if (p.field.rfind("areas[0]", 0) == 0) p.field = p.field.substr(8);
          if (!p.field.empty() && p.field[0] == '.')
            p.field = p.field.substr(1);
        }
        return found;
      },
      &problems);
  for (v1::CapabilityArea& a : areas) *request.add_areas() = std::move(a);
  std::vector<v1::Tender> awards;
  if (args.lists.count("awards")) {
    awards = ReadAll<v1::Tender>(
        args, args.lists.at("awards"),
        [&](const v1::Tender& t) { return validator.CheckTender(t); },
        &problems);
  }
  problems.Summarise("tender records");
  if (!problems.MayProceed()) return Fail(problems.StopReason("records"));
  auto index = OpenIndex(args, &problems);
  if (!index.ok()) return Fail(index.status());
  if (request.areas().empty()) {
    return NothingLeft(problems, "no capability area records to count");
  }
  if ((*index)->size() == 0)
    return NothingLeft(problems, "no suppliers to count");

  absl::StatusOr<v1::CoverageReport> report =
      ComputeCoverage(**index, request, awards);
  if (!report.ok()) return Fail(report.status());

  if (args.Has("html")) {
    absl::Status written = WriteFileAtomically(html, CoverageHtml(*report));
    if (!written.ok()) return Fail(written);
  }
  if (args.Has("csv")) {
    for (const CsvTable& t : CoverageCsv(*report)) {
      absl::Status written =
          WriteFileAtomically(csv_dir + "/" + t.file_name, t.content);
      if (!written.ok()) return Fail(written);
    }
  }
  if (output == "table") {
    PrintCoverageTable(*report, std::cout);
  } else {
    std::string line;
    absl::Status appended =
        AppendRecord(*report, RecordFormat::kJsonLines, &line);
    if (!appended.ok()) return Fail(appended);
    std::cout << line;
  }
  return 0;
}

}  // namespace cli
}  // namespace procmatch
