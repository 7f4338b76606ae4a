#include "base/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>

#include "absl/strings/str_cat.h"

namespace cellfleet::base {
namespace {

std::string DirectoryOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

AtomicFileSet::~AtomicFileSet() {
  for (const Staged& s : staged_) ::unlink(s.tmp.c_str());
}

absl::Status AtomicFileSet::Stage(const std::string& path, absl::string_view content,
                                  unsigned mode) {
  std::string tmp = absl::StrCat(path, ".tmp-XXXXXX");
  int fd = ::mkstemp(tmp.data());
  if (fd < 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot create a file in ", DirectoryOf(path), ": ", std::strerror(errno)));
  }
  auto fail = [&](absl::string_view what) {
    absl::Status error =
        absl::UnavailableError(absl::StrCat(what, " ", tmp, ": ", std::strerror(errno)));
    ::close(fd);
    ::unlink(tmp.c_str());
    return error;
  };
  if (::fchmod(fd, mode) != 0) return fail("chmod");
  for (size_t written = 0; written < content.size();) {
    ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("write");
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) return fail("fsync");
  if (::close(fd) != 0) {
    ::unlink(tmp.c_str());
    return absl::UnavailableError(absl::StrCat("close ", tmp, ": ", std::strerror(errno)));
  }
  staged_.push_back({path, tmp});
  return absl::OkStatus();
}

absl::Status AtomicFileSet::Commit() {
  std::set<std::string> directories;
  for (size_t i = 0; i < staged_.size(); ++i) {
    if (::rename(staged_[i].tmp.c_str(), staged_[i].path.c_str()) != 0) {
      absl::Status error = absl::UnavailableError(
          absl::StrCat("rename to ", staged_[i].path, ": ", std::strerror(errno)));
      staged_.erase(staged_.begin(), staged_.begin() + static_cast<long>(i));  // those are in place
      return error;
    }
    directories.insert(DirectoryOf(staged_[i].path));
  }
  staged_.clear();
  for (const std::string& dir : directories) {  // the renames must reach the disk too
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
      ::fsync(fd);
      ::close(fd);
    }
  }
  return absl::OkStatus();
}

absl::Status WriteFileAtomically(const std::string& path, absl::string_view content,
                                 unsigned mode) {
  AtomicFileSet file;
  if (absl::Status staged = file.Stage(path, content, mode); !staged.ok()) return staged;
  return file.Commit();
}

}  // namespace cellfleet::base
