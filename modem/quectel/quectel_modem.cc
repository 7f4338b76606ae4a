#include "modem/quectel/quectel_modem.h"

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "modem/log_format.h"
#include "modem/replies/identity.h"
#include "modem/replies/registration.h"
#include "spdlog/spdlog.h"

namespace cellfleet::modem {
namespace {

// Adds a problem line for a modem-level failure or an unparseable reply.
void Note(ModemSnapshot& snapshot, const absl::Status& status) {
  if (!status.ok()) snapshot.problems.emplace_back(status.message());
}

}  // namespace

QuectelModem::QuectelModem(AtChannel& channel) : channel_(channel) {
  urc_handler_id_ = channel_.AddUrcHandler([this](absl::string_view line) {
    if (line == "RDY") {
      reset_pending_ = true;
      reset_event_ = true;
    }
  });
}

QuectelModem::~QuectelModem() { channel_.RemoveUrcHandler(urc_handler_id_); }

absl::StatusOr<AtResponse> QuectelModem::Run(AtCommand command) {
  return channel_.Execute(std::move(command));
}

absl::Status QuectelModem::Initialize() {
  reset_pending_ = false;
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

absl::StatusOr<ModemSnapshot> QuectelModem::ReadStatus() {
  if (reset_pending_.load()) {
    spdlog::info("{}: modem reset (RDY); re-initialising", channel_.port_name());
    RETURN_IF_ERROR(Initialize());
  }
  ModemSnapshot snapshot;
  const std::string& port = channel_.port_name();

  AtCommand creg = AtCommand::Query("AT+CREG?", {"+CREG:"});
  AtCommand cereg = AtCommand::Query("AT+CEREG?", {"+CEREG:"});
  creg.is_reply = IsRegistrationReadReply;  // a +CxREG URC just before is not the reply
  cereg.is_reply = IsRegistrationReadReply;
  // One batch: the channel sends each as soon as the one before is answered, and this
  // thread wakes once per sample, not once per command.
  std::vector<absl::StatusOr<AtResponse>> replies = channel_.ExecuteAll(
      {AtCommand::Query("AT+CPIN?", {"+CPIN:"}), std::move(creg), std::move(cereg),
       AtCommand::Query("AT+COPS?", {"+COPS:"}), AtCommand::Query("AT+CSQ", {"+CSQ:"}),
       AtCommand::Query("AT+QENG=\"servingcell\"", {"+QENG:"})});
  for (const absl::StatusOr<AtResponse>& reply : replies) {
    if (!reply.ok()) return reply.status();  // the port failed: no sample
  }
  const AtResponse& cpin = *replies[0];
  if (cpin.final.success() && !cpin.lines.empty()) {
    absl::StatusOr<SimState> sim = ParseCpin(cpin.lines[0]);
    Note(snapshot, sim.status());
    if (sim.ok()) snapshot.sim_state = *sim;
  } else if (std::optional<SimState> sim = SimStateFromError(cpin.final)) {
    snapshot.sim_state = *sim;
  } else {
    Note(snapshot, FinalResultStatus(cpin.final, "AT+CPIN?", port));
  }

  auto registration = [&](const AtResponse& r, const char* command,
                          std::optional<RegistrationInfo>& out) {
    if (!r.final.success() || r.lines.empty()) {
      Note(snapshot, FinalResultStatus(r.final, command, port));
      return;
    }
    absl::StatusOr<RegistrationInfo> info = ParseRegistration(r.lines[0], /*solicited=*/true);
    Note(snapshot, info.status());
    if (info.ok()) out = *info;
  };
  registration(*replies[1], "AT+CREG?", snapshot.cs_registration);
  registration(*replies[2], "AT+CEREG?", snapshot.eps_registration);

  const AtResponse& cops = *replies[3];
  if (cops.final.success() && !cops.lines.empty()) {
    absl::StatusOr<OperatorSelection> selection = ParseCops(cops.lines[0]);
    Note(snapshot, selection.status());
    if (selection.ok()) snapshot.operator_selection = *selection;
  } else {
    Note(snapshot, FinalResultStatus(cops.final, "AT+COPS?", port));
  }

  const AtResponse& csq = *replies[4];
  if (csq.final.success() && !csq.lines.empty()) {
    absl::StatusOr<CsqReading> reading = ParseCsq(csq.lines[0]);
    Note(snapshot, reading.status());
    if (reading.ok()) snapshot.signal = *reading;
  } else {
    Note(snapshot, FinalResultStatus(csq.final, "AT+CSQ", port));
  }

  const AtResponse& qeng = *replies[5];
  if (qeng.final.success() && !qeng.lines.empty()) {
    absl::StatusOr<ServingCellInfo> cell = ParseServingCell(qeng.lines, lte_sinr_);
    Note(snapshot, cell.status());
    if (cell.ok()) snapshot.serving_cell = std::move(*cell);
  } else {
    Note(snapshot, FinalResultStatus(qeng.final, "AT+QENG=\"servingcell\"", port));
  }
  // A SIM that just became ready: its identity, now (two more commands, once).
  if (snapshot.sim_state == SimState::kReady && identity_.imsi.empty()) ReadSimIdentity();

  snapshot.identity = identity_;
  snapshot.sampled_at = absl::Now();
  return snapshot;
}

}  // namespace cellfleet::modem
