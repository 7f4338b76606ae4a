#include "tests/support/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "base/clock.h"
#include "base/spawn.h"

namespace cellfleet::testing {
namespace {

int DecodeWaitStatus(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : -1; }

}  // namespace

absl::StatusOr<CommandResult> RunCommand(const std::vector<std::string>& argv,
                                         absl::Duration timeout, const std::string& stdin_text) {
  int out_pipe[2], err_pipe[2], in_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0 ||
      ::pipe2(in_pipe, O_CLOEXEC) != 0) {
    return absl::InternalError(absl::StrCat("pipe: ", std::strerror(errno)));
  }
  absl::StatusOr<pid_t> spawned =
      base::Spawn(argv).Dup(in_pipe[0], 0).Dup(out_pipe[1], 1).Dup(err_pipe[1], 2).Start();
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  if (!spawned.ok()) {
    ::close(in_pipe[1]);
    ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    return spawned.status();
  }
  const pid_t pid = *spawned;
  if (!stdin_text.empty()) {
    [[maybe_unused]] ssize_t n = ::write(in_pipe[1], stdin_text.data(), stdin_text.size());
  }
  ::close(in_pipe[1]);
  CommandResult result;
  const absl::Time start = base::Clock::Real().Now();
  const absl::Time deadline = start + timeout;
  bool out_open = true, err_open = true, killed = false;
  while (out_open || err_open) {
    pollfd fds[2] = {{out_open ? out_pipe[0] : -1, POLLIN, 0},
                     {err_open ? err_pipe[0] : -1, POLLIN, 0}};
    int left_ms = static_cast<int>(
        std::max<int64_t>(0, absl::ToInt64Milliseconds(deadline - base::Clock::Real().Now())));
    if (left_ms == 0 && !killed) {
      ::kill(pid, SIGKILL);
      killed = true;
    }
    ::poll(fds, 2, killed ? 1000 : left_ms);
    char buffer[8192];
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
      ssize_t n = ::read(fds[i].fd, buffer, sizeof(buffer));
      if (n > 0) {
        (i == 0 ? result.out : result.err).append(buffer, static_cast<size_t>(n));
      } else {
        (i == 0 ? out_open : err_open) = false;
      }
    }
  }
  ::close(out_pipe[0]);
  ::close(err_pipe[0]);
  int status = 0;
  rusage usage{};
  ::wait4(pid, &status, 0, &usage);
  result.exit_code = DecodeWaitStatus(status);
  result.cpu =
      absl::DurationFromTimeval(usage.ru_utime) + absl::DurationFromTimeval(usage.ru_stime);
  result.peak_rss_kb = usage.ru_maxrss;
  result.elapsed = base::Clock::Real().Now() - start;
  if (killed) {
    return absl::DeadlineExceededError(absl::StrCat(argv[0], " did not finish within ",
                                                    absl::FormatDuration(timeout),
                                                    "; output: ", result.out, result.err));
  }
  return result;
}

absl::StatusOr<Subprocess> Subprocess::Start(const std::vector<std::string>& argv,
                                             const std::string& log_path) {
  int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (log < 0)
    return absl::InternalError(absl::StrCat("open ", log_path, ": ", std::strerror(errno)));
  absl::StatusOr<pid_t> pid =
      base::Spawn(argv).Open(0, "/dev/null").Dup(log, 1).Dup(log, 2).Start();
  ::close(log);
  if (!pid.ok()) return pid.status();
  return Subprocess(*pid);
}

Subprocess::Subprocess(Subprocess&& other) noexcept
    : pid_(other.pid_), reaped_(other.reaped_), exit_code_(other.exit_code_) {
  other.pid_ = -1;
}

Subprocess::~Subprocess() {
  if (pid_ > 0 && !reaped_) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
}

void Subprocess::Signal(int signal_number) {
  if (pid_ > 0 && !reaped_) ::kill(pid_, signal_number);
}

absl::StatusOr<int> Subprocess::Wait(absl::Duration timeout) {
  if (reaped_) return exit_code_;
  absl::StatusOr<int> code = base::WaitForExit(pid_, timeout);
  if (!code.ok()) return code.status();
  reaped_ = true;
  exit_code_ = *code;
  return exit_code_;
}

absl::StatusOr<int> Subprocess::Stop(absl::Duration grace) {
  Signal(SIGTERM);
  absl::StatusOr<int> code = Wait(grace);
  if (code.ok()) return code;
  Signal(SIGKILL);
  (void)Wait(absl::Seconds(5));
  return code.status();
}

absl::StatusOr<std::string> WaitForFile(const std::string& path, absl::Duration timeout) {
  auto read = [&]() -> std::string {
    std::ifstream in(path);
    std::stringstream content;
    if (in) content << in.rdbuf();
    return content.str();
  };
  // Watch the directory so we wake when the file is renamed into place or written.
  const std::string dir = path.substr(0, path.rfind('/'));
  int inotify = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  if (inotify >= 0)
    ::inotify_add_watch(inotify, dir.c_str(), IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE);
  const absl::Time deadline = base::Clock::Real().Now() + timeout;
  std::string content = read();
  while (content.empty() && base::Clock::Real().Now() < deadline) {
    pollfd pfd{inotify, POLLIN, 0};
    int left_ms = static_cast<int>(
        std::max<int64_t>(1, absl::ToInt64Milliseconds(deadline - base::Clock::Real().Now())));
    ::poll(&pfd, 1, std::min(left_ms, 1000));  // re-check at least every second
    char events[4096];
    while (inotify >= 0 && ::read(inotify, events, sizeof(events)) > 0) {
    }
    content = read();
  }
  if (inotify >= 0) ::close(inotify);
  if (content.empty()) {
    return absl::DeadlineExceededError(
        absl::StrCat(path, " did not appear within ", absl::FormatDuration(timeout)));
  }
  return content;
}

std::string MakeTempDir(const std::string& prefix) {
  // Under TMPDIR when set: scripts/test.sh gives each run one, removed at its end.
  const char* tmpdir = std::getenv("TMPDIR");
  std::string tmpl =
      absl::StrCat(tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/tmp", "/", prefix, "-XXXXXX");
  if (::mkdtemp(tmpl.data()) == nullptr) std::abort();
  return tmpl;
}

}  // namespace cellfleet::testing
