#include "client/output.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/util/json_util.h"

namespace cellfleet::client {
namespace {

std::string OptionalNumber(bool has, double value, const char* unit) {
  if (!has) return "-";
  return absl::StrCat(absl::StrFormat("%g", value), unit);
}

}  // namespace

absl::StatusOr<OutputFormat> ParseOutputFormat(const std::string& text) {
  if (text == "table") return OutputFormat::kTable;
  if (text == "json") return OutputFormat::kJson;
  return absl::InvalidArgumentError(
      absl::StrCat("--output must be table or json, not \"", text, "\""));
}

std::string RenderTable(const std::vector<std::string>& header,
                        const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths(header.size(), 0);
  auto measure = [&](const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size() && i < widths.size(); ++i)
      widths[i] = std::max(widths[i], row[i].size());
  };
  measure(header);
  for (const auto& row : rows) measure(row);
  auto render = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      if (i + 1 == row.size()) {
        absl::StrAppend(&line, row[i]);  // no trailing blanks
      } else {
        absl::StrAppend(&line, row[i], std::string(widths[i] - row[i].size() + 2, ' '));
      }
    }
    return line + "\n";
  };
  std::string out = render(header);
  for (const auto& row : rows) out += render(row);
  return out;
}

nlohmann::json ProtoToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string text;
  if (!google::protobuf::util::MessageToJsonString(message, &text, options).ok()) {
    return nlohmann::json::object();
  }
  return nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
}

std::string GrpcCodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::CANCELLED:
      return "CANCELLED";
    case grpc::StatusCode::UNKNOWN:
      return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED:
      return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL:
      return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS:
      return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    default:
      return absl::StrCat("CODE_", static_cast<int>(code));
  }
}

nlohmann::json ErrorToJson(const grpc::Status& status) {
  return {{"code", GrpcCodeName(status.error_code())}, {"message", status.error_message()}};
}

std::string ShortEnumName(const std::string& full, const std::string& prefix) {
  std::string name = absl::StartsWith(full, prefix) ? full.substr(prefix.size()) : full;
  return name == "UNSPECIFIED" ? "-" : name;
}

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
      return absl::StrCat("failed: ", ShortEnumName(v1::ConnectionFailure_Name(link.failure()),
                                                    "CONNECTION_FAILURE_"));
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
    reg = ShortEnumName(v1::RegistrationState_Name(s.eps_registration().state()),
                        "REGISTRATION_STATE_");
  } else if (s.has_cs_registration()) {
    reg = ShortEnumName(v1::RegistrationState_Name(s.cs_registration().state()),
                        "REGISTRATION_STATE_");
  }
  std::string oper = s.operator_().name().empty() ? s.operator_().numeric() : s.operator_().name();
  std::string rat =
      s.has_serving_cell()
          ? ShortEnumName(v1::RadioTechnology_Name(s.serving_cell().radio_technology()),
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
  return {ShortEnumName(v1::ModemState_Name(s.modem_state()), "MODEM_STATE_"),
          ShortEnumName(v1::SimState_Name(s.sim_state()), "SIM_STATE_"),
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
