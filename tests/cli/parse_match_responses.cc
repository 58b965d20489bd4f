// Test helper: reads MatchResponse JSON Lines from standard input with the
// library's reader; prints the count and exits 1 if any line is not a
// MatchResponse.
#include <iostream>

#include "procmatch/record_io.h"
#include "procmatch/v1/match.pb.h"

int main() {
  auto content = procmatch::ReadFileOrStdin("-");
  if (!content.ok()) return 1;
  int good = 0, bad = 0;
  procmatch::ReadRecords<procmatch::v1::MatchResponse>(
      "stdin", *content, procmatch::RecordFormat::kJsonLines,
      [&](int, procmatch::v1::MatchResponse r) {
        good += !r.tender_id().empty();
      },
      [&](absl::Status s) {
        std::cerr << s.message() << "\n";
        ++bad;
      })
      .IgnoreError();
  std::cout << good << " responses\n";
  return bad == 0 ? 0 : 1;
}
