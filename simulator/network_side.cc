#include "simulator/network_side.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "base/spawn.h"

namespace cellfleet::simulator {

Reaper::~Reaper() {
  for (auto& [pid, since] : dying_) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  }
}

void Reaper::Reap(absl::Time now) {
  for (auto it = dying_.begin(); it != dying_.end();) {
    if (::waitpid(it->first, nullptr, WNOHANG) == it->first) {
      it = dying_.erase(it);
      continue;
    }
    if (now - it->second > grace_) ::kill(it->first, SIGKILL);
    ++it;
  }
}

absl::StatusOr<std::unique_ptr<NetworkSide>> NetworkSide::Start(
    const std::vector<std::string>& command) {
  int sockets[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sockets) != 0)
    return absl::InternalError(absl::StrCat("socketpair: ", std::strerror(errno)));
  absl::StatusOr<pid_t> pid = base::Spawn(command).Dup(sockets[1], 0).Dup(sockets[1], 1).Start();
  ::close(sockets[1]);
  if (!pid.ok()) {
    ::close(sockets[0]);
    return pid.status();
  }
  ::fcntl(sockets[0], F_SETFL, ::fcntl(sockets[0], F_GETFL) | O_NONBLOCK);
  return std::unique_ptr<NetworkSide>(new NetworkSide(sockets[0], *pid));
}

NetworkSide::~NetworkSide() {
  if (fd_ >= 0) ::close(fd_);
}

void NetworkSide::Send(absl::string_view data) {
  if (data.empty()) return;
  [[maybe_unused]] ssize_t n = ::send(fd_, data.data(), data.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
}

void NetworkSide::Stop() { ::kill(pid_, SIGTERM); }

}  // namespace cellfleet::simulator
