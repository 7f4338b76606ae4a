// The collector's metrics as data: each family's name, type, help, which boards it
// covers and how it reads a board, in the order /metrics lists them. RenderMetrics
// (exposition.h) writes them all with one loop.
#ifndef CELLFLEET_COLLECTOR_METRIC_FAMILIES_H_
#define CELLFLEET_COLLECTOR_METRIC_FAMILIES_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "collector/fleet_state.h"
#include "fleet/serving_signal.h"

namespace cellfleet::collector {

// The collector's own figures, over every board it holds.
struct CollectorStats {
  FleetCounts fleet;
  uint64_t scrapes = 0;
  double last_scrape_seconds = 0;  // rendering time of the scrape before this one
};

// A series' labels after `board`, in order.
using LabelSpan = absl::Span<const std::pair<absl::string_view, absl::string_view>>;
using EmitSeries = absl::FunctionRef<void(LabelSpan labels, double value)>;

// Which boards a family has series for.
enum class Covers {
  kEveryBoard,  // what the collector knows of each board: inventory, stream
  kUpBoards,    // values of the latest sample: only while the board's stream is up
  kUpSims,      // per SIM: up boards whose sample names a SIM
};

// What a family reads a board from.
struct BoardReading {
  const BoardSnapshot& board;
  const fleet::ServingSignal& signal;  // the latest sample's (empty while not up)
  absl::Time now;                      // the scrape's
};

struct MetricFamily {
  const char* name;
  const char* type;  // "gauge" or "counter"
  const char* help;
  Covers covers;
  // Emits the board's series of this family (none, one or several).
  void (*read)(const BoardReading& reading, EmitSeries emit);
};
const std::vector<MetricFamily>& BoardMetricFamilies();

// The collector's own metrics (no board label).
struct CollectorFamily {
  const char* name;
  const char* type;
  const char* help;
  double (*read)(const CollectorStats& stats);
};
const std::vector<CollectorFamily>& CollectorMetricFamilies();

// An inventory label's key as a Prometheus label name: characters outside [a-zA-Z0-9_]
// become '_', a leading digit gets '_' before it, and the collector's own names (board,
// address) and reserved ones (__*) get "inventory_" before them.
std::string PrometheusLabelName(absl::string_view key);

}  // namespace cellfleet::collector

#endif  // CELLFLEET_COLLECTOR_METRIC_FAMILIES_H_
