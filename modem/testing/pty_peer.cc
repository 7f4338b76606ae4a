#include "modem/testing/pty_peer.h"

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <termios.h>
#include <unistd.h>

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "base/clock.h"

namespace cellfleet::testing {

PtyPeer::PtyPeer() {
  char name[256] = {};
  if (::openpty(&master_fd_, &slave_fd_, name, nullptr, nullptr) != 0) std::abort();
  termios tio{};
  ::tcgetattr(slave_fd_, &tio);
  ::cfmakeraw(&tio);
  ::tcsetattr(slave_fd_, TCSANOW, &tio);
  ::fcntl(master_fd_, F_SETFL, ::fcntl(master_fd_, F_GETFL) | O_NONBLOCK);
  slave_path_ = name;
}

PtyPeer::~PtyPeer() {
  Close();
  if (slave_fd_ >= 0) ::close(slave_fd_);
}

int PtyPeer::TakeSlaveFd() {
  int fd = slave_fd_;
  slave_fd_ = -1;
  return fd;
}

void PtyPeer::Write(absl::string_view bytes) {
  while (!bytes.empty() && master_fd_ >= 0) {
    ssize_t n = ::write(master_fd_, bytes.data(), bytes.size());
    if (n > 0) {
      bytes.remove_prefix(static_cast<size_t>(n));
    } else {
      pollfd pfd{master_fd_, POLLOUT, 0};
      if (::poll(&pfd, 1, 5000) <= 0) return;
    }
  }
}

absl::StatusOr<std::string> PtyPeer::ReadUntil(absl::string_view needle, absl::Duration timeout) {
  const absl::Time deadline = base::Clock::Real().Now() + timeout;
  while (true) {
    if (size_t pos = pending_.find(needle.data(), 0, needle.size()); pos != std::string::npos) {
      std::string out = pending_.substr(0, pos + needle.size());
      pending_.erase(0, pos + needle.size());
      return out;
    }
    absl::Duration left = deadline - base::Clock::Real().Now();
    if (left <= absl::ZeroDuration() || master_fd_ < 0) {
      return absl::DeadlineExceededError(
          absl::StrCat("peer did not see \"", needle, "\"; got \"", pending_, "\""));
    }
    pollfd pfd{master_fd_, POLLIN, 0};
    if (::poll(&pfd, 1, static_cast<int>(absl::ToInt64Milliseconds(left)) + 1) > 0) {
      char buffer[4096];
      ssize_t n = ::read(master_fd_, buffer, sizeof(buffer));
      if (n > 0) pending_.append(buffer, static_cast<size_t>(n));
    }
  }
}

std::string PtyPeer::ReadFor(absl::Duration window) {
  const absl::Time deadline = base::Clock::Real().Now() + window;
  while (master_fd_ >= 0) {
    absl::Duration left = deadline - base::Clock::Real().Now();
    if (left <= absl::ZeroDuration()) break;
    pollfd pfd{master_fd_, POLLIN, 0};
    if (::poll(&pfd, 1, static_cast<int>(absl::ToInt64Milliseconds(left)) + 1) > 0) {
      char buffer[4096];
      ssize_t n = ::read(master_fd_, buffer, sizeof(buffer));
      if (n > 0) pending_.append(buffer, static_cast<size_t>(n));
    }
  }
  std::string out;
  out.swap(pending_);
  return out;
}

void PtyPeer::Close() {
  if (master_fd_ >= 0) ::close(master_fd_);
  master_fd_ = -1;
}

}  // namespace cellfleet::testing
