#include "examples/alert_state.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "leveldb/db.h"
#include "leveldb/write_batch.h"
#include "procmatch/record_io.h"

namespace procmatch {
namespace cli {
namespace {

constexpr char kStatePrefix[] = "state/";       // + rule id, \x1f, notice key.
constexpr char kOutboxPrefix[] = "outbox/";     // + 20-digit sequence number.
constexpr char kEmittedKey[] = "meta/emitted";  // "<seq> <file length>".
constexpr char kNextKey[] = "meta/next";        // Next sequence number.

std::string OutboxKey(uint64_t seq) {
  return absl::StrFormat("%s%020d", kOutboxPrefix, seq);
}

// Reads check the checksums of the blocks they touch: a damaged state is an
// error, not a silently missing key.
leveldb::ReadOptions Verified() {
  leveldb::ReadOptions options;
  options.verify_checksums = true;
  return options;
}

absl::Status FromLevelDb(const leveldb::Status& s, const std::string& what) {
  if (s.ok()) return absl::OkStatus();
  return absl::DataLossError(absl::StrCat(what, ": ", s.ToString()));
}

absl::Status Errno(const std::string& path, const char* what) {
  return absl::DataLossError(
      absl::StrCat(path, ": ", what, ": ", std::strerror(errno)));
}

// Appends `bytes` to the file at `path`, whose length must be `length`, and
// syncs it.
absl::Status AppendSynced(const std::string& path, uint64_t length,
                          const std::string& bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT, 0644);
  if (fd < 0) return Errno(path, "open");
  absl::Status status;
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::pwrite(fd, bytes.data() + done, bytes.size() - done,
                               static_cast<off_t>(length + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      status = Errno(path, "write");
      break;
    }
    done += static_cast<size_t>(n);
  }
  if (status.ok() && ::fdatasync(fd) != 0) status = Errno(path, "fdatasync");
  ::close(fd);
  return status;
}

}  // namespace

std::vector<std::string> DescribeChanges(const v1::Alert& before,
                                         const v1::Alert& now) {
  std::vector<std::string> out;
  const std::set<std::string> old_reasons(before.reasons().begin(),
                                          before.reasons().end());
  const std::set<std::string> new_reasons(now.reasons().begin(),
                                          now.reasons().end());
  for (const std::string& r : before.reasons()) {
    if (!new_reasons.count(r)) out.push_back(absl::StrCat("was: ", r));
  }
  for (const std::string& r : now.reasons()) {
    if (!old_reasons.count(r)) out.push_back(absl::StrCat("now: ", r));
  }
  const std::string old_lots = absl::StrJoin(before.lot_ids(), ", ");
  const std::string new_lots = absl::StrJoin(now.lot_ids(), ", ");
  if (old_lots != new_lots) {
    out.push_back(absl::StrCat("lots were ",
                               old_lots.empty() ? "none" : old_lots, "; now ",
                               new_lots.empty() ? "none" : new_lots));
  }
  if (before.tender_id() != now.tender_id()) {
    out.push_back(absl::StrCat("changed by notice ", now.tender_id(),
                               " (first alerted for ", before.tender_id(),
                               ")"));
  }
  return out;
}

AlertState::AlertState(std::unique_ptr<leveldb::DB> db, std::string out_path)
    : db_(std::move(db)), out_path_(std::move(out_path)) {}

AlertState::~AlertState() = default;

absl::StatusOr<std::unique_ptr<AlertState>> AlertState::Open(
    const std::string& dir, const std::string& out_path) {
  leveldb::Options options;
  options.create_if_missing = true;
  // A damaged log or table is an error when the state is opened; without
  // this LevelDB skips what it cannot read, and the state would forget
  // alerts (and cut the output file back) without a word.
  options.paranoid_checks = true;
  leveldb::DB* db = nullptr;
  absl::Status opened = FromLevelDb(leveldb::DB::Open(options, dir, &db), dir);
  if (!opened.ok()) return opened;
  std::unique_ptr<AlertState> state(
      new AlertState(std::unique_ptr<leveldb::DB>(db), out_path));
  absl::Status recovered = state->Recover();
  if (!recovered.ok()) return recovered;
  return state;
}

absl::Status AlertState::ReadEmitted(uint64_t* seq, uint64_t* length) const {
  *seq = 0;
  *length = 0;
  std::string value;
  leveldb::Status s = db_->Get(Verified(), kEmittedKey, &value);
  if (s.IsNotFound()) return absl::OkStatus();
  if (!s.ok()) return FromLevelDb(s, kEmittedKey);
  std::vector<std::string> parts = absl::StrSplit(value, ' ');
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], seq) ||
      !absl::SimpleAtoi(parts[1], length)) {
    return absl::DataLossError(
        absl::StrCat("state ", kEmittedKey, ": \"", value, "\" is corrupt"));
  }
  return absl::OkStatus();
}

absl::Status AlertState::Recover() {
  std::string value;
  uint64_t emitted = 0, length = 0;
  absl::Status read = ReadEmitted(&emitted, &length);
  if (!read.ok()) return read;
  // The mark is written with the first entry flushed (sequence 1 or more).
  const bool recorded = emitted > 0;
  leveldb::Status s = db_->Get(Verified(), kNextKey, &value);
  const bool committed = s.ok();
  if (committed && !absl::SimpleAtoi(value, &next_seq_)) {
    return absl::DataLossError(
        absl::StrCat("state ", kNextKey, ": \"", value, "\" is corrupt"));
  } else if (!committed && !s.IsNotFound()) {
    return FromLevelDb(s, kNextKey);
  }
  struct stat st;
  if (::stat(out_path_.c_str(), &st) == 0) {
    if (!recorded && !committed && st.st_size > 0) {
      // A state that never committed an alert did not write these bytes:
      // cutting the file back to what it records (nothing) would lose them.
      return absl::FailedPreconditionError(absl::StrCat(
          out_path_, ": ", st.st_size,
          " bytes, but the state records none written (a new state, or one "
          "that lost its records): give the --state directory that wrote "
          "them, or a new --out file"));
    }
    if (static_cast<uint64_t>(st.st_size) < length) {
      return absl::DataLossError(absl::StrCat(
          out_path_, ": ", st.st_size, " bytes, but the state records ", length,
          " written: the file was changed outside procmatch"));
    }
    // Bytes after the recorded length were written before a crash and are
    // written again from the outbox.
    if (::truncate(out_path_.c_str(), static_cast<off_t>(length)) != 0) {
      return Errno(out_path_, "truncate");
    }
  } else if (length > 0) {
    return absl::DataLossError(absl::StrCat(out_path_,
                                            ": missing, but the state records ",
                                            length, " bytes written"));
  }
  out_length_ = length;
  return Flush(&recovered_);
}

absl::Status AlertState::Flush(int* flushed) {
  uint64_t emitted = 0, length = 0;
  absl::Status read = ReadEmitted(&emitted, &length);
  if (!read.ok()) return read;
  std::string bytes;
  uint64_t last = emitted;
  leveldb::WriteBatch done;
  std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(Verified()));
  for (it->Seek(OutboxKey(emitted + 1));
       it->Valid() && it->key().starts_with(kOutboxPrefix); it->Next()) {
    uint64_t seq = 0;
    const absl::string_view key(it->key().data(), it->key().size());
    if (!absl::SimpleAtoi(key.substr(sizeof(kOutboxPrefix) - 1), &seq)) {
      return absl::DataLossError(
          absl::StrCat("state outbox: key \"", key, "\" is corrupt"));
    }
    bytes.append(it->value().data(), it->value().size());
    done.Delete(it->key());
    last = seq;
    if (flushed != nullptr) ++*flushed;
  }
  absl::Status iterated = FromLevelDb(it->status(), "state outbox");
  if (!iterated.ok()) return iterated;
  if (last == emitted) return absl::OkStatus();
  absl::Status appended = AppendSynced(out_path_, out_length_, bytes);
  if (!appended.ok()) return appended;
  out_length_ += bytes.size();
  done.Put(kEmittedKey, absl::StrCat(last, " ", out_length_));
  leveldb::WriteOptions sync;
  sync.sync = true;
  return FromLevelDb(db_->Write(sync, &done), "state");
}

absl::StatusOr<std::vector<v1::Alert>> AlertState::Commit(
    const std::vector<Raised>& raised) {
  std::vector<v1::Alert> emit;
  std::map<std::string, v1::Alert> written;  // This batch's state.
  leveldb::WriteBatch batch;
  for (const Raised& r : raised) {
    const std::string key =
        absl::StrCat(kStatePrefix, r.alert.rule_id(), "\x1f", r.notice_key);
    v1::Alert previous;
    bool seen = false;
    auto pending = written.find(key);
    if (pending != written.end()) {
      previous = pending->second;
      seen = true;
    } else {
      std::string value;
      leveldb::Status s = db_->Get(Verified(), key, &value);
      if (s.ok()) {
        if (!previous.ParseFromString(value)) {
          return absl::DataLossError(
              absl::StrCat("state for rule \"", r.alert.rule_id(),
                           "\", notice \"", r.notice_key, "\" is corrupt"));
        }
        seen = true;
      } else if (!s.IsNotFound()) {
        return FromLevelDb(s, "state");
      }
    }
    v1::Alert alert = r.alert;
    if (seen) {
      std::vector<std::string> changes = DescribeChanges(previous, alert);
      // The same criteria matched again (a repeat, or a change that did not
      // touch them): nothing to say.
      const bool same_match =
          previous.reasons_size() == alert.reasons_size() &&
          std::equal(alert.reasons().begin(), alert.reasons().end(),
                     previous.reasons().begin()) &&
          absl::StrJoin(previous.lot_ids(), ",") ==
              absl::StrJoin(alert.lot_ids(), ",");
      if (same_match) continue;
      alert.mutable_changes()->Assign(changes.begin(), changes.end());
    }
    v1::Alert stored = alert;
    stored.clear_changes();
    batch.Put(key, stored.SerializeAsString());
    written[key] = stored;
    std::string line;
    absl::Status appended =
        AppendRecord(alert, RecordFormat::kJsonLines, &line);
    if (!appended.ok()) return appended;
    batch.Put(OutboxKey(next_seq_++), line);
    emit.push_back(std::move(alert));
  }
  if (emit.empty()) return emit;
  batch.Put(kNextKey, absl::StrCat(next_seq_));
  leveldb::WriteOptions sync;
  sync.sync = true;
  absl::Status committed = FromLevelDb(db_->Write(sync, &batch), "state");
  if (!committed.ok()) return committed;
  absl::Status flushed = Flush(nullptr);
  if (!flushed.ok()) return flushed;
  return emit;
}

}  // namespace cli
}  // namespace procmatch
