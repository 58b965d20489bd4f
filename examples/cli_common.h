// File: examples/cli_common.h
//
// What every procmatch command shares: its arguments, the report of bad
// input, reading records from files, progress on a terminal and opening a
// supplier index. Uses only the library's public targets.
//
// Example (the shape of a command):
//
//   int RunIndex(const Args& args) {
//     Problems problems(args.Has("skip-invalid"));
//     auto index = BuildIndex(args, args.lists.at("suppliers"), &problems);
//     if (!index.ok()) return Fail(index.status());
//     ...
//   }
//
// Threading: none of this is thread-safe; a command runs on one thread.
#ifndef PROCMATCH_EXAMPLES_CLI_COMMON_H_
#define PROCMATCH_EXAMPLES_CLI_COMMON_H_

#include <cstddef>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "procmatch/options.h"
#include "procmatch/record_io.h"
#include "procmatch/supplier_index.h"
#include "procmatch/validation.h"

namespace procmatch {
namespace cli {

// Command-line arguments: a command, --flags and files. Flags that take
// lists (--suppliers, --tenders, --with) collect the values after them.
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

// Parses `argv` (argv[0] is the program). InvalidArgument for an unknown
// option, an option without its value, or no command.
absl::StatusOr<Args> ParseArgs(int argc, char** argv);

// Reports bad input for one command run and counts bad records (a record
// with several problems counts once).
class Problems {
 public:
  explicit Problems(bool skip_invalid) : skip_invalid_(skip_invalid) {}
  // An invalid record: each message on its own line of stderr, counted as
  // one record. --skip-invalid skips such records.
  void Report(const std::string& message);
  void Report(const std::vector<std::string>& messages);
  // An input that cannot be read at all (missing, a directory, over a
  // limit): never skipped, whatever --skip-invalid says.
  void ReportUnreadable(const std::string& message);
  int count() const { return count_; }
  // The inputs reported unreadable.
  int unreadable() const { return unreadable_; }
  // False when the command must stop: an unreadable input, or bad records
  // and no --skip-invalid.
  bool MayProceed() const {
    return unreadable_ == 0 && (count_ == 0 || skip_invalid_);
  }
  // Why the command stops, for `what` ("supplier records").
  absl::Status StopReason(const std::string& what) const;
  // "skipped N invalid <what>" for the records reported since the last
  // summary, when records were skipped.
  void Summarise(const std::string& what);

 private:
  bool skip_invalid_;
  int count_ = 0;
  int summarised_ = 0;
  int unreadable_ = 0;
};

// The input limits of --max-file-bytes, --max-record-bytes and
// --max-json-depth, the library's defaults (lib/record_io.h) otherwise.
absl::StatusOr<RecordLimits> LimitsFor(const Args& args);

absl::StatusOr<RecordFormat> FormatFor(const Args& args,
                                       const std::string& path);

// The alert index options of `alerts` and `serve`: the library's defaults
// (procmatch/options.h), with Options::max_alert_patterns from
// --max-alert-patterns=N when `value` is not null (a number >= 0; 0 admits
// rules without patterns only). InvalidArgument naming the flag otherwise.
absl::StatusOr<Options> AlertIndexOptions(const std::string* value);

// The exit status of a command asked for work that found no record to do
// it on: every file of an input it works on held none (doc/reliability.md,
// "Empty inputs"). Not 0, since nothing was done, nor 1, since nothing was
// wrong: a pipeline that may legitimately have no records accepts 3, as one
// accepts grep's 1 for "no line selected". The command writes nothing.
inline constexpr int kExitNothingDone = 3;

// Prints "procmatch: nothing done: <why>" and returns kExitNothingDone.
int NothingDone(const std::string& why);

// The exit status of a command left with no record to work on after
// reading its inputs with `problems`: 1 when a record was refused or an
// input could not be read (something was wrong, though --skip-invalid went
// on), NothingDone(why) otherwise.
int NothingLeft(const Problems& problems, const std::string& why);

// Hands each record of type M in `paths` to `take` with its file and
// 1-based record number. A file that cannot be read and a record that does
// not parse are reported to `problems`, and reading goes on. A file that
// holds no record at all (empty, or only blank lines) is named on stderr,
// "FILE: holds no Tender records": whether that leaves the command anything
// to do is for the command to say (kExitNothingDone).
template <typename M>
void ForEachRecord(
    const Args& args, const std::vector<std::string>& paths, Problems* problems,
    const std::function<void(const std::string& path, int record, M)>& take) {
  for (const std::string& path : paths) {
    absl::StatusOr<RecordLimits> limits = LimitsFor(args);
    absl::StatusOr<RecordFormat> format = FormatFor(args, path);
    if (!limits.ok()) format = limits.status();
    absl::StatusOr<std::string> content =
        format.ok() ? ReadFileOrStdin(path, *limits) : format.status();
    if (!content.ok()) {
      problems->ReportUnreadable(std::string(content.status().message()));
      continue;
    }
    int records = 0;  // Accepted or rejected.
    absl::Status stream = ReadRecords<M>(
        path, *content, *format,
        [&](int record, M m) {
          ++records;
          take(path, record, std::move(m));
        },
        [&](absl::Status s) {
          ++records;
          problems->Report(std::string(s.message()));
        },
        *limits);
    if (!stream.ok()) {
      problems->Report(std::string(stream.message()));
    } else if (records == 0) {
      std::cerr << path << ": holds no " << M::descriptor()->name()
                << " records\n";
    }
  }
}

// The records of type M in `paths` that parse and pass `check`; every
// problem is reported with file and record number, and a file of no
// records is named (ForEachRecord).
template <typename M>
std::vector<M> ReadAll(
    const Args& args, const std::vector<std::string>& paths,
    const std::function<std::vector<ValidationProblem>(const M&)>& check,
    Problems* problems) {
  std::vector<M> out;
  ForEachRecord<M>(
      args, paths, problems, [&](const std::string& path, int record, M m) {
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
      });
  return out;
}

// Progress on stderr, only when it is a terminal and the work is large
// enough to be worth watching.
class Progress {
 public:
  Progress(std::string what, size_t total);
  // Call with the count done so far; prints at most every 1% of the work.
  void Update(size_t done);

 private:
  std::string what_;
  size_t total_;
  bool on_;
  size_t last_ = 0;
};

// Builds an index of the suppliers in `paths`. The library validates each
// profile as it is added; its message is reported with file and record.
// InvalidArgument when a record is bad and --skip-invalid is not given.
absl::StatusOr<std::shared_ptr<const SupplierIndex>> BuildIndex(
    const Args& args, const std::vector<std::string>& paths,
    Problems* problems);

// The index of --suppliers FILE... or the snapshot --index SNAPSHOT (exactly
// one of them must be given).
absl::StatusOr<std::shared_ptr<const SupplierIndex>> OpenIndex(
    const Args& args, Problems* problems);

// Prints "procmatch: <message>" and returns the exit code 1.
int Fail(const absl::Status& s);

}  // namespace cli
}  // namespace procmatch

#endif  // PROCMATCH_EXAMPLES_CLI_COMMON_H_
