// Fuzzes procmatch::ReadRecords on JSON Lines streams of the request
// records `procmatch validate --kind=...` reads besides profiles and
// tenders: match, consortium and coverage requests, supplier updates and
// alert-rule updates, each accepted record through its Validator check.
// The first byte picks the record type: '0' to '4' in that order (any byte:
// its distance from '0' modulo 5); the rest is the stream.
#include <cstddef>
#include <cstdint>

#include "procmatch/record_io.h"
#include "procmatch/v1/alert.pb.h"
#include "procmatch/v1/consortium.pb.h"
#include "procmatch/v1/coverage.pb.h"
#include "procmatch/v1/match.pb.h"
#include "tests/fuzz/harness.h"

namespace procmatch {
namespace fuzz {
namespace {

template <typename M>
void ReadAndCheck(absl::string_view content,
                  std::vector<ValidationProblem> (Validator::*check)(const M&)
                      const) {
  ReadRecords<M>(
      "fuzz", content, RecordFormat::kJsonLines,
      [&](int, M record) {
        if (!(SharedValidator().*check)(record).empty()) return;
        std::string out;
        AppendRecord(record, RecordFormat::kJsonLines, &out).IgnoreError();
      },
      [](absl::Status) {}, FuzzRecordLimits())
      .IgnoreError();
}

}  // namespace
}  // namespace fuzz
}  // namespace procmatch

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using procmatch::Validator;
  using procmatch::fuzz::ReadAndCheck;
  namespace v1 = procmatch::v1;
  if (size == 0 || size > procmatch::fuzz::kMaxInputBytes) return 0;
  const absl::string_view content(reinterpret_cast<const char*>(data) + 1,
                                  size - 1);
  switch (static_cast<uint8_t>(data[0] - '0') % 5) {
    case 0:
      ReadAndCheck<v1::MatchRequest>(content, &Validator::CheckMatchRequest);
      break;
    case 1:
      ReadAndCheck<v1::ConsortiumRequest>(content,
                                          &Validator::CheckConsortiumRequest);
      break;
    case 2:
      ReadAndCheck<v1::CoverageRequest>(content,
                                        &Validator::CheckCoverageRequest);
      break;
    case 3:
      ReadAndCheck<v1::SupplierUpdate>(content,
                                       &Validator::CheckSupplierUpdate);
      break;
    default:
      ReadAndCheck<v1::AlertRuleUpdate>(content,
                                        &Validator::CheckAlertRuleUpdate);
      break;
  }
  return 0;
}
