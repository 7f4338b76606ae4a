// The UUCP lock-file convention pppd, chat, picocom and minicom honour: a file
// `LCK..<name>` in the lock directory holding the owner's PID as 10 ASCII digits.
#ifndef CELLFLEET_MODEM_UUCP_LOCK_H_
#define CELLFLEET_MODEM_UUCP_LOCK_H_

#include <string>

#include "absl/status/statusor.h"

namespace cellfleet::modem {

inline constexpr char kDefaultLockDir[] = "/var/lock";

class UucpLock {
 public:
  // Takes the lock for `device_path`. A stale lock (its PID is gone) is removed. A live
  // one gives FAILED_PRECONDITION naming the holder's PID and program.
  static absl::StatusOr<UucpLock> Acquire(const std::string& device_path,
                                          const std::string& lock_dir = kDefaultLockDir);

  // The lock file pppd 2.4.9 would use: the part after "dev/" with '/' turned to '_'
  // ("/dev/pts/3" -> "LCK..pts_3"), else the basename. Symlinks are resolved first so
  // that a stable name (/dev/cellfleet/x/at) and its target share one lock.
  static std::string LockFilePath(const std::string& device_path, const std::string& lock_dir);

  UucpLock(UucpLock&& other) noexcept;
  UucpLock& operator=(UucpLock&& other) noexcept;
  UucpLock(const UucpLock&) = delete;
  UucpLock& operator=(const UucpLock&) = delete;
  ~UucpLock();

  const std::string& path() const { return path_; }

 private:
  explicit UucpLock(std::string path) : path_(std::move(path)) {}
  void Release();

  std::string path_;  // empty when moved from
};

}  // namespace cellfleet::modem

#endif  // CELLFLEET_MODEM_UUCP_LOCK_H_
