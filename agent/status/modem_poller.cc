#include "agent/status/modem_poller.h"

#include "absl/strings/str_cat.h"
#include "base/thread_name.h"
#include "convert/modem_to_proto.h"
#include "convert/valid_utf8.h"
#include "modem/log_format.h"
#include "proto/time_convert.h"
#include "spdlog/spdlog.h"

namespace cellfleet::agent {
namespace {

absl::Time RealNow() { return base::Clock::Real().Now(); }

// A URC (registration, SIM) brings the next sample forward, but to no sooner than this
// after the last one began, so that a burst of URCs costs one read.
constexpr absl::Duration kMinGapAfterUrc = absl::Seconds(1);

}  // namespace

ModemPoller::ModemPoller(PollerOptions options, StatusHub* hub)
    : options_(std::move(options)), hub_(hub) {}

ModemPoller::~ModemPoller() { Stop(); }

void ModemPoller::Start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] {
    base::NameThisThread("cf-poller");
    Run();
  });
}

void ModemPoller::Stop() {
  {
    absl::MutexLock lock(&wake_mu_);
    stopping_ = true;
  }
  {
    absl::MutexLock lock(&channel_mu_);
    if (channel_ != nullptr) channel_->Close();
  }
  if (thread_.joinable()) thread_.join();
}

void ModemPoller::RequestSample() {
  absl::MutexLock lock(&wake_mu_);
  sample_requested_ = true;
}

void ModemPoller::Submit(modem::AtCommand command, modem::AtChannel::Callback done) {
  {
    absl::MutexLock lock(&channel_mu_);
    if (channel_ != nullptr) {
      // The command may change what the modem registers on or with: read it all anew.
      operator_command_sent_ = true;
      channel_->Submit(std::move(command), std::move(done));  // only queues
      return;
    }
  }
  done(absl::UnavailableError("the modem is not attached (see the status's modem state)"));
}

void ModemPoller::ExpectOutage(std::string why, absl::Time until) {
  absl::MutexLock lock(&wake_mu_);
  outage_reason_ = std::move(why);
  outage_until_ = until;
}

std::string ModemPoller::ExpectedOutage() {
  absl::MutexLock lock(&wake_mu_);
  return options_.clock->Now() < outage_until_ ? outage_reason_ : "";
}

void ModemPoller::EndExpectedOutage() {
  absl::MutexLock lock(&wake_mu_);
  outage_until_ = absl::InfinitePast();
}

ModemPoller::Wake ModemPoller::WaitUntil(absl::Time deadline) {
  absl::MutexLock lock(&wake_mu_);
  auto woken = [this]() ABSL_SHARED_LOCKS_REQUIRED(wake_mu_) {
    return stopping_ || sample_requested_ || modem_changed_;
  };
  wake_mu_.AwaitWithDeadline(absl::Condition(&woken), deadline);
  if (stopping_) return Wake::kStop;
  if (sample_requested_) {
    sample_requested_ = false;
    return Wake::kRequest;
  }
  if (modem_changed_) {
    modem_changed_ = false;
    return Wake::kModemChange;
  }
  return Wake::kTime;
}

bool ModemPoller::WaitForNextSample(absl::Time started) {
  absl::Time next = started + options_.poll_interval;
  while (true) {
    switch (WaitUntil(next)) {
      case Wake::kStop:
        return false;
      case Wake::kTime:
        return true;
      case Wake::kRequest:
        PublishLocalChange();
        break;
      case Wake::kModemChange:
        next = std::min(next, started + kMinGapAfterUrc);
        break;
    }
  }
}

void ModemPoller::Publish(std::shared_ptr<v1::ModemStatus> status) {
  convert::MakeStringsValidUtf8(*status);  // modem text may hold any byte
  last_published_ = status;
  hub_->Publish(std::move(status));
}

void ModemPoller::AddStatusPart(const StatusPart* part) { parts_.push_back(part); }

void ModemPoller::AddParts(v1::ModemStatus& status) const {
  for (const StatusPart* part : parts_) part->FillStatus(status);
}

void ModemPoller::PublishLocalChange() {
  if (!last_published_ || parts_.empty()) return;
  auto status = std::make_shared<v1::ModemStatus>(*last_published_);
  AddParts(*status);
  Publish(std::move(status));
}

void ModemPoller::PublishState(v1::ModemState state, const std::string& detail) {
  auto status = std::make_shared<v1::ModemStatus>();
  const std::string expected = ExpectedOutage();
  if (!expected.empty() &&
      (state == v1::MODEM_STATE_ABSENT || state == v1::MODEM_STATE_UNRESPONSIVE)) {
    status->set_modem_state(v1::MODEM_STATE_RESETTING);
    status->set_modem_state_detail(
        absl::StrCat(expected, "; waiting for the modem (", detail, ")"));
  } else {
    status->set_modem_state(state);
    status->set_modem_state_detail(detail);
  }
  status->set_at_port(attached_port_.empty() ? options_.at_port : attached_port_);
  *status->mutable_sampled_at() = ToProtoTime(options_.clock->Now());
  convert::FillIdentity(last_identity_, *status->mutable_identity());
  AddParts(*status);
  Publish(std::move(status));
}

absl::StatusOr<std::string> ModemPoller::ResolvePort() const {
  if (options_.at_port != "auto") return options_.at_port;
  absl::StatusOr<std::vector<modem::DiscoveredModem>> modems =
      modem::DiscoverModems(options_.discovery_roots);
  if (!modems.ok()) return modems.status();
  for (const modem::DiscoveredModem& found : *modems) {
    if (found.at_port) return found.at_port->device_path;
  }
  return absl::UnavailableError("no Quectel modem with an AT interface found in sysfs");
}

bool ModemPoller::Attach() {
  absl::StatusOr<std::string> path = ResolvePort();
  if (!path.ok()) {
    PublishState(v1::MODEM_STATE_ABSENT, std::string(path.status().message()));
    return false;
  }
  attached_port_ = *path;
  absl::StatusOr<std::unique_ptr<modem::SerialPort>> port =
      modem::SerialPort::Open(*path, options_.serial);
  if (!port.ok()) {
    PublishState(v1::MODEM_STATE_ABSENT, std::string(port.status().message()));
    return false;
  }
  PublishState(v1::MODEM_STATE_INITIALIZING, "");
  {
    absl::MutexLock lock(&channel_mu_);
    channel_ = std::make_unique<modem::AtChannel>(std::move(*port), options_.channel);
  }
  {
    // Stop() may have looked for a channel just before there was one.
    absl::MutexLock lock(&wake_mu_);
    if (stopping_) channel_->Close();
  }
  modem::QuectelOptions modem_options;
  modem_options.on_change_announced = [this] {
    absl::MutexLock lock(&wake_mu_);
    modem_changed_ = true;
  };
  modem_ = std::make_unique<modem::QuectelModem>(*channel_, std::move(modem_options));
  if (absl::Status init = modem_->Initialize(); absl::IsCancelled(init)) {
    Detach();  // stopping
    return false;
  } else if (!init.ok()) {
    spdlog::warn("modem init on {} failed: {}", attached_port_, init);
    Detach();
    PublishState(v1::MODEM_STATE_UNRESPONSIVE, std::string(init.message()));
    return false;
  }
  last_identity_ = modem_->identity();
  EndExpectedOutage();  // it is back
  spdlog::info("modem on {} ready: {} {} IMEI {}", attached_port_, last_identity_.manufacturer,
               last_identity_.model, last_identity_.imei);
  return true;
}

void ModemPoller::Detach() {
  modem_.reset();
  std::unique_ptr<modem::AtChannel> closing;
  {
    absl::MutexLock lock(&channel_mu_);
    closing = std::move(channel_);
  }
  // Destroyed outside the lock: it joins the channel's I/O thread.
}

void ModemPoller::Run() {
  while (true) {
    {
      absl::MutexLock lock(&wake_mu_);
      if (stopping_) break;
    }
    if (options_.on_cycle) options_.on_cycle();
    if (!channel_ && !Attach()) {
      if (WaitUntil(RealNow() + options_.reattach_interval) == Wake::kStop) break;
      continue;
    }
    const absl::Time started = RealNow();
    if (modem_->ConsumeResetEvent()) {
      // The modem restarted by itself (RDY): say so before re-initialising it.
      PublishState(v1::MODEM_STATE_RESETTING,
                   "modem printed RDY (internal reset); re-initialising");
    }
    if (operator_command_sent_.exchange(false)) modem_->ForgetNetworkState();
    absl::StatusOr<modem::ModemSnapshot> snapshot = modem_->ReadStatus();
    if (snapshot.ok()) {
      last_identity_ = snapshot->identity;
      auto status = std::make_shared<v1::ModemStatus>();
      convert::FillStatus(*snapshot, *status);
      status->set_modem_state(v1::MODEM_STATE_READY);
      status->set_at_port(attached_port_);
      if (!snapshot->problems.empty()) status->set_modem_state_detail(snapshot->problems.front());
      AddParts(*status);
      Publish(std::move(status));
    } else if (absl::IsCancelled(snapshot.status())) {
      break;  // Stop() closed the channel mid-command
    } else if (absl::IsUnavailable(snapshot.status()) && !channel_->health().ok()) {
      spdlog::warn("modem on {} vanished: {}", attached_port_, snapshot.status());
      Detach();
      PublishState(v1::MODEM_STATE_ABSENT, std::string(snapshot.status().message()));
      continue;  // try to reattach after reattach_interval
    } else {
      // Timeouts: the channel resynchronises by itself on the next command.
      PublishState(v1::MODEM_STATE_UNRESPONSIVE, std::string(snapshot.status().message()));
    }
    // Until the next sample, each link or config change is published as it happens.
    if (!WaitForNextSample(started)) break;
  }
  Detach();
}

}  // namespace cellfleet::agent
