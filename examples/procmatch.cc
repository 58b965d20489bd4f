// procmatch: the command-line tool for integrators and analysts.
//
//   procmatch version
//   procmatch validate [--kind=K] [--format=F] FILE...
//   procmatch demo [--data_dir=DIR]
//
// Uses only the library's public API.
#include <cstdio>
#include <functional>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "lib/record_io.h"
#include "lib/validation.h"
#include "lib/version.h"

namespace procmatch {
namespace {

constexpr char kUsage[] = R"(usage: procmatch COMMAND [OPTIONS] [FILE...]

commands:
  version                 print the library and schema versions
  validate FILE...        check records; report every problem with file,
                          record number and field path; exit 1 if any is
                          invalid
    --kind=K              supplier, supplier_update, tender, match_request,
                          consortium_request, coverage_request, alert_rule
                          (default: from the file name)
    --format=F            jsonl, textproto or binpb (default: from the
                          extension); "-" reads standard input
  demo [--data_dir=DIR]   run the main job on the bundled sample (data/)
)";

struct Args {
  std::string command;
  std::map<std::string, std::string> flags;
  std::vector<std::string> files;
};

absl::StatusOr<Args> ParseArgs(int argc, char** argv) {
  Args args;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (args.command.empty() && !absl::StartsWith(a, "-")) {
      args.command = a;
    } else if (absl::StartsWith(a, "--")) {
      const size_t eq = a.find('=');
      if (eq == std::string::npos) {
        args.flags[a.substr(2)] = "true";
      } else {
        args.flags[a.substr(2, eq - 2)] = a.substr(eq + 1);
      }
    } else {
      args.files.push_back(a);
    }
  }
  if (args.command.empty()) return absl::InvalidArgumentError("no command");
  return args;
}

// One kind of record: how to check it.
struct RecordKind {
  const google::protobuf::Message* prototype;
  std::function<std::vector<ValidationProblem>(
      const Validator&, const google::protobuf::Message&)>
      check;
};

template <typename M,
          std::vector<ValidationProblem> (Validator::*Check)(const M&) const>
RecordKind Kind() {
  return RecordKind{&M::default_instance(),
                    [](const Validator& v, const google::protobuf::Message& m) {
                      return (v.*Check)(static_cast<const M&>(m));
                    }};
}

const std::map<std::string, RecordKind>& Kinds() {
  static const auto* kinds = new std::map<std::string, RecordKind>{
      {"supplier", Kind<v1::SupplierProfile, &Validator::CheckSupplier>()},
      {"supplier_update",
       Kind<v1::SupplierUpdate, &Validator::CheckSupplierUpdate>()},
      {"tender", Kind<v1::Tender, &Validator::CheckTender>()},
      {"match_request",
       Kind<v1::MatchRequest, &Validator::CheckMatchRequest>()},
      {"consortium_request",
       Kind<v1::ConsortiumRequest, &Validator::CheckConsortiumRequest>()},
      {"coverage_request",
       Kind<v1::CoverageRequest, &Validator::CheckCoverageRequest>()},
      {"alert_rule", Kind<v1::AlertRule, &Validator::CheckAlertRule>()},
  };
  return *kinds;
}

absl::StatusOr<std::string> KindFromPath(const std::string& path) {
  // Longest names first: "supplier_update" before "supplier".
  for (const char* kind :
       {"supplier_update", "match_request", "consortium_request",
        "coverage_request", "alert_rule", "supplier", "tender"}) {
    if (absl::StrContains(path, kind)) return std::string(kind);
  }
  return absl::InvalidArgumentError(absl::StrCat(
      path, ": cannot tell the record kind from the file name; give --kind"));
}

struct ValidateCounts {
  int valid = 0;
  int invalid = 0;
};

// Validates every record of every file; prints each problem to stderr.
ValidateCounts ValidateFiles(const Validator& validator, const Args& args) {
  ValidateCounts counts;
  for (const std::string& path : args.files) {
    auto fail = [&](const absl::Status& s) {
      std::cerr << s.message() << "\n";
      ++counts.invalid;
    };
    absl::StatusOr<std::string> kind_name =
        args.flags.count("kind") ? args.flags.at("kind") : KindFromPath(path);
    if (!kind_name.ok()) {
      fail(kind_name.status());
      continue;
    }
    auto kind = Kinds().find(*kind_name);
    if (kind == Kinds().end()) {
      fail(absl::InvalidArgumentError(
          absl::StrCat("unknown --kind \"", *kind_name, "\"")));
      continue;
    }
    absl::StatusOr<RecordFormat> format =
        args.flags.count("format") ? ParseRecordFormat(args.flags.at("format"))
        : path == "-"              ? RecordFormat::kJsonLines
                                   : RecordFormatFromPath(path);
    if (!format.ok()) {
      fail(format.status());
      continue;
    }
    absl::StatusOr<std::string> content = ReadFileOrStdin(path);
    if (!content.ok()) {
      fail(content.status());
      continue;
    }
    absl::Status stream = ReadMessages(
        path, *content, *format, *kind->second.prototype,
        [&](int record, std::unique_ptr<google::protobuf::Message> m) {
          std::vector<ValidationProblem> problems =
              kind->second.check(validator, *m);
          if (problems.empty()) {
            ++counts.valid;
            return;
          }
          ++counts.invalid;
          for (const ValidationProblem& p : problems) {
            std::cerr << path << ": record " << record << ": " << p.ToString()
                      << "\n";
          }
        },
        fail);
    if (!stream.ok()) fail(stream);
  }
  return counts;
}

int Validate(const Args& args) {
  if (args.files.empty()) {
    std::cerr << "procmatch validate: no FILE given\n" << kUsage;
    return 2;
  }
  Validator validator;
  ValidateCounts counts = ValidateFiles(validator, args);
  std::cerr << counts.valid << " valid, " << counts.invalid << " invalid\n";
  return counts.invalid == 0 ? 0 : 1;
}

int Demo(const Args& args) {
  const std::string dir =
      args.flags.count("data_dir") ? args.flags.at("data_dir") : "data";
  std::cout << "procmatch " << kVersion << " (schema " << kSchemaPackage
            << ")\n";
  Args validate;
  validate.files = {dir + "/sample/suppliers.jsonl",
                    dir + "/sample/tenders.jsonl"};
  Validator validator;
  ValidateCounts counts = ValidateFiles(validator, validate);
  std::cout << "bundled sample: " << counts.valid << " valid records, "
            << counts.invalid << " invalid\n";
  return counts.invalid == 0 && counts.valid > 0 ? 0 : 1;
}

int Main(int argc, char** argv) {
  absl::StatusOr<Args> args = ParseArgs(argc, argv);
  if (!args.ok()) {
    std::cerr << kUsage;
    return 2;
  }
  if (args->command == "version") {
    std::cout << "procmatch " << kVersion << " (schema " << kSchemaPackage
              << ")\n";
    return 0;
  }
  if (args->command == "validate") return Validate(*args);
  if (args->command == "demo") return Demo(*args);
  if (args->command == "help") {
    std::cout << kUsage;
    return 0;
  }
  std::cerr << "procmatch: unknown command \"" << args->command << "\"\n"
            << kUsage;
  return 2;
}

}  // namespace
}  // namespace procmatch

int main(int argc, char** argv) { return procmatch::Main(argc, argv); }
