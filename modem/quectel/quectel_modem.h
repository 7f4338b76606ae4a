// The Quectel EC2x driver: init sequence, re-init after RDY, status snapshots.
#ifndef CELLFLEET_MODEM_QUECTEL_QUECTEL_MODEM_H_
#define CELLFLEET_MODEM_QUECTEL_QUECTEL_MODEM_H_

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "modem/at_channel.h"
#include "modem/replies/modem_snapshot.h"

namespace cellfleet::modem {

struct QuectelOptions {
  // Registration, SIM and operator are read back at most this long after their last
  // read while nothing announced a change (see ReadStatus).
  absl::Duration network_state_refresh = absl::Minutes(1);
  const base::Clock* clock = &base::Clock::Real();
  // Runs on the channel's I/O thread when such a URC (or RDY) arrives, so that the owner
  // can read at once rather than at its next poll. Must not block or call into this object.
  std::function<void()> on_change_announced;
};

class QuectelModem {
 public:
  // `channel` must outlive this object. All calls block on the channel: call them only
  // from the thread that owns the modem.
  explicit QuectelModem(AtChannel& channel, QuectelOptions options = {});
  QuectelModem(const QuectelModem&) = delete;
  QuectelModem& operator=(const QuectelModem&) = delete;
  ~QuectelModem();

  // ATE0 (echo off), AT+CMEE=2 (verbose errors), AT+CREG=2 / AT+CEREG=2 (location URCs),
  // then identity. Transport errors are returned; modem-level refusals are logged.
  absl::Status Initialize();

  // One sample: AT+CSQ and AT+QENG="servingcell" every time; AT+CPIN?, AT+CREG?,
  // AT+CEREG? and AT+COPS? only when that state is due: after a URC that announces a
  // change (+CREG/+CEREG/+CGREG with location, +CPIN, +QUSIM), ForgetNetworkState(), an
  // unsettled last read (SIM not ready, not registered, a problem) or
  // `network_state_refresh`; otherwise they repeat their last read. A registered, idle
  // modem answers two commands a sample instead of six (ModemManager follows the same
  // URCs). Re-initialises first if the modem printed RDY since the last call.
  // UNAVAILABLE / DEADLINE_EXCEEDED mean the port or the modem is gone.
  absl::StatusOr<ModemSnapshot> ReadStatus();
  // Someone else talked to the modem (an operator's command): read it all next time.
  // Any thread.
  void ForgetNetworkState() { network_state_due_ = true; }

  const ModemIdentity& identity() const { return identity_; }
  // True once since each RDY (modem reset) seen on the port.
  bool ConsumeResetEvent() { return reset_event_.exchange(false); }

 private:
  // Runs a command; returns the response for both OK and modem-level errors.
  absl::StatusOr<AtResponse> Run(AtCommand command);
  absl::Status ReadIdentity();
  void ReadSimIdentity();
  // SIM, registrations and operator as read now, with their problem lines.
  struct NetworkState {
    SimState sim_state = SimState::kUnknown;
    std::optional<RegistrationInfo> cs_registration;
    std::optional<RegistrationInfo> eps_registration;
    std::optional<OperatorSelection> operator_selection;
    std::vector<std::string> problems;
    absl::Time read_at;
    // Nothing to watch for but a URC: the SIM ready, registered, every reply understood.
    bool settled() const;
  };
  bool NetworkStateDue() const;
  // The four network commands (when due) and the two signal commands in one batch.
  absl::Status Sample(ModemSnapshot& snapshot);
  NetworkState ParseNetworkState(const std::vector<absl::StatusOr<AtResponse>>& replies) const;
  void ParseSignal(const AtResponse& csq, const AtResponse& qeng, ModemSnapshot& snapshot) const;

  AtChannel& channel_;
  const QuectelOptions options_;
  int urc_handler_id_ = 0;
  std::atomic<bool> network_state_due_{true};  // set by URCs (I/O thread) and others
  std::optional<NetworkState> network_state_;  // the last read; owner's thread only
  std::atomic<bool> reset_pending_{false};     // re-init needed
  std::atomic<bool> reset_event_{false};       // reported to the owner
  ModemIdentity identity_;
  LteSinrEncoding lte_sinr_ = LteSinrEncoding::kDb;
};

}  // namespace cellfleet::modem

#endif  // CELLFLEET_MODEM_QUECTEL_QUECTEL_MODEM_H_
