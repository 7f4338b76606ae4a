#include "client/status_cells.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "fleet/error_text.h"

namespace cellfleet::client {
namespace {

std::string OptionalNumber(bool has, double value, const char* unit) {
  if (!has) return "-";
  return absl::StrCat(absl::StrFormat("%g", value), unit);
}

}  // namespace

std::vector<std::string> StatusSummaryHeader() {
  return {"STATE", "SIM",  "REG",  "OPERATOR", "RAT", "CELL", "RSRP",
          "RSRQ",  "SINR", "RSSI", "LINK",     "CFG", "NOTE"};
}

std::vector<int> StatusSummaryWidths() { return {12, 13, 10, 12, 8, 14, 8, 6, 6, 7, 22, 5, 0}; }

namespace {

// "up", "down", "dialing", "failed: NO_CARRIER"...; "-" before the agent knows.
std::string LinkCell(const v1::ConnectionStatus& link) {
  switch (link.state()) {
    case v1::CONNECTION_STATE_CONNECTED:
      return link.interface_name().empty() ? "up" : absl::StrCat("up ", link.interface_name());
    case v1::CONNECTION_STATE_DISCONNECTED:
      return "down";
    case v1::CONNECTION_STATE_DIALING:
      return "dialing";
    case v1::CONNECTION_STATE_DISCONNECTING:
      return "hanging up";
    case v1::CONNECTION_STATE_FAILED:
      return absl::StrCat(
          "failed: ",
          fleet::ShortEnumName(v1::ConnectionFailure_Name(link.failure()), "CONNECTION_FAILURE_"));
    default:
      return "-";
  }
}

// The config version in force; "*" while an apply awaits confirmation.
std::string ConfigCell(const v1::ModemStatus& s) {
  if (!s.has_config() || s.config().version() == 0) return "-";
  return absl::StrCat("v", s.config().version(), s.config().has_pending() ? "*" : "");
}

}  // namespace

std::vector<std::string> StatusSummaryCells(const v1::ModemStatus& s) {
  std::string reg = "-";
  if (s.has_eps_registration()) {
    reg = fleet::ShortEnumName(v1::RegistrationState_Name(s.eps_registration().state()),
                               "REGISTRATION_STATE_");
  } else if (s.has_cs_registration()) {
    reg = fleet::ShortEnumName(v1::RegistrationState_Name(s.cs_registration().state()),
                               "REGISTRATION_STATE_");
  }
  std::string oper = s.operator_().name().empty() ? s.operator_().numeric() : s.operator_().name();
  std::string rat =
      s.has_serving_cell()
          ? fleet::ShortEnumName(v1::RadioTechnology_Name(s.serving_cell().radio_technology()),
                                 "RADIO_TECHNOLOGY_")
          : "-";
  std::string cell = "-";
  std::string rsrp = "-", rsrq = "-", sinr = "-";
  std::string rssi = s.signal().has_rssi_dbm() ? absl::StrCat(s.signal().rssi_dbm(), "dBm") : "-";
  const v1::LteServingCell* lte = s.serving_cell().has_lte()     ? &s.serving_cell().lte()
                                  : s.serving_cell().has_en_dc() ? &s.serving_cell().en_dc().lte()
                                                                 : nullptr;
  if (lte != nullptr) {
    cell = absl::StrCat(lte->enb_id(), "-", lte->local_cell_id(), "/", lte->pci());
    rsrp = OptionalNumber(lte->has_rsrp_dbm(), lte->rsrp_dbm(), "dBm");
    rsrq = OptionalNumber(lte->has_rsrq_db(), lte->rsrq_db(), "dB");
    sinr = OptionalNumber(lte->has_sinr_db(), lte->sinr_db(), "dB");
    if (lte->has_rssi_dbm()) rssi = absl::StrCat(lte->rssi_dbm(), "dBm");
  } else if (s.serving_cell().state() == v1::SERVING_CELL_STATE_SEARCH) {
    cell = "searching";
  }
  return {fleet::ShortEnumName(v1::ModemState_Name(s.modem_state()), "MODEM_STATE_"),
          fleet::ShortEnumName(v1::SimState_Name(s.sim_state()), "SIM_STATE_"),
          reg,
          oper.empty() ? "-" : oper,
          rat.empty() ? "-" : rat,
          cell,
          rsrp,
          rsrq,
          sinr,
          rssi,
          LinkCell(s.connection()),
          ConfigCell(s),
          s.modem_state_detail()};
}

}  // namespace cellfleet::client
