// procmatch: the command-line tool for integrators and analysts. Uses only
// the library's public API. `procmatch help` lists the commands.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "procmatch/dates.h"
#include "procmatch/eforms_importer.h"
#include "procmatch/matcher.h"
#include "procmatch/record_io.h"
#include "procmatch/snapshot.h"
#include "procmatch/ted_importer.h"
#include "procmatch/track_record.h"
#include "procmatch/validation.h"
#include "procmatch/version.h"

namespace procmatch {
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
  index --suppliers FILE... --out SNAPSHOT
                         build a supplier index and save it (doc/snapshot.md)
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
  import [--ted-xml FILE...] [--ted-json FILE...] [--eforms FILE...]
         [--tenders-out FILE] [--suppliers-out FILE] [--merges-out FILE]
                         read real notices (TED XML exports, the reduced TED
                         JSON of data/ted/, eForms UBL) into tenders, and
                         their award winners into supplier profiles with
                         track records; a broken file is reported, counted
                         and skipped; --merges-out lists the spellings
                         resolved to one supplier, for a person to check
  demo [--data_dir=DIR]  rank the bundled Belgian sample for its tenders
  version

common options:
  --format=F             jsonl, textproto or binpb for every input file
                         (default: from each file's extension)
  --skip-invalid         report bad records, skip them and go on (default:
                         report them and fail)
)";

// Command-line arguments: a command, --flags and files. Flags that take
// lists (--suppliers, --tenders) collect the files after them.
struct Args {
  std::string command;
  std::map<std::string, std::string> flags;
  std::map<std::string, std::vector<std::string>> lists;
  std::vector<std::string> files;

  bool Has(const std::string& f) const { return flags.count(f) > 0; }
  std::string Get(const std::string& f, const std::string& fallback) const {
    auto it = flags.find(f);
    return it == flags.end() ? fallback : it->second;
  }
};

absl::StatusOr<Args> ParseArgs(int argc, char** argv) {
  // Every option, and whether it takes a value ("--top 5" or "--top=5").
  static const std::map<std::string, bool> kOptions = {
      {"kind", true},        {"format", true},        {"skip-invalid", false},
      {"out", true},         {"index", true},         {"lot", true},
      {"top", true},         {"explain", false},      {"excluded", false},
      {"as-of", true},       {"output", true},        {"tender", true},
      {"supplier", true},    {"data_dir", true},      {"max-excluded", true},
      {"tenders-out", true}, {"suppliers-out", true}, {"merges-out", true}};
  static const std::set<std::string> kLists = {"suppliers", "tenders",
                                               "ted-xml", "ted-json", "eforms"};
  Args args;
  std::string list;  // The list flag that files go to, if any.
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (absl::StartsWith(a, "--")) {
      const size_t eq = a.find('=');
      const std::string name =
          a.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
      if (kLists.count(name)) {
        list = name;
        args.lists[name];
        if (eq != std::string::npos)
          args.lists[name].push_back(a.substr(eq + 1));
        continue;
      }
      auto option = kOptions.find(name);
      if (option == kOptions.end()) {
        return absl::InvalidArgumentError(absl::StrCat("unknown option ", a));
      }
      list.clear();
      args.flags[name] = eq == std::string::npos ? "true" : a.substr(eq + 1);
      if (eq == std::string::npos && option->second) {
        if (i + 1 >= argc) {
          return absl::InvalidArgumentError(absl::StrCat(a, " needs a value"));
        }
        args.flags[name] = argv[++i];
      }
    } else if (args.command.empty()) {
      args.command = a;
    } else if (!list.empty()) {
      args.lists[list].push_back(a);
    } else {
      args.files.push_back(a);
    }
  }
  if (args.command.empty()) return absl::InvalidArgumentError("no command");
  return args;
}

// Reports bad input for one command run and counts bad records (a record
// with several problems counts once).
class Problems {
 public:
  explicit Problems(bool skip_invalid) : skip_invalid_(skip_invalid) {}
  void Report(const std::string& message) { Report(std::vector{message}); }
  void Report(const std::vector<std::string>& messages) {
    for (const std::string& m : messages) std::cerr << m << "\n";
    ++count_;
  }
  int count() const { return count_; }
  // False when the command must stop: bad records and no --skip-invalid.
  bool MayProceed() const { return count_ == 0 || skip_invalid_; }
  void Summarise(const std::string& what) const {
    if (count_ > 0 && skip_invalid_) {
      std::cerr << "skipped " << count_ << " invalid " << what << "\n";
    }
  }

 private:
  bool skip_invalid_;
  int count_ = 0;
};

absl::StatusOr<RecordFormat> FormatFor(const Args& args,
                                       const std::string& path) {
  if (args.Has("format")) return ParseRecordFormat(args.Get("format", ""));
  if (path == "-") return RecordFormat::kJsonLines;
  return RecordFormatFromPath(path);
}

// Reads records of type M from `paths`; each record that does not parse or
// fails `check` is reported with file and record number.
template <typename M>
std::vector<M> ReadAll(
    const Args& args, const std::vector<std::string>& paths,
    const std::function<std::vector<ValidationProblem>(const M&)>& check,
    Problems* problems) {
  std::vector<M> out;
  for (const std::string& path : paths) {
    absl::StatusOr<RecordFormat> format = FormatFor(args, path);
    absl::StatusOr<std::string> content =
        format.ok() ? ReadFileOrStdin(path) : format.status();
    if (!content.ok()) {
      problems->Report(std::string(content.status().message()));
      continue;
    }
    absl::Status stream = ReadRecords<M>(
        path, *content, *format,
        [&](int record, M m) {
          std::vector<ValidationProblem> found = check(m);
          if (found.empty()) {
            out.push_back(std::move(m));
            return;
          }
          std::vector<std::string> messages;
          for (const ValidationProblem& p : found) {
            messages.push_back(
                absl::StrCat(path, ": record ", record, ": ", p.ToString()));
          }
          problems->Report(messages);
        },
        [&](absl::Status s) { problems->Report(std::string(s.message())); });
    if (!stream.ok()) problems->Report(std::string(stream.message()));
  }
  return out;
}

// Progress on stderr, only when it is a terminal.
class Progress {
 public:
  Progress(std::string what, size_t total)
      : what_(std::move(what)),
        total_(total),
        on_(isatty(2) && total >= 1000) {}
  // Call with the count done so far; prints at most every 1% of the work.
  void Update(size_t done) {
    const size_t step = std::max<size_t>(1, total_ / 100);
    if (on_ && (done / step != last_ / step || done == total_)) {
      last_ = done;
      std::fprintf(stderr, "\r%s %zu/%zu", what_.c_str(), done, total_);
      if (done == total_) std::fprintf(stderr, "\n");
    }
  }

 private:
  std::string what_;
  size_t total_;
  bool on_;
  size_t last_ = 0;
};

absl::StatusOr<std::shared_ptr<const SupplierIndex>> BuildIndex(
    const Args& args, const std::vector<std::string>& paths,
    Problems* problems) {
  Validator validator;
  std::vector<v1::SupplierProfile> profiles = ReadAll<v1::SupplierProfile>(
      args, paths,
      [&](const v1::SupplierProfile& s) { return validator.CheckSupplier(s); },
      problems);
  if (!problems->MayProceed()) {
    return absl::InvalidArgumentError(
        "invalid supplier records (use --skip-invalid to index the others)");
  }
  SupplierIndex::Builder builder;
  Progress progress("indexing", profiles.size());
  size_t done = 0;
  for (v1::SupplierProfile& p : profiles) {
    const std::string id = p.id();
    absl::Status added = builder.Add(std::move(p));
    if (!added.ok()) problems->Report(std::string(added.message()));
    progress.Update(++done);
  }
  if (!problems->MayProceed()) {
    return absl::InvalidArgumentError("duplicate supplier ids");
  }
  problems->Summarise("supplier records");
  return std::move(builder).Build();
}

absl::StatusOr<std::shared_ptr<const SupplierIndex>> OpenIndex(
    const Args& args, Problems* problems) {
  const bool has_index = args.Has("index");
  const bool has_suppliers = args.lists.count("suppliers") > 0;
  if (has_index == has_suppliers) {
    return absl::InvalidArgumentError(
        "give either --index SNAPSHOT or --suppliers FILE...");
  }
  if (has_suppliers)
    return BuildIndex(args, args.lists.at("suppliers"), problems);
  const std::string path = args.Get("index", "");
  absl::StatusOr<std::string> bytes = ReadFileOrStdin(path);
  if (!bytes.ok()) return bytes.status();
  absl::StatusOr<std::shared_ptr<const SupplierIndex>> index =
      LoadSnapshot(*bytes);
  if (!index.ok()) {
    return absl::Status(index.status().code(),
                        absl::StrCat(path, ": ", index.status().message()));
  }
  return index;
}

int Fail(const absl::Status& s) {
  std::cerr << "procmatch: " << s.message() << "\n";
  return 1;
}

// ---------------------------------------------------------------------------

// Validates the records of one file as kind M; returns how many are valid.
template <typename M,
          std::vector<ValidationProblem> (Validator::*Check)(const M&) const>
size_t ValidateFile(const Args& args, const std::string& path,
                    const Validator& v, Problems* problems) {
  return ReadAll<M>(
             args, {path}, [&](const M& m) { return (v.*Check)(m); }, problems)
      .size();
}

int Validate(const Args& args) {
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
          (kind.empty() ? absl::StrContains(path, name) : kind == name)) {
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
  return problems.count() == 0 ? 0 : 1;
}

int Index(const Args& args) {
  if (!args.lists.count("suppliers") || !args.Has("out")) {
    std::cerr << "procmatch index: needs --suppliers FILE... --out SNAPSHOT\n";
    return 2;
  }
  Problems problems(args.Has("skip-invalid"));
  auto index = BuildIndex(args, args.lists.at("suppliers"), &problems);
  if (!index.ok()) return Fail(index.status());
  const std::string out = args.Get("out", "");
  const std::string tmp = out + ".tmp";
  {
    std::ofstream file(tmp, std::ios::binary | std::ios::trunc);
    file << SaveSnapshot(**index);
    if (!file.flush()) return Fail(absl::DataLossError(out + ": write failed"));
  }
  // Readers of `out` see the old snapshot or the new one, never half.
  if (std::rename(tmp.c_str(), out.c_str()) != 0) {
    return Fail(absl::DataLossError(out + ": cannot replace"));
  }
  std::cerr << "indexed " << (*index)->size() << " suppliers into " << out
            << "\n";
  return 0;
}

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

std::string ShortDetail(const v1::SupplierMatch& m) {
  // The two largest contributions, in words.
  std::vector<const v1::ScoreComponent*> parts;
  for (const auto& c : m.components()) {
    if (c.contribution() > 0 && !c.detail().empty()) parts.push_back(&c);
  }
  std::sort(parts.begin(), parts.end(), [](auto* a, auto* b) {
    return a->contribution() > b->contribution();
  });
  std::vector<std::string> words;
  for (size_t i = 0; i < parts.size() && i < 2; ++i) {
    words.push_back(parts[i]->detail());
  }
  return absl::StrJoin(words, "; ");
}

// `text` cut or padded to `width` characters (UTF-8 code points), so that
// names with accents line up.
std::string Cell(const std::string& text, size_t width) {
  std::string out;
  size_t chars = 0;
  for (char c : text) {
    const bool starts_char = (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    if (starts_char && ++chars > width) {
      out.resize(out.size() - 1);  // Room for the ellipsis (ASCII before it).
      return out + "…";
    }
    out.push_back(c);
  }
  return out + std::string(width - chars, ' ');
}

std::string ComponentName(v1::ScoreComponentKind kind) {
  std::string name = v1::ScoreComponentKind_Name(kind);
  name = name.substr(std::string("SCORE_COMPONENT_KIND_").size());
  for (char& c : name) c = c == '_' ? ' ' : absl::ascii_tolower(c);
  return name;
}

void PrintTable(const v1::Tender& tender, const v1::MatchResponse& r,
                bool explain, std::ostream& out) {
  out << "== " << tender.id() << "  " << tender.title() << "\n";
  if (!tender.buyer().name().empty()) {
    out << "   " << tender.buyer().name() << " (" << tender.buyer().country()
        << ")";
    if (!r.lot_id().empty()) out << ", lot " << r.lot_id();
    out << "\n";
  }
  out << "   " << r.counters().suppliers_considered() << " suppliers";
  if (r.excluded_size() > 0)
    out << ", " << r.counters().excluded() << " excluded";
  out << "\n";
  if (r.matches_size() == 0) out << "   no eligible supplier\n";
  for (const v1::SupplierMatch& m : r.matches()) {
    out << absl::StrFormat("%3d. %.3f  %s %s\n", m.rank(), m.score(),
                           Cell(m.supplier_name(), 36), ShortDetail(m));
    if (!explain) continue;
    for (const auto& c : m.components()) {
      out << absl::StrFormat("            %-24s %.3f x %.2f = %.3f  %s\n",
                             ComponentName(c.kind()), c.value(), c.weight(),
                             c.contribution(), c.detail());
    }
    for (const auto& req : m.requirements()) {
      out << "            " << (req.met() ? "[met]   " : "[unmet] ")
          << req.requirement_id() << ": " << req.reason() << "\n";
    }
  }
  for (const v1::Exclusion& e : r.excluded()) {
    std::vector<std::string> reasons;
    for (const auto& reason : e.reasons()) {
      reasons.push_back(
          absl::StrCat(reason.requirement_id(), ": ", reason.reason()));
    }
    out << "   x         " << Cell(e.supplier_name(), 36) << " "
        << absl::StrJoin(reasons, "; ") << "\n";
  }
  out << "\n";
}

int Match(const Args& args) {
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
  Validator validator;
  std::vector<v1::Tender> tenders = ReadAll<v1::Tender>(
      args, args.lists.at("tenders"),
      [&](const v1::Tender& t) { return validator.CheckTender(t); }, &problems);
  if (!problems.MayProceed()) {
    return Fail(absl::InvalidArgumentError(
        "invalid tender records (use --skip-invalid to match the others)"));
  }
  problems.Summarise("records");
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
  return failed == 0 && problems.count() == 0 ? 0 : 1;
}

int Explain(const Args& args) {
  if (!args.lists.count("tenders") || !args.Has("tender") ||
      !args.Has("supplier")) {
    std::cerr << "procmatch explain: needs --tenders FILE... --tender=ID "
                 "--supplier=ID\n";
    return 2;
  }
  Problems problems(/*skip_invalid=*/true);
  auto index = OpenIndex(args, &problems);
  if (!index.ok()) return Fail(index.status());
  Validator validator;
  std::vector<v1::Tender> tenders = ReadAll<v1::Tender>(
      args, args.lists.at("tenders"),
      [&](const v1::Tender& t) { return validator.CheckTender(t); }, &problems);
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
  auto response = matcher.Explain(requests[0], args.Get("supplier", ""));
  if (!response.ok()) return Fail(response.status());
  if (response->matches_size() == 1) {
    // Its rank among all eligible suppliers (up to 10,000).
    v1::MatchRequest all = requests[0];
    all.mutable_options()->set_top_k(10000);
    all.mutable_options()->set_include_excluded(false);
    auto ranking = matcher.Match(all);
    if (ranking.ok()) {
      for (const v1::SupplierMatch& m : ranking->matches()) {
        if (m.supplier_id() == response->matches(0).supplier_id()) {
          response->mutable_matches(0)->set_rank(m.rank());
        }
      }
    }
  }
  PrintTable(*tender, *response, /*explain=*/true, std::cout);
  return 0;
}

// Writes records to `path` in the format its extension names.
absl::Status WriteRecords(
    const std::string& path,
    const std::vector<const google::protobuf::Message*>& records) {
  absl::StatusOr<RecordFormat> format = RecordFormatFromPath(path);
  if (!format.ok()) return format.status();
  if (*format == RecordFormat::kTextFormat && records.size() > 1) {
    return absl::InvalidArgumentError(
        path + ": text format holds one record; use .jsonl or .binpb");
  }
  std::string out;
  for (const google::protobuf::Message* m : records) {
    absl::Status s = AppendRecord(*m, *format, &out);
    if (!s.ok()) return s;
  }
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file << out;
  if (!file.flush()) return absl::DataLossError(path + ": write failed");
  return absl::OkStatus();
}

int Import(const Args& args) {
  struct Counts {
    int imported = 0, warned = 0, rejected = 0;
  };
  std::map<std::string, Counts> counts;  // By input kind.
  std::vector<v1::Tender> tenders;
  auto take = [&](const std::string& kind, absl::StatusOr<ImportedNotice> n) {
    Counts& c = counts[kind];
    if (!n.ok()) {
      std::cerr << n.status().message() << "\n";
      ++c.rejected;
      return;
    }
    ++c.imported;
    if (!n->warnings.empty()) ++c.warned;
    for (const std::string& w : n->warnings) {
      std::cerr << "warning: " << w << "\n";
    }
    tenders.push_back(std::move(n->tender));
  };
  auto files = [&](const std::string& list) {
    return args.lists.count(list) ? args.lists.at(list)
                                  : std::vector<std::string>{};
  };
  for (const std::string& path : files("ted-xml")) {
    absl::StatusOr<std::string> xml = ReadFileOrStdin(path);
    take("TED XML", xml.ok() ? ImportTedXml(path, *xml)
                             : absl::StatusOr<ImportedNotice>(xml.status()));
  }
  for (const std::string& path : files("ted-json")) {
    absl::StatusOr<std::string> content = ReadFileOrStdin(path);
    if (!content.ok()) {
      take("TED JSON", content.status());
      continue;
    }
    int line_number = 0;
    for (absl::string_view line : absl::StrSplit(*content, '\n')) {
      ++line_number;
      if (absl::StripAsciiWhitespace(line).empty()) continue;
      take("TED JSON",
           ImportTedReducedJson(absl::StrCat(path, ":", line_number), line));
    }
  }
  for (const std::string& path : files("eforms")) {
    absl::StatusOr<std::string> xml = ReadFileOrStdin(path);
    take("eForms", xml.ok() ? ImportEforms(path, *xml)
                            : absl::StatusOr<ImportedNotice>(xml.status()));
  }
  if (counts.empty()) {
    std::cerr << "procmatch import: give --ted-xml, --ted-json or --eforms "
                 "files\n";
    return 2;
  }
  TrackRecordBuilder records;
  for (const v1::Tender& t : tenders) records.AddAwards(t);
  const std::vector<v1::SupplierProfile> suppliers = records.Build();
  if (args.Has("tenders-out")) {
    std::vector<const google::protobuf::Message*> out;
    for (const auto& t : tenders) out.push_back(&t);
    absl::Status s = WriteRecords(args.Get("tenders-out", ""), out);
    if (!s.ok()) return Fail(s);
  }
  if (args.Has("suppliers-out")) {
    std::vector<const google::protobuf::Message*> out;
    for (const auto& p : suppliers) out.push_back(&p);
    absl::Status s = WriteRecords(args.Get("suppliers-out", ""), out);
    if (!s.ok()) return Fail(s);
  }
  const std::vector<SupplierMerge> merges = records.Merges();
  if (args.Has("merges-out")) {
    std::ofstream file(args.Get("merges-out", ""), std::ios::trunc);
    file << "supplier_id\tcountry\tspellings\n";
    for (const SupplierMerge& m : merges) {
      file << m.supplier_id << "\t" << m.country << "\t"
           << absl::StrJoin(m.spellings, " | ") << "\n";
    }
    if (!file.flush()) return Fail(absl::DataLossError("merges: write failed"));
  }
  int rejected = 0;
  for (const auto& [kind, c] : counts) {
    std::cerr << kind << ": " << c.imported << " imported (" << c.warned
              << " with warnings), " << c.rejected << " rejected\n";
    rejected += c.rejected;
  }
  std::cerr << records.awards() << " awards -> " << suppliers.size()
            << " suppliers (" << merges.size()
            << " with several spellings merged)";
  if (records.duplicate_notices() > 0) {
    std::cerr << "; " << records.duplicate_notices()
              << " notices given twice counted once";
  }
  std::cerr << "\n";
  return rejected == 0 ? 0 : 1;
}

int Demo(const Args& args) {
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
  return Match(run);
}

int Main(int argc, char** argv) {
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
  if (c == "validate") return Validate(*args);
  if (c == "index") return Index(*args);
  if (c == "match") return Match(*args);
  if (c == "explain") return Explain(*args);
  if (c == "import") return Import(*args);
  if (c == "demo") return Demo(*args);
  if (c == "help") {
    std::cout << kUsage;
    return 0;
  }
  std::cerr << "procmatch: unknown command \"" << c << "\"\n" << kUsage;
  return 2;
}

}  // namespace
}  // namespace procmatch

int main(int argc, char** argv) { return procmatch::Main(argc, argv); }
