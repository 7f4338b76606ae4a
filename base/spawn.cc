#include "base/spawn.h"

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "base/duration_text.h"

extern char** environ;

namespace cellfleet::base {

Spawn& Spawn::Dup(int parent_fd, int child_fd) {
  actions_.push_back({child_fd, parent_fd, "", 0, 0});
  return *this;
}

Spawn& Spawn::Open(int child_fd, const std::string& path, int flags, mode_t mode) {
  actions_.push_back({child_fd, -1, path, flags, mode});
  return *this;
}

absl::StatusOr<pid_t> Spawn::Start() const {
  if (argv_.empty()) return absl::InvalidArgumentError("spawn: no program given");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  for (const Action& a : actions_) {
    if (a.parent_fd >= 0) {
      posix_spawn_file_actions_adddup2(&actions, a.parent_fd, a.child_fd);
    } else {
      posix_spawn_file_actions_addopen(&actions, a.child_fd, a.path.c_str(), a.flags, a.mode);
    }
  }
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGPIPE}) sigaddset(&defaults, sig);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  std::vector<char*> argv;
  for (const std::string& arg : argv_) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &actions, &attr, argv.data(), environ);
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot run ", argv_[0], ": ", std::strerror(rc)));
  }
  return pid;
}

absl::StatusOr<int> WaitForExit(pid_t pid, absl::Duration timeout) {
  // A pidfd becomes readable when the child exits: wait on it, not on a timer.
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (pidfd >= 0) {
    pollfd pfd{pidfd, POLLIN, 0};
    ::poll(&pfd, 1, static_cast<int>(std::max<int64_t>(0, absl::ToInt64Milliseconds(timeout))));
    ::close(pidfd);
  }
  int status = 0;
  if (::waitpid(pid, &status, WNOHANG) != pid) {
    return absl::DeadlineExceededError(
        absl::StrCat("pid ", pid, " still running after ", base::DurationText(timeout)));
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace cellfleet::base
