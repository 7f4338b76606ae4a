// Counts the PPP link's bytes to the SIM in the modem and enforces its plan: follows
// the status samples on its own thread, reads the interface's counters (sysfs, never
// the serial port), keeps the ledger (usage_ledger.h) on disk, and tells the link to
// hang up and refuse dials while the SIM is blocked at its cap.
//
// On disk: whenever an account, a session, a cycle or a state changes, and otherwise
// every `save_interval` while bytes are being counted. An agent crash loses nothing:
// the restarted agent counts the same interface on from the ledger's counts. A power
// cut (the interface is gone with it) loses what the last `save_interval` counted.
#ifndef CELLFLEET_AGENT_USAGE_USAGE_METER_H_
#define CELLFLEET_AGENT_USAGE_USAGE_METER_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "agent/link/link_manager.h"
#include "agent/status/status_hub.h"
#include "agent/status/status_part.h"
#include "agent/usage/usage_ledger.h"
#include "base/clock.h"
#include "base/serial_executor.h"

namespace cellfleet::agent {

struct UsageSettings {
  absl::Duration save_interval = absl::Minutes(5);
  size_t kept_cycles = 6;  // past cycles kept per SIM
};

struct UsageMeterOptions {
  UsageSettings settings;
  std::string path;  // the ledger; empty: kept in memory only
  std::string sysfs_net = "/sys/class/net";
  std::string boot_id_file = "/proc/sys/kernel/random/boot_id";
  base::Clock* clock = &base::Clock::Real();  // must outlive the meter
};

class UsageMeter final : public StatusPart {
 public:
  // `hub` must outlive the meter.
  UsageMeter(UsageMeterOptions options, StatusHub* hub);
  UsageMeter(const UsageMeter&) = delete;
  UsageMeter& operator=(const UsageMeter&) = delete;
  ~UsageMeter();  // Stop()

  // Reads the ledger back (a file that is not one is moved aside and a new ledger
  // begun) and counts what a link the previous run left up added meanwhile: before the
  // link manager ends that run's pppd.
  void ReadBack();
  // Applies a cap's block to `link` at once (it must outlive the meter), then follows
  // the hub's samples.
  void Start(LinkManager* link);
  // Saves the ledger. Before the link stops. Idempotent.
  void Stop();

  // The current SIM's account, for each sample; never waits.
  v1::SimUsage Status() const;
  // status_part.h: the sample's `usage`.
  void FillStatus(v1::ModemStatus& status) const override { *status.mutable_usage() = Status(); }
  std::vector<v1::SimUsage> Accounts() const;
  void SetPlans(DataPlans plans);
  // See UsageLedger::OverrideCap; `done` runs on the meter's thread once the ledger
  // with the override is saved and the link told.
  void OverrideCap(std::string iccid, std::string by, std::string reason,
                   std::function<void(absl::StatusOr<v1::SimUsage>)> done);
  uint64_t bytes_written() const;  // to disk, since the start

 private:
  void Observe(const StatusPtr& sample);  // the meter's thread
  void CountLink(const v1::ConnectionStatus& link, absl::Time now);
  // The open session, when the agent's own link no longer shows it (a pppd of the
  // previous run, or a link that ended unseen): counted on while the same interface is
  // there, else ended with what was counted.
  void FollowOpenSession(absl::Time now);
  // A reading of `interface_name` now, if it is there.
  std::optional<CounterReading> Read(const std::string& interface_name) const;
  // Publishes the ledger, tells the link (once started) about a block, saves when due.
  void Settle(bool save_now);
  void Save();

  const UsageMeterOptions options_;
  LinkManager* link_ = nullptr;  // set by Start, before the meter's thread uses it
  StatusHub* const hub_;
  std::string boot_id_;
  // The meter's thread only (and Start/Stop while it does not run).
  UsageLedger ledger_;
  std::string saved_shape_;  // the ledger as saved, counts left out
  absl::Time last_save_ = absl::InfinitePast();
  bool unsaved_counts_ = false;
  bool save_failing_ = false;  // then retried every save_interval, logged once
  std::string block_told_;     // the block the link was last told
  int subscription_ = 0;
  bool stopped_ = false;

  mutable absl::Mutex mu_;
  v1::SimUsage current_ ABSL_GUARDED_BY(mu_);
  std::vector<v1::SimUsage> accounts_ ABSL_GUARDED_BY(mu_);
  uint64_t bytes_written_ ABSL_GUARDED_BY(mu_) = 0;
  // Last: destroyed first, so no task runs once the members above go.
  base::SerialExecutor executor_;
};

}  // namespace cellfleet::agent

#endif  // CELLFLEET_AGENT_USAGE_USAGE_METER_H_
