// procmatch index: build a supplier index and save it as a snapshot.
#include <iostream>
#include <string>

#include "absl/status/status.h"
#include "examples/cli_common.h"
#include "examples/commands.h"
#include "procmatch/atomic_file.h"
#include "procmatch/snapshot.h"

namespace procmatch {
namespace cli {

int RunIndex(const Args& args) {
  if (!args.lists.count("suppliers") || !args.Has("out")) {
    std::cerr << "procmatch index: needs --suppliers FILE... --out SNAPSHOT\n";
    return 2;
  }
  const std::string out = args.Get("out", "");
  // Before the work: an output that cannot be written fails now.
  absl::Status usable = CheckOutputPath(out);
  if (!usable.ok()) return Fail(usable);
  Problems problems(args.Has("skip-invalid"));
  auto index = BuildIndex(args, args.lists.at("suppliers"), &problems);
  if (!index.ok()) return Fail(index.status());
  // An index of no suppliers is written only when asked for (a service
  // that starts empty and is filled by updates), and never when records
  // were refused: that is a failure whatever is asked.
  const bool allowed = args.Has("allow-empty") && problems.count() == 0 &&
                       problems.unreadable() == 0;
  if ((*index)->size() == 0 && !allowed) {
    return NothingLeft(problems,
                       "no supplier records to index; no snapshot written "
                       "(--allow-empty writes an empty index)");
  }
  // Readers of `out` see the old snapshot or the new one, never half.
  absl::Status written = WriteFileAtomically(out, SaveSnapshot(**index));
  if (!written.ok()) return Fail(written);
  std::cerr << "indexed " << (*index)->size() << " suppliers into " << out
            << "\n";
  return 0;
}

}  // namespace cli
}  // namespace procmatch
