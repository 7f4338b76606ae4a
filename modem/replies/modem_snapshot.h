// Everything one status poll learns about a modem, in modem-layer types.
#ifndef CELLFLEET_MODEM_REPLIES_MODEM_SNAPSHOT_H_
#define CELLFLEET_MODEM_REPLIES_MODEM_SNAPSHOT_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "modem/replies/operator_selection.h"
#include "modem/replies/registration.h"
#include "modem/replies/serving_cell.h"
#include "modem/replies/signal_quality.h"
#include "modem/replies/sim_status.h"

namespace cellfleet::modem {

struct ModemIdentity {
  std::string manufacturer;
  std::string model;
  std::string firmware_revision;
  std::string imei;
  std::string imsi;   // empty until the SIM is ready
  std::string iccid;  // empty until the SIM is ready
};

struct ModemSnapshot {
  absl::Time sampled_at;
  ModemIdentity identity;
  SimState sim_state = SimState::kUnknown;
  std::optional<RegistrationInfo> cs_registration;   // AT+CREG?
  std::optional<RegistrationInfo> eps_registration;  // AT+CEREG?
  std::optional<OperatorSelection> operator_selection;
  std::optional<CsqReading> signal;
  std::optional<ServingCellInfo> serving_cell;
  // Commands that failed at modem level (ERROR, +CME ERROR, unparseable reply) without
  // making the modem unusable; each names the command and quotes the reply.
  std::vector<std::string> problems;
};

}  // namespace cellfleet::modem

#endif  // CELLFLEET_MODEM_REPLIES_MODEM_SNAPSHOT_H_
