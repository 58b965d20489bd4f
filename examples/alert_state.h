// File: examples/alert_state.h
//
// The state of `procmatch alerts --state DIR`: which (rule, notice) pairs
// have alerted and on what, and an outbox that makes the alerts written to
// the output file exactly once across crashes. doc/alerts.md describes the
// keys and the protocol.
//
// Example:
//
//   absl::StatusOr<std::unique_ptr<AlertState>> state =
//       AlertState::Open("state/", "alerts.jsonl");  // recovers the file
//   std::vector<AlertState::Raised> raised = ...;     // from AlertIndex
//   absl::StatusOr<std::vector<v1::Alert>> emitted =
//       (*state)->Commit(raised);  // only new or changed alerts
//
// Per batch: (1) the new state and the alerts to emit go to LevelDB in one
// synced WriteBatch, as numbered outbox entries; (2) the entries are
// appended to the output file, which is synced; (3) the last emitted number
// and the file's length are recorded (synced) and the entries dropped. On
// open, the file is cut back to the recorded length and every entry after
// the recorded number is appended again. A kill at any point therefore
// loses no alert and repeats none.
//
// Threading: not thread-safe; one process owns DIR (LevelDB locks it).
#ifndef PROCMATCH_EXAMPLES_ALERT_STATE_H_
#define PROCMATCH_EXAMPLES_ALERT_STATE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "procmatch/v1/alert.pb.h"

namespace leveldb {
class DB;
}  // namespace leveldb

namespace procmatch {
namespace cli {

class AlertState {
 public:
  // An alert the index raised, with the key of its notice: the tender id,
  // or for an eForms change notice the id of the notice it changes.
  struct Raised {
    std::string notice_key;
    v1::Alert alert;
  };

  // Opens or creates the database in `dir` and recovers `out_path` (cut to
  // the recorded length, pending outbox entries appended). Errors name the
  // directory or the file.
  static absl::StatusOr<std::unique_ptr<AlertState>> Open(
      const std::string& dir, const std::string& out_path);
  ~AlertState();
  AlertState(const AlertState&) = delete;
  AlertState& operator=(const AlertState&) = delete;

  // Keeps the alerts whose (rule, notice key) is new, or whose matched
  // criteria (reasons and lots) differ from the last alert for it -- those
  // get `changes` -- then commits and writes them as the header describes.
  // Returns what was written, in order.
  absl::StatusOr<std::vector<v1::Alert>> Commit(
      const std::vector<Raised>& raised);

  // Outbox entries appended again when the state was opened.
  int recovered() const { return recovered_; }

 private:
  AlertState(std::unique_ptr<leveldb::DB> db, std::string out_path);
  absl::Status Recover();
  // The emitted mark: the last outbox entry written and the output file's
  // length after it; (0, 0) when nothing was written yet. A DataLoss error
  // when the store cannot be read or the mark does not parse.
  absl::Status ReadEmitted(uint64_t* seq, uint64_t* length) const;
  // Appends the outbox entries after the emitted mark, syncs the file and
  // moves the mark; counts the entries in `*flushed` when given.
  absl::Status Flush(int* flushed);

  std::unique_ptr<leveldb::DB> db_;
  std::string out_path_;
  uint64_t out_length_ = 0;  // Of the output file, as recorded.
  uint64_t next_seq_ = 1;
  int recovered_ = 0;
};

// What changed between the alert last written and `now`: "was: ...",
// "now: ..." per reason, and the lots.
std::vector<std::string> DescribeChanges(const v1::Alert& before,
                                         const v1::Alert& now);

}  // namespace cli
}  // namespace procmatch

#endif  // PROCMATCH_EXAMPLES_ALERT_STATE_H_
