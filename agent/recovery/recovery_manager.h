// Carries out the recovery ladder (agent/recovery/recovery_ladder.h) on the board: every
// sample goes to the ladder on the manager's own thread; each step it asks for is taken
// through the parts that own the resources (the link manager for the PPP link, the
// poller's AT channel for the modem), audited, and shown in status and history.
#ifndef CELLFLEET_AGENT_RECOVERY_RECOVERY_MANAGER_H_
#define CELLFLEET_AGENT_RECOVERY_RECOVERY_MANAGER_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "agent/at/at_passthrough.h"
#include "agent/link/link_manager.h"
#include "agent/recovery/recovery_ladder.h"
#include "agent/security/audit_log.h"
#include "agent/status/modem_poller.h"
#include "agent/status/status_hub.h"
#include "agent/status/status_part.h"
#include "base/clock.h"
#include "base/serial_executor.h"
#include "modem/hardware/power_switch.h"

namespace cellfleet::agent {

// The steps beyond the AT port, as the board has them.
struct RecoveryHardware {
  // Finds the modem's USB device and resets it (modem/hardware/usb_reset.h); blocks for
  // the reset. Unset: the USB reset fails, saying so.
  std::function<absl::Status()> reset_usb;
  // The modem's power line; null when none is configured or it could not be opened
  // (`power_unavailable` then says why).
  std::unique_ptr<modem::PowerSwitch> power;
  std::string power_unavailable = "no power line is configured (recovery.power_line)";
  absl::Duration power_off_time = absl::Seconds(10);
};

class RecoveryManager final : public StatusPart {
 public:
  // `link` may be null (no PPP link: the link steps fail, saying so). All must outlive
  // the manager.
  RecoveryManager(RecoveryPolicy policy, RecoveryHardware hardware, ModemPoller* poller,
                  LinkManager* link, AtPassthrough* at, StatusHub* hub, AuditLog* audit,
                  base::Clock& clock = base::Clock::Real());
  RecoveryManager(const RecoveryManager&) = delete;
  RecoveryManager& operator=(const RecoveryManager&) = delete;
  ~RecoveryManager();  // Stop()

  void Start();  // follows the hub's samples
  // Before the poller and the link stop. Idempotent.
  void Stop();

  // For each sample; never waits on a step.
  v1::RecoveryStatus Status() const;
  // status_part.h: the sample's `recovery`.
  void FillStatus(v1::ModemStatus& status) const override { *status.mutable_recovery() = Status(); }

  using Done = std::function<void(absl::StatusOr<v1::RecoveryAction>)>;
  // An operator's step, taken now whatever the ladder's budget (it counts in it).
  // `done` runs once the step is started, on the manager's thread: FAILED_PRECONDITION
  // while another step is being carried out, or for a redial or PDP reset of a link that
  // nobody wants up (it would dial a board that was never dialed or was hung up).
  void RunStep(v1::RecoveryStep step, const std::string& requested_by, Done done);

 private:
  void Observe(const StatusPtr& sample);
  // The link should be up: an operator dialed, or keep-up is on and it failed. A link
  // held down at the SIM's data cap is down on purpose.
  bool LinkWanted(const v1::ConnectionStatus& link) const;
  // Starts `step`; `started` gets the action once it is under way.
  void Take(v1::RecoveryStep step, const std::string& requested_by, Done started);
  // The mechanism of each step; `finished` runs on the manager's thread with an error
  // when the step could not be carried out.
  void Carry(v1::RecoveryStep step, std::function<void(absl::Status)> finished);
  void SendAt(const std::string& command, std::function<void(absl::Status)> done);
  // Announces that the modem goes away for up to `hold` (the poller reports RESETTING,
  // the link ends pppd and holds redials), then runs `then` on the manager's thread.
  void TakeModemAway(const std::string& why, absl::Duration hold, std::function<void()> then);
  void EndOutage();  // the step did not take the modem away after all
  void ResetUsb(std::function<void(absl::Status)> finished);
  void CyclePower(std::function<void(absl::Status)> finished);
  // Wraps `task` to run on the manager's thread, not at all once it stops.
  std::function<void()> OnThread(std::function<void()> task);
  void Publish();

  RecoveryLadder ladder_;      // the manager's thread only
  RecoveryHardware hardware_;  // the manager's thread only
  ModemPoller* const poller_;
  LinkManager* const link_;
  AtPassthrough* const at_;
  StatusHub* const hub_;
  AuditLog* const audit_;
  bool carrying_ = false;  // a step's mechanism is running (the manager's thread only)
  int subscription_ = 0;
  mutable absl::Mutex mu_;
  v1::RecoveryStatus status_ ABSL_GUARDED_BY(mu_);
  base::Clock& clock_;
  base::SerialExecutor executor_;
};

}  // namespace cellfleet::agent

#endif  // CELLFLEET_AGENT_RECOVERY_RECOVERY_MANAGER_H_
