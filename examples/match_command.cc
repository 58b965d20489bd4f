// procmatch match and explain: rank suppliers for tenders, or break down one
// supplier's score or exclusion for one tender.
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "examples/cli_common.h"
#include "examples/commands.h"
#include "examples/render.h"
#include "procmatch/dates.h"
#include "procmatch/matcher.h"
#include "procmatch/record_io.h"
#include "procmatch/validation.h"

namespace procmatch {
namespace cli {
namespace {

// One request per tender with the options of the command line.
std::vector<v1::MatchRequest> Requests(const Args& args,
                                       const std::vector<v1::Tender>& tenders,
                                       absl::Status* error) {
  v1::MatchOptions options;
  int top = 10;
  if (args.Has("top") && (!absl::SimpleAtoi(args.Get("top", ""), &top) ||
                          top < 1 || top > 10000)) {
    *error = absl::InvalidArgumentError("--top must be 1-10000");
    return {};
  }
  options.set_top_k(top);
  options.set_include_excluded(args.Has("excluded"));
  if (args.Has("max-excluded")) {
    int max = 0;
    if (!absl::SimpleAtoi(args.Get("max-excluded", ""), &max) || max < 1) {
      *error = absl::InvalidArgumentError("--max-excluded must be >= 1");
      return {};
    }
    options.set_max_excluded(max);
  }
  if (args.Has("as-of")) {
    absl::StatusOr<v1::Date> day = ParseDate(args.Get("as-of", ""));
    if (!day.ok()) {
      *error = absl::InvalidArgumentError(
          absl::StrCat("--as-of: ", day.status().message()));
      return {};
    }
    *options.mutable_as_of() = *day;
  }
  std::vector<v1::MatchRequest> requests;
  for (const v1::Tender& t : tenders) {
    v1::MatchRequest r;
    r.set_request_id(t.id());
    *r.mutable_tender() = t;
    *r.mutable_options() = options;
    const std::string lot = args.Get("lot", "");
    for (const v1::Lot& l : t.lots()) {
      if (l.id() == lot) r.set_lot_id(lot);
    }
    requests.push_back(std::move(r));
  }
  return requests;
}

// The tenders of --tenders FILE... that pass the validator. Matching would
// reject a bad tender too, but only the CLI knows its file and record.
std::vector<v1::Tender> ReadTenders(const Args& args, Problems* problems) {
  Validator validator;
  return ReadAll<v1::Tender>(
      args, args.lists.at("tenders"),
      [&](const v1::Tender& t) { return validator.CheckTender(t); }, problems);
}

}  // namespace

int RunMatch(const Args& args) {
  if (!args.lists.count("tenders")) {
    std::cerr << "procmatch match: needs --tenders FILE...\n";
    return 2;
  }
  const std::string output = args.Get("output", isatty(1) ? "table" : "jsonl");
  if (output != "table" && output != "jsonl") {
    return Fail(absl::InvalidArgumentError("--output must be table or jsonl"));
  }
  Problems problems(args.Has("skip-invalid"));
  auto index = OpenIndex(args, &problems);
  if (!index.ok()) return Fail(index.status());
  std::vector<v1::Tender> tenders = ReadTenders(args, &problems);
  if (!problems.MayProceed())
    return Fail(problems.StopReason("tender records"));
  problems.Summarise("tender records");
  if ((*index)->size() == 0)
    return NothingLeft(problems, "no suppliers to match");
  if (tenders.empty())
    return NothingLeft(problems, "no tender records to match");
  absl::Status error;
  std::vector<v1::MatchRequest> requests = Requests(args, tenders, &error);
  if (!error.ok()) return Fail(error);
  Matcher matcher(*index);
  // In chunks, so that a long batch shows progress on a terminal.
  std::vector<absl::StatusOr<v1::MatchResponse>> responses;
  Progress progress("matching", requests.size());
  constexpr size_t kChunk = 256;
  for (size_t start = 0; start < requests.size(); start += kChunk) {
    const std::vector<v1::MatchRequest> chunk(
        requests.begin() + start,
        requests.begin() + std::min(requests.size(), start + kChunk));
    for (auto& r : matcher.MatchBatch(chunk)) responses.push_back(std::move(r));
    progress.Update(responses.size());
  }
  int failed = 0;
  for (size_t i = 0; i < responses.size(); ++i) {
    if (!responses[i].ok()) {
      std::cerr << "tender \"" << tenders[i].id()
                << "\": " << responses[i].status().message() << "\n";
      ++failed;
      continue;
    }
    if (output == "table") {
      PrintTable(tenders[i], *responses[i], args.Has("explain"), std::cout);
    } else {
      std::string line;
      AppendRecord(*responses[i], RecordFormat::kJsonLines, &line)
          .IgnoreError();
      std::cout << line;
    }
  }
  // Skipped records were reported and asked for (--skip-invalid), as in
  // `index`: only a tender that could not be matched fails the command.
  return failed == 0 ? 0 : 1;
}

int RunExplain(const Args& args) {
  if (!args.lists.count("tenders") || !args.Has("tender") ||
      !args.Has("supplier")) {
    std::cerr << "procmatch explain: needs --tenders FILE... --tender=ID "
                 "--supplier=ID\n";
    return 2;
  }
  Problems problems(/*skip_invalid=*/true);
  auto index = OpenIndex(args, &problems);
  if (!index.ok()) return Fail(index.status());
  std::vector<v1::Tender> tenders = ReadTenders(args, &problems);
  const std::string id = args.Get("tender", "");
  auto tender = std::find_if(tenders.begin(), tenders.end(),
                             [&](const v1::Tender& t) { return t.id() == id; });
  if (tender == tenders.end()) {
    return Fail(absl::NotFoundError(
        absl::StrCat("no valid tender \"", id, "\" in the --tenders files")));
  }
  absl::Status error;
  std::vector<v1::MatchRequest> requests = Requests(args, {*tender}, &error);
  if (!error.ok()) return Fail(error);
  Matcher matcher(*index);
  // The library ranks the supplier among all eligible ones; PrintTable shows
  // a rank it does not give (0) as "-".
  auto response = matcher.Explain(requests[0], args.Get("supplier", ""));
  if (!response.ok()) return Fail(response.status());
  PrintTable(*tender, *response, /*explain=*/true, std::cout);
  return 0;
}

}  // namespace cli
}  // namespace procmatch
