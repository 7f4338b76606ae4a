// Scenario files for cellfleet-modemsim (YAML): the initial state, timed events,
// verbatim reply overrides, fault injection and data-mode behaviour. Documented in the
// docs/simulator.md; examples in tests/testdata/scenarios/.
#ifndef CELLFLEET_SIMULATOR_SCENARIO_H_
#define CELLFLEET_SIMULATOR_SCENARIO_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace cellfleet::simulator {

enum class SimCardState { kReady, kPinRequired, kNotInserted };
// The radio the modem camps on: LTE, or a 3G/2G fallback.
enum class SimulatedRat { kLte, kWcdma, kGsm };

struct ScenarioInitial {
  std::optional<SimCardState> sim;
  std::optional<std::string> operator_name;
  std::optional<int> mcc;
  std::optional<std::string> mnc;
  std::optional<double> rsrp_dbm;
  std::optional<int> registration_stat;  // 27.007 <stat>: home 1, searching 2, denied 3, roaming 5
  std::optional<bool> radio_drift;       // false: signal and cell stay put (for exact tests)
  std::optional<SimulatedRat> rat;
};

enum class EventAction {
  kSignalFade,  // rsrp_delta_db
  kDeregister,  // searching for `duration`, then back
  kSimRemoved,
  kSimInserted,
  kModemReset,  // a reboot as AT+CFUN=1,1: ports gone for `duration` (default 3 s), then RDY
  kPortVanish,  // both ports disappear for `duration`, then return at the same paths
  kPowerOn,     // a modem powered down (AT+QPOWD) boots again
  kRatChange,   // the modem moves to `rat` (a 3G/2G fallback, or back to LTE)
  kWedge,       // the modem stops registering (searching, radio off/on no help) until it reboots
  kSimFailure,  // the SIM reads as failed (+CME ERROR: 13) until the modem reboots
  kHang,        // the firmware hangs: nothing answers until the power is cut and restored
};

struct ScenarioEvent {
  absl::Duration at;
  std::optional<int> board;  // none: every board
  EventAction action = EventAction::kSignalFade;
  double rsrp_delta_db = 0;
  absl::Duration duration = absl::ZeroDuration();
  SimulatedRat rat = SimulatedRat::kLte;
};

// A command whose reply is replaced by raw bytes, e.g. a transcript from a real modem.
struct ReplyOverride {
  std::string command;  // compared case-insensitively with the received line
  std::string raw;      // written exactly as given
  std::optional<int> board;
};

struct Fault {
  std::string command;  // "*" matches every command
  std::optional<int> board;
  absl::Duration delay = absl::ZeroDuration();
  bool no_reply = false;
  size_t garbage_bytes = 0;       // random bytes before the reply
  double drop_probability = 0.0;  // each reply byte is dropped with this probability
};

enum class ConnectMode { kAccept, kNoCarrier, kError };

struct DataSettings {
  ConnectMode connect = ConnectMode::kAccept;
  // If not empty, dialing succeeds only with one of these APNs in context 1 (else NO
  // CARRIER, as a network refusing the APN looks to chat). YAML: one APN or a list.
  std::vector<std::string> require_apn;
  // Run after CONNECT with its stdin/stdout as the data path, e.g.
  // ["/usr/sbin/pppd", "notty", "noauth", ...] playing the network side.
  std::vector<std::string> network_command;
  // When the network side ends, besides "NO CARRIER" the line hangs up (the pty is
  // replaced), as pppd sees a modem dropping carrier: "Modem hangup", exit 16.
  bool hangup_on_carrier_loss = false;
};

// How long the modem takes to answer, per command (compared case-insensitively with the
// whole line); `default_latency` for the rest. Unset: what a real EC25 shows.
struct Latency {
  std::optional<absl::Duration> default_latency;
  std::vector<std::pair<std::string, absl::Duration>> commands;
};

struct Scenario {
  ScenarioInitial initial;
  Latency latency;
  std::vector<ScenarioEvent> events;  // sorted by `at`
  std::vector<ReplyOverride> replies;
  std::vector<Fault> faults;
  DataSettings data;
};

// Errors name the file and line: "scenario.yaml:12: unknown action \"explode\"".
absl::StatusOr<Scenario> LoadScenario(const std::string& path);
absl::StatusOr<Scenario> ParseScenario(const std::string& yaml_text, const std::string& name);

}  // namespace cellfleet::simulator

#endif  // CELLFLEET_SIMULATOR_SCENARIO_H_
