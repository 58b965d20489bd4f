// Fuzzes procmatch::ReadRecords on protobuf text format (.textproto) streams of
// supplier profiles and tenders, with validation of every accepted record.
#include <cstddef>
#include <cstdint>

#include "procmatch/record_io.h"
#include "tests/fuzz/harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  procmatch::fuzz::FuzzRecordStream(data, size,
                                    procmatch::RecordFormat::kTextFormat);
  return 0;
}
