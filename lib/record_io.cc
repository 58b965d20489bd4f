#include "procmatch/record_io.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/json_util.h"

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

}  // namespace

absl::StatusOr<RecordFormat> RecordFormatFromPath(absl::string_view path) {
  for (absl::string_view ext : {".jsonl", ".ndjson", ".json"}) {
    if (absl::EndsWith(path, ext)) return RecordFormat::kJsonLines;
  }
  for (absl::string_view ext : {".textproto", ".txtpb", ".pbtxt"}) {
    if (absl::EndsWith(path, ext)) return RecordFormat::kTextFormat;
  }
  for (absl::string_view ext : {".binpb", ".pb"}) {
    if (absl::EndsWith(path, ext)) return RecordFormat::kBinaryDelimited;
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
    const std::function<void(int, absl::string_view)>& record) {
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
    const std::function<void(absl::Status)>& reject) {
  const std::string type = prototype.GetDescriptor()->name();
  switch (format) {
    case RecordFormat::kJsonLines: {
      int line_number = 0;
      for (absl::string_view line : absl::StrSplit(content, '\n')) {
        ++line_number;
        if (absl::StripAsciiWhitespace(line).empty()) continue;
        std::unique_ptr<google::protobuf::Message> m(prototype.New());
        google::protobuf::util::JsonParseOptions options;
        auto status = google::protobuf::util::JsonStringToMessage(
            google::protobuf::StringPiece(line.data(), line.size()), m.get(),
            options);
        if (!status.ok()) {
          reject(absl::InvalidArgumentError(
              absl::StrCat(source, ": record ", line_number, ": not a ", type,
                           ": ", status.message().as_string())));
          continue;
        }
        accept(line_number, std::move(m));
      }
      return absl::OkStatus();
    }
    case RecordFormat::kTextFormat: {
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
    case RecordFormat::kBinaryDelimited:
      return ForEachDelimitedRecord(
          source, content, [&](int record, absl::string_view bytes) {
            std::unique_ptr<google::protobuf::Message> m(prototype.New());
            if (m->ParseFromArray(bytes.data(),
                                  static_cast<int>(bytes.size()))) {
              accept(record, std::move(m));
            } else {
              reject(absl::InvalidArgumentError(absl::StrCat(
                  source, ": record ", record, ": not a valid ", type)));
            }
          });
  }
  return absl::InternalError("unreachable record format");
}

absl::Status AppendRecord(const google::protobuf::Message& message,
                          RecordFormat format, std::string* out) {
  switch (format) {
    case RecordFormat::kJsonLines: {
      std::string json;
      google::protobuf::util::JsonPrintOptions options;
      options.preserve_proto_field_names = true;
      auto status =
          google::protobuf::util::MessageToJsonString(message, &json, options);
      if (!status.ok()) {
        return absl::InternalError(status.message().as_string());
      }
      absl::StrAppend(out, json, "\n");
      return absl::OkStatus();
    }
    case RecordFormat::kTextFormat: {
      std::string text;
      google::protobuf::TextFormat::PrintToString(message, &text);
      absl::StrAppend(out, text);
      return absl::OkStatus();
    }
    case RecordFormat::kBinaryDelimited: {
      // Serialised apart and appended: a StringOutputStream on `out` would
      // resize all of it to its capacity on every call, quadratic over a
      // long stream.
      std::string bytes;
      if (!message.SerializeToString(&bytes)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "cannot serialise a ", message.GetDescriptor()->name()));
      }
      uint32_t size = static_cast<uint32_t>(bytes.size());
      while (size >= 0x80) {
        out->push_back(static_cast<char>(size | 0x80));
        size >>= 7;
      }
      out->push_back(static_cast<char>(size));
      out->append(bytes);
      return absl::OkStatus();
    }
  }
  return absl::InternalError("unreachable record format");
}

absl::StatusOr<std::string> ReadFileOrStdin(const std::string& path) {
  if (path == "-") {
    return std::string(std::istreambuf_iterator<char>(std::cin),
                       std::istreambuf_iterator<char>());
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat(path, ": cannot open: ", std::strerror(errno)));
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) {
    return absl::DataLossError(absl::StrCat(path, ": read error"));
  }
  return buffer.str();
}

}  // namespace procmatch
