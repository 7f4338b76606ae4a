#include "modem/uucp_lock.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"

namespace cellfleet::modem {
namespace {

std::string ProgramName(pid_t pid) {
  std::ifstream comm(absl::StrCat("/proc/", pid, "/comm"));
  std::string name;
  std::getline(comm, name);
  return name.empty() ? "unknown program" : name;
}

// PID in a lock file: ASCII (the Linux convention) or, if not, a binary int.
std::optional<pid_t> ReadLockPid(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  char buffer[32] = {};
  ssize_t n = ::read(fd, buffer, sizeof(buffer) - 1);
  ::close(fd);
  if (n <= 0) return std::nullopt;
  int pid = 0;
  if (absl::SimpleAtoi(absl::StripAsciiWhitespace(absl::string_view(buffer, n)), &pid) && pid > 0) {
    return pid;
  }
  if (n == sizeof(int)) {
    std::memcpy(&pid, buffer, sizeof(int));
    if (pid > 0) return pid;
  }
  return std::nullopt;
}

bool ProcessAlive(pid_t pid) { return ::kill(pid, 0) == 0 || errno == EPERM; }

}  // namespace

std::string UucpLock::LockFilePath(const std::string& device_path, const std::string& lock_dir) {
  std::string resolved = device_path;
  if (char* real = ::realpath(device_path.c_str(), nullptr)) {
    resolved = real;
    std::free(real);
  }
  std::string name;
  if (size_t pos = resolved.find("dev/"); pos != std::string::npos) {
    name = absl::StrReplaceAll(resolved.substr(pos + 4), {{"/", "_"}});
  } else {
    size_t slash = resolved.rfind('/');
    name = slash == std::string::npos ? resolved : resolved.substr(slash + 1);
  }
  return absl::StrCat(lock_dir, "/LCK..", name);
}

absl::StatusOr<UucpLock> UucpLock::Acquire(const std::string& device_path,
                                           const std::string& lock_dir) {
  const std::string path = LockFilePath(device_path, lock_dir);
  // Bounded: each round either creates the file, fails, or removes a stale lock.
  for (int attempt = 0; attempt < 5; ++attempt) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd >= 0) {
      std::string content = absl::StrFormat("%10d\n", static_cast<int>(::getpid()));
      bool written =
          ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size());
      ::close(fd);
      if (!written) {
        ::unlink(path.c_str());
        return absl::UnavailableError(absl::StrCat("cannot write lock file ", path));
      }
      return UucpLock(path);
    }
    if (errno != EEXIST) {
      return absl::UnavailableError(absl::StrCat("cannot create lock file ", path, " for ",
                                                 device_path, ": ", std::strerror(errno)));
    }
    std::optional<pid_t> holder = ReadLockPid(path);
    if (holder && *holder == ::getpid()) {
      return absl::FailedPreconditionError(
          absl::StrCat(device_path, " is already locked by this process (", path, ")"));
    }
    if (holder && ProcessAlive(*holder)) {
      return absl::FailedPreconditionError(absl::StrCat(
          device_path, " is locked by pid ", *holder, " (", ProgramName(*holder), ") via ", path));
    }
    // Stale (owner gone) or unreadable: pppd removes these too.
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
      return absl::UnavailableError(
          absl::StrCat("cannot remove stale lock file ", path, ": ", std::strerror(errno)));
    }
  }
  return absl::UnavailableError(absl::StrCat("lock file ", path, " keeps changing; giving up"));
}

UucpLock::UucpLock(UucpLock&& other) noexcept : path_(std::move(other.path_)) {
  other.path_.clear();
}

UucpLock& UucpLock::operator=(UucpLock&& other) noexcept {
  if (this != &other) {
    Release();
    path_ = std::move(other.path_);
    other.path_.clear();
  }
  return *this;
}

UucpLock::~UucpLock() { Release(); }

void UucpLock::Release() {
  if (path_.empty()) return;
  // Only remove the file if it still names us (a forked child must not unlock).
  if (std::optional<pid_t> holder = ReadLockPid(path_); holder && *holder == ::getpid()) {
    ::unlink(path_.c_str());
  }
  path_.clear();
}

}  // namespace cellfleet::modem
