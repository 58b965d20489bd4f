#include "procmatch/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"

namespace procmatch {
namespace {

std::string Directory(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

absl::Status Errno(const std::string& path, absl::string_view what) {
  return absl::Status(
      errno == ENOSPC || errno == EDQUOT
          ? absl::StatusCode::kResourceExhausted
          : absl::StatusCode::kFailedPrecondition,
      absl::StrCat(path, ": ", what, ": ", std::strerror(errno)));
}

}  // namespace

absl::Status CheckOutputPath(const std::string& path) {
  if (path.empty()) return absl::InvalidArgumentError("output path is empty");
  struct stat st;
  if (stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    return absl::FailedPreconditionError(absl::StrCat(
        path, ": exists and is not a regular file; refusing to replace it"));
  }
  const std::string dir = Directory(path);
  if (stat(dir.c_str(), &st) != 0) return Errno(path, "directory " + dir);
  if (!S_ISDIR(st.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, ": ", dir, " is not a directory"));
  }
  if (access(dir.c_str(), W_OK) != 0) {
    return Errno(path, absl::StrCat("cannot write in ", dir));
  }
  return absl::OkStatus();
}

absl::Status WriteFileAtomically(const std::string& path,
                                 absl::string_view content) {
  absl::Status usable = CheckOutputPath(path);
  if (!usable.ok()) return usable;
  std::string tmp_name = absl::StrCat(path, ".tmp-XXXXXX");
  std::vector<char> tmp(tmp_name.begin(), tmp_name.end());
  tmp.push_back('\0');
  const int fd = mkstemp(tmp.data());
  if (fd < 0) return Errno(path, "cannot create a temporary file");
  const std::string tmp_path(tmp.data());
  auto fail = [&](absl::string_view what) {
    absl::Status s = Errno(path, what);
    close(fd);
    unlink(tmp_path.c_str());
    return s;
  };
  size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("cannot write");
    }
    done += static_cast<size_t>(n);
  }
  // mkstemp creates 0600; outputs are ordinary files.
  const mode_t mask = umask(0);
  umask(mask);
  if (fchmod(fd, 0666 & ~mask) != 0) return fail("cannot set permissions");
  if (fsync(fd) != 0) return fail("cannot flush to disk");
  if (close(fd) != 0) {
    absl::Status s = Errno(path, "cannot close");
    unlink(tmp_path.c_str());
    return s;
  }
  if (rename(tmp_path.c_str(), path.c_str()) != 0) {
    absl::Status s = Errno(path, "cannot replace");
    unlink(tmp_path.c_str());
    return s;
  }
  // The rename itself is durable once the directory is flushed.
  const int dir = open(Directory(path).c_str(), O_RDONLY | O_DIRECTORY);
  if (dir >= 0) {
    fsync(dir);
    close(dir);
  }
  return absl::OkStatus();
}

}  // namespace procmatch
