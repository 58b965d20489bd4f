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
// itself cannot be read on (a binary record cut short, or whose size prefix
// is past the record limit: its framing is lost).
//
// Hostile input: every read is bounded by RecordLimits (input size, record
// size, JSON nesting), JSON lines are checked for duplicate keys and arrays
// nested where protobuf would silently flatten them, and protobuf's own log
// lines never reach stderr while reading.
//
// Threading: the functions are reentrant; the callbacks run on the caller's
// thread, in record order.
#ifndef PROCMATCH_LIB_RECORD_IO_H_
#define PROCMATCH_LIB_RECORD_IO_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace procmatch {

enum class RecordFormat { kJsonLines, kTextFormat, kBinaryDelimited };

// What one read may cost. Give the same limits to ReadFileOrStdin and
// ReadMessages; the defaults fit every real input seen, with room.
struct RecordLimits {
  // Largest input ReadFileOrStdin reads: a file, a pipe or standard input.
  // It reads the whole input into memory, so this bounds memory; past it,
  // reading stops (a FIFO or /dev/zero never ends) with ResourceExhausted
  // naming the path and the limit. Default: 1 GiB.
  int64_t max_file_bytes = int64_t{1} << 30;

  // Largest record: one JSON line, one text-format file, one binary record.
  // A JSON or text record is held parsed alongside its text, several times
  // its size. A larger JSON or text record is rejected (the others are
  // read); a binary size prefix past it stops the stream with DataLoss, as
  // such a prefix is far more likely damage than a record. Default: 16 MiB.
  int64_t max_record_bytes = int64_t{16} << 20;

  // Deepest nesting of JSON objects and arrays in one record (the record's
  // object is level 1). procmatch.v1 records nest under 8 levels; protobuf's
  // JSON parser gets slow and stack-hungry on deep nesting. A deeper record
  // is rejected. Default: 64.
  int max_json_depth = 64;
};

// From the file name, not the folders above it: .jsonl/.ndjson/.json,
// .textproto/.txtpb/.pbtxt, .binpb/.pb. An unknown extension, or a path
// ending in '/', is an error naming the path.
absl::StatusOr<RecordFormat> RecordFormatFromPath(absl::string_view path);

// Parses "jsonl", "textproto" or "binpb".
absl::StatusOr<RecordFormat> ParseRecordFormat(absl::string_view name);

// Untyped form: each accepted record is a new message of `prototype`'s type.
//
// JSON Lines: a leading UTF-8 byte order mark is skipped; a line is
// rejected when it is longer than limits.max_record_bytes, nests deeper than
// limits.max_json_depth, gives a field twice ("lot_id" and "lotId" are one
// field), puts an array inside an array where a repeated field is
// expected, or holds a string that is not UTF-8; the message names the
// field by its path ("lots[0].cpv").
//
// Binary: a record that does not parse is rejected and the next one read by
// its size prefix; but when the record right after it does not parse
// either, the framing is taken as lost (a damaged size prefix sends every
// later boundary astray) and reading stops with DataLoss naming the record
// where it went wrong, so no garbage is handed on as records.
absl::Status ReadMessages(
    absl::string_view source, absl::string_view content, RecordFormat format,
    const google::protobuf::Message& prototype,
    const std::function<void(int, std::unique_ptr<google::protobuf::Message>)>&
        accept,
    const std::function<void(absl::Status)>& reject,
    const RecordLimits& limits = RecordLimits());

template <typename M>
absl::Status ReadRecords(absl::string_view source, absl::string_view content,
                         RecordFormat format,
                         const std::function<void(int, M)>& accept,
                         const std::function<void(absl::Status)>& reject,
                         const RecordLimits& limits = RecordLimits()) {
  return ReadMessages(
      source, content, format, M::default_instance(),
      [&](int record, std::unique_ptr<google::protobuf::Message> m) {
        accept(record, std::move(static_cast<M&>(*m)));
      },
      reject, limits);
}

// The framing of kBinaryDelimited alone: calls `record` with each record's
// number (1-based) and bytes, in order. DataLoss, naming `source` and the
// record, when a size prefix is cut short or announces more than the rest
// of `content` or more than limits.max_record_bytes; records before it have
// been handed over.
absl::Status ForEachDelimitedRecord(
    absl::string_view source, absl::string_view content,
    const std::function<void(int, absl::string_view)>& record,
    const RecordLimits& limits = RecordLimits());

// Appends one record in `format` to `out` (JSON Lines: one line with '\n').
absl::Status AppendRecord(const google::protobuf::Message& message,
                          RecordFormat format, std::string* out);

// As above, but only a record that ReadMessages with `limits` would read
// back: one longer than limits.max_record_bytes is refused with
// InvalidArgument ("N bytes, more than the record limit of L
// (max_record_bytes)") and `out` is left as it was. Writer and reader measure
// a record alike, by its own bytes, without its framing: the JSON line
// without its '\n', the binary record without its size prefix, the whole
// text-format file; a record of exactly the limit is written and read.
absl::Status AppendRecord(const google::protobuf::Message& message,
                          RecordFormat format, const RecordLimits& limits,
                          std::string* out);

// Reads a whole file ("-" is standard input), at most limits.max_file_bytes
// of it: past that, ResourceExhausted naming the path and the limit (a FIFO,
// a device or standard input is read up to the limit, not to its end).
// NotFound when it cannot be opened; InvalidArgument when it is a directory.
absl::StatusOr<std::string> ReadFileOrStdin(
    const std::string& path, const RecordLimits& limits = RecordLimits());

}  // namespace procmatch

#endif  // PROCMATCH_LIB_RECORD_IO_H_
