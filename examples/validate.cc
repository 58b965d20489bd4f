// procmatch validate: every problem of every record, with file, record
// number and field path.
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "examples/cli_common.h"
#include "examples/commands.h"
#include "procmatch/validation.h"

namespace procmatch {
namespace cli {
namespace {

// Validates the records of one file as kind M; returns how many are valid.
template <typename M,
          std::vector<ValidationProblem> (Validator::*Check)(const M&) const>
size_t ValidateFile(const Args& args, const std::string& path,
                    const Validator& v, Problems* problems) {
  return ReadAll<M>(
             args, {path}, [&](const M& m) { return (v.*Check)(m); }, problems)
      .size();
}

}  // namespace

namespace {

// The last component of `path`: the kind comes from the file's own name,
// not from the directories above it (".../suppliers/tenders.jsonl" holds
// tenders).
std::string FileName(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

int RunValidate(const Args& args) {
  if (args.files.empty()) {
    std::cerr << "procmatch validate: no FILE given\n";
    return 2;
  }
  using Checker =
      size_t (*)(const Args&, const std::string&, const Validator&, Problems*);
  // Longer names first: a file name is matched against them in this order.
  static const std::vector<std::pair<std::string, Checker>> kKinds = {
      {"supplier_update",
       &ValidateFile<v1::SupplierUpdate, &Validator::CheckSupplierUpdate>},
      {"match_request",
       &ValidateFile<v1::MatchRequest, &Validator::CheckMatchRequest>},
      {"consortium_request", &ValidateFile<v1::ConsortiumRequest,
                                           &Validator::CheckConsortiumRequest>},
      {"coverage_request",
       &ValidateFile<v1::CoverageRequest, &Validator::CheckCoverageRequest>},
      {"alert_rule", &ValidateFile<v1::AlertRule, &Validator::CheckAlertRule>},
      {"supplier",
       &ValidateFile<v1::SupplierProfile, &Validator::CheckSupplier>},
      {"tender", &ValidateFile<v1::Tender, &Validator::CheckTender>},
  };
  Validator v;
  Problems problems(/*skip_invalid=*/true);
  size_t valid = 0;
  for (const std::string& path : args.files) {
    const std::string kind = args.Get("kind", "");
    Checker check = nullptr;
    for (const auto& [name, checker] : kKinds) {
      if (check == nullptr &&
          (kind.empty() ? absl::StrContains(FileName(path), name)
                        : kind == name)) {
        check = checker;
      }
    }
    if (check != nullptr) {
      valid += check(args, path, v, &problems);
    } else {
      problems.Report(
          kind.empty() ? absl::StrCat(path,
                                      ": cannot tell the record kind from the "
                                      "file name; give --kind")
                       : absl::StrCat("unknown --kind \"", kind, "\""));
    }
  }
  std::cerr << valid << " valid, " << problems.count() << " invalid\n";
  if (!problems.MayProceed() || problems.count() > 0) return 1;
  return valid == 0 ? NothingDone("no records to validate") : 0;
}

}  // namespace cli
}  // namespace procmatch
