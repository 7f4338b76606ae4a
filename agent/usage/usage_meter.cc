#include "agent/usage/usage_meter.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "agent/status/run_marker.h"
#include "agent/usage/usage_store.h"
#include "modem/log_format.h"
#include "modem/ppp/interface_counters.h"
#include "proto/time_convert.h"
#include "spdlog/spdlog.h"

namespace cellfleet::agent {
namespace {

// The ledger without what changes with every byte: a change here is saved at once.
std::string Shape(const StoredUsage& stored) {
  StoredUsage copy = stored;
  for (v1::SimUsage& account : *copy.mutable_accounts()) {
    account.mutable_cycle()->clear_rx_bytes();
    account.mutable_cycle()->clear_tx_bytes();
    account.clear_last_seen();
    account.clear_projected_bytes();
  }
  copy.mutable_session()->clear_rx_bytes();
  copy.mutable_session()->clear_tx_bytes();
  std::string bytes;
  copy.SerializeToString(&bytes);
  return bytes;
}

}  // namespace

UsageMeter::UsageMeter(UsageMeterOptions options, StatusHub* hub)
    : options_(std::move(options)),
      hub_(hub),
      ledger_({}, options_.settings.kept_cycles),
      executor_("cf-usage", *options_.clock) {}

UsageMeter::~UsageMeter() { Stop(); }

void UsageMeter::ReadBack() {
  boot_id_ = ReadBootId(options_.boot_id_file);
  if (!options_.path.empty()) {
    absl::StatusOr<StoredUsage> loaded = LoadUsage(options_.path);
    if (!loaded.ok() && loaded.status().code() == absl::StatusCode::kDataLoss) {
      const std::string aside =
          absl::StrCat(options_.path, ".corrupt-", absl::ToUnixSeconds(options_.clock->Now()));
      std::error_code ec;
      std::filesystem::rename(options_.path, aside, ec);
      spdlog::error("usage: {}; moved aside to {}, a new ledger begins", loaded.status(), aside);
      loaded = StoredUsage();
    }
    if (loaded.ok()) {
      ledger_ = UsageLedger(std::move(*loaded), options_.settings.kept_cycles);
      saved_shape_ = Shape(ledger_.stored());
    } else {
      spdlog::error("usage: {}; counting in memory until it can be saved", loaded.status());
    }
  }
  const absl::Time now = options_.clock->Now();
  if (ledger_.has_session()) FollowOpenSession(now);  // the previous run's link
  ledger_.Refresh(now);
  Settle(/*save_now=*/false);
}

void UsageMeter::Start(LinkManager* link) {
  link_ = link;
  Settle(/*save_now=*/false);
  subscription_ = hub_->Subscribe([this](const StatusPtr& sample) {
    if (sample == nullptr) return;
    executor_.Post([this, sample](absl::Status status) {
      if (status.ok()) Observe(sample);
    });
  });
}

void UsageMeter::Stop() {
  if (stopped_) return;
  stopped_ = true;
  if (subscription_ != 0) hub_->Unsubscribe(subscription_);
  executor_.Stop();
  if (unsaved_counts_ || Shape(ledger_.stored()) != saved_shape_) Save();
}

v1::SimUsage UsageMeter::Status() const {
  absl::MutexLock lock(&mu_);
  return current_;
}

std::vector<v1::SimUsage> UsageMeter::Accounts() const {
  absl::MutexLock lock(&mu_);
  return accounts_;
}

uint64_t UsageMeter::bytes_written() const {
  absl::MutexLock lock(&mu_);
  return bytes_written_;
}

void UsageMeter::SetPlans(DataPlans plans) {
  executor_.Post([this, plans = std::move(plans)](absl::Status status) mutable {
    if (!status.ok()) return;
    ledger_.SetPlans(std::move(plans), options_.clock->Now());
    Settle(/*save_now=*/false);
  });
}

void UsageMeter::OverrideCap(std::string iccid, std::string by, std::string reason,
                             std::function<void(absl::StatusOr<v1::SimUsage>)> done) {
  executor_.Post([this, iccid = std::move(iccid), by = std::move(by), reason = std::move(reason),
                  done = std::move(done)](absl::Status status) {
    if (!status.ok()) {
      done(absl::UnavailableError("the agent is shutting down; call again once it is back"));
      return;
    }
    absl::StatusOr<v1::SimUsage> lifted =
        ledger_.OverrideCap(iccid, by, reason, options_.clock->Now());
    if (lifted.ok()) {
      spdlog::warn("usage: {} let SIM {} past its cap for the rest of the cycle: {}", by,
                   lifted->iccid(), reason);
      Settle(/*save_now=*/true);
    }
    done(std::move(lifted));
  });
}

std::optional<CounterReading> UsageMeter::Read(const std::string& interface_name) const {
  absl::StatusOr<modem::ppp::InterfaceCounters> counters =
      modem::ppp::ReadInterfaceCounters(interface_name, options_.sysfs_net);
  if (!counters.ok()) {
    if (counters.status().code() != absl::StatusCode::kNotFound)
      spdlog::warn("usage: {}", counters.status());
    return std::nullopt;
  }
  CounterReading reading;
  reading.boot_id = boot_id_;
  reading.interface_name = interface_name;
  reading.ifindex = counters->ifindex;
  reading.rx_bytes = counters->rx_bytes;
  reading.tx_bytes = counters->tx_bytes;
  return reading;
}

void UsageMeter::CountLink(const v1::ConnectionStatus& link, absl::Time now) {
  if (link.state() == v1::CONNECTION_STATE_CONNECTED && !link.interface_name().empty()) {
    if (std::optional<CounterReading> reading = Read(link.interface_name())) {
      if (link.has_connected_since())
        reading->connected_since = FromProtoTime(link.connected_since());
      ledger_.Count(*reading, now);
    }
    return;
  }
  if (!ledger_.has_session()) return;
  if (link.counters_final() && link.interface_name() == ledger_.session().interface_name()) {
    ledger_.EndSession(FinalTotals{link.rx_bytes(), link.tx_bytes()}, now);
    return;
  }
  FollowOpenSession(now);
}

void UsageMeter::FollowOpenSession(absl::Time now) {
  const UsageSession session = ledger_.session();
  std::optional<CounterReading> reading = Read(session.interface_name());
  if (reading && reading->ifindex == session.ifindex() && reading->boot_id == session.boot_id()) {
    ledger_.Count(*reading, now);
    return;
  }
  spdlog::warn("usage: {} is gone ({}); what it carried after its last reading is not counted",
               session.interface_name(),
               session.boot_id() == boot_id_ ? "its pppd ended" : "the board restarted since");
  ledger_.EndSession(std::nullopt, now);
}

void UsageMeter::Observe(const StatusPtr& sample) {
  const absl::Time now = options_.clock->Now();
  if (sample->modem_state() == v1::MODEM_STATE_READY) {
    ledger_.SeeSim(sample->identity().iccid(), now);
  }
  const uint64_t counted = ledger_.bytes_counted();
  CountLink(sample->connection(), now);
  ledger_.Refresh(now);
  unsaved_counts_ = unsaved_counts_ || ledger_.bytes_counted() != counted;
  Settle(/*save_now=*/false);
}

void UsageMeter::Settle(bool save_now) {
  const absl::Time now = options_.clock->Now();
  {
    absl::MutexLock lock(&mu_);
    current_ = ledger_.Current();
    accounts_ = ledger_.Accounts();
  }
  std::string block = ledger_.BlockReason();
  if (link_ != nullptr && block != block_told_) {
    spdlog::warn("usage: {}", block.empty() ? "dials allowed again" : block);
    block_told_ = block;
    link_->SetDialBlock(std::move(block));
  }
  const bool due = now - last_save_ >= options_.settings.save_interval;
  if (save_failing_
          ? due
          : (save_now || Shape(ledger_.stored()) != saved_shape_ || (unsaved_counts_ && due))) {
    Save();
  }
}

void UsageMeter::Save() {
  if (options_.path.empty()) return;
  absl::StatusOr<size_t> written = SaveUsage(options_.path, ledger_.stored());
  last_save_ = options_.clock->Now();
  if (!written.ok()) {
    if (!save_failing_) spdlog::error("usage: cannot save the ledger: {}", written.status());
    save_failing_ = true;
    return;
  }
  if (save_failing_) spdlog::info("usage: the ledger is saved again");
  save_failing_ = false;
  saved_shape_ = Shape(ledger_.stored());
  unsaved_counts_ = false;
  absl::MutexLock lock(&mu_);
  bytes_written_ += *written;
}

}  // namespace cellfleet::agent
