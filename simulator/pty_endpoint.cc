#include "simulator/pty_endpoint.h"

#include <fcntl.h>
#include <pty.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace cellfleet::simulator {

absl::StatusOr<std::unique_ptr<PtyEndpoint>> PtyEndpoint::Create(std::string link_path, int group) {
  int master = -1;
  int slave = -1;
  char name[256] = {};
  if (::openpty(&master, &slave, name, nullptr, nullptr) != 0) {
    return absl::ResourceExhaustedError(absl::StrCat("openpty: ", std::strerror(errno)));
  }
  termios tio{};
  ::tcgetattr(slave, &tio);
  ::cfmakeraw(&tio);  // no line discipline: bytes pass as a USB serial port passes them
  ::tcsetattr(slave, TCSANOW, &tio);
  ::fcntl(master, F_SETFL, ::fcntl(master, F_GETFL) | O_NONBLOCK);
  ::fcntl(master, F_SETFD, FD_CLOEXEC);
  ::fcntl(slave, F_SETFD, FD_CLOEXEC);
  if (group >= 0 && (::fchown(slave, static_cast<uid_t>(-1), static_cast<gid_t>(group)) != 0 ||
                     ::fchmod(slave, 0660) != 0)) {
    absl::Status error = absl::PermissionDeniedError(
        absl::StrCat("cannot give ", name, " to group ", group, ": ", std::strerror(errno)));
    ::close(master);
    ::close(slave);
    return error;
  }
  ::unlink(link_path.c_str());
  if (::symlink(name, link_path.c_str()) != 0) {
    absl::Status error = absl::UnavailableError(
        absl::StrCat("symlink ", link_path, " -> ", name, ": ", std::strerror(errno)));
    ::close(master);
    ::close(slave);
    return error;
  }
  return std::unique_ptr<PtyEndpoint>(new PtyEndpoint(master, slave, name, std::move(link_path)));
}

PtyEndpoint::~PtyEndpoint() {
  ::unlink(link_path_.c_str());
  if (slave_fd_ >= 0) ::close(slave_fd_);
  ::close(master_fd_);
}

void PtyEndpoint::ReleaseHold() {
  if (slave_fd_ >= 0) ::close(slave_fd_);
  slave_fd_ = -1;
}

void PtyEndpoint::Hold() {
  if (slave_fd_ < 0) slave_fd_ = ::open(slave_path_.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
}

}  // namespace cellfleet::simulator
