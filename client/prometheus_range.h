// A PromQL range query against Prometheus's HTTP API (/api/v1/query_range), its matrix
// as chart series: one per result, named by its board label (or its whole label set).
#ifndef CELLFLEET_CLIENT_PROMETHEUS_RANGE_H_
#define CELLFLEET_CLIENT_PROMETHEUS_RANGE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "client/chart.h"

namespace cellfleet::client {

struct RangeQuery {
  std::string prometheus;  // "http://127.0.0.1:9090"
  std::string promql;
  absl::Time start, end;
  absl::Duration step = absl::Seconds(15);
  absl::Duration timeout = absl::Seconds(30);
};

// UNAVAILABLE when Prometheus cannot be reached, INVALID_ARGUMENT when it refuses the
// query (with its words), DATA_LOSS for an answer that is not a matrix.
absl::StatusOr<std::vector<ChartSeries>> QueryRange(const RangeQuery& query);

// The series of a query_range answer (JSON), as above.
absl::StatusOr<std::vector<ChartSeries>> ParseRangeAnswer(const std::string& json);

}  // namespace cellfleet::client

#endif  // CELLFLEET_CLIENT_PROMETHEUS_RANGE_H_
