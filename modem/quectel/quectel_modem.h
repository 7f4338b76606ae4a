// The Quectel EC2x driver: init sequence, re-init after RDY, status snapshots.
#ifndef CELLFLEET_MODEM_QUECTEL_QUECTEL_MODEM_H_
#define CELLFLEET_MODEM_QUECTEL_QUECTEL_MODEM_H_

#include <atomic>

#include "absl/status/statusor.h"
#include "modem/at_channel.h"
#include "modem/replies/modem_snapshot.h"

namespace cellfleet::modem {

class QuectelModem {
 public:
  // `channel` must outlive this object. All calls block on the channel: call them only
  // from the thread that owns the modem.
  explicit QuectelModem(AtChannel& channel);
  QuectelModem(const QuectelModem&) = delete;
  QuectelModem& operator=(const QuectelModem&) = delete;
  ~QuectelModem();

  // ATE0 (echo off), AT+CMEE=2 (verbose errors), AT+CREG=2 / AT+CEREG=2 (location URCs),
  // then identity. Transport errors are returned; modem-level refusals are logged.
  absl::Status Initialize();

  // One pass over AT+CPIN?, AT+CREG?, AT+CEREG?, AT+COPS?, AT+CSQ, AT+QENG="servingcell".
  // Re-initialises first if the modem printed RDY since the last call.
  // UNAVAILABLE / DEADLINE_EXCEEDED mean the port or the modem is gone.
  absl::StatusOr<ModemSnapshot> ReadStatus();

  const ModemIdentity& identity() const { return identity_; }
  // True once since each RDY (modem reset) seen on the port.
  bool ConsumeResetEvent() { return reset_event_.exchange(false); }

 private:
  // Runs a command; returns the response for both OK and modem-level errors.
  absl::StatusOr<AtResponse> Run(AtCommand command);
  absl::Status ReadIdentity();
  void ReadSimIdentity();

  AtChannel& channel_;
  int urc_handler_id_ = 0;
  std::atomic<bool> reset_pending_{false};  // re-init needed
  std::atomic<bool> reset_event_{false};    // reported to the owner
  ModemIdentity identity_;
  LteSinrEncoding lte_sinr_ = LteSinrEncoding::kDb;
};

}  // namespace cellfleet::modem

#endif  // CELLFLEET_MODEM_QUECTEL_QUECTEL_MODEM_H_
