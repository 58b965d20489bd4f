// A main() for the fuzz targets outside libFuzzer: runs
// LLVMFuzzerTestOneInput once on each file named on the command line (a
// directory: each file in it). The gcc builds (`--config=asan`,
// `--config=ubsan`) link the targets with it, to replay a corpus or a crash
// without clang:
//
//   bazel run --config=asan //tests/fuzz:snapshot_fuzzer -- \
//       $PWD/tests/fuzz/regressions/snapshot
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

int RunFile(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    std::cerr << path.string() << ": cannot read\n";
    return 1;
  }
  const std::string bytes((std::istreambuf_iterator<char>(file)),
                          std::istreambuf_iterator<char>());
  std::cerr << "Running " << path.string() << " (" << bytes.size()
            << " bytes)\n";
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()),
                         bytes.size());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  int failures = 0;
  int inputs = 0;
  for (int i = 1; i < argc; ++i) {
    const std::filesystem::path arg(argv[i]);
    std::error_code error;
    if (std::filesystem::is_directory(arg, error)) {
      std::vector<std::filesystem::path> files;
      for (const auto& entry : std::filesystem::directory_iterator(arg)) {
        if (entry.is_regular_file()) files.push_back(entry.path());
      }
      std::sort(files.begin(), files.end());
      for (const auto& f : files) failures += RunFile(f), ++inputs;
    } else {
      failures += RunFile(arg), ++inputs;
    }
  }
  std::cerr << "Executed " << inputs << " inputs\n";
  return failures == 0 ? 0 : 1;
}
