// The board's connection config, pushed the careful way: validate, show the diff,
// apply, and with a confirm window roll back by itself unless the operator confirms
// (over the new link) in time. Versions and a pending confirm live in the state dir and
// survive restarts. Applies, confirms and rollbacks run on the manager's own thread, so
// no gRPC thread waits on the disk or the link.
#ifndef CELLFLEET_AGENT_CONFIG_CONFIG_MANAGER_H_
#define CELLFLEET_AGENT_CONFIG_CONFIG_MANAGER_H_

#include <functional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "agent/config/config_store.h"
#include "agent/config/connection_config.h"
#include "agent/link/link_manager.h"
#include "agent/status/status_part.h"
#include "base/clock.h"
#include "base/serial_executor.h"
#include "cellfleet/v1/agent_service.pb.h"
#include "modem/replies/command_timeouts.h"

namespace cellfleet::agent {

struct ConfigManagerOptions {
  std::string state_dir = "/var/lib/cellfleet";  // config.json; PPP files in <state_dir>/ppp
  // The board's settings file and flags: the first version when nothing was pushed yet,
  // and the board-local parts (modem port, baud) of every version.
  LinkConfig seed;
  size_t kept_versions = 5;
  size_t kept_steps = 8;
  // The apply's reply leaves before the link it may travel on is redialed.
  absl::Duration redial_delay = absl::Milliseconds(500);
  absl::Duration redial_timeout = modem::kDialTimeLimit;
  absl::Duration max_confirm_window = absl::Hours(24);
  base::Clock* clock = &base::Clock::Real();  // must outlive the manager
  // Gets the data plans of every version put in force (from Start on), on the
  // manager's thread; must not block.
  std::function<void(DataPlans)> on_plans;
};

class ConfigManager final : public StatusPart {
 public:
  // `link` must outlive the manager. `on_step` runs (on the manager's thread) after
  // every applied, confirmed or rolled-back version: a status sample follows at once, and
  // the agent's own steps (rollbacks) reach the audit log.
  ConfigManager(ConfigManagerOptions options, LinkManager* link,
                std::function<void(const v1::ConfigStep&)> on_step);
  ConfigManager(const ConfigManager&) = delete;
  ConfigManager& operator=(const ConfigManager&) = delete;
  ~ConfigManager();  // Stop()

  // Loads the stored config (or stores the seed as version 1), restores at once if a
  // confirm window expired while the agent was down, hands the config to the link
  // (which dials when keep-up is on) and starts the manager's thread. A config file
  // that is not ours is moved aside (config.json.corrupt-<time>) and the seed used.
  absl::Status Start();
  // Ends the manager's thread; queued applies and confirms are answered UNAVAILABLE
  // (nothing of them done), and a pending confirm stays on disk for the next start.
  void Stop();

  v1::GetConfigResponse Get(bool include_previous) const;
  v1::ConfigState State() const;
  // status_part.h: the sample's `config`.
  void FillStatus(v1::ModemStatus& status) const override { *status.mutable_config() = State(); }

  // `done` runs on the manager's thread. INVALID_ARGUMENT naming the field, ABORTED on
  // an expected_version mismatch, FAILED_PRECONDITION while another version awaits
  // confirmation.
  void Apply(v1::ApplyConfigRequest request, std::string applied_by,
             std::function<void(absl::StatusOr<v1::ApplyConfigResponse>)> done);
  // FAILED_PRECONDITION when `version` is not the one awaiting confirmation (the reply
  // says if it was rolled back, and why).
  void Confirm(uint64_t version, std::string confirmed_by,
               std::function<void(absl::StatusOr<v1::ConfirmConfigResponse>)> done);

 private:
  // A timer on the manager's thread; at shutdown it is dropped (its state is on disk).
  void PostAt(absl::Time at, std::function<void()> task);
  absl::Time Now() const { return options_.clock->Now(); }
  absl::StatusOr<v1::ApplyConfigResponse> DoApply(const v1::ApplyConfigRequest& request,
                                                  const std::string& applied_by);
  // The request's confirm window (zero: none); INVALID_ARGUMENT past the maximum.
  absl::StatusOr<absl::Duration> ConfirmWindow(const v1::ApplyConfigRequest& request) const;
  // `current` with `version` in force (the one before kept), pending confirmation
  // within `window` when it is not zero, and the APPLIED step recorded.
  StoredConfig WithNewVersion(const StoredConfig& current, const v1::ConfigVersion& version,
                              absl::Duration window) const;
  absl::StatusOr<v1::ConfirmConfigResponse> DoConfirm(uint64_t version, const std::string& by);
  // Restores the version the pending apply of `version` replaced and redials with it;
  // nothing if `version` no longer awaits confirmation.
  void Rollback(const std::string& reason, uint64_t version);
  // Hands `version` to the link; redials when the link is wanted up, or keep-up is on.
  void UseOnLink(const v1::ConfigVersion& version, bool redial);
  void AddStep(StoredConfig& stored, v1::ConfigStepKind kind, uint64_t version,
               std::string detail) const;
  // Saves `next` and makes it the config in force; on error nothing changes.
  absl::Status Commit(StoredConfig next);
  absl::StatusOr<LinkConfig> LinkConfigOf(const v1::ConnectionConfig& config) const;

  const ConfigManagerOptions options_;
  LinkManager* const link_;
  const std::function<void(const v1::ConfigStep&)> on_step_;
  const ConfigStore store_;

  mutable absl::Mutex mu_;
  StoredConfig stored_ ABSL_GUARDED_BY(mu_);
  // Last: destroyed first, so no task runs once the members above go.
  base::SerialExecutor executor_;
};

}  // namespace cellfleet::agent

#endif  // CELLFLEET_AGENT_CONFIG_CONFIG_MANAGER_H_
