// procmatch: the command-line tool for integrators and analysts. Uses only
// the library's public API. `procmatch help` lists the commands; each lives
// in its own file (commands.h).
#include <iostream>
#include <string>

#include "absl/status/statusor.h"
#include "examples/cli_common.h"
#include "examples/commands.h"
#include "procmatch/snapshot.h"
#include "procmatch/version.h"

namespace procmatch {
namespace cli {
namespace {

constexpr char kUsage[] = R"(usage: procmatch COMMAND [OPTIONS] [FILE...]

Files hold records as JSON Lines (.jsonl), text format (.textproto) or
length-delimited binary protobuf (.binpb); "-" is standard input.

commands:
  validate FILE...       check records; report every problem with file,
                         record number and field path; exit 1 if any is bad
      --kind=K           supplier, supplier_update, tender, match_request,
                         consortium_request, coverage_request, alert_rule
                         (default: from the file name)
  index --suppliers FILE... --out SNAPSHOT [--allow-empty]
                         build a supplier index and save it (doc/snapshot.md)
      --allow-empty      save an index of no suppliers when every file
                         holds none (exit 0; without it, exit 3, nothing
                         written), e.g. for serve filled by updates
  match (--suppliers FILE... | --index SNAPSHOT) --tenders FILE...
                         rank suppliers for each tender
      --lot=ID           match this lot of each tender that has it
      --top=K            matches per tender (default 10)
      --explain          every score component and requirement outcome
      --excluded         list excluded suppliers with every reason
      --max-excluded=N   list at most N of them per tender (default 100)
      --as-of=YYYY-MM-DD date for certificate and clearance validity
      --output=table|jsonl
                         table (default on a terminal) or one MatchResponse
                         per tender, in input order (default in a pipe)
  explain (--suppliers FILE... | --index SNAPSHOT) --tenders FILE...
          --tender=ID --supplier=ID [--lot=ID] [--as-of=DATE]
                         the full breakdown for one pair, or every reason
                         the supplier is excluded
  consortium (--suppliers FILE... | --index SNAPSHOT) --call FILE
                         eligible, complementary consortia for each call of
                         work packages (EDF calls; doc/consortium.md): every
                         rule checked with its reason, each package's member
                         with its match explanation, the strongest
                         candidates left out and why
      --with ID          a member every proposal includes, as coordinator
                         ("partners for me"); repeat for several
      --top=N            proposals per call (default 5, at most 100)
      --candidates=M     best matches kept per work package (default 20)
      --output=table|jsonl
                         table (default on a terminal) or one
                         ConsortiumResponse per call (default in a pipe)
  import [--ted-xml FILE...] [--ted-json FILE...] [--eforms FILE...]
         [--tenders-out FILE] [--suppliers-out FILE] [--merges-out FILE]
                         read real notices (TED XML exports, the reduced TED
                         JSON of data/ted/, eForms UBL) into tenders, and
                         their award winners into supplier profiles with
                         track records; a broken file is reported, counted
                         and skipped; --merges-out lists the spellings
                         resolved to one supplier, for a person to check
  alerts --rules FILE... (--notices FILE... | --ted-json FILE...)
         [--state DIR --out FILE] [--digest] [--now=YYYY-MM-DD]
         [--suppliers FILE... | --index SNAPSHOT]
                         run alert rules (saved searches) against notices:
                         TED XML or eForms (.xml, told apart by their root
                         element), tender records, or the reduced TED JSON;
                         one Alert per (rule, notice) as JSON Lines (a table
                         on a terminal), --digest a digest per subscriber;
                         with --state, a notice alerts once, a change notice
                         again only when what matched changed, and alerts
                         reach --out exactly once even across kills
                         (doc/alerts.md); profile rules need suppliers
      --batch=N          notices per state commit (default 64)
      --max-alert-patterns=N
                         RE2 patterns of all the rules together (keyword
                         and exclude patterns; default 100000, as serve)
  coverage (--suppliers FILE... | --index SNAPSHOT) --areas FILE...
           [--awards FILE...] [--country CC] [--html OUT.html] [--csv DIR]
                         per capability area: qualified national suppliers
                         by region, single source and gaps, and from award
                         history (--awards: tenders with awards, e.g. from
                         import; and the suppliers' past contracts) the share
                         won abroad and its concentration (doc/coverage.md)
      --country=CC       the scope (ISO 3166-1); absent: every country
      --regions NUTS...  only suppliers located in these regions
      --nuts-level=1|2   breakdown of the charts (default 2)
      --min-qualified=N  fewer qualified suppliers is a gap (default 3)
      --from=DATE --to=DATE
                         award period (default: all)
      --as-of=YYYY-MM-DD validity of certificates and clearances
      --html=FILE        one self-contained HTML page with charts
      --csv=DIR          areas.csv, regions.csv, ... into DIR
      --output=table|jsonl
                         table (default on a terminal) or the CoverageReport
                         as one JSON line (default in a pipe)
  suggest-cpv [--lang=xx] [--top=N] TEXT...
                         CPV codes for a free-text description in any of
                         the 24 EU languages (detected unless --lang), best
                         first: code, label in the text's language and in
                         English, and the words that support it; a table on
                         a terminal, JSON Lines in a pipe
                         (doc/cross_language.md)
  serve --index SNAPSHOT --listen HOST:PORT [--tls-cert FILE --tls-key FILE]
        [--client-ca FILE] [--policy FILE] [--rules FILE...]
                         the procmatch.v1.Procmatch gRPC service
                         (doc/service.md; `procmatch serve` lists options)
  demo [--data_dir=DIR]  rank the bundled Belgian sample for its tenders
  version

common options:
  --format=F             jsonl, textproto or binpb for every input file
                         (default: from each file's extension)
  --skip-invalid         report bad records, skip them and go on (default:
                         report them and fail)
  --max-file-bytes=N     largest input read (default 1 GiB)
  --max-record-bytes=N   largest record (default 16 MiB)
  --max-json-depth=N     deepest JSON nesting in a record (default 64)

exit status: 0 done; 1 a problem (reported); 2 a usage error; 3 nothing
done: every file of an input the command works on (the files to validate,
the suppliers, tenders, calls, areas, rules, notices) held no record, and
nothing was written; a file of no records is always named on stderr
)";

int RunDemo(const Args& args) {
  const std::string dir = args.Get("data_dir", "data");
  std::cout << "procmatch " << kVersion << " (schema " << kSchemaPackage
            << "): the bundled Belgian sample (fictional suppliers; "
               "tenders after real TED defence notices)\n\n";
  Args run;
  run.command = "match";
  run.lists["suppliers"] = {dir + "/sample/suppliers.jsonl"};
  run.lists["tenders"] = {dir + "/sample/tenders.jsonl"};
  run.flags["top"] = "5";
  run.flags["excluded"] = "true";
  run.flags["max-excluded"] = "4";
  run.flags["output"] = "table";
  const int matched = RunMatch(run);
  if (matched != 0) return matched;
  // Partners for an EDF call: the Belgian sample with fictional partners
  // from other countries, the best proposal.
  std::cout << "== Consortium for the bundled EDF call (fictional partners "
               "abroad; doc/consortium.md)\n";
  Args call;
  call.command = "consortium";
  call.lists["suppliers"] = {dir + "/sample/suppliers.jsonl",
                             dir + "/sample/partners.jsonl"};
  call.flags["call"] = dir + "/sample/edf_call.jsonl";
  call.flags["top"] = "1";
  call.flags["output"] = "table";
  return RunConsortium(call);
}

int Main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "serve") return RunServe(argc, argv);
  absl::StatusOr<Args> args = ParseArgs(argc, argv);
  if (!args.ok()) {
    if (argc > 1) std::cerr << "procmatch: " << args.status().message() << "\n";
    std::cerr << kUsage;
    return 2;
  }
  const std::string& c = args->command;
  if (c == "version") {
    std::cout << "procmatch " << kVersion << " (schema " << kSchemaPackage
              << ", snapshot format " << kSnapshotFormatVersion << ")\n";
    return 0;
  }
  if (c == "validate") return RunValidate(*args);
  if (c == "index") return RunIndex(*args);
  if (c == "match") return RunMatch(*args);
  if (c == "explain") return RunExplain(*args);
  if (c == "import") return RunImport(*args);
  if (c == "alerts") return RunAlerts(*args);
  if (c == "coverage") return RunCoverage(*args);
  if (c == "consortium") return RunConsortium(*args);
  if (c == "suggest-cpv") return RunSuggestCpv(*args);
  if (c == "demo") return RunDemo(*args);
  if (c == "help") {
    std::cout << kUsage;
    return 0;
  }
  std::cerr << "procmatch: unknown command \"" << c << "\"\n" << kUsage;
  return 2;
}

}  // namespace
}  // namespace cli
}  // namespace procmatch

int main(int argc, char** argv) { return procmatch::cli::Main(argc, argv); }
