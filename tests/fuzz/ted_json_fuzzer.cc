// Fuzzes procmatch::ImportTedReducedJson, one line of the reduced TED JSON
// (data/ted/notices_dev.jsonl), and the validation of what it imports.
#include <cstddef>
#include <cstdint>

#include "procmatch/ted_importer.h"
#include "tests/fuzz/harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  procmatch::fuzz::FuzzNoticeImport(data, size,
                                    &procmatch::ImportTedReducedJson);
  return 0;
}
