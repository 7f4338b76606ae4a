// The fleet in Prometheus's text exposition format (version 0.0.4). Names, units and
// HELP texts follow Prometheus's conventions: base units in the name (_seconds,
// _bytes_total; signal in its own units, _dbm and _db), enums as state sets, identity
// and serving cell as labels of info metrics (value 1) so that a handover or a SIM swap
// adds series to those only. Values are the latest sample a board's stream carried;
// each board's sample age is exported beside them, and a board whose stream is not up
// exports no values at all (only why not), never frozen ones.
#ifndef CELLFLEET_COLLECTOR_EXPOSITION_H_
#define CELLFLEET_COLLECTOR_EXPOSITION_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "collector/fleet_state.h"
#include "collector/metric_families.h"

namespace cellfleet::collector {

// Every board of `boards`, family by family (metric_families.h); with `self`, the
// collector's own metrics too.
std::string RenderMetrics(const std::vector<BoardSnapshot>& boards, const CollectorStats& stats,
                          bool self, absl::Time now);

// `value` for a label: backslash, double quote and newline escaped.
std::string EscapeLabelValue(absl::string_view value);

}  // namespace cellfleet::collector

#endif  // CELLFLEET_COLLECTOR_EXPOSITION_H_
