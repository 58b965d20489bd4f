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
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "procmatch/record_io.h"
#include "procmatch/ted_importer.h"
#include "procmatch/v1/supplier.pb.h"
#include "procmatch/v1/tender.pb.h"
#include "procmatch/validation.h"

namespace procmatch {
namespace fuzz {

inline constexpr size_t kMaxInputBytes = 1 << 20;

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

// Reads `content` as a stream of M records; validates and writes back each.
template <typename M>
void ReadCheckAndWrite(absl::string_view content, RecordFormat format) {
  ReadRecords<M>(
      "fuzz", content, format,
      [&](int, M record) {
        Check(record);
        std::string out;
        AppendRecord(record, format, &out).IgnoreError();
      },
      [](absl::Status) {})
      .IgnoreError();
}

// The record-stream targets: the input as supplier profiles, then as tenders.
inline void FuzzRecordStream(const uint8_t* data, size_t size,
                             RecordFormat format) {
  if (size > kMaxInputBytes) return;
  const absl::string_view content(reinterpret_cast<const char*>(data), size);
  ReadCheckAndWrite<v1::SupplierProfile>(content, format);
  ReadCheckAndWrite<v1::Tender>(content, format);
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
