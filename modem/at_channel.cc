#include "modem/at_channel.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "base/clock.h"
#include "base/duration_text.h"
#include "base/thread_name.h"
#include "modem/log_format.h"
#include "modem/replies/command_timeouts.h"
#include "modem/replies/urc.h"
#include "spdlog/spdlog.h"

namespace cellfleet::modem {
namespace {

// A command's deadline is the modem's, on the serial line: real time.
absl::Time RealNow() { return base::Clock::Real().Now(); }

bool MatchesPrefix(absl::string_view line, const std::vector<std::string>& prefixes) {
  for (const std::string& prefix : prefixes) {
    if (absl::StartsWithIgnoreCase(line, prefix)) return true;
  }
  return false;
}

bool IsEcho(absl::string_view line, absl::string_view command) {
  return absl::EqualsIgnoreCase(absl::StripAsciiWhitespace(line), command);
}

}  // namespace

AtChannel::AtChannel(std::unique_ptr<SerialPort> port, AtChannelOptions options)
    : port_(std::move(port)),
      port_name_(port_->name()),
      options_(options),
      wake_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)),
      framer_(options.max_line_bytes) {
  if (wake_fd_ < 0) {
    absl::MutexLock lock(&mu_);
    health_ = absl::InternalError(absl::StrCat("eventfd: ", std::strerror(errno)));
    return;
  }
  thread_ = std::thread([this] {
    base::NameThisThread("cf-at-io");
    Run();
  });
}

AtChannel::~AtChannel() {
  Close();
  if (thread_.joinable()) thread_.join();
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

void AtChannel::Close() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  Wake();  // the I/O thread leaves its loop and fails what is left
}

void AtChannel::Wake() {
  if (wake_fd_ < 0) return;
  uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof(one));
}

void AtChannel::Submit(AtCommand command, Callback done) {
  absl::Status refuse;
  {
    absl::MutexLock lock(&mu_);
    if (!health_.ok()) {
      refuse = health_;
    } else if (stopping_) {
      refuse = absl::CancelledError(absl::StrCat(port_name_, ": channel is closing"));
    } else if (queue_.size() >= options_.max_queued_commands) {
      refuse = absl::ResourceExhaustedError(
          absl::StrCat(port_name_, ": ", queue_.size(), " commands already queued"));
    } else {
      Pending pending;
      pending.command = std::move(command);
      pending.done = std::move(done);
      queue_.push_back(std::move(pending));
    }
  }
  if (!refuse.ok()) {
    done(refuse);
    return;
  }
  Wake();
}

absl::StatusOr<AtResponse> AtChannel::Execute(AtCommand command) {
  absl::Notification finished;
  absl::StatusOr<AtResponse> result = absl::UnknownError("not run");
  Submit(std::move(command), [&](absl::StatusOr<AtResponse> r) {
    result = std::move(r);
    finished.Notify();
  });
  finished.WaitForNotification();
  return result;
}

std::vector<absl::StatusOr<AtResponse>> AtChannel::ExecuteAll(std::vector<AtCommand> commands) {
  std::vector<absl::StatusOr<AtResponse>> results(commands.size(), absl::UnknownError("not run"));
  if (commands.empty()) return results;
  // Every callback must have run before `results` goes: a refusal runs on this thread,
  // an answer on the I/O thread, so count them rather than trust their order. The one
  // that completes the count notifies (as Execute does).
  std::atomic<size_t> remaining{commands.size()};
  absl::Notification all_done;
  for (size_t i = 0; i < commands.size(); ++i) {
    Submit(std::move(commands[i]), [&, i](absl::StatusOr<AtResponse> r) {
      results[i] = std::move(r);
      if (remaining.fetch_sub(1) == 1) all_done.Notify();
    });
  }
  all_done.WaitForNotification();
  return results;
}

int AtChannel::AddUrcHandler(UrcHandler handler) { return urc_handlers_.Add(std::move(handler)); }

void AtChannel::RemoveUrcHandler(int id) { urc_handlers_.Remove(id); }

absl::Status AtChannel::health() const {
  absl::MutexLock lock(&mu_);
  return health_;
}

AtChannelStats AtChannel::stats() const {
  return AtChannelStats{commands_sent_.load(), timeouts_.load(), urcs_.load(),
                        discarded_bytes_.load(), resyncs_.load()};
}

void AtChannel::Run() {
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) break;
    }
    if (!current_) {
      // Bytes already waiting were sent before the next command goes out, so they cannot
      // be its reply: a late answer to a timed-out command would otherwise complete it.
      if (health().ok()) ReadAvailable();
      StartNext();
    }

    int timeout_ms = -1;
    if (current_) {
      absl::Duration left = current_->deadline - RealNow();
      timeout_ms = static_cast<int>(std::max<int64_t>(0, absl::ToInt64Milliseconds(left) + 1));
    }
    bool port_open;
    {
      absl::MutexLock lock(&mu_);
      port_open = health_.ok();
    }
    pollfd fds[2] = {{wake_fd_, POLLIN, 0}, {port_open ? port_->fd() : -1, POLLIN, 0}};
    int rc = ::poll(fds, 2, timeout_ms);
    if (rc < 0 && errno != EINTR) {
      CloseWith(absl::InternalError(absl::StrCat(port_name_, ": poll: ", std::strerror(errno))));
      continue;
    }
    if (fds[0].revents & POLLIN) {
      uint64_t count;
      [[maybe_unused]] ssize_t n = ::read(wake_fd_, &count, sizeof(count));
    }
    if (port_open && fds[1].revents != 0) ReadAvailable();
    if (current_ && RealNow() >= current_->deadline) OnTimeout();
  }
  // Fail whatever is left.
  CloseWith(absl::CancelledError(absl::StrCat(port_name_, ": channel closed")));
}

void AtChannel::ReadAvailable() {
  // Until drained; a hang-up is reported by the read that follows the data.
  char buffer[4096];
  while (true) {
    absl::StatusOr<size_t> n = port_->ReadSome(buffer, sizeof(buffer));
    if (!n.ok()) {
      CloseWith(n.status());
      return;
    }
    if (*n == 0) return;
    size_t before = framer_.discarded_bytes();
    framer_.Feed(absl::string_view(buffer, *n),
                 [this](absl::string_view line) { HandleLine(line); });
    discarded_bytes_ += framer_.discarded_bytes() - before;
  }
}

void AtChannel::StartNext() {
  Pending next;
  {
    absl::MutexLock lock(&mu_);
    if (queue_.empty() || !health_.ok()) return;
    if (needs_resync_) {
      next.command = AtCommand::Action("AT");
      next.command.timeout = options_.resync_timeout;
      next.resync = true;
    } else {
      next = std::move(queue_.front());
      queue_.pop_front();
    }
  }
  next.started = RealNow();
  absl::Duration timeout =
      next.command.timeout.value_or(MaxResponseTime(next.command.text) + options_.timeout_margin);
  next.deadline = next.started + timeout;
  current_ = std::move(next);
  if (current_->resync) ++resyncs_;
  ++commands_sent_;
  absl::Status written =
      port_->WriteAll(absl::StrCat(current_->command.text, "\r"), absl::Seconds(1));
  if (!written.ok()) {
    if (absl::IsUnavailable(written)) {
      CloseWith(written);
    } else {
      CompleteCurrent(written);
    }
  }
}

void AtChannel::HandleLine(absl::string_view line) {
  if (!current_) {
    DispatchUrc(line);
    return;
  }
  Pending& cmd = *current_;
  if (!cmd.saw_information && IsEcho(line, cmd.command.text)) return;
  if (std::optional<FinalResult> final = ParseFinalResult(line)) {
    AtResponse response;
    response.lines = std::move(cmd.lines);
    response.final = std::move(*final);
    response.elapsed = RealNow() - cmd.started;
    CompleteCurrent(std::move(response));
    return;
  }
  if (cmd.resync) {
    if (IsKnownUrc(line)) DispatchUrc(line);
    return;
  }
  bool mine = (MatchesPrefix(line, cmd.command.response_prefixes) &&
               (!cmd.command.is_reply || cmd.command.is_reply(line))) ||
              (cmd.command.bare_lines && !IsKnownUrc(line));
  if (!mine) {
    DispatchUrc(line);
    return;
  }
  cmd.saw_information = true;
  if (cmd.lines.size() < options_.max_reply_lines) {
    cmd.lines.emplace_back(line);
  } else if (cmd.lines.size() == options_.max_reply_lines) {
    spdlog::warn("{}: reply to {} longer than {} lines; rest dropped", port_name_, cmd.command.text,
                 options_.max_reply_lines);
  }
}

void AtChannel::CompleteCurrent(absl::StatusOr<AtResponse> result) {
  Pending done = std::move(*current_);
  current_.reset();
  if (done.resync) {
    if (result.ok() && result->final.kind == FinalResultKind::kOk) {
      needs_resync_ = false;
      resync_failures_ = 0;
      spdlog::info("{}: resynchronised", port_name_);
    }
    return;
  }
  done.done(std::move(result));
}

void AtChannel::OnTimeout() {
  ++timeouts_;
  framer_.Reset();  // a half line from before belongs to nothing now
  needs_resync_ = true;
  if (current_->resync) {
    current_.reset();
    if (++resync_failures_ >= options_.resync_attempts) {
      resync_failures_ = 0;
      Pending head;
      {
        absl::MutexLock lock(&mu_);
        if (queue_.empty()) return;
        head = std::move(queue_.front());
        queue_.pop_front();
      }
      head.done(absl::UnavailableError(absl::StrCat(port_name_, ": modem does not answer AT (",
                                                    options_.resync_attempts, " attempts); ",
                                                    head.command.text, " not sent")));
    }
    return;
  }
  std::string message =
      absl::StrCat(port_name_, ": no final result to ", current_->command.text, " within ",
                   base::DurationText(current_->deadline - current_->started));
  spdlog::warn("{}", message);
  CompleteCurrent(absl::DeadlineExceededError(message));
}

void AtChannel::CloseWith(absl::Status status) {
  std::deque<Pending> failed;
  {
    absl::MutexLock lock(&mu_);
    if (health_.ok()) health_ = status;
    status = health_;
    failed.swap(queue_);
  }
  if (current_) {
    Pending cmd = std::move(*current_);
    current_.reset();
    if (!cmd.resync) {
      cmd.done(absl::Status(status.code(),
                            absl::StrCat(status.message(), " (during ", cmd.command.text, ")")));
    }
  }
  for (Pending& cmd : failed) cmd.done(status);
}

void AtChannel::DispatchUrc(absl::string_view line) {
  ++urcs_;
  urc_handlers_.Notify(line);
}

}  // namespace cellfleet::modem
