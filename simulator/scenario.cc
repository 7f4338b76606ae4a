#include "simulator/scenario.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/file_contents.h"
#include "base/status_macros.h"
#include "yamlconf/yaml_reader.h"

namespace cellfleet::simulator {
namespace {

using Reader = yamlconf::YamlReader;

// Optional board index of an event, reply or fault.
absl::StatusOr<std::optional<int>> Board(const Reader& r, const YAML::Node& map) {
  if (!map["board"]) return std::optional<int>();
  absl::StatusOr<int> board = r.Scalar<int>(map["board"], "board");
  if (!board.ok()) return board.status();
  if (*board < 0) return r.Error(map["board"], "board must be 0 or more");
  return std::optional<int>(*board);
}

absl::StatusOr<SimulatedRat> ParseRat(const Reader& r, const YAML::Node& node) {
  ASSIGN_OR_RETURN(auto rat, r.Scalar<std::string>(node, "rat"));
  const std::string upper = absl::AsciiStrToUpper(rat);
  if (upper == "LTE") return SimulatedRat::kLte;
  if (upper == "WCDMA") return SimulatedRat::kWcdma;
  if (upper == "GSM") return SimulatedRat::kGsm;
  return r.Error(node, absl::StrCat("rat \"", rat, "\": expected LTE, WCDMA or GSM"));
}

absl::Status ParseInitial(const Reader& r, const YAML::Node& node, ScenarioInitial& out) {
  if (absl::Status s = r.CheckKeys(node, {"sim", "operator", "mcc", "mnc", "rat", "rsrp_dbm",
                                          "registration", "radio_drift"});
      !s.ok()) {
    return s;
  }
  if (node["sim"]) {
    ASSIGN_OR_RETURN(auto sim, r.Scalar<std::string>(node["sim"], "sim"));
    if (sim == "ready")
      out.sim = SimCardState::kReady;
    else if (sim == "absent")
      out.sim = SimCardState::kNotInserted;
    else if (sim == "pin")
      out.sim = SimCardState::kPinRequired;
    else
      return r.Error(node["sim"], absl::StrCat("sim \"", sim, "\": expected ready, absent or pin"));
  }
  if (node["operator"]) {
    ASSIGN_OR_RETURN(auto name, r.Scalar<std::string>(node["operator"], "operator"));
    out.operator_name = name;
  }
  if (node["mcc"]) {
    ASSIGN_OR_RETURN(auto mcc, r.Scalar<int>(node["mcc"], "mcc"));
    if (mcc < 1 || mcc > 999) return r.Error(node["mcc"], "mcc must be 1..999");
    out.mcc = mcc;
  }
  if (node["mnc"]) {
    ASSIGN_OR_RETURN(auto mnc, r.Scalar<std::string>(node["mnc"], "mnc"));
    if (mnc.size() < 2 || mnc.size() > 3 ||
        !std::all_of(mnc.begin(), mnc.end(), absl::ascii_isdigit)) {
      return r.Error(node["mnc"], "mnc must be 2 or 3 digits, quoted (\"01\")");
    }
    out.mnc = mnc;
  }
  if (node["rat"]) {
    ASSIGN_OR_RETURN(auto rat, ParseRat(r, node["rat"]));
    out.rat = rat;
  }
  if (node["rsrp_dbm"]) {
    ASSIGN_OR_RETURN(auto rsrp, r.Scalar<double>(node["rsrp_dbm"], "rsrp_dbm"));
    if (rsrp < -140 || rsrp > -44) return r.Error(node["rsrp_dbm"], "rsrp_dbm must be -140..-44");
    out.rsrp_dbm = rsrp;
  }
  if (node["registration"]) {
    ASSIGN_OR_RETURN(auto reg, r.Scalar<std::string>(node["registration"], "registration"));
    if (reg == "home")
      out.registration_stat = 1;
    else if (reg == "searching")
      out.registration_stat = 2;
    else if (reg == "denied")
      out.registration_stat = 3;
    else if (reg == "roaming")
      out.registration_stat = 5;
    else
      return r.Error(
          node["registration"],
          absl::StrCat("registration \"", reg, "\": expected home, roaming, searching or denied"));
  }
  if (node["radio_drift"]) {
    ASSIGN_OR_RETURN(auto drift, r.Scalar<bool>(node["radio_drift"], "radio_drift"));
    out.radio_drift = drift;
  }
  return absl::OkStatus();
}

absl::StatusOr<ScenarioEvent> ParseEvent(const Reader& r, const YAML::Node& node) {
  if (absl::Status s =
          r.CheckKeys(node, {"at", "board", "action", "rsrp_delta_db", "duration", "rat"});
      !s.ok())
    return s;
  if (!node["at"]) return r.Error(node, "event has no \"at\"");
  if (!node["action"]) return r.Error(node, "event has no \"action\"");
  ScenarioEvent event;
  ASSIGN_OR_RETURN(auto at, r.Duration(node["at"], "at"));
  event.at = at;
  ASSIGN_OR_RETURN(auto board, Board(r, node));
  event.board = board;
  ASSIGN_OR_RETURN(auto action, r.Scalar<std::string>(node["action"], "action"));
  if (action == "signal_fade") {
    event.action = EventAction::kSignalFade;
    if (!node["rsrp_delta_db"]) return r.Error(node, "signal_fade needs rsrp_delta_db");
    ASSIGN_OR_RETURN(auto delta, r.Scalar<double>(node["rsrp_delta_db"], "rsrp_delta_db"));
    event.rsrp_delta_db = delta;
  } else if (action == "deregister") {
    event.action = EventAction::kDeregister;
  } else if (action == "sim_removed") {
    event.action = EventAction::kSimRemoved;
  } else if (action == "sim_inserted") {
    event.action = EventAction::kSimInserted;
  } else if (action == "modem_reset") {
    event.action = EventAction::kModemReset;
  } else if (action == "port_vanish") {
    event.action = EventAction::kPortVanish;
  } else if (action == "power_on") {
    event.action = EventAction::kPowerOn;
  } else if (action == "wedge") {
    event.action = EventAction::kWedge;
  } else if (action == "sim_failure") {
    event.action = EventAction::kSimFailure;
  } else if (action == "hang") {
    event.action = EventAction::kHang;
  } else if (action == "rat_change") {
    event.action = EventAction::kRatChange;
    if (!node["rat"]) return r.Error(node, "rat_change needs rat (LTE, WCDMA or GSM)");
    ASSIGN_OR_RETURN(auto rat, ParseRat(r, node["rat"]));
    event.rat = rat;
  } else {
    return r.Error(
        node["action"],
        absl::StrCat("unknown action \"", action,
                     "\" (signal_fade, deregister, sim_removed, sim_inserted, "
                     "modem_reset, port_vanish, power_on, rat_change, wedge, sim_failure, hang)"));
  }
  if (node["duration"]) {
    ASSIGN_OR_RETURN(auto duration, r.Duration(node["duration"], "duration"));
    event.duration = duration;
  }
  if ((event.action == EventAction::kDeregister || event.action == EventAction::kPortVanish) &&
      event.duration <= absl::ZeroDuration()) {
    return r.Error(node, absl::StrCat(action, " needs a positive duration"));
  }
  return event;
}

absl::StatusOr<ReplyOverride> ParseReply(const Reader& r, const YAML::Node& node) {
  if (absl::Status s = r.CheckKeys(node, {"command", "raw", "board"}); !s.ok()) return s;
  if (!node["command"] || !node["raw"])
    return r.Error(node, "a reply needs \"command\" and \"raw\"");
  ReplyOverride reply;
  ASSIGN_OR_RETURN(auto command, r.Scalar<std::string>(node["command"], "command"));
  ASSIGN_OR_RETURN(auto raw, r.Scalar<std::string>(node["raw"], "raw"));
  ASSIGN_OR_RETURN(auto board, Board(r, node));
  if (command.empty()) return r.Error(node["command"], "command must not be empty");
  reply.command = command;
  reply.raw = raw;
  reply.board = board;
  return reply;
}

absl::StatusOr<Fault> ParseFault(const Reader& r, const YAML::Node& node) {
  if (absl::Status s = r.CheckKeys(
          node, {"command", "board", "delay", "no_reply", "garbage_bytes", "drop_probability"});
      !s.ok()) {
    return s;
  }
  Fault fault;
  fault.command = "*";
  if (node["command"]) {
    ASSIGN_OR_RETURN(auto command, r.Scalar<std::string>(node["command"], "command"));
    fault.command = command;
  }
  ASSIGN_OR_RETURN(auto board, Board(r, node));
  fault.board = board;
  if (node["delay"]) {
    ASSIGN_OR_RETURN(auto delay, r.Duration(node["delay"], "delay"));
    if (delay > absl::Minutes(10)) return r.Error(node["delay"], "delay must be at most 10m");
    fault.delay = delay;
  }
  if (node["no_reply"]) {
    ASSIGN_OR_RETURN(auto no_reply, r.Scalar<bool>(node["no_reply"], "no_reply"));
    fault.no_reply = no_reply;
  }
  if (node["garbage_bytes"]) {
    ASSIGN_OR_RETURN(auto garbage, r.Scalar<int>(node["garbage_bytes"], "garbage_bytes"));
    if (garbage < 0 || garbage > 1 << 20)
      return r.Error(node["garbage_bytes"], "garbage_bytes must be 0..1048576");
    fault.garbage_bytes = static_cast<size_t>(garbage);
  }
  if (node["drop_probability"]) {
    ASSIGN_OR_RETURN(auto p, r.Scalar<double>(node["drop_probability"], "drop_probability"));
    if (p < 0 || p > 1) return r.Error(node["drop_probability"], "drop_probability must be 0..1");
    fault.drop_probability = p;
  }
  return fault;
}

absl::Status ParseData(const Reader& r, const YAML::Node& node, DataSettings& out) {
  if (absl::Status s = r.CheckKeys(
          node, {"connect", "require_apn", "network_command", "hangup_on_carrier_loss"});
      !s.ok())
    return s;
  if (node["connect"]) {
    ASSIGN_OR_RETURN(auto connect, r.Scalar<std::string>(node["connect"], "connect"));
    if (connect == "accept")
      out.connect = ConnectMode::kAccept;
    else if (connect == "no_carrier")
      out.connect = ConnectMode::kNoCarrier;
    else if (connect == "error")
      out.connect = ConnectMode::kError;
    else
      return r.Error(node["connect"], absl::StrCat("connect \"", connect,
                                                   "\": expected accept, no_carrier or error"));
  }
  if (const YAML::Node apns = node["require_apn"]; apns) {
    if (apns.IsSequence()) {
      for (const YAML::Node& apn : apns) {
        ASSIGN_OR_RETURN(auto text, r.Scalar<std::string>(apn, "require_apn entry"));
        out.require_apn.push_back(text);
      }
    } else {
      ASSIGN_OR_RETURN(auto text, r.Scalar<std::string>(apns, "require_apn"));
      out.require_apn.push_back(text);
    }
  }
  if (node["hangup_on_carrier_loss"]) {
    ASSIGN_OR_RETURN(auto hangup,
                     r.Scalar<bool>(node["hangup_on_carrier_loss"], "hangup_on_carrier_loss"));
    out.hangup_on_carrier_loss = hangup;
  }
  if (node["network_command"]) {
    const YAML::Node command = node["network_command"];
    if (!command.IsSequence() || command.size() == 0) {
      return r.Error(command, "network_command must be a non-empty list: [program, arg, ...]");
    }
    for (const YAML::Node& arg : command) {
      ASSIGN_OR_RETURN(auto text, r.Scalar<std::string>(arg, "network_command argument"));
      out.network_command.push_back(text);
    }
    if (out.network_command[0].empty() || out.network_command[0][0] != '/') {
      return r.Error(command,
                     "network_command's program must be an absolute path (no shell is used)");
    }
  }
  return absl::OkStatus();
}

// latency: {default: 20ms, "AT+COPS?": 2s}: a map of command line -> duration.
absl::Status ParseLatency(const Reader& r, const YAML::Node& node, Latency& out) {
  if (!node.IsMap())
    return r.Error(node, "latency must be a map: {default: 20ms, \"AT+COPS?\": 1s}");
  for (const auto& entry : node) {
    ASSIGN_OR_RETURN(auto command, r.Scalar<std::string>(entry.first, "latency key"));
    ASSIGN_OR_RETURN(auto duration, r.Duration(entry.second, command));
    if (duration < absl::ZeroDuration() || duration > absl::Minutes(5)) {
      return r.Error(entry.second, "latency must be 0..5m");
    }
    if (command == "default") {
      out.default_latency = duration;
    } else {
      out.commands.emplace_back(command, duration);
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Scenario> ParseScenario(const std::string& yaml_text, const std::string& name) {
  const Reader r(name);
  absl::StatusOr<YAML::Node> parsed = r.Parse(yaml_text);
  if (!parsed.ok()) return parsed.status();
  const YAML::Node root = *parsed;
  Scenario scenario;
  if (root.IsNull()) return scenario;  // an empty file is the default scenario
  if (absl::Status s =
          r.CheckKeys(root, {"initial", "latency", "events", "replies", "faults", "data"});
      !s.ok())
    return s;
  if (root["initial"]) {
    if (absl::Status s = ParseInitial(r, root["initial"], scenario.initial); !s.ok()) return s;
  }
  auto each = [&](const char* key, auto parse, auto& out) -> absl::Status {
    if (!root[key]) return absl::OkStatus();
    if (!root[key].IsSequence())
      return r.Error(root[key], absl::StrCat("\"", key, "\" must be a list"));
    for (const YAML::Node& item : root[key]) {
      auto element = parse(r, item);
      if (!element.ok()) return element.status();
      out.push_back(*std::move(element));
    }
    return absl::OkStatus();
  };
  if (absl::Status s = each("events", ParseEvent, scenario.events); !s.ok()) return s;
  if (absl::Status s = each("replies", ParseReply, scenario.replies); !s.ok()) return s;
  if (absl::Status s = each("faults", ParseFault, scenario.faults); !s.ok()) return s;
  if (root["data"]) {
    if (absl::Status s = ParseData(r, root["data"], scenario.data); !s.ok()) return s;
  }
  if (root["latency"]) {
    if (absl::Status s = ParseLatency(r, root["latency"], scenario.latency); !s.ok()) return s;
  }
  std::stable_sort(scenario.events.begin(), scenario.events.end(),
                   [](const ScenarioEvent& a, const ScenarioEvent& b) { return a.at < b.at; });
  return scenario;
}

absl::StatusOr<Scenario> LoadScenario(const std::string& path) {
  absl::StatusOr<std::string> text = base::ReadFileContents(path, "scenario file");
  if (!text.ok()) return text.status();
  return ParseScenario(*text, path);
}

}  // namespace cellfleet::simulator
