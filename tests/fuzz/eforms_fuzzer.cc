// Fuzzes procmatch::ImportEforms, eForms UBL notices, and the validation of
// what it imports.
#include <cstddef>
#include <cstdint>

#include "procmatch/eforms_importer.h"
#include "tests/fuzz/harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  procmatch::fuzz::FuzzNoticeImport(data, size, &procmatch::ImportEforms);
  return 0;
}
