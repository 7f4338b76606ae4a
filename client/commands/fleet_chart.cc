// `cellfleet fleet-chart`: one metric across the fleet over time, from the Prometheus
// that scrapes cellfleet-collector, drawn as one line per board.
//   cellfleet fleet-chart --prometheus http://127.0.0.1:9090
//     --query 'cellfleet_signal_rsrp_dbm{region="north"}' --since 6h --chart rsrp.svg
#include <ostream>

#include "CLI/CLI.hpp"
#include "client/chart.h"
#include "client/commands/command.h"
#include "client/prometheus_range.h"

namespace cellfleet::client {
namespace {

// Prometheus answers at most 11,000 points a series; a chart needs far fewer.
constexpr int kPointsAcross = 500;

class FleetChartCommand : public Command {
 public:
  CLI::App* Register(CLI::App& root) override {
    CLI::App* command = root.add_subcommand(
        "fleet-chart", "Draw a metric of every board over time, from the collector's Prometheus");
    command->add_option("--prometheus", prometheus_, "Prometheus's address, http://HOST:PORT")
        ->required();
    command->add_option("--query", query_,
                        "PromQL: a metric of cellfleet-collector, with label matchers if wanted");
    command->add_option("--since", since_, "How far back, e.g. 30m, 6h, 7d");
    command->add_option("--chart", chart_, "The .svg or .png file to write")->required();
    return command;
  }

  int Run(CommandEnv& env) override {
    absl::StatusOr<absl::Duration> window = ParseWindow(since_);
    if (!window.ok()) return UsageError(env, window.status());
    RangeQuery query;
    query.prometheus = prometheus_;
    query.promql = query_;
    query.end = env.clock->Now();
    query.start = query.end - *window;
    query.step = std::max(absl::Seconds(1), *window / kPointsAcross);
    absl::StatusOr<std::vector<ChartSeries>> series = QueryRange(query);
    if (!series.ok()) {
      env.err << "cellfleet fleet-chart: " << series.status().message() << "\n";
      return series.status().code() == absl::StatusCode::kInvalidArgument ? kExitUsage
                                                                          : kExitFailed;
    }
    if (series->empty()) {
      env.err << "cellfleet fleet-chart: no series for " << query_ << " in the last " << since_
              << " (is Prometheus scraping the collector?)\n";
      return kExitFailed;
    }
    // A board that was down has no points there: a gap, not a line across it.
    for (ChartSeries& s : *series) s.gap_after = 2 * query.step;
    Chart chart;
    chart.title = absl::StrCat(query_, " (", series->size(), " series, last ", since_, ")");
    chart.panels = {{query_, std::move(*series)}};
    if (absl::Status drawn = RenderChart(chart, chart_); !drawn.ok()) {
      env.err << "cellfleet fleet-chart: " << drawn.message() << "\n";
      return drawn.code() == absl::StatusCode::kInvalidArgument ? kExitUsage : kExitFailed;
    }
    env.out << chart_ << ": " << chart.panels[0].series.size() << " series of " << query_ << "\n";
    return kExitOk;
  }

 private:
  std::string prometheus_;
  std::string query_ = "cellfleet_signal_rsrp_dbm";
  std::string since_ = "6h";
  std::string chart_;
};

}  // namespace

std::unique_ptr<Command> MakeFleetChartCommand() { return std::make_unique<FleetChartCommand>(); }

}  // namespace cellfleet::client
