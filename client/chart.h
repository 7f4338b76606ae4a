// Time-series charts drawn by gnuplot (Debian's gnuplot-nox), as SVG or PNG by the
// file's extension: one or more stacked panels sharing the time axis, each with its
// series, and marks (events) drawn as vertical lines across every panel, with a legend
// entry per kind of mark.
#ifndef CELLFLEET_CLIENT_CHART_H_
#define CELLFLEET_CLIENT_CHART_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace cellfleet::client {

struct ChartPoint {
  absl::Time at;
  double value;
};

struct ChartSeries {
  std::string title;               // the legend's name, e.g. "RSRP" or a board's name
  std::vector<ChartPoint> points;  // in time order; a gap is drawn where one is missing
  absl::Duration gap_after = absl::InfiniteDuration();  // points further apart: a gap
};

struct ChartPanel {
  std::string y_label;  // e.g. "RSRP (dBm)"
  std::vector<ChartSeries> series;
};

struct ChartMark {
  absl::Time at;
  std::string kind;   // the legend's name, e.g. "modem reset": one colour per kind
  std::string label;  // written beside the line, e.g. "EPS HOME -> SEARCHING"
};

struct Chart {
  std::string title;
  std::vector<ChartPanel> panels;
  std::vector<ChartMark> marks;
};

inline constexpr char kGnuplot[] = "/usr/bin/gnuplot";

// Writes `chart` to `path` (.svg or .png) through gnuplot, atomically: on any error the
// file is left as it was. INVALID_ARGUMENT for another extension or a chart without
// points; FAILED_PRECONDITION when gnuplot is missing or fails (with its words).
absl::Status RenderChart(const Chart& chart, const std::string& path,
                         const std::string& gnuplot = kGnuplot);

// The gnuplot script RenderChart runs (data inline), writing to `output`.
std::string GnuplotScript(const Chart& chart, const std::string& output, bool png);

}  // namespace cellfleet::client

#endif  // CELLFLEET_CLIENT_CHART_H_
