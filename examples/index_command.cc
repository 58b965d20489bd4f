// procmatch index: build a supplier index and save it as a snapshot.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

#include "absl/status/status.h"
#include "examples/cli_common.h"
#include "examples/commands.h"
#include "procmatch/snapshot.h"

namespace procmatch {
namespace cli {

int RunIndex(const Args& args) {
  if (!args.lists.count("suppliers") || !args.Has("out")) {
    std::cerr << "procmatch index: needs --suppliers FILE... --out SNAPSHOT\n";
    return 2;
  }
  Problems problems(args.Has("skip-invalid"));
  auto index = BuildIndex(args, args.lists.at("suppliers"), &problems);
  if (!index.ok()) return Fail(index.status());
  const std::string out = args.Get("out", "");
  const std::string tmp = out + ".tmp";
  {
    std::ofstream file(tmp, std::ios::binary | std::ios::trunc);
    file << SaveSnapshot(**index);
    if (!file.flush()) return Fail(absl::DataLossError(out + ": write failed"));
  }
  // Readers of `out` see the old snapshot or the new one, never half.
  if (std::rename(tmp.c_str(), out.c_str()) != 0) {
    return Fail(absl::DataLossError(out + ": cannot replace"));
  }
  std::cerr << "indexed " << (*index)->size() << " suppliers into " << out
            << "\n";
  return 0;
}

}  // namespace cli
}  // namespace procmatch
