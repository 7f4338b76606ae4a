// SIM state from `+CPIN: <code>` and from the +CME ERRORs that stand for a SIM state.
#ifndef CELLFLEET_MODEM_REPLIES_SIM_STATUS_H_
#define CELLFLEET_MODEM_REPLIES_SIM_STATUS_H_

#include <optional>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "modem/replies/final_result.h"

namespace cellfleet::modem {

enum class SimState {
  kUnknown,
  kReady,
  kPinRequired,
  kPukRequired,
  kPin2Required,
  kPuk2Required,
  kPersonalizationLocked,  // PH-SIM / PH-NET / PH-SP / PH-CORP ... PIN or PUK
  kNotInserted,            // +CME ERROR: 10
  kBusy,                   // +CME ERROR: 14 (seconds after RDY: retry)
  kFailure,                // +CME ERROR: 13 / 15
};

absl::string_view SimStateName(SimState state);

absl::StatusOr<SimState> ParseCpin(absl::string_view line);

// The SIM state a failed AT+CPIN? implies, if any (numeric or verbose CME form).
std::optional<SimState> SimStateFromError(const FinalResult& result);

}  // namespace cellfleet::modem

#endif  // CELLFLEET_MODEM_REPLIES_SIM_STATUS_H_
