#include "agent/link_manager.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "modem/ppp/interface_counters.h"
#include "modem/ppp/ppp_files.h"

namespace cellfleet::agent {
namespace {

using modem::ppp::LinkFailure;
using modem::ppp::LinkState;

v1::ConnectionFailure FailureToProto(LinkFailure failure) {
  switch (failure) {
    case LinkFailure::kNone:
      return v1::CONNECTION_FAILURE_UNSPECIFIED;
    case LinkFailure::kPortLocked:
      return v1::CONNECTION_FAILURE_PORT_LOCKED;
    case LinkFailure::kPortOpenFailed:
      return v1::CONNECTION_FAILURE_PORT_OPEN_FAILED;
    case LinkFailure::kChatTimeout:
      return v1::CONNECTION_FAILURE_CHAT_TIMEOUT;
    case LinkFailure::kNoCarrier:
      return v1::CONNECTION_FAILURE_NO_CARRIER;
    case LinkFailure::kModemError:
      return v1::CONNECTION_FAILURE_MODEM_ERROR;
    case LinkFailure::kBusy:
      return v1::CONNECTION_FAILURE_BUSY;
    case LinkFailure::kNoAnswer:
      return v1::CONNECTION_FAILURE_NO_ANSWER;
    case LinkFailure::kNoDialtone:
      return v1::CONNECTION_FAILURE_NO_DIALTONE;
    case LinkFailure::kConnectScriptFailed:
      return v1::CONNECTION_FAILURE_CONNECT_SCRIPT_FAILED;
    case LinkFailure::kNegotiationFailed:
      return v1::CONNECTION_FAILURE_NEGOTIATION_FAILED;
    case LinkFailure::kAuthRejected:
      return v1::CONNECTION_FAILURE_AUTH_REJECTED;
    case LinkFailure::kPeerAuthFailed:
      return v1::CONNECTION_FAILURE_PEER_AUTH_FAILED;
    case LinkFailure::kEchoTimeout:
      return v1::CONNECTION_FAILURE_ECHO_TIMEOUT;
    case LinkFailure::kModemHangup:
      return v1::CONNECTION_FAILURE_MODEM_HANGUP;
    case LinkFailure::kNoKernelSupport:
      return v1::CONNECTION_FAILURE_NO_KERNEL_SUPPORT;
    case LinkFailure::kNotPrivileged:
      return v1::CONNECTION_FAILURE_NOT_PRIVILEGED;
    case LinkFailure::kOptionError:
      return v1::CONNECTION_FAILURE_OPTION_ERROR;
    case LinkFailure::kTerminated:
    case LinkFailure::kInternal:
      break;
  }
  return v1::CONNECTION_FAILURE_INTERNAL;
}

v1::ConnectionState StateToProto(LinkState state) {
  switch (state) {
    case LinkState::kDisconnected:
      return v1::CONNECTION_STATE_DISCONNECTED;
    case LinkState::kDialing:
      return v1::CONNECTION_STATE_DIALING;
    case LinkState::kConnected:
      return v1::CONNECTION_STATE_CONNECTED;
    case LinkState::kDisconnecting:
      return v1::CONNECTION_STATE_DISCONNECTING;
    case LinkState::kFailed:
      return v1::CONNECTION_STATE_FAILED;
  }
  return v1::CONNECTION_STATE_UNSPECIFIED;
}

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

}  // namespace

v1::ConnectionStatus ToProto(const modem::ppp::LinkStatus& link) {
  v1::ConnectionStatus out;
  out.set_state(StateToProto(link.state));
  if (link.state == LinkState::kFailed) {
    out.set_failure(FailureToProto(link.failure));
    out.set_failure_detail(link.detail);
  }
  if (link.facts.interface_name) out.set_interface_name(*link.facts.interface_name);
  if (link.state == LinkState::kConnected) {
    if (link.facts.local_address) out.set_local_address(*link.facts.local_address);
    if (link.facts.remote_address) out.set_remote_address(*link.facts.remote_address);
    for (const std::string& dns : link.facts.dns_servers) out.add_dns_servers(dns);
    *out.mutable_connected_since() = google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
        absl::ToUnixNanos(link.connected_since));
  }
  return out;
}

LinkManager::LinkManager(LinkOptions options) : options_(std::move(options)) {
  status_.set_state(v1::CONNECTION_STATE_DISCONNECTED);
  backoff_ = options_.keep_up.initial_backoff;
  thread_ = std::thread([this] { Run(); });
}

LinkManager::~LinkManager() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
}

void LinkManager::Post(std::function<void()> task) {
  absl::MutexLock lock(&mu_);
  tasks_.push_back(std::move(task));
}

void LinkManager::Run() {
  while (true) {
    std::function<void()> task;
    {
      absl::MutexLock lock(&mu_);
      // Wakes for work, for shutdown, or to re-arm the wait when a redial is scheduled.
      auto ready = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
        return stopping_ || !tasks_.empty() || rearm_;
      };
      mu_.AwaitWithDeadline(absl::Condition(&ready), redial_at_);
      rearm_ = false;
      if (stopping_ && tasks_.empty()) break;
      if (!tasks_.empty()) {
        task = std::move(tasks_.front());
        tasks_.pop_front();
      } else if (absl::Now() >= redial_at_) {
        redial_at_ = absl::InfiniteFuture();
        ++redial_attempts_;
        task = [this] {  // a keep-up redial; a failure schedules the next one
          absl::StatusOr<v1::ConnectionStatus> redialed = DoDial(absl::Now() + absl::Seconds(90));
          absl::MutexLock relock(&mu_);
          if (!redialed.ok() && want_up_) ScheduleRedial(absl::Now());
        };
      } else {
        continue;
      }
    }
    task();
  }
  if (supervisor_) supervisor_->Stop();  // agent shutdown: pppd ends gracefully, reaped
}

void LinkManager::Publish(const modem::ppp::LinkStatus& link) {
  absl::MutexLock lock(&mu_);
  status_ = ToProto(link);
  status_.set_redial_attempts(static_cast<uint32_t>(redial_attempts_));
  const absl::Time now = absl::Now();
  if (link.state == LinkState::kConnected) up_since_ = now;
  // A wanted link that drops after it was up: redial (a failed dial is rescheduled by
  // the redial task itself).
  if (link.state == LinkState::kFailed && want_up_ && up_since_ != absl::InfinitePast()) {
    if (now - up_since_ >= options_.keep_up.stable_after) {  // it had been stable: start afresh
      backoff_ = options_.keep_up.initial_backoff;
      redial_attempts_ = 0;
    }
    up_since_ = absl::InfinitePast();
    ScheduleRedial(now);
  }
}

void LinkManager::ScheduleRedial(absl::Time now) {
  const KeepUpPolicy& policy = options_.keep_up;
  if (!policy.enabled) return;
  if (policy.max_attempts > 0 && redial_attempts_ >= policy.max_attempts) {
    want_up_ = false;  // given up: the status keeps FAILED and the attempt count
    return;
  }
  std::uniform_real_distribution<double> factor(1.0 - policy.jitter, 1.0 + policy.jitter);
  redial_at_ = now + backoff_ * factor(jitter_rng_);
  rearm_ = true;
  backoff_ = std::min(backoff_ * 2, policy.max_backoff);
}

v1::ConnectionStatus LinkManager::Status() const {
  v1::ConnectionStatus status;
  {
    absl::MutexLock lock(&mu_);
    status = status_;
  }
  if (status.state() == v1::CONNECTION_STATE_CONNECTED && !status.interface_name().empty()) {
    // Two small sysfs reads: cheap enough for every sample, and never the serial port.
    absl::StatusOr<modem::ppp::InterfaceCounters> counters =
        modem::ppp::ReadInterfaceCounters(status.interface_name());
    if (counters.ok()) {
      status.set_rx_bytes(counters->rx_bytes);
      status.set_tx_bytes(counters->tx_bytes);
    }
  }
  return status;
}

void LinkManager::Dial(absl::Time deadline,
                       std::function<void(absl::StatusOr<v1::ConnectionStatus>)> done) {
  Post([this, deadline, done = std::move(done)] {
    {
      absl::MutexLock lock(&mu_);  // an operator's dial starts the keep-up count afresh
      redial_attempts_ = 0;
      backoff_ = options_.keep_up.initial_backoff;
      redial_at_ = absl::InfiniteFuture();
      want_up_ = true;  // before dialing, so a drop right after CONNECTED is redialed
    }
    absl::StatusOr<v1::ConnectionStatus> link = DoDial(deadline);
    if (!link.ok()) {
      absl::MutexLock lock(&mu_);  // the operator sees the failure; no redials for it
      want_up_ = false;
    }
    done(std::move(link));
  });
}

absl::StatusOr<v1::ConnectionStatus> LinkManager::DoDial(absl::Time deadline) {
  if (supervisor_ && supervisor_->status().state == LinkState::kConnected)
    return Status();  // already up
  if (supervisor_) supervisor_->Stop();
  const std::string dir = options_.state_dir + "/ppp";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    return absl::FailedPreconditionError(absl::StrCat("cannot create ", dir, ": ", ec.message()));
  const modem::ppp::PppFilePaths paths = modem::ppp::PppFilePaths::InDirectory(dir);
  // pppd names its UUCP lock after the path it opens: give it the device itself (not a
  // udev symlink) so that it shares one lock with picocom, minicom and our AT layer.
  modem::ppp::ConnectionSettings settings = options_.settings;
  if (std::filesystem::path device = std::filesystem::canonical(settings.modem_port, ec); !ec)
    settings.modem_port = device.string();
  if (absl::Status written = modem::ppp::WritePppFiles(settings, paths); !written.ok())
    return written;
  modem::ppp::SupervisorOptions supervisor_options;
  supervisor_options.pppd = options_.pppd;
  supervisor_options.args = {"file", paths.options};
  supervisor_options.stop_grace = options_.stop_grace;
  supervisor_ = std::make_unique<modem::ppp::PppdSupervisor>(
      supervisor_options, [this](const modem::ppp::LinkStatus& link) { Publish(link); });
  if (absl::Status started = supervisor_->Start(); !started.ok()) return started;
  modem::ppp::LinkStatus link = supervisor_->WaitUntilSettled(deadline - absl::Now());
  if (link.state == LinkState::kConnected) return ToProto(link);
  if (link.state == LinkState::kDialing) {
    supervisor_->Stop();
    return absl::DeadlineExceededError(
        "the link did not come up before the call's deadline; dial attempt stopped");
  }
  return FailureStatus(link);
}

void LinkManager::HangUp(std::function<void(v1::ConnectionStatus)> done) {
  {
    absl::MutexLock lock(&mu_);  // no redial after an operator's hang-up
    want_up_ = false;
    redial_at_ = absl::InfiniteFuture();
  }
  Post([this, done = std::move(done)] {
    if (supervisor_) supervisor_->Stop();
    done(Status());
  });
}

}  // namespace cellfleet::agent
