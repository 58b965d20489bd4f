// File: examples/commands.h
//
// The procmatch tool's commands, one function each. Each takes the parsed
// command line and returns the process exit code: 0 success, 1 bad input or
// a failure (reported on stderr), 2 a usage error. main.cc dispatches to
// them; `procmatch help` describes their options.
#ifndef PROCMATCH_EXAMPLES_COMMANDS_H_
#define PROCMATCH_EXAMPLES_COMMANDS_H_

#include "examples/cli_common.h"

namespace procmatch {
namespace cli {

// validate FILE...: every problem of every record (validate.cc).
int RunValidate(const Args& args);

// index --suppliers FILE... --out SNAPSHOT (index_command.cc).
int RunIndex(const Args& args);

// match ... --tenders FILE...: ranked suppliers per tender (match_command.cc).
int RunMatch(const Args& args);

// explain ... --tender=ID --supplier=ID: one pair in full (match_command.cc).
int RunExplain(const Args& args);

// consortium ... --call FILE [--with ID...]: partners for calls made of work
// packages (consortium_command.cc).
int RunConsortium(const Args& args);

// import --ted-xml/--ted-json/--eforms FILE...: real notices into tenders
// and award winners into suppliers (import_command.cc).
int RunImport(const Args& args);

// alerts --rules FILE... --notices FILE... [--state DIR --out FILE]: alert
// rules run against notices, remembered across runs (alerts_command.cc).
int RunAlerts(const Args& args);
// coverage ... --areas FILE... [--awards FILE...]: qualified suppliers,
// dependence and concentration per capability area (coverage_command.cc).
int RunCoverage(const Args& args);
// suggest-cpv [--lang=xx] [--top=N] TEXT...: CPV codes for free text in any
// EU language, with evidence (suggest_cpv_command.cc).
int RunSuggestCpv(const Args& args);

// serve --index SNAPSHOT --listen ADDR [...]: the gRPC service
// (serve_command.cc). Parses its own options: argv[1] is "serve".
int RunServe(int argc, char** argv);

}  // namespace cli
}  // namespace procmatch

#endif  // PROCMATCH_EXAMPLES_COMMANDS_H_
