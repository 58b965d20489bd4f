// procmatch alerts: saved searches run against a stream of notices, one
// Alert per (rule, notice), optionally remembered in a LevelDB state so that
// a notice alerts once and a change notice alerts again only when what
// matched changed (doc/alerts.md).
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "examples/alert_state.h"
#include "examples/cli_common.h"
#include "examples/commands.h"
#include "examples/render.h"
#include "procmatch/alert_index.h"
#include "procmatch/eforms_importer.h"
#include "procmatch/matcher.h"
#include "procmatch/record_io.h"
#include "procmatch/ted_importer.h"

namespace procmatch {
namespace cli {
namespace {

struct Notice {
  v1::Tender tender;
  std::string key;  // Tender id, or the id of the notice a change changes.
};

// The name of the first element of an XML document.
std::string RootElement(absl::string_view xml) {
  size_t at = 0;
  while ((at = xml.find('<', at)) != absl::string_view::npos) {
    if (at + 1 < xml.size() && (xml[at + 1] == '?' || xml[at + 1] == '!')) {
      ++at;
      continue;
    }
    size_t end = xml.find_first_of(" \t\r\n/>", at + 1);
    std::string name(xml.substr(at + 1, end - at - 1));
    const size_t colon = name.find(':');
    return colon == std::string::npos ? name : name.substr(colon + 1);
  }
  return "";
}

// The key the alert state files a notice under: the notice it changes,
// when it is a change notice (Tender.changes_notice_id, which the eForms
// importer sets from BT-758), so that a change is compared with what the
// original alerted on; otherwise its own id.
std::string NoticeKey(const v1::Tender& t) {
  return t.changes_notice_id().empty() ? t.id() : t.changes_notice_id();
}

// Every notice of --notices (TED XML or eForms by root element, else tender
// records) and --ted-json; one that fails to import is reported to
// `failed` as a bad record, a file that cannot be read as unreadable (which
// --skip-invalid does not excuse), and reading goes on.
// Notice files are read under `limits` (--max-file-bytes).
std::vector<Notice> ReadNotices(const Args& args, const RecordLimits& limits,
                                Problems* failed) {
  std::vector<Notice> out;
  auto take = [&](const std::string& source, absl::StatusOr<ImportedNotice> n) {
    if (!n.ok()) {
      // The importers name the source themselves.
      failed->Report(std::string(n.status().message()));
      return;
    }
    std::string key = NoticeKey(n->tender);
    out.push_back(Notice{std::move(n->tender), std::move(key)});
  };
  auto files = [&](const char* list) {
    auto it = args.lists.find(list);
    return it == args.lists.end() ? std::vector<std::string>{} : it->second;
  };
  for (const std::string& path : files("notices")) {
    if (absl::EndsWith(path, ".xml")) {
      absl::StatusOr<std::string> xml = ReadFileOrStdin(path, limits);
      if (!xml.ok()) {
        failed->ReportUnreadable(std::string(xml.status().message()));
        continue;
      }
      take(path, RootElement(*xml) == "TED_EXPORT" ? ImportTedXml(path, *xml)
                                                   : ImportEforms(path, *xml));
      continue;
    }
    ForEachRecord<v1::Tender>(args, {path}, failed,
                              [&](const std::string&, int, v1::Tender t) {
                                std::string key = NoticeKey(t);
                                out.push_back(Notice{std::move(t), key});
                              });
  }
  for (const std::string& path : files("ted-json")) {
    absl::StatusOr<std::string> content = ReadFileOrStdin(path, limits);
    if (!content.ok()) {
      failed->ReportUnreadable(std::string(content.status().message()));
      continue;
    }
    int line = 0, notices = 0;
    for (absl::string_view text : absl::StrSplit(*content, '\n')) {
      ++line;
      if (absl::StripAsciiWhitespace(text).empty()) continue;
      ++notices;
      const std::string source = absl::StrCat(path, ":", line);
      take(source, ImportTedReducedJson(source, text));
    }
    if (notices == 0) std::cerr << path << ": holds no notices\n";
  }
  return out;
}

// One block per subscriber: each notice, the rules that fired and why.
void PrintDigest(const std::vector<v1::Alert>& alerts, std::ostream& out) {
  std::map<std::string, std::vector<const v1::Alert*>> by_subscriber;
  for (const v1::Alert& a : alerts) by_subscriber[a.subscriber()].push_back(&a);
  for (const auto& [subscriber, list] : by_subscriber) {
    out << "== " << (subscriber.empty() ? "(no subscriber)" : subscriber)
        << ": " << list.size() << " alert" << (list.size() == 1 ? "" : "s")
        << "\n";
    for (const v1::Alert* a : list) {
      out << "  " << a->tender_id() << "  " << Cell(a->title(), 70) << "\n";
      out << "    rule " << a->rule_id();
      if (!a->rule_name().empty()) out << " (" << a->rule_name() << ")";
      if (a->lot_ids_size() > 0) {
        out << ", lots " << absl::StrJoin(a->lot_ids(), ", ");
      }
      out << ": " << absl::StrJoin(a->reasons(), "; ") << "\n";
      for (const std::string& c : a->changes()) out << "    " << c << "\n";
    }
  }
}

void PrintAlertTable(const std::vector<v1::Alert>& alerts, std::ostream& out) {
  out << Cell("rule", 18) << " " << Cell("subscriber", 16) << " "
      << Cell("notice", 18) << " " << Cell("lots", 8) << " reasons\n";
  for (const v1::Alert& a : alerts) {
    out << Cell(a.rule_id(), 18) << " " << Cell(a.subscriber(), 16) << " "
        << Cell(a.tender_id(), 18) << " "
        << Cell(absl::StrJoin(a.lot_ids(), ","), 8) << " "
        << absl::StrJoin(a.reasons(), "; ") << "\n";
  }
}

absl::StatusOr<absl::Time> EvaluationTime(const Args& args) {
  if (!args.Has("now")) return absl::Now();
  absl::CivilDay day;
  if (!absl::ParseCivilTime(args.Get("now", ""), &day)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--now=", args.Get("now", ""), ": not a date YYYY-MM-DD"));
  }
  return absl::FromCivil(day, absl::UTCTimeZone());
}

}  // namespace

int RunAlerts(const Args& args) {
  if (!args.lists.count("rules")) {
    return Fail(absl::InvalidArgumentError("give --rules FILE..."));
  }
  if (args.Has("state") && !args.Has("out")) {
    return Fail(absl::InvalidArgumentError(
        "--state needs --out FILE: alerts are written exactly once to a file"));
  }
  absl::StatusOr<absl::Time> now = EvaluationTime(args);
  if (!now.ok()) return Fail(now.status());
  const auto bound = args.flags.find("max-alert-patterns");
  absl::StatusOr<Options> options =
      AlertIndexOptions(bound == args.flags.end() ? nullptr : &bound->second);
  if (!options.ok()) return Fail(options.status());
  absl::StatusOr<RecordLimits> limits = LimitsFor(args);
  if (!limits.ok()) return Fail(limits.status());

  // Rules: every problem with file, record and field.
  Problems problems(args.Has("skip-invalid"));
  AlertIndex::Builder builder(*options);
  const Validator validator(*options);
  bool profiles = false;
  ForEachRecord<v1::AlertRule>(
      args, args.lists.at("rules"), &problems,
      [&](const std::string& path, int record, v1::AlertRule rule) {
        std::vector<std::string> messages;
        for (const ValidationProblem& p : validator.CheckAlertRule(rule)) {
          messages.push_back(
              absl::StrCat(path, ": record ", record, ": ", p.ToString()));
        }
        if (!messages.empty()) {
          problems.Report(messages);
          return;
        }
        absl::Status added = builder.Add(rule);
        if (!added.ok()) {
          problems.Report(
              absl::StrCat(path, ": record ", record, ": ", added.message()));
          return;
        }
        profiles = profiles || rule.has_profile();
      });
  problems.Summarise("rules");
  // An unreadable rules file is not an invalid rule (StopReason).
  if (!problems.MayProceed()) return Fail(problems.StopReason("rules"));
  absl::StatusOr<std::shared_ptr<const AlertIndex>> index =
      std::move(builder).Build();
  if (!index.ok()) return Fail(index.status());

  std::unique_ptr<Matcher> matcher;
  if (profiles || args.Has("index") || args.lists.count("suppliers")) {
    Problems bad_suppliers(args.Has("skip-invalid"));
    auto suppliers = OpenIndex(args, &bad_suppliers);
    if (!suppliers.ok()) {
      return Fail(absl::Status(suppliers.status().code(),
                               absl::StrCat("profile rules need suppliers: ",
                                            suppliers.status().message())));
    }
    matcher = std::make_unique<Matcher>(*suppliers);
  }
  EvaluationContext context;
  context.now = *now;
  context.matcher = matcher.get();

  // Notices that fail to import are counted with the refused rules: either
  // makes a run left with nothing to do a failure, not "nothing done".
  // (Every rules file was read: MayProceed above.)
  const int refused_rules = problems.count();
  std::vector<Notice> notices = ReadNotices(args, *limits, &problems);
  const int failed = problems.count() - refused_rules;
  const int unreadable = problems.unreadable();
  // After the notices are read, so that an unreadable one is not hidden;
  // before the state and the output are opened: nothing is written.
  if ((*index)->size() == 0) {
    return NothingLeft(problems, "no alert rules to run");
  }
  if (notices.empty()) return NothingLeft(problems, "no notices to check");

  std::unique_ptr<AlertState> state;
  if (args.Has("state")) {
    auto opened = AlertState::Open(args.Get("state", ""), args.Get("out", ""));
    if (!opened.ok()) return Fail(opened.status());
    state = std::move(*opened);
  }
  std::ofstream file;
  if (!state && args.Has("out")) {
    file.open(args.Get("out", ""), std::ios::binary | std::ios::trunc);
    if (!file) {
      return Fail(absl::NotFoundError(
          absl::StrCat(args.Get("out", ""), ": cannot write")));
    }
  }
  const bool table = !args.Has("out") && !args.Has("digest") &&
                     (args.Get("output", "") == "table" ||
                      (!args.Has("output") && ::isatty(STDOUT_FILENO)));
  int batch_size = 64;
  if (args.Has("batch") &&
      (!absl::SimpleAtoi(args.Get("batch", ""), &batch_size) ||
       batch_size < 1)) {
    return Fail(absl::InvalidArgumentError("--batch needs a number >= 1"));
  }

  std::vector<v1::Alert> written;
  int evaluation_errors = 0;
  for (size_t start = 0; start < notices.size(); start += batch_size) {
    std::vector<AlertState::Raised> raised;
    const size_t end = std::min(notices.size(), start + batch_size);
    for (size_t i = start; i < end; ++i) {
      absl::StatusOr<std::vector<v1::Alert>> alerts =
          (*index)->Evaluate(notices[i].tender, context);
      if (!alerts.ok()) {
        std::cerr << "notice \"" << notices[i].tender.id()
                  << "\": " << alerts.status().message() << "\n";
        ++evaluation_errors;
        continue;
      }
      for (v1::Alert& a : *alerts) {
        raised.push_back(AlertState::Raised{notices[i].key, std::move(a)});
      }
    }
    std::vector<v1::Alert> emitted;
    if (state) {
      absl::StatusOr<std::vector<v1::Alert>> committed = state->Commit(raised);
      if (!committed.ok()) return Fail(committed.status());
      emitted = std::move(*committed);
    } else {
      for (AlertState::Raised& r : raised)
        emitted.push_back(std::move(r.alert));
      std::string lines;
      for (const v1::Alert& a : emitted) {
        (void)AppendRecord(a, RecordFormat::kJsonLines, &lines);
      }
      if (file.is_open()) {
        file << lines;
      } else if (!table && !args.Has("digest")) {
        std::cout << lines;
      }
    }
    for (v1::Alert& a : emitted) written.push_back(std::move(a));
  }
  if (table) PrintAlertTable(written, std::cout);
  if (args.Has("digest")) PrintDigest(written, std::cout);
  std::cerr << "alerts: " << (*index)->size() << " rules ("
            << (*index)->always_checked() << " checked for every notice), "
            << notices.size() << " notices read, " << failed
            << " failed to import, " << unreadable << " notice file"
            << (unreadable == 1 ? "" : "s") << " unreadable, " << written.size()
            << " alerts written";
  if (state && state->recovered() > 0) {
    std::cerr << " (" << state->recovered()
              << " recovered from an interrupted run)";
  }
  std::cerr << "\n";
  if (file.is_open() && !file.flush()) {
    return Fail(absl::DataLossError(args.Get("out", "") + ": write failed"));
  }
  // A file that could not be read was not processed, --skip-invalid or not:
  // it skips bad records, not inputs (doc/reliability.md).
  if (evaluation_errors > 0 || unreadable > 0) return 1;
  if (failed > 0 && !args.Has("skip-invalid")) return 1;
  return 0;
}

}  // namespace cli
}  // namespace procmatch
