// File: lib/record_io.h
//
// Reading and writing streams of procmatch.v1 records in the three formats
// integrators use:
//
//   JSON Lines     one message per line, protobuf JSON mapping (.jsonl)
//   text format    one message per file, protobuf text format (.textproto)
//   binary         length-delimited messages, varint size then bytes (.binpb)
//
// Example:
//
//   int accepted = 0;
//   absl::Status status = procmatch::ReadRecords<procmatch::v1::Tender>(
//       "tenders.jsonl", content, procmatch::RecordFormat::kJsonLines,
//       [&](int record, procmatch::v1::Tender tender) { ++accepted; },
//       [&](absl::Status problem) { std::cerr << problem << "\n"; });
//
// A record that does not parse is handed to `reject` with a status that names
// the source, the record number (1-based; for JSON Lines, the line) and the
// parser's message; reading goes on with the next record, so nothing already
// accepted is lost. The returned status is an error only when the stream
// itself cannot be read on (a truncated binary record).
//
// Threading: the functions are reentrant; the callbacks run on the caller's
// thread, in record order.
#ifndef PROCMATCH_LIB_RECORD_IO_H_
#define PROCMATCH_LIB_RECORD_IO_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace procmatch {

enum class RecordFormat { kJsonLines, kTextFormat, kBinaryDelimited };

// From the file name: .jsonl/.ndjson/.json, .textproto/.txtpb/.pbtxt,
// .binpb/.pb. An unknown extension is an error naming the file.
absl::StatusOr<RecordFormat> RecordFormatFromPath(absl::string_view path);

// Parses "jsonl", "textproto" or "binpb".
absl::StatusOr<RecordFormat> ParseRecordFormat(absl::string_view name);

// Untyped form: each accepted record is a new message of `prototype`'s type.
absl::Status ReadMessages(
    absl::string_view source, absl::string_view content, RecordFormat format,
    const google::protobuf::Message& prototype,
    const std::function<void(int, std::unique_ptr<google::protobuf::Message>)>&
        accept,
    const std::function<void(absl::Status)>& reject);

template <typename M>
absl::Status ReadRecords(absl::string_view source, absl::string_view content,
                         RecordFormat format,
                         const std::function<void(int, M)>& accept,
                         const std::function<void(absl::Status)>& reject) {
  return ReadMessages(
      source, content, format, M::default_instance(),
      [&](int record, std::unique_ptr<google::protobuf::Message> m) {
        accept(record, std::move(static_cast<M&>(*m)));
      },
      reject);
}

// The framing of kBinaryDelimited alone: calls `record` with each record's
// number (1-based) and bytes, in order. DataLoss, naming `source` and the
// record, when a size prefix or a record is cut short; records before it
// have been handed over.
absl::Status ForEachDelimitedRecord(
    absl::string_view source, absl::string_view content,
    const std::function<void(int, absl::string_view)>& record);

// Appends one record in `format` to `out` (JSON Lines: one line with '\n').
absl::Status AppendRecord(const google::protobuf::Message& message,
                          RecordFormat format, std::string* out);

// Reads a whole file ("-" is standard input).
absl::StatusOr<std::string> ReadFileOrStdin(const std::string& path);

}  // namespace procmatch

#endif  // PROCMATCH_LIB_RECORD_IO_H_
