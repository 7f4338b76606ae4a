#include "modem/serial_port.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "base/clock.h"
#include "base/status_macros.h"

namespace cellfleet::modem {
namespace {

absl::StatusOr<speed_t> BaudConstant(int baud) {
  switch (baud) {
    case 9600:
      return B9600;
    case 19200:
      return B19200;
    case 38400:
      return B38400;
    case 57600:
      return B57600;
    case 115200:
      return B115200;
    case 230400:
      return B230400;
    case 460800:
      return B460800;
    case 921600:
      return B921600;
    default:
      return absl::InvalidArgumentError(absl::StrCat("unsupported baud rate ", baud));
  }
}

absl::Status Errno(absl::string_view what, absl::string_view port) {
  return absl::UnavailableError(absl::StrCat(port, ": ", what, ": ", std::strerror(errno)));
}

bool IsGoneErrno(int err) { return err == EIO || err == ENXIO || err == ENODEV || err == EBADF; }

absl::Status ConfigureRaw(int fd, int baud, absl::string_view name) {
  ASSIGN_OR_RETURN(speed_t speed, BaudConstant(baud));
  termios tio{};
  if (::tcgetattr(fd, &tio) != 0) return Errno("tcgetattr", name);
  ::cfmakeraw(&tio);
  tio.c_cflag &= ~(CSTOPB | PARENB | CRTSCTS | CSIZE);
  tio.c_cflag |= CS8 | CLOCAL | CREAD;  // 8N1; CLOCAL: a USB tty has no carrier line
  // VMIN 1 with O_NONBLOCK: an empty port reads EAGAIN, so a read of 0 really is a hang-up.
  tio.c_cc[VMIN] = 1;
  tio.c_cc[VTIME] = 0;
  ::cfsetispeed(&tio, speed);
  ::cfsetospeed(&tio, speed);
  if (::tcsetattr(fd, TCSANOW, &tio) != 0) return Errno("tcsetattr", name);
  ::tcflush(fd, TCIOFLUSH);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<SerialPort>> SerialPort::Open(const std::string& path,
                                                             const SerialOptions& options) {
  std::optional<UucpLock> lock;
  if (options.use_lock_file) {
    ASSIGN_OR_RETURN(UucpLock acquired, UucpLock::Acquire(path, options.lock_dir));
    lock.emplace(std::move(acquired));
  }
  int fd = ::open(path.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    if (errno == EBUSY) {
      return absl::FailedPreconditionError(
          absl::StrCat(path, " is held exclusively by another program (TIOCEXCL)"));
    }
    if (errno == ENOENT || errno == ENODEV || errno == ENXIO) {
      return absl::UnavailableError(absl::StrCat(path, ": no such device"));
    }
    return Errno("open", path);
  }
  if (!::isatty(fd)) {
    ::close(fd);
    return absl::InvalidArgumentError(absl::StrCat(path, " is not a terminal device"));
  }
  if (absl::Status raw = ConfigureRaw(fd, options.baud, path); !raw.ok()) {
    ::close(fd);
    return raw;
  }
  if (options.exclusive && ::ioctl(fd, TIOCEXCL) != 0) {
    absl::Status error = Errno("TIOCEXCL", path);
    ::close(fd);
    return error;
  }
  return std::unique_ptr<SerialPort>(new SerialPort(fd, path, std::move(lock)));
}

absl::StatusOr<std::unique_ptr<SerialPort>> SerialPort::FromFd(int fd, std::string name, int baud) {
  if (fd < 0 || !::isatty(fd)) {
    return absl::InvalidArgumentError(absl::StrCat(name, ": fd ", fd, " is not a terminal"));
  }
  int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) return Errno("fcntl", name);
  RETURN_IF_ERROR(ConfigureRaw(fd, baud, name));
  return std::unique_ptr<SerialPort>(new SerialPort(fd, std::move(name), std::nullopt));
}

SerialPort::~SerialPort() {
  if (fd_ >= 0) ::close(fd_);
}

absl::StatusOr<size_t> SerialPort::ReadSome(char* buffer, size_t capacity) {
  ssize_t n = ::read(fd_, buffer, capacity);
  if (n > 0) return static_cast<size_t>(n);
  if (n == 0) return absl::UnavailableError(absl::StrCat(name_, ": device closed (end of file)"));
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return 0;
  if (IsGoneErrno(errno))
    return absl::UnavailableError(
        absl::StrCat(name_, ": device vanished (", std::strerror(errno), ")"));
  return Errno("read", name_);
}

absl::StatusOr<bool> SerialPort::WaitReadable(absl::Duration timeout) {
  pollfd pfd{fd_, POLLIN, 0};
  int ms = static_cast<int>(std::max<int64_t>(0, absl::ToInt64Milliseconds(timeout)));
  int rc = ::poll(&pfd, 1, ms);
  if (rc < 0) {
    if (errno == EINTR) return false;
    return Errno("poll", name_);
  }
  if (rc == 0) return false;
  if (pfd.revents & POLLIN) return true;  // data first; a hang-up shows on the next read
  if (pfd.revents & (POLLHUP | POLLERR | POLLNVAL)) {
    return absl::UnavailableError(absl::StrCat(name_, ": device hung up"));
  }
  return false;
}

absl::Status SerialPort::WriteAll(absl::string_view data, absl::Duration timeout) {
  const base::Clock& real = base::Clock::Real();  // the device drains in real time
  const absl::Time deadline = real.Now() + timeout;
  while (!data.empty()) {
    ssize_t n = ::write(fd_, data.data(), data.size());
    if (n > 0) {
      data.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
      if (IsGoneErrno(errno)) {
        return absl::UnavailableError(
            absl::StrCat(name_, ": device vanished during write (", std::strerror(errno), ")"));
      }
      return Errno("write", name_);
    }
    absl::Duration left = deadline - real.Now();
    if (left <= absl::ZeroDuration()) {
      return absl::DeadlineExceededError(absl::StrCat(name_, ": write did not drain in time"));
    }
    pollfd pfd{fd_, POLLOUT, 0};
    ::poll(&pfd, 1, static_cast<int>(std::max<int64_t>(1, absl::ToInt64Milliseconds(left))));
    if (pfd.revents & (POLLHUP | POLLERR | POLLNVAL)) {
      return absl::UnavailableError(absl::StrCat(name_, ": device hung up during write"));
    }
  }
  return absl::OkStatus();
}

}  // namespace cellfleet::modem
