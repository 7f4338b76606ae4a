#include "modem/ppp/pppd_supervisor.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "base/spawn.h"
#include "base/thread_name.h"
#include "modem/line_framer.h"
#include "modem/log_format.h"
#include "spdlog/spdlog.h"

namespace cellfleet::modem::ppp {

absl::string_view LinkStateName(LinkState state) {
  switch (state) {
    case LinkState::kDisconnected:
      return "DISCONNECTED";
    case LinkState::kDialing:
      return "DIALING";
    case LinkState::kConnected:
      return "CONNECTED";
    case LinkState::kDisconnecting:
      return "DISCONNECTING";
    case LinkState::kFailed:
      return "FAILED";
  }
  return "DISCONNECTED";
}

PppdSupervisor::PppdSupervisor(SupervisorOptions options,
                               std::function<void(const LinkStatus&)> on_change)
    : options_(std::move(options)), on_change_(std::move(on_change)) {}

PppdSupervisor::~PppdSupervisor() { Stop(); }

void PppdSupervisor::SetState(LinkState state) {
  status_.state = state;
  if (on_change_) undelivered_.push_back(status_);
}

void PppdSupervisor::DeliverChanges() {
  absl::MutexLock lock(&mu_);
  // Another thread's delivery (perhaps of our changes too) ends first: when this
  // returns, every change made before the call has been told, in order.
  auto idle = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return !delivering_; };
  mu_.Await(absl::Condition(&idle));
  delivering_ = true;
  while (!undelivered_.empty()) {
    const LinkStatus change = std::move(undelivered_.front());
    undelivered_.pop_front();
    mu_.Unlock();
    on_change_(change);
    mu_.Lock();
  }
  delivering_ = false;
}

absl::Status PppdSupervisor::Start() {
  absl::Status started = Spawn();
  DeliverChanges();
  return started;
}

absl::Status PppdSupervisor::Spawn() {
  absl::MutexLock lock(&mu_);
  if (pid_ > 0 && !exited_) return absl::FailedPreconditionError("pppd is already running");
  if (follower_.joinable()) follower_.join();  // a previous run, finished
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0)
    return absl::InternalError(absl::StrCat("pipe: ", std::strerror(errno)));
  std::vector<std::string> argv = {options_.pppd};
  argv.insert(argv.end(), options_.args.begin(), options_.args.end());
  absl::StatusOr<pid_t> pid =
      base::Spawn(argv).Open(0, "/dev/null").Dup(pipe_fds[1], 1).Dup(pipe_fds[1], 2).Start();
  ::close(pipe_fds[1]);
  if (!pid.ok()) {
    ::close(pipe_fds[0]);
    return pid.status();
  }
  pid_ = *pid;
  exited_ = false;
  stopping_ = false;
  parser_ = PppdLogParser();
  status_ = LinkStatus();
  SetState(LinkState::kDialing);
  follower_ = std::thread([this, fd = pipe_fds[0]] {
    base::NameThisThread("cf-pppd-log");
    Follow(fd);
  });
  return absl::OkStatus();
}

void PppdSupervisor::Follow(int fd) {
  LineFramer framer;
  char buffer[4096];
  // pppd logs "local IP", "remote IP" and then the DNS lines: the link counts as up
  // after the first other line or 200 ms of quiet, so the caller gets the DNS too.
  bool up_pending = false;
  auto declare_up = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    status_.connected_since = options_.clock->Now();
    SetState(LinkState::kConnected);
  };
  while (true) {
    pollfd pfd{fd, POLLIN, 0};
    int ready = ::poll(&pfd, 1, up_pending ? 200 : -1);
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) {  // quiet after the addresses
      {
        absl::MutexLock lock(&mu_);
        if (status_.state == LinkState::kDialing) declare_up();
      }
      DeliverChanges();
      up_pending = false;
      continue;
    }
    ssize_t n = ::read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // pppd closed its output: it is exiting
    framer.Feed(absl::string_view(buffer, static_cast<size_t>(n)), [&](absl::string_view line) {
      spdlog::debug("pppd: {}", line);  // the agent's journal keeps pppd's own words
      absl::MutexLock lock(&mu_);
      const bool was_up = parser_.facts().ip_up();
      const size_t dns_before = parser_.facts().dns_servers.size();
      const bool had_remote = parser_.facts().remote_address.has_value();
      parser_.Feed(line);
      status_.facts = parser_.facts();
      if (status_.state != LinkState::kDialing) return;
      const bool address_line = status_.facts.dns_servers.size() != dns_before ||
                                status_.facts.remote_address.has_value() != had_remote;
      if (!was_up && status_.facts.ip_up()) {
        up_pending = true;
      } else if (up_pending && !address_line) {
        declare_up();
        up_pending = false;
      }
    });
    DeliverChanges();
  }
  {
    absl::MutexLock lock(&mu_);
    if (up_pending && status_.state == LinkState::kDialing) declare_up();
  }
  DeliverChanges();
  ::close(fd);
  pid_t pid;
  {
    absl::MutexLock lock(&mu_);
    pid = pid_;
  }
  int wait_status = 0;
  while (::waitpid(pid, &wait_status, 0) < 0 && errno == EINTR) {
  }
  RecordExit(wait_status);
  DeliverChanges();
}

void PppdSupervisor::RecordExit(int wait_status) {
  absl::MutexLock lock(&mu_);
  exited_ = true;
  status_.exit_code = WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1;
  status_.facts = parser_.facts();
  if (stopping_) {
    status_.failure = LinkFailure::kNone;
    SetState(LinkState::kDisconnected);
    return;
  }
  status_.failure = WIFEXITED(wait_status)
                        ? FailureFromExit(status_.exit_code, status_.facts.connect_script_status)
                        : LinkFailure::kInternal;
  // Exit 0 ("terminated at the peer's request") or 5 (a signal) that the agent did not
  // ask for: the link dropped, and the caller must hear it as a failure to redial.
  if (status_.failure == LinkFailure::kNone || status_.failure == LinkFailure::kTerminated ||
      (status_.facts.terminated_by_peer && status_.failure == LinkFailure::kModemHangup)) {
    status_.failure = LinkFailure::kPeerTerminated;
  }
  // A network that refuses our credentials often drops the call at once too: pppd may
  // then exit "Modem hangup" (16), but the refusal is the reason.
  if (status_.facts.auth_rejected_by_peer && status_.failure != LinkFailure::kNone) {
    status_.failure = LinkFailure::kAuthRejected;
    status_.detail = status_.facts.auth_rejection;
  } else if (status_.failure == LinkFailure::kPeerTerminated && status_.facts.terminated_by_peer) {
    status_.detail = "LCP terminated by peer";
  } else {
    status_.detail = status_.facts.last_problem.empty()
                         ? std::string(LinkFailureName(status_.failure))
                         : status_.facts.last_problem;
  }
  SetState(status_.failure == LinkFailure::kNone ? LinkState::kDisconnected : LinkState::kFailed);
}

LinkStatus PppdSupervisor::WaitUntilSettled(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto settled = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return status_.state != LinkState::kDialing;
  };
  mu_.AwaitWithTimeout(absl::Condition(&settled), timeout);
  return status_;
}

LinkStatus PppdSupervisor::Stop() {
  pid_t pid;
  {
    absl::MutexLock lock(&mu_);
    pid = pid_;
    if (pid > 0 && !exited_) {
      if (!stopping_) {
        stopping_ = true;
        SetState(LinkState::kDisconnecting);
        ::kill(pid, SIGTERM);  // pppd hangs up (disconnect script) and exits 5
      }
      auto exited = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return exited_; };
      if (!mu_.AwaitWithTimeout(absl::Condition(&exited), options_.stop_grace)) {
        ::kill(pid, SIGKILL);  // bounded: a wedged pppd does not hold the agent
        mu_.Await(absl::Condition(&exited));
      }
    }
  }
  DeliverChanges();
  if (follower_.joinable()) follower_.join();  // reaped: no zombie
  return status();
}

void PppdSupervisor::RequestStop() {
  {
    absl::MutexLock lock(&mu_);
    if (pid_ <= 0 || exited_ || stopping_) return;
    stopping_ = true;
    SetState(LinkState::kDisconnecting);
    ::kill(pid_, SIGTERM);
  }
  DeliverChanges();
}

LinkStatus PppdSupervisor::status() const {
  absl::MutexLock lock(&mu_);
  return status_;
}

pid_t PppdSupervisor::pid() const {
  absl::MutexLock lock(&mu_);
  return pid_;
}

}  // namespace cellfleet::modem::ppp
