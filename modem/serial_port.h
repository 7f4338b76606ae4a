// A raw serial port (termios 8N1), opened from a path or adopted from an fd.
#ifndef CELLFLEET_MODEM_SERIAL_PORT_H_
#define CELLFLEET_MODEM_SERIAL_PORT_H_

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "modem/uucp_lock.h"

namespace cellfleet::modem {

struct SerialOptions {
  int baud = 115200;
  // UUCP lock file, so pppd/picocom/minicom and we never share a port silently.
  bool use_lock_file = true;
  std::string lock_dir = kDefaultLockDir;
  // TIOCEXCL: further open() calls fail with EBUSY (except for CAP_SYS_ADMIN).
  bool exclusive = true;
};

class SerialPort {
 public:
  static absl::StatusOr<std::unique_ptr<SerialPort>> Open(const std::string& path,
                                                          const SerialOptions& options = {});
  // Adopts `fd` (a tty, e.g. a pseudo-terminal in tests); sets raw mode; takes ownership.
  static absl::StatusOr<std::unique_ptr<SerialPort>> FromFd(int fd, std::string name,
                                                            int baud = 115200);

  SerialPort(const SerialPort&) = delete;
  SerialPort& operator=(const SerialPort&) = delete;
  ~SerialPort();

  int fd() const { return fd_; }
  const std::string& name() const { return name_; }

  // Reads what is available without blocking: 0 bytes when none. UNAVAILABLE when the
  // device is gone (EIO, ENXIO, hang-up, or end of file).
  absl::StatusOr<size_t> ReadSome(char* buffer, size_t capacity);
  // Writes all of `data` within `timeout`; UNAVAILABLE if the device is gone,
  // DEADLINE_EXCEEDED if it does not drain.
  absl::Status WriteAll(absl::string_view data, absl::Duration timeout);
  // Waits until readable or `timeout`; UNAVAILABLE on hang-up.
  absl::StatusOr<bool> WaitReadable(absl::Duration timeout);

 private:
  SerialPort(int fd, std::string name, std::optional<UucpLock> lock)
      : fd_(fd), name_(std::move(name)), lock_(std::move(lock)) {}

  int fd_;
  std::string name_;
  std::optional<UucpLock> lock_;
};

}  // namespace cellfleet::modem

#endif  // CELLFLEET_MODEM_SERIAL_PORT_H_
