// A board's history as a chart: RSRP, RSRQ and SINR over time from its kept samples,
// with cell changes, registration changes, link drops and modem resets marked.
#ifndef CELLFLEET_CLIENT_HISTORY_CHART_H_
#define CELLFLEET_CLIENT_HISTORY_CHART_H_

#include <string>

#include "absl/status/status.h"
#include "cellfleet/v1/agent_service.pb.h"
#include "client/chart.h"

namespace cellfleet::client {

Chart HistoryChart(const std::string& board, const v1::GetHistoryResponse& history);

// OK when `chart` has a line to draw (two points in a series); otherwise
// FAILED_PRECONDITION saying so and when there will be enough.
absl::Status EnoughToDraw(const Chart& chart, const v1::GetHistoryResponse& history);

}  // namespace cellfleet::client

#endif  // CELLFLEET_CLIENT_HISTORY_CHART_H_
