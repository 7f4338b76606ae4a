#include "modem/quectel/quectel_modem.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "modem/log_format.h"
#include "modem/replies/identity.h"
#include "modem/replies/registration.h"
#include "spdlog/spdlog.h"

namespace cellfleet::modem {
namespace {

// Adds a problem line for a modem-level failure or an unparseable reply.
void Note(std::vector<std::string>& problems, const absl::Status& status) {
  if (!status.ok()) problems.emplace_back(status.message());
}

// URCs after which SIM, registration or operator may read differently. With
// AT+CREG=2/AT+CEREG=2 the registration URCs also come at each cell change.
bool AnnouncesNetworkChange(absl::string_view line) {
  for (absl::string_view prefix : {"+CREG:", "+CEREG:", "+CGREG:", "+CPIN:", "+QUSIM:"}) {
    if (absl::StartsWith(line, prefix)) return true;
  }
  return false;
}

}  // namespace

QuectelModem::QuectelModem(AtChannel& channel, QuectelOptions options)
    : channel_(channel), options_(std::move(options)) {
  urc_handler_id_ = channel_.AddUrcHandler([this](absl::string_view line) {
    if (line == "RDY") {
      reset_pending_ = true;
      reset_event_ = true;
    } else if (AnnouncesNetworkChange(line)) {
      network_state_due_ = true;
    } else {
      return;
    }
    if (options_.on_change_announced) options_.on_change_announced();
  });
}

QuectelModem::~QuectelModem() { channel_.RemoveUrcHandler(urc_handler_id_); }

absl::StatusOr<AtResponse> QuectelModem::Run(AtCommand command) {
  return channel_.Execute(std::move(command));
}

absl::Status QuectelModem::Initialize() {
  reset_pending_ = false;
  network_state_due_ = true;
  for (const char* setup : {"ATE0", "AT+CMEE=2", "AT+CREG=2", "AT+CEREG=2"}) {
    ASSIGN_OR_RETURN(AtResponse response, Run(AtCommand::Action(setup)));
    if (absl::Status s = FinalResultStatus(response.final, setup, channel_.port_name()); !s.ok()) {
      spdlog::warn("{}", s.message());
    }
  }
  return ReadIdentity();
}

absl::Status QuectelModem::ReadIdentity() {
  ModemIdentity identity;
  ASSIGN_OR_RETURN(AtResponse ati, Run(AtCommand::Bare("ATI")));
  if (ati.final.success()) {
    if (absl::StatusOr<AtiInfo> info = ParseAti(ati.lines); info.ok()) {
      identity.manufacturer = info->manufacturer;
      identity.model = info->model;
      identity.firmware_revision = info->revision;
    } else {
      spdlog::warn("{}: {}", channel_.port_name(), info.status().message());
    }
  }
  ASSIGN_OR_RETURN(AtResponse qgmr, Run(AtCommand::Bare("AT+QGMR")));
  if (qgmr.final.success() && !qgmr.lines.empty()) {
    if (absl::StatusOr<std::string> rev = ParseRevision(qgmr.lines[0]); rev.ok()) {
      identity.firmware_revision = *rev;
    }
  }
  ASSIGN_OR_RETURN(AtResponse cgsn, Run(AtCommand::Bare("AT+CGSN")));
  if (cgsn.final.success() && !cgsn.lines.empty()) {
    if (absl::StatusOr<std::string> imei = ParseImei(cgsn.lines[0]); imei.ok()) {
      identity.imei = *imei;
    } else {
      spdlog::warn("{}: {}", channel_.port_name(), imei.status().message());
    }
  }
  identity_ = identity;
  lte_sinr_ = LteSinrEncodingForModel(identity_.model);
  ReadSimIdentity();
  return absl::OkStatus();
}

void QuectelModem::ReadSimIdentity() {
  // Both need a ready SIM; failures leave the fields empty for the next try.
  if (absl::StatusOr<AtResponse> cimi = Run(AtCommand::Bare("AT+CIMI"));
      cimi.ok() && cimi->final.success() && !cimi->lines.empty()) {
    if (absl::StatusOr<std::string> imsi = ParseImsi(cimi->lines[0]); imsi.ok()) {
      identity_.imsi = *imsi;
    }
  }
  if (absl::StatusOr<AtResponse> ccid = Run(AtCommand::Query("AT+QCCID", {"+QCCID:"}));
      ccid.ok() && ccid->final.success() && !ccid->lines.empty()) {
    if (absl::StatusOr<std::string> iccid = ParseIccid(ccid->lines[0]); iccid.ok()) {
      identity_.iccid = *iccid;
    }
  }
}

bool QuectelModem::NetworkState::settled() const {
  const bool registered = (cs_registration && cs_registration->registered()) ||
                          (eps_registration && eps_registration->registered());
  return sim_state == SimState::kReady && registered && operator_selection.has_value() &&
         problems.empty();
}

bool QuectelModem::NetworkStateDue() const {
  return !network_state_ || !network_state_->settled() ||
         options_.clock->Now() - network_state_->read_at >= options_.network_state_refresh;
}

absl::StatusOr<ModemSnapshot> QuectelModem::ReadStatus() {
  if (reset_pending_.load()) {
    spdlog::info("{}: modem reset (RDY); re-initialising", channel_.port_name());
    RETURN_IF_ERROR(Initialize());
  }
  ModemSnapshot snapshot;
  RETURN_IF_ERROR(Sample(snapshot));
  // A SIM that just became ready: its identity, now (two more commands, once).
  if (snapshot.sim_state == SimState::kReady && identity_.imsi.empty()) ReadSimIdentity();

  snapshot.identity = identity_;
  snapshot.sampled_at = options_.clock->Now();
  return snapshot;
}

absl::Status QuectelModem::Sample(ModemSnapshot& snapshot) {
  // Cleared before the read, so that a URC arriving during it asks for the next one.
  const bool read_network = network_state_due_.exchange(false) || NetworkStateDue();
  std::vector<AtCommand> commands;
  if (read_network) {
    AtCommand creg = AtCommand::Query("AT+CREG?", {"+CREG:"});
    AtCommand cereg = AtCommand::Query("AT+CEREG?", {"+CEREG:"});
    creg.is_reply = IsRegistrationReadReply;  // a +CxREG URC just before is not the reply
    cereg.is_reply = IsRegistrationReadReply;
    commands.push_back(AtCommand::Query("AT+CPIN?", {"+CPIN:"}));
    commands.push_back(std::move(creg));
    commands.push_back(std::move(cereg));
    commands.push_back(AtCommand::Query("AT+COPS?", {"+COPS:"}));
  }
  commands.push_back(AtCommand::Query("AT+CSQ", {"+CSQ:"}));
  commands.push_back(AtCommand::Query("AT+QENG=\"servingcell\"", {"+QENG:"}));
  // One batch: the channel sends each as soon as the one before is answered, and this
  // thread wakes once per sample, not once per command.
  std::vector<absl::StatusOr<AtResponse>> replies = channel_.ExecuteAll(std::move(commands));
  for (const absl::StatusOr<AtResponse>& reply : replies) {
    if (!reply.ok()) {
      network_state_due_ = true;  // the modem may come back another
      return reply.status();      // the port failed: no sample
    }
  }
  if (read_network) network_state_ = ParseNetworkState(replies);
  const NetworkState& network = *network_state_;
  snapshot.sim_state = network.sim_state;
  snapshot.cs_registration = network.cs_registration;
  snapshot.eps_registration = network.eps_registration;
  snapshot.operator_selection = network.operator_selection;
  snapshot.problems = network.problems;
  ParseSignal(*replies[replies.size() - 2], *replies.back(), snapshot);
  return absl::OkStatus();
}

QuectelModem::NetworkState QuectelModem::ParseNetworkState(
    const std::vector<absl::StatusOr<AtResponse>>& replies) const {
  NetworkState state;
  state.read_at = options_.clock->Now();
  const std::string& port = channel_.port_name();

  const AtResponse& cpin = *replies[0];
  if (cpin.final.success() && !cpin.lines.empty()) {
    absl::StatusOr<SimState> sim = ParseCpin(cpin.lines[0]);
    Note(state.problems, sim.status());
    if (sim.ok()) state.sim_state = *sim;
  } else if (std::optional<SimState> sim = SimStateFromError(cpin.final)) {
    state.sim_state = *sim;
  } else {
    Note(state.problems, FinalResultStatus(cpin.final, "AT+CPIN?", port));
  }

  auto registration = [&](const AtResponse& r, const char* command,
                          std::optional<RegistrationInfo>& out) {
    if (!r.final.success() || r.lines.empty()) {
      Note(state.problems, FinalResultStatus(r.final, command, port));
      return;
    }
    absl::StatusOr<RegistrationInfo> info = ParseRegistration(r.lines[0], /*solicited=*/true);
    Note(state.problems, info.status());
    if (info.ok()) out = *info;
  };
  registration(*replies[1], "AT+CREG?", state.cs_registration);
  registration(*replies[2], "AT+CEREG?", state.eps_registration);

  const AtResponse& cops = *replies[3];
  if (cops.final.success() && !cops.lines.empty()) {
    absl::StatusOr<OperatorSelection> selection = ParseCops(cops.lines[0]);
    Note(state.problems, selection.status());
    if (selection.ok()) state.operator_selection = *selection;
  } else {
    Note(state.problems, FinalResultStatus(cops.final, "AT+COPS?", port));
  }
  return state;
}

void QuectelModem::ParseSignal(const AtResponse& csq, const AtResponse& qeng,
                               ModemSnapshot& snapshot) const {
  const std::string& port = channel_.port_name();
  if (csq.final.success() && !csq.lines.empty()) {
    absl::StatusOr<CsqReading> reading = ParseCsq(csq.lines[0]);
    Note(snapshot.problems, reading.status());
    if (reading.ok()) snapshot.signal = *reading;
  } else {
    Note(snapshot.problems, FinalResultStatus(csq.final, "AT+CSQ", port));
  }

  if (qeng.final.success() && !qeng.lines.empty()) {
    absl::StatusOr<ServingCellInfo> cell = ParseServingCell(qeng.lines, lte_sinr_);
    Note(snapshot.problems, cell.status());
    if (cell.ok()) snapshot.serving_cell = std::move(*cell);
  } else {
    Note(snapshot.problems, FinalResultStatus(qeng.final, "AT+QENG=\"servingcell\"", port));
  }
}

}  // namespace cellfleet::modem
