#include "procmatch/record_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/stubs/logging.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/json_util.h"
#include "procmatch/internal/json_scan.h"

namespace procmatch {
namespace {

// Collects text-format parse errors instead of logging them.
class TextErrorCollector : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, int column, const std::string& message) override {
    if (first_.empty()) {
      first_ = absl::StrCat("line ", line + 1, " column ", column + 1, ": ",
                            message);
    }
  }
  const std::string& first() const { return first_; }

 private:
  std::string first_;
};

// The record limit, for readers and writers alike: `bytes` is the record
// alone, without its framing (a JSON line's '\n', a binary size prefix).
bool OverRecordLimit(size_t bytes, const RecordLimits& limits) {
  return static_cast<int64_t>(bytes) > limits.max_record_bytes;
}

std::string OverRecordLimitMessage(size_t bytes, const RecordLimits& limits) {
  return absl::StrCat(bytes, " bytes, more than the record limit of ",
                      limits.max_record_bytes, " (max_record_bytes)");
}

// One record in `format`, without its framing.
absl::Status SerialiseRecord(const google::protobuf::Message& message,
                             RecordFormat format, std::string* record) {
  switch (format) {
    case RecordFormat::kJsonLines: {
      google::protobuf::util::JsonPrintOptions options;
      options.preserve_proto_field_names = true;
      auto status =
          google::protobuf::util::MessageToJsonString(message, record, options);
      if (!status.ok()) {
        return absl::InternalError(status.message().as_string());
      }
      return absl::OkStatus();
    }
    case RecordFormat::kTextFormat:
      google::protobuf::TextFormat::PrintToString(message, record);
      return absl::OkStatus();
    case RecordFormat::kBinaryDelimited:
      if (!message.SerializeToString(record)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "cannot serialise a ", message.GetDescriptor()->name()));
      }
      return absl::OkStatus();
  }
  return absl::InternalError("unreachable record format");
}

// Appends `record` to `out` framed for `format`. The record is serialised
// apart and appended: a StringOutputStream on `out` would resize all of it
// to its capacity on every call, quadratic over a long stream.
void AppendFramed(absl::string_view record, RecordFormat format,
                  std::string* out) {
  if (format == RecordFormat::kBinaryDelimited) {
    uint32_t size = static_cast<uint32_t>(record.size());
    while (size >= 0x80) {
      out->push_back(static_cast<char>(size | 0x80));
      size >>= 7;
    }
    out->push_back(static_cast<char>(size));
  }
  out->append(record.data(), record.size());
  if (format == RecordFormat::kJsonLines) out->push_back('\n');
}

// For a JSON line the parser refused: the scan's message naming the string
// that is not UTF-8 or holds a lone surrogate escape, or OK when none does.
// (The scan passed the line without the check, so any refusal is this.)
absl::Status NotUtf8Field(absl::string_view line,
                          internal::JsonScanOptions scan) {
  scan.check_utf8 = true;
  return internal::ScanJson(line, scan);
}

// Whether text-format `content` holds no field: only blank lines and
// comments ('#' to the end of the line; a string cannot span lines).
bool HoldsNoTextRecord(absl::string_view content) {
  for (absl::string_view line : absl::StrSplit(content, '\n')) {
    line = absl::StripLeadingAsciiWhitespace(line);
    if (!line.empty() && line[0] != '#') return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<RecordFormat> RecordFormatFromPath(absl::string_view path) {
  // The file name alone: "suppliers.jsonl/tenders.xml" is no JSON Lines.
  const size_t slash = path.rfind('/');
  const absl::string_view name =
      slash == absl::string_view::npos ? path : path.substr(slash + 1);
  for (absl::string_view ext : {".jsonl", ".ndjson", ".json"}) {
    if (absl::EndsWith(name, ext)) return RecordFormat::kJsonLines;
  }
  for (absl::string_view ext : {".textproto", ".txtpb", ".pbtxt"}) {
    if (absl::EndsWith(name, ext)) return RecordFormat::kTextFormat;
  }
  for (absl::string_view ext : {".binpb", ".pb"}) {
    if (absl::EndsWith(name, ext)) return RecordFormat::kBinaryDelimited;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      path,
      ": unknown record format; name the file .jsonl, .textproto or "
      ".binpb, or give the format explicitly"));
}

absl::StatusOr<RecordFormat> ParseRecordFormat(absl::string_view name) {
  if (name == "jsonl") return RecordFormat::kJsonLines;
  if (name == "textproto") return RecordFormat::kTextFormat;
  if (name == "binpb") return RecordFormat::kBinaryDelimited;
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown record format \"", name, "\": use jsonl, textproto or binpb"));
}

absl::Status ForEachDelimitedRecord(
    absl::string_view source, absl::string_view content,
    const std::function<void(int, absl::string_view)>& record,
    const RecordLimits& limits) {
  // Each record's bounds come from its size prefix alone, so a record that
  // does not parse can be skipped exactly and the next one is found.
  size_t pos = 0;
  for (int number = 1; pos < content.size(); ++number) {
    google::protobuf::io::CodedInputStream prefix(
        reinterpret_cast<const uint8_t*>(content.data() + pos),
        static_cast<int>(std::min<size_t>(content.size() - pos, 10)));
    uint32_t size;
    if (!prefix.ReadVarint32(&size)) {
      return absl::DataLossError(
          absl::StrCat(source, ": record ", number, ": truncated size prefix"));
    }
    pos += prefix.CurrentPosition();
    if (OverRecordLimit(size, limits)) {
      return absl::DataLossError(
          absl::StrCat(source, ": record ", number, ": size prefix announces ",
                       OverRecordLimitMessage(size, limits),
                       ": the stream is damaged here and cannot be read on"));
    }
    if (size > content.size() - pos) {
      return absl::DataLossError(
          absl::StrCat(source, ": record ", number, ": truncated (", size,
                       " bytes announced, ", content.size() - pos, " left)"));
    }
    record(number, content.substr(pos, size));
    pos += size;
  }
  return absl::OkStatus();
}

absl::Status ReadMessages(
    absl::string_view source, absl::string_view content, RecordFormat format,
    const google::protobuf::Message& prototype,
    const std::function<void(int, std::unique_ptr<google::protobuf::Message>)>&
        accept,
    const std::function<void(absl::Status)>& reject,
    const RecordLimits& limits) {
  // Protobuf logs some parse problems (invalid UTF-8 in a string field) to
  // stderr itself; each record's problem reaches `reject` instead.
  google::protobuf::LogSilencer silence_protobuf;
  const std::string type = prototype.GetDescriptor()->name();
  switch (format) {
    case RecordFormat::kJsonLines: {
      internal::JsonScanOptions scan;
      scan.max_depth = limits.max_json_depth;
      scan.message = prototype.GetDescriptor();
      // The parser refuses invalid UTF-8 itself: the scan looks for the
      // string only in a line it refused.
      scan.check_utf8 = false;
      int line_number = 0;
      for (absl::string_view line :
           absl::StrSplit(internal::StripUtf8Bom(content), '\n')) {
        ++line_number;
        // A CRLF file: the '\r' ends the line, it is not the record's.
        if (absl::EndsWith(line, "\r")) line.remove_suffix(1);
        if (OverRecordLimit(line.size(), limits)) {
          reject(absl::InvalidArgumentError(
              absl::StrCat(source, ": record ", line_number, ": ",
                           OverRecordLimitMessage(line.size(), limits))));
          continue;
        }
        if (absl::StripAsciiWhitespace(line).empty()) continue;
        // Before the parser: it would take long over deep nesting, keep the
        // last of two values for a field and flatten [[1, 2]] silently.
        absl::Status shape = internal::ScanJson(line, scan);
        if (!shape.ok()) {
          reject(absl::InvalidArgumentError(
              absl::StrCat(source, ": record ", line_number, ": not a ", type,
                           ": ", shape.message())));
          continue;
        }
        std::unique_ptr<google::protobuf::Message> m(prototype.New());
        google::protobuf::util::JsonParseOptions options;
        auto status = google::protobuf::util::JsonStringToMessage(
            google::protobuf::StringPiece(line.data(), line.size()), m.get(),
            options);
        if (!status.ok()) {
          absl::Status named = NotUtf8Field(line, scan);
          reject(absl::InvalidArgumentError(absl::StrCat(
              source, ": record ", line_number, ": not a ", type, ": ",
              named.ok() ? status.message().as_string() : named.message())));
          continue;
        }
        accept(line_number, std::move(m));
      }
      return absl::OkStatus();
    }
    case RecordFormat::kTextFormat: {
      // A file of no records (blank, or only comments), as an empty JSON
      // lines file.
      if (HoldsNoTextRecord(content)) return absl::OkStatus();
      if (OverRecordLimit(content.size(), limits)) {
        reject(absl::InvalidArgumentError(absl::StrCat(
            source,
            ": record 1: ", OverRecordLimitMessage(content.size(), limits))));
        return absl::OkStatus();
      }
      std::unique_ptr<google::protobuf::Message> m(prototype.New());
      google::protobuf::TextFormat::Parser parser;
      TextErrorCollector errors;
      parser.RecordErrorsTo(&errors);
      if (!parser.ParseFromString(std::string(content), m.get())) {
        reject(absl::InvalidArgumentError(absl::StrCat(
            source, ": record 1: not a ", type, ": ", errors.first())));
        return absl::OkStatus();
      }
      accept(1, std::move(m));
      return absl::OkStatus();
    }
    case RecordFormat::kBinaryDelimited: {
      // Two unparseable records in a row: the framing is lost.
      int failed = 0;
      absl::Status lost;
      absl::Status framing = ForEachDelimitedRecord(
          source, content,
          [&](int record, absl::string_view bytes) {
            if (!lost.ok()) return;
            std::unique_ptr<google::protobuf::Message> m(prototype.New());
            if (m->ParseFromArray(bytes.data(),
                                  static_cast<int>(bytes.size()))) {
              failed = 0;
              accept(record, std::move(m));
            } else if (failed != 0) {
              lost = absl::DataLossError(absl::StrCat(
                  source, ": record ", failed, ": not a valid ", type,
                  ", nor is record ", record, ": the size prefix of record ",
                  failed,
                  " is probably damaged and the stream cannot be read on"));
            } else {
              failed = record;
              reject(absl::InvalidArgumentError(absl::StrCat(
                  source, ": record ", record, ": not a valid ", type)));
            }
          },
          limits);
      return lost.ok() ? framing : lost;
    }
  }
  return absl::InternalError("unreachable record format");
}

absl::Status AppendRecord(const google::protobuf::Message& message,
                          RecordFormat format, std::string* out) {
  std::string record;
  absl::Status s = SerialiseRecord(message, format, &record);
  if (!s.ok()) return s;
  AppendFramed(record, format, out);
  return absl::OkStatus();
}

absl::Status AppendRecord(const google::protobuf::Message& message,
                          RecordFormat format, const RecordLimits& limits,
                          std::string* out) {
  std::string record;
  absl::Status s = SerialiseRecord(message, format, &record);
  if (!s.ok()) return s;
  if (OverRecordLimit(record.size(), limits)) {
    return absl::InvalidArgumentError(
        OverRecordLimitMessage(record.size(), limits));
  }
  AppendFramed(record, format, out);
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadFileOrStdin(const std::string& path,
                                            const RecordLimits& limits) {
  const bool standard_input = path == "-";
  const std::string name = standard_input ? "standard input" : path;
  const int fd =
      standard_input ? STDIN_FILENO : open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return absl::NotFoundError(
        absl::StrCat(name, ": cannot open: ", std::strerror(errno)));
  }
  struct Closer {
    int fd;
    bool own;
    ~Closer() {
      if (own) close(fd);
    }
  } closer{fd, !standard_input};
  struct stat info;
  if (fstat(fd, &info) != 0) {
    return absl::DataLossError(
        absl::StrCat(name, ": cannot stat: ", std::strerror(errno)));
  }
  if (S_ISDIR(info.st_mode)) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": is a directory; give the files in it instead"));
  }
  const auto too_large = [&] {
    return absl::ResourceExhaustedError(
        absl::StrCat(name, ": more than ", limits.max_file_bytes,
                     " bytes, the input limit (max_file_bytes); not read"));
  };
  std::string out;
  if (S_ISREG(info.st_mode)) {
    if (info.st_size > limits.max_file_bytes) return too_large();
    out.reserve(static_cast<size_t>(info.st_size));
  }
  // Pipes and devices announce no size: read in chunks up to the limit.
  char chunk[1 << 16];
  while (true) {
    const ssize_t n = read(fd, chunk, sizeof(chunk));
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      return absl::DataLossError(
          absl::StrCat(name, ": read error: ", std::strerror(errno)));
    }
    if (static_cast<int64_t>(out.size()) + n > limits.max_file_bytes) {
      return too_large();
    }
    out.append(chunk, static_cast<size_t>(n));
  }
  return out;
}

}  // namespace procmatch
