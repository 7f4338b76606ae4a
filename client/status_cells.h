// A modem status in the short human columns every command shows it in.
#ifndef CELLFLEET_CLIENT_STATUS_CELLS_H_
#define CELLFLEET_CLIENT_STATUS_CELLS_H_

#include <string>
#include <vector>

#include "cellfleet/v1/agent_service.pb.h"

namespace cellfleet::client {

// The short human columns of a status: state, SIM, registration, operator, RAT, cell,
// RSRP, RSRQ, SINR, RSSI.
std::vector<std::string> StatusSummaryHeader();
// Column widths for streaming output, where rows cannot be measured in advance.
std::vector<int> StatusSummaryWidths();
std::vector<std::string> StatusSummaryCells(const v1::ModemStatus& status);

}  // namespace cellfleet::client

#endif  // CELLFLEET_CLIENT_STATUS_CELLS_H_
