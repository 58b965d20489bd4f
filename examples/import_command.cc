// procmatch import: real notices (TED XML, reduced TED JSON, eForms) into
// tenders, and their award winners into supplier profiles.
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "examples/cli_common.h"
#include "examples/commands.h"
#include "procmatch/atomic_file.h"
#include "procmatch/eforms_importer.h"
#include "procmatch/record_io.h"
#include "procmatch/ted_importer.h"
#include "procmatch/track_record.h"

namespace procmatch {
namespace cli {
namespace {

// Records of one output file, serialised in the format its extension
// names. A record over the record limit is left out with a message naming
// the file and the record; `*left_out` counts them.
absl::StatusOr<std::string> Serialise(
    const std::string& path,
    const std::vector<const google::protobuf::Message*>& records,
    const RecordLimits& limits, int* left_out) {
  absl::StatusOr<RecordFormat> format = RecordFormatFromPath(path);
  if (!format.ok()) return format.status();
  if (*format == RecordFormat::kTextFormat && records.size() > 1) {
    return absl::InvalidArgumentError(
        path + ": text format holds one record; use .jsonl or .binpb");
  }
  std::string out;
  for (size_t i = 0; i < records.size(); ++i) {
    // A record over the record limit would be written but read back by no
    // reader, so what import reports as imported would be lost.
    absl::Status s = AppendRecord(*records[i], *format, limits, &out);
    if (absl::IsInvalidArgument(s)) {
      std::cerr << path << ": record " << i + 1 << ": " << s.message()
                << "; left out\n";
      ++*left_out;
    } else if (!s.ok()) {
      return s;
    }
  }
  return out;
}

// Every output is checked before any input is read: a run over thousands
// of notices does not fail at its end for a misspelt output name.
absl::Status CheckOutputs(const Args& args) {
  std::map<std::string, std::string> seen;  // Path -> option.
  for (const char* option : {"tenders-out", "suppliers-out", "merges-out"}) {
    if (!args.Has(option)) continue;
    const std::string path = args.Get(option, "");
    if (std::string(option) != "merges-out") {
      absl::StatusOr<RecordFormat> format = RecordFormatFromPath(path);
      if (!format.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("--", option, ": ", format.status().message()));
      }
    }
    auto [it, added] = seen.emplace(path, option);
    if (!added) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--", option, " and --", it->second, " name the same file ", path,
          "; one would overwrite the other"));
    }
    absl::Status usable = CheckOutputPath(path);
    if (!usable.ok()) {
      return absl::Status(usable.code(),
                          absl::StrCat("--", option, ": ", usable.message()));
    }
  }
  return absl::OkStatus();
}

}  // namespace

int RunImport(const Args& args) {
  if (!args.lists.count("ted-xml") && !args.lists.count("ted-json") &&
      !args.lists.count("eforms")) {
    std::cerr << "procmatch import: give --ted-xml, --ted-json or --eforms "
                 "files\n";
    return 2;
  }
  absl::Status outputs = CheckOutputs(args);
  if (!outputs.ok()) return Fail(outputs);
  absl::StatusOr<RecordLimits> limits = LimitsFor(args);
  if (!limits.ok()) return Fail(limits.status());
  struct Counts {
    int imported = 0, warned = 0, rejected = 0;
  };
  std::map<std::string, Counts> counts;  // By input kind.
  std::vector<v1::Tender> tenders;
  // A tender is checked against the record limit in the format it will be
  // written in, so that a notice too large to read back is rejected here
  // with its source, before its awards count.
  const RecordFormat tender_format =
      args.Has("tenders-out")
          ? RecordFormatFromPath(args.Get("tenders-out", ""))
                .value_or(RecordFormat::kJsonLines)
          : RecordFormat::kJsonLines;
  auto take = [&](const std::string& kind, const std::string& source,
                  absl::StatusOr<ImportedNotice> n) {
    Counts& c = counts[kind];
    if (n.ok()) {
      std::string scratch;
      absl::Status readable =
          AppendRecord(n->tender, tender_format, *limits, &scratch);
      if (!readable.ok()) {
        n = absl::Status(readable.code(),
                         absl::StrCat(source, ": tender \"", n->tender.id(),
                                      "\": ", readable.message()));
      }
    }
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
    absl::StatusOr<std::string> xml = ReadFileOrStdin(path, *limits);
    take("TED XML", path,
         xml.ok() ? ImportTedXml(path, *xml)
                  : absl::StatusOr<ImportedNotice>(xml.status()));
  }
  for (const std::string& path : files("ted-json")) {
    absl::StatusOr<std::string> content = ReadFileOrStdin(path, *limits);
    if (!content.ok()) {
      take("TED JSON", path, content.status());
      continue;
    }
    int line_number = 0, notices = 0;
    for (absl::string_view line : absl::StrSplit(*content, '\n')) {
      ++line_number;
      if (absl::StripAsciiWhitespace(line).empty()) continue;
      ++notices;
      const std::string source = absl::StrCat(path, ":", line_number);
      take("TED JSON", source, ImportTedReducedJson(source, line));
    }
    if (notices == 0) std::cerr << path << ": holds no notices\n";
  }
  for (const std::string& path : files("eforms")) {
    absl::StatusOr<std::string> xml = ReadFileOrStdin(path, *limits);
    take("eForms", path,
         xml.ok() ? ImportEforms(path, *xml)
                  : absl::StatusOr<ImportedNotice>(xml.status()));
  }
  if (counts.empty()) {
    return NothingDone("no notices to import; nothing written");
  }
  TrackRecordBuilder records;
  for (const v1::Tender& t : tenders) records.AddAwards(t);
  const std::vector<v1::SupplierProfile> suppliers = records.Build();
  // Each output replaces its file atomically: a full disk or a crash
  // leaves the previous file whole.
  const std::vector<SupplierMerge> merges = records.Merges();
  int left_out = 0;  // Records over the record limit, not written.
  auto write = [&](const char* option,
                   const std::vector<const google::protobuf::Message*>& out) {
    const std::string path = args.Get(option, "");
    absl::StatusOr<std::string> bytes =
        Serialise(path, out, *limits, &left_out);
    if (!bytes.ok()) return bytes.status();
    return WriteFileAtomically(path, *bytes);
  };
  if (args.Has("tenders-out")) {
    std::vector<const google::protobuf::Message*> out;
    for (const auto& t : tenders) out.push_back(&t);
    absl::Status s = write("tenders-out", out);
    if (!s.ok()) return Fail(s);
  }
  if (args.Has("suppliers-out")) {
    std::vector<const google::protobuf::Message*> out;
    for (const auto& p : suppliers) out.push_back(&p);
    absl::Status s = write("suppliers-out", out);
    if (!s.ok()) return Fail(s);
  }
  if (args.Has("merges-out")) {
    std::string tsv = "supplier_id\tcountry\tspellings\n";
    for (const SupplierMerge& m : merges) {
      absl::StrAppend(&tsv, m.supplier_id, "\t", m.country, "\t",
                      absl::StrJoin(m.spellings, " | "), "\n");
    }
    absl::Status s = WriteFileAtomically(args.Get("merges-out", ""), tsv);
    if (!s.ok()) return Fail(s);
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
  return rejected == 0 && left_out == 0 ? 0 : 1;
}

}  // namespace cli
}  // namespace procmatch
