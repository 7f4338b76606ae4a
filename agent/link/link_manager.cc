#include "agent/link/link_manager.h"

#include <signal.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "convert/ppp_to_proto.h"
#include "modem/ppp/interface_counters.h"
#include "modem/ppp/ppp_files.h"
#include "modem/replies/command_timeouts.h"
#include "proto/time_convert.h"
#include "spdlog/spdlog.h"

namespace cellfleet::agent {
namespace {

using modem::ppp::LinkFailure;
using modem::ppp::LinkState;

// What the caller should do about a failure (see Dial's comment).
absl::Status FailureStatus(const modem::ppp::LinkStatus& link) {
  std::string message = absl::StrCat("dial failed: ", modem::ppp::LinkFailureName(link.failure));
  if (!link.detail.empty() && link.detail != modem::ppp::LinkFailureName(link.failure)) {
    absl::StrAppend(&message, " (pppd: ", link.detail, ")");
  }
  switch (link.failure) {
    case LinkFailure::kPortLocked:
    case LinkFailure::kPortOpenFailed:
    case LinkFailure::kNoKernelSupport:
    case LinkFailure::kNotPrivileged:
    case LinkFailure::kOptionError:
    case LinkFailure::kAuthRejected:
      return absl::FailedPreconditionError(message);
    default:
      return absl::UnavailableError(message);
  }
}

absl::Status ShuttingDown() {
  return absl::UnavailableError("the agent is shutting down; call again once it is back");
}

}  // namespace

v1::ConnectionStatus ToProto(const modem::ppp::LinkStatus& link) {
  v1::ConnectionStatus out;
  out.set_state(convert::StateToProto(link.state));
  if (link.state == LinkState::kFailed) {
    out.set_failure(convert::FailureToProto(link.failure));
    out.set_failure_detail(link.detail);
  }
  if (link.facts.interface_name) out.set_interface_name(*link.facts.interface_name);
  if (link.state == LinkState::kConnected) {
    if (link.facts.local_address) out.set_local_address(*link.facts.local_address);
    if (link.facts.remote_address) out.set_remote_address(*link.facts.remote_address);
    for (const std::string& dns : link.facts.dns_servers) out.add_dns_servers(dns);
    *out.mutable_connected_since() = ToProtoTime(link.connected_since);
  } else if (link.facts.bytes_sent && link.facts.bytes_received) {
    out.set_tx_bytes(*link.facts.bytes_sent);
    out.set_rx_bytes(*link.facts.bytes_received);
    out.set_counters_final(true);
  }
  return out;
}

LinkManager::LinkManager(LinkOptions options)
    : options_(std::move(options)),
      ppp_dir_(options_.state_dir + "/ppp"),
      pid_file_(ppp_dir_ + "/pppd.pid"),
      settings_(options_.settings),
      keep_up_(options_.keep_up),
      executor_("cf-link", *options_.clock) {
  status_.set_state(v1::CONNECTION_STATE_DISCONNECTED);
  backoff_ = keep_up_.initial_backoff;
  Post([this] { EndStalePppd(); });
}

LinkManager::~LinkManager() {
  std::shared_ptr<modem::ppp::PppdSupervisor> dialing;
  {
    absl::MutexLock lock(&mu_);
    want_up_ = false;
    dialing = dialing_;
  }
  if (dialing) dialing->RequestStop();   // shutdown does not wait out a dial
  executor_.Stop();                      // queued calls hear UNAVAILABLE; none starts pppd
  if (supervisor_) supervisor_->Stop();  // agent shutdown: pppd ends gracefully, reaped
  std::error_code ec;
  std::filesystem::remove(pid_file_, ec);
}

void LinkManager::Post(std::function<void()> task, std::function<void()> cancelled) {
  executor_.Post([task = std::move(task), cancelled = std::move(cancelled)](absl::Status status) {
    if (status.ok()) {
      task();
    } else if (cancelled) {
      cancelled();
    }
  });
}

void LinkManager::ArmRedial() {
  absl::Time at;
  {
    absl::MutexLock lock(&mu_);
    at = redial_at_;
  }
  if (at == absl::InfiniteFuture()) return;
  executor_.PostAt(at, [this](absl::Status status) {
    if (status.ok()) RedialIfDue();
  });
}

void LinkManager::RedialIfDue() {
  {
    absl::MutexLock lock(&mu_);
    // A hang-up, a dial or a later schedule since this timer was armed: not due.
    if (redial_at_ == absl::InfiniteFuture() || executor_.clock().Now() < redial_at_) return;
    redial_at_ = absl::InfiniteFuture();
    if (!dial_block_.empty()) return;  // SetDialBlock redials once the block lifts
    ++redial_attempts_;
  }
  // A keep-up redial; a failure schedules the next one.
  absl::StatusOr<v1::ConnectionStatus> redialed =
      DoDial(base::Clock::Real().Now() + modem::kDialTimeLimit);
  bool armed = false;
  {
    absl::MutexLock relock(&mu_);
    if (!redialed.ok() && want_up_) armed = ScheduleRedial(executor_.clock().Now());
  }
  if (armed) ArmRedial();
}

void LinkManager::EndStalePppd() {
  std::ifstream in(pid_file_);
  int pid = 0;
  if (!(in >> pid) || pid <= 1) return;
  // Only a pppd that runs our options file: the pid may have been reused since.
  std::ifstream cmdline(absl::StrCat("/proc/", pid, "/cmdline"));
  const std::string args((std::istreambuf_iterator<char>(cmdline)),
                         std::istreambuf_iterator<char>());
  std::ifstream comm_file(absl::StrCat("/proc/", pid, "/comm"));
  std::string comm;
  std::getline(comm_file, comm);
  if (comm == "pppd" && absl::StrContains(args, ppp_dir_ + "/options")) {
    spdlog::warn("pppd pid {} from an earlier agent run still holds the modem port; ending it",
                 pid);
    ::kill(pid, SIGTERM);
    const base::Clock& real = base::Clock::Real();  // a process ends in real time
    const absl::Time deadline = real.Now() + options_.stop_grace;
    while (::kill(pid, 0) == 0 && real.Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(50));  // not our child: no waitpid, poll its exit
    }
    if (::kill(pid, 0) == 0) ::kill(pid, SIGKILL);
  }
  std::error_code ec;
  std::filesystem::remove(pid_file_, ec);
}

void LinkManager::SetOnChange(std::function<void()> notify) {
  const int added = notify ? on_change_.Add(std::move(notify)) : 0;
  int previous = 0;
  {
    absl::MutexLock lock(&mu_);
    previous = on_change_id_;
    on_change_id_ = added;
  }
  if (previous != 0) on_change_.Remove(previous);  // waits for a call in progress
}

void LinkManager::Publish(const modem::ppp::LinkStatus& link) {
  bool armed = false;
  {
    absl::MutexLock lock(&mu_);
    // A session that fails without having come up is a failed dial (each pppd session
    // fails once); one that was up and drops is a link-down.
    if (link.state == LinkState::kFailed && up_since_ == absl::InfinitePast()) ++failed_dials_;
    status_ = ToProto(link);
    status_.set_redial_attempts(static_cast<uint32_t>(redial_attempts_));
    status_.set_config_version(config_version_);
    status_.set_failed_dials(failed_dials_);
    const absl::Time now = executor_.clock().Now();
    if (link.state == LinkState::kConnected) up_since_ = now;
    // A wanted link that drops after it was up: redial (a failed dial is rescheduled by
    // the redial task itself).
    if (link.state == LinkState::kFailed && want_up_ && up_since_ != absl::InfinitePast()) {
      if (now - up_since_ >= keep_up_.stable_after) {  // it had been stable: start afresh
        backoff_ = keep_up_.initial_backoff;
        redial_attempts_ = 0;
      }
      up_since_ = absl::InfinitePast();
      armed = ScheduleRedial(now);
    }
  }
  if (armed) ArmRedial();
  on_change_.Notify();
}

bool LinkManager::ScheduleRedial(absl::Time now) {
  const KeepUpPolicy& policy = keep_up_;
  if (!policy.enabled) return false;
  if (policy.max_attempts > 0 && redial_attempts_ >= policy.max_attempts) {
    want_up_ = false;  // given up: the status keeps FAILED and the attempt count
    return false;
  }
  std::uniform_real_distribution<double> factor(1.0 - policy.jitter, 1.0 + policy.jitter);
  redial_at_ = std::max(now + backoff_ * factor(jitter_rng_), hold_redials_until_);
  backoff_ = std::min(backoff_ * 2, policy.max_backoff);
  return true;
}

modem::ppp::ConnectionSettings LinkManager::Settings() const {
  absl::MutexLock lock(&mu_);
  return settings_;
}

v1::ConnectionStatus LinkManager::Status() const {
  v1::ConnectionStatus status;
  {
    absl::MutexLock lock(&mu_);
    status = status_;
    status.set_dial_blocked(dial_block_);
    if (redial_at_ != absl::InfiniteFuture()) {
      *status.mutable_next_redial_at() = ToProtoTime(redial_at_);
    }
  }
  if (status.state() == v1::CONNECTION_STATE_CONNECTED && !status.interface_name().empty()) {
    // Three small sysfs reads: cheap enough for every sample, and never the serial port.
    absl::StatusOr<modem::ppp::InterfaceCounters> counters =
        modem::ppp::ReadInterfaceCounters(status.interface_name(), options_.sysfs_net);
    if (counters.ok()) {
      status.set_rx_bytes(counters->rx_bytes);
      status.set_tx_bytes(counters->tx_bytes);
    }
  }
  return status;
}

void LinkManager::Dial(absl::Time deadline,
                       std::function<void(absl::StatusOr<v1::ConnectionStatus>)> done) {
  Post(
      [this, deadline, done] {
        if (absl::Status blocked = DialBlocked(); !blocked.ok()) {
          done(blocked);  // the wish to be up, if any, stands for when the block lifts
          return;
        }
        {
          absl::MutexLock lock(&mu_);  // an operator's dial starts the keep-up count afresh
          redial_attempts_ = 0;
          backoff_ = keep_up_.initial_backoff;
          redial_at_ = absl::InfiniteFuture();
          want_up_ = true;  // before dialing, so a drop right after CONNECTED is redialed
        }
        absl::StatusOr<v1::ConnectionStatus> link = DoDial(deadline);
        if (!link.ok()) {
          absl::MutexLock lock(&mu_);  // the operator sees the failure; no redials for it
          want_up_ = false;
        }
        done(std::move(link));
      },
      [done] { done(ShuttingDown()); });
}

absl::Status LinkManager::DialBlocked() const {
  absl::MutexLock lock(&mu_);
  if (dial_block_.empty()) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat("dialing is blocked: ", dial_block_));
}

absl::StatusOr<v1::ConnectionStatus> LinkManager::DoDial(absl::Time deadline) {
  if (absl::Status blocked = DialBlocked(); !blocked.ok()) return blocked;
  if (supervisor_ && supervisor_->status().state == LinkState::kConnected)
    return Status();  // already up
  if (supervisor_) supervisor_->Stop();
  std::error_code ec;
  std::filesystem::create_directories(ppp_dir_, ec);
  if (ec) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create ", ppp_dir_, ": ", ec.message()));
  }
  const modem::ppp::PppFilePaths paths = modem::ppp::PppFilePaths::InDirectory(ppp_dir_);
  modem::ppp::ConnectionSettings settings;
  uint64_t version = 0;
  {
    absl::MutexLock lock(&mu_);
    settings = settings_;
    version = config_version_;
  }
  // pppd names its UUCP lock after the path it opens: give it the device itself (not a
  // udev symlink) so that it shares one lock with picocom, minicom and our AT layer.
  if (std::filesystem::path device = std::filesystem::canonical(settings.modem_port, ec); !ec)
    settings.modem_port = device.string();
  if (absl::Status written = modem::ppp::WritePppFiles(settings, paths); !written.ok())
    return written;
  modem::ppp::SupervisorOptions supervisor_options;
  supervisor_options.pppd = options_.pppd;
  supervisor_options.args = modem::ppp::PppdArguments(paths, options_.peer);
  supervisor_options.stop_grace = options_.stop_grace;
  supervisor_options.clock = options_.clock;
  {
    absl::MutexLock lock(&mu_);
    up_since_ = absl::InfinitePast();  // a new session: it has not been up yet
  }
  supervisor_ = std::make_shared<modem::ppp::PppdSupervisor>(
      supervisor_options, [this](const modem::ppp::LinkStatus& link) { Publish(link); });
  if (absl::Status started = supervisor_->Start(); !started.ok()) return started;
  {
    std::ofstream pid_out(pid_file_, std::ios::trunc);  // for EndStalePppd after a crash
    pid_out << supervisor_->pid() << "\n";
  }
  {
    absl::MutexLock lock(&mu_);
    dialing_ = supervisor_;
  }
  modem::ppp::LinkStatus link = supervisor_->WaitUntilSettled(deadline - base::Clock::Real().Now());
  {
    absl::MutexLock lock(&mu_);
    dialing_.reset();
  }
  if (link.state == LinkState::kDisconnecting || link.state == LinkState::kDisconnected) {
    supervisor_->Stop();
    return absl::CancelledError("hung up before the link came up");
  }
  if (link.state == LinkState::kConnected) {
    v1::ConnectionStatus up = ToProto(link);
    up.set_config_version(version);
    return up;
  }
  if (link.state == LinkState::kDialing) {
    supervisor_->Stop();
    return absl::DeadlineExceededError(
        "the link did not come up before the call's deadline; dial attempt stopped");
  }
  return FailureStatus(link);
}

void LinkManager::HangUp(std::function<void(v1::ConnectionStatus)> done) {
  std::shared_ptr<modem::ppp::PppdSupervisor> dialing;
  {
    absl::MutexLock lock(&mu_);  // no redial after an operator's hang-up
    want_up_ = false;
    redial_at_ = absl::InfiniteFuture();
    dialing = dialing_;
  }
  // A dial in progress ends now rather than this hang-up waiting behind it.
  if (dialing) dialing->RequestStop();
  Post(
      [this, done] {
        if (supervisor_) supervisor_->Stop();
        bool was_failed = false;
        {
          // A failed link has no pppd left to stop: after the hang-up it is down, and the
          // last failure stays in the status as what the last dial met.
          absl::MutexLock lock(&mu_);
          was_failed = status_.state() == v1::CONNECTION_STATE_FAILED;
          if (was_failed) status_.set_state(v1::CONNECTION_STATE_DISCONNECTED);
        }
        if (was_failed) on_change_.Notify();
        done(Status());
      },
      [this, done] { done(Status()); });  // the shutdown hangs up anyway
}

void LinkManager::PrepareForModemOutage(absl::Time hold_until, std::function<void()> done) {
  std::shared_ptr<modem::ppp::PppdSupervisor> dialing;
  {
    absl::MutexLock lock(&mu_);
    hold_redials_until_ = hold_until;
    if (redial_at_ != absl::InfiniteFuture()) redial_at_ = std::max(redial_at_, hold_until);
    dialing = dialing_;
  }
  if (dialing) dialing->RequestStop();  // a dial in progress fails and is rescheduled
  Post(
      [this, done] {
        const bool dialed = supervisor_ != nullptr;
        if (dialed) supervisor_->Stop();  // LCP terminate while the modem still answers
        bool armed = false;
        {
          absl::MutexLock lock(&mu_);
          if (dialed && want_up_ && redial_at_ == absl::InfiniteFuture()) {
            armed = ScheduleRedial(executor_.clock().Now());
          }
        }
        if (armed) ArmRedial();
        done();
      },
      done);
}

void LinkManager::SetDialBlock(std::string reason) {
  std::shared_ptr<modem::ppp::PppdSupervisor> dialing;
  bool lifted = false;
  {
    absl::MutexLock lock(&mu_);
    if (reason == dial_block_) return;
    lifted = reason.empty();
    dial_block_ = std::move(reason);
    redial_at_ = absl::InfiniteFuture();
    if (lifted && want_up_) {  // the operator's wish stands: up again, now
      redial_attempts_ = 0;
      backoff_ = keep_up_.initial_backoff;
      redial_at_ = executor_.clock().Now();
    }
    dialing = lifted ? nullptr : dialing_;
  }
  if (lifted) {
    ArmRedial();
  } else {
    if (dialing) dialing->RequestStop();
    Post([this] {
      if (supervisor_) supervisor_->Stop();
    });
  }
  on_change_.Notify();
}

bool LinkManager::KeepUpEnabled() const {
  absl::MutexLock lock(&mu_);
  return keep_up_.enabled;
}

bool LinkManager::WantsUp() const {
  absl::MutexLock lock(&mu_);
  return want_up_;
}

void LinkManager::Reconfigure(modem::ppp::ConnectionSettings settings, KeepUpPolicy keep_up,
                              uint64_t version, bool redial, absl::Time deadline,
                              std::function<void(absl::StatusOr<v1::ConnectionStatus>)> done) {
  Post(
      [this, settings = std::move(settings), keep_up, version, redial, deadline, done]() mutable {
        {
          absl::MutexLock lock(&mu_);
          settings_ = std::move(settings);
          keep_up_ = keep_up;
          config_version_ = version;
          if (redial) {  // a fresh start for the new settings, as an operator's dial
            redial_attempts_ = 0;
            backoff_ = keep_up_.initial_backoff;
            redial_at_ = absl::InfiniteFuture();
            want_up_ = true;
          }
        }
        if (!redial) {
          done(Status());
          return;
        }
        if (supervisor_) supervisor_->Stop();  // the running link has the old settings
        absl::StatusOr<v1::ConnectionStatus> link = DoDial(deadline);
        bool armed = false;
        const bool blocked = !DialBlocked().ok();  // then redialed when the block lifts
        if (!link.ok() && !blocked) {
          absl::MutexLock lock(&mu_);
          if (keep_up_.enabled && want_up_) {
            armed =
                ScheduleRedial(executor_.clock().Now());  // keep-up keeps trying, as after a drop
          } else {
            want_up_ = false;
          }
        }
        if (armed) ArmRedial();
        done(std::move(link));
      },
      [done] { done(ShuttingDown()); });
}

}  // namespace cellfleet::agent
