// File: tests/fuzz/harness.h
//
// The bodies the fuzz targets share. Each reader gets the input as it would
// get a file (ignoring inputs above 1 MB: real records and notices are far
// smaller, and larger inputs only slow the search down), and what it
// accepts goes on through the Validator, as in `procmatch validate`, `index`,
// `match` and `import`. Hostile bytes must give rejections or an error
// status, never a crash, a sanitizer report or a hang.
#ifndef PROCMATCH_TESTS_FUZZ_HARNESS_H_
#define PROCMATCH_TESTS_FUZZ_HARNESS_H_

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/stubs/logging.h"
#include "procmatch/record_io.h"
#include "procmatch/ted_importer.h"
#include "procmatch/v1/supplier.pb.h"
#include "procmatch/v1/tender.pb.h"
#include "procmatch/validation.h"

namespace procmatch {
namespace fuzz {

inline constexpr size_t kMaxInputBytes = 1 << 20;

// Protobuf prints some parse problems itself ("[libprotobuf ERROR ...]");
// the readers silence that and report through their status instead. A line
// that still reaches protobuf's log handler is a finding: abort with it.
inline void AbortOnProtobufLog(google::protobuf::LogLevel level,
                               const char* filename, int line,
                               const std::string& message) {
  std::fprintf(stderr, "protobuf logged (level %d) at %s:%d: %s\n",
               static_cast<int>(level), filename, line, message.c_str());
  std::abort();
}
inline const bool kProtobufLogAborts =
    (google::protobuf::SetLogHandler(&AbortOnProtobufLog), true);

inline const Validator& SharedValidator() {
  static const Validator* const validator = new Validator();
  return *validator;
}

inline std::vector<ValidationProblem> Check(const v1::SupplierProfile& s) {
  return SharedValidator().CheckSupplier(s);
}
inline std::vector<ValidationProblem> Check(const v1::Tender& t) {
  return SharedValidator().CheckTender(t);
}

// The record limits of the record-stream targets: the defaults but for the
// largest record, 64 KiB instead of 16 MiB. Inputs reach 1 MB, so the
// record limit's refusals (a JSON line or text record too large, a binary
// size prefix past it) are exercised, and a mutation that grows one record
// does not make every later execution pay protobuf's JSON parser on it.
inline RecordLimits FuzzRecordLimits() {
  RecordLimits limits;
  limits.max_record_bytes = 64 << 10;
  return limits;
}

// Reads `content` as a stream of M records and validates each; writes back
// (as `procmatch import` and the tools do) those that pass validation.
template <typename M>
void ReadCheckAndWrite(absl::string_view content, RecordFormat format) {
  ReadRecords<M>(
      "fuzz", content, format,
      [&](int, M record) {
        if (!Check(record).empty()) return;
        std::string out;
        AppendRecord(record, format, &out).IgnoreError();
      },
      [](absl::Status) {}, FuzzRecordLimits())
      .IgnoreError();
}

// The record-stream targets. The first byte picks the record type by its
// lowest bit (the seeds use '0' for supplier profiles, '1' for tenders); the
// rest is the stream. One type per input, not both: the reader's work per
// execution halves and both types keep half the search each.
inline constexpr uint8_t kSupplierStream = '0';
inline constexpr uint8_t kTenderStream = '1';

inline void FuzzRecordStream(const uint8_t* data, size_t size,
                             RecordFormat format) {
  if (size == 0 || size > kMaxInputBytes) return;
  const absl::string_view content(reinterpret_cast<const char*>(data) + 1,
                                  size - 1);
  if ((data[0] & 1) == (kSupplierStream & 1)) {
    ReadCheckAndWrite<v1::SupplierProfile>(content, format);
  } else {
    ReadCheckAndWrite<v1::Tender>(content, format);
  }
}

// The first line of `content` (without its newline) and what follows it.
inline std::pair<absl::string_view, absl::string_view> SplitFirstLine(
    absl::string_view content) {
  const size_t newline = content.find('\n');
  if (newline == absl::string_view::npos) return {content, {}};
  return {content.substr(0, newline), content.substr(newline + 1)};
}

// The notice importers (TED XML, reduced TED JSON, eForms), with their
// default limits.
using NoticeImporter = absl::StatusOr<ImportedNotice> (*)(
    absl::string_view source, absl::string_view content,
    const ImportLimits& limits);

inline void FuzzNoticeImport(const uint8_t* data, size_t size,
                             NoticeImporter import) {
  if (size > kMaxInputBytes) return;
  const absl::string_view content(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<ImportedNotice> notice =
      import("fuzz", content, ImportLimits());
  if (notice.ok()) Check(notice->tender);
}

}  // namespace fuzz
}  // namespace procmatch

#endif  // PROCMATCH_TESTS_FUZZ_HARNESS_H_
