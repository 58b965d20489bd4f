// Fuzzes procmatch::ImportTedXml, TED XML exports (R2.0.8, R2.0.9), and the
// validation of what it imports.
#include <cstddef>
#include <cstdint>

#include "procmatch/ted_importer.h"
#include "tests/fuzz/harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  procmatch::fuzz::FuzzNoticeImport(data, size, &procmatch::ImportTedXml);
  return 0;
}
