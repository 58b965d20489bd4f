#include "examples/cli_common.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <set>

#include "absl/strings/match.h"
#include "procmatch/snapshot.h"

namespace procmatch {
namespace cli {

absl::StatusOr<Args> ParseArgs(int argc, char** argv) {
  // Every option, and whether it takes a value ("--top 5" or "--top=5").
  static const std::map<std::string, bool> kOptions = {
      {"kind", true},
      {"format", true},
      {"skip-invalid", false},
      {"out", true},
      {"index", true},
      {"lot", true},
      {"top", true},
      {"explain", false},
      {"excluded", false},
      {"as-of", true},
      {"output", true},
      {"tender", true},
      {"supplier", true},
      {"data_dir", true},
      {"max-excluded", true},
      {"tenders-out", true},
      {"suppliers-out", true},
      {"merges-out", true},
      {"max-file-bytes", true},
      {"max-record-bytes", true},
      {"max-json-depth", true},
      {"max-alert-patterns", true},
      {"allow-empty", false},
      {"state", true},
      {"digest", false},
      {"now", true},
      {"batch", true},
      {"country", true},
      {"html", true},
      {"csv", true},
      {"nuts-level", true},
      {"min-qualified", true},
      {"from", true},
      {"to", true},
      {"call", true},
      {"candidates", true},
      {"lang", true}};
  static const std::set<std::string> kLists = {
      "suppliers", "tenders", "ted-xml", "ted-json", "eforms", "rules",
      "notices",   "areas",   "awards",  "regions",  "with"};
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

void Problems::Report(const std::string& message) {
  Report(std::vector{message});
}

void Problems::Report(const std::vector<std::string>& messages) {
  for (const std::string& m : messages) std::cerr << m << "\n";
  ++count_;
}

void Problems::ReportUnreadable(const std::string& message) {
  std::cerr << message << "\n";
  ++unreadable_;
}

absl::Status Problems::StopReason(const std::string& what) const {
  if (unreadable_ > 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(unreadable_, " input file", unreadable_ > 1 ? "s" : "",
                     " could not be read"));
  }
  return absl::InvalidArgumentError(
      absl::StrCat("invalid ", what, " (use --skip-invalid to skip them)"));
}

void Problems::Summarise(const std::string& what) {
  if (count_ > summarised_ && skip_invalid_) {
    std::cerr << "skipped " << count_ - summarised_ << " invalid " << what
              << "\n";
  }
  summarised_ = count_;
}

absl::StatusOr<RecordLimits> LimitsFor(const Args& args) {
  RecordLimits limits;
  auto read = [&](const char* flag, auto* value) -> absl::Status {
    if (!args.Has(flag)) return absl::OkStatus();
    if (!absl::SimpleAtoi(args.Get(flag, ""), value) || *value <= 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", flag, " must be a positive number"));
    }
    return absl::OkStatus();
  };
  absl::Status s = read("max-file-bytes", &limits.max_file_bytes);
  if (s.ok()) s = read("max-record-bytes", &limits.max_record_bytes);
  if (s.ok()) s = read("max-json-depth", &limits.max_json_depth);
  if (!s.ok()) return s;
  return limits;
}

absl::StatusOr<RecordFormat> FormatFor(const Args& args,
                                       const std::string& path) {
  if (args.Has("format")) return ParseRecordFormat(args.Get("format", ""));
  if (path == "-") return RecordFormat::kJsonLines;
  return RecordFormatFromPath(path);
}

absl::StatusOr<Options> AlertIndexOptions(const std::string* value) {
  Options options;
  if (value != nullptr &&
      (!absl::SimpleAtoi(*value, &options.max_alert_patterns) ||
       options.max_alert_patterns < 0)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--max-alert-patterns must be a number >= 0, not \"", *value, "\""));
  }
  return options;
}

Progress::Progress(std::string what, size_t total)
    : what_(std::move(what)), total_(total), on_(isatty(2) && total >= 1000) {}

void Progress::Update(size_t done) {
  const size_t step = std::max<size_t>(1, total_ / 100);
  if (on_ && (done / step != last_ / step || done == total_)) {
    last_ = done;
    std::fprintf(stderr, "\r%s %zu/%zu", what_.c_str(), done, total_);
    if (done == total_) std::fprintf(stderr, "\n");
  }
}

absl::StatusOr<std::shared_ptr<const SupplierIndex>> BuildIndex(
    const Args& args, const std::vector<std::string>& paths,
    Problems* problems) {
  // The builder validates each profile itself; validating here as well would
  // do the work twice. Its message names the supplier and field, so each
  // profile keeps its file and record to say where the supplier came from.
  struct Read {
    std::string path;
    int record;
    v1::SupplierProfile profile;
  };
  std::vector<Read> reads;
  ForEachRecord<v1::SupplierProfile>(
      args, paths, problems,
      [&](const std::string& path, int record, v1::SupplierProfile p) {
        reads.push_back({path, record, std::move(p)});
      });
  // Added even after a record that does not parse, so that one run reports
  // every bad record.
  SupplierIndex::Builder builder;
  Progress progress("indexing", reads.size());
  size_t done = 0;
  for (Read& r : reads) {
    absl::Status added = builder.Add(std::move(r.profile));
    if (!added.ok()) {
      problems->Report(
          absl::StrCat(r.path, ": record ", r.record, ": ", added.message()));
    }
    progress.Update(++done);
  }
  if (!problems->MayProceed()) return problems->StopReason("supplier records");
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
  absl::StatusOr<RecordLimits> limits = LimitsFor(args);
  if (!limits.ok()) return limits.status();
  // A file within --max-file-bytes is mapped, not copied: `index --out`
  // replaces it by renaming, never in place (procmatch/snapshot.h).
  struct stat file;
  if (path != "-" && stat(path.c_str(), &file) == 0 && S_ISREG(file.st_mode) &&
      file.st_size <= limits->max_file_bytes) {
    return LoadSnapshotFile(path);
  }
  // Standard input, a pipe or device, a file over the limit or one that
  // cannot be opened: read under the limits, which name the error.
  absl::StatusOr<std::string> bytes = ReadFileOrStdin(path, *limits);
  if (!bytes.ok()) return bytes.status();
  absl::StatusOr<std::shared_ptr<const SupplierIndex>> index =
      LoadSnapshot(*bytes);
  if (!index.ok()) {
    return absl::Status(index.status().code(),
                        absl::StrCat(path, ": ", index.status().message()));
  }
  return index;
}

int NothingDone(const std::string& why) {
  std::cerr << "procmatch: nothing done: " << why << "\n";
  return kExitNothingDone;
}

int NothingLeft(const Problems& problems, const std::string& why) {
  if (problems.count() == 0 && problems.unreadable() == 0) {
    return NothingDone(why);
  }
  return Fail(absl::InvalidArgumentError(
      absl::StrCat(why, " (", problems.count(), " invalid records, ",
                   problems.unreadable(), " unreadable inputs)")));
}

int Fail(const absl::Status& s) {
  std::cerr << "procmatch: " << s.message() << "\n";
  return 1;
}

}  // namespace cli
}  // namespace procmatch
