// Rendering for the CLI: aligned tables for terminals, JSON lines for machines.
#ifndef CELLFLEET_CLIENT_OUTPUT_H_
#define CELLFLEET_CLIENT_OUTPUT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "cellfleet/v1/agent_service.pb.h"
#include "google/protobuf/message.h"
#include "grpcpp/support/status.h"
#include "nlohmann/json.hpp"

namespace cellfleet::client {

enum class OutputFormat { kTable, kJson };

absl::StatusOr<OutputFormat> ParseOutputFormat(const std::string& text);

// Columns padded to the widest cell; the header line first.
std::string RenderTable(const std::vector<std::string>& header,
                        const std::vector<std::vector<std::string>>& rows);

// A proto message as JSON (field names as in the .proto, enums by name).
nlohmann::json ProtoToJson(const google::protobuf::Message& message);

// {"code": "UNAVAILABLE", "message": "..."}
nlohmann::json ErrorToJson(const grpc::Status& status);
std::string GrpcCodeName(grpc::StatusCode code);

// The short human columns of a status: state, SIM, registration, operator, RAT, cell,
// RSRP, RSRQ, SINR, RSSI.
std::vector<std::string> StatusSummaryHeader();
// Column widths for streaming output, where rows cannot be measured in advance.
std::vector<int> StatusSummaryWidths();
std::vector<std::string> StatusSummaryCells(const v1::ModemStatus& status);

// An enum value's name without its type prefix: MODEM_STATE_READY -> READY.
std::string ShortEnumName(const std::string& full, const std::string& prefix);

}  // namespace cellfleet::client

#endif  // CELLFLEET_CLIENT_OUTPUT_H_
