#include "client/history_chart.h"

#include <algorithm>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "base/duration_text.h"
#include "fleet/serving_signal.h"
#include "proto/time_convert.h"

namespace cellfleet::client {
namespace {

// The marks an operator looks for beside a signal change; other events are left out.
std::optional<std::string> MarkKind(const v1::ModemEvent& event) {
  switch (event.kind()) {
    case v1::EVENT_KIND_CELL_CHANGED:
      return "cell change";
    case v1::EVENT_KIND_REGISTRATION_CHANGED:
      return "registration change";
    case v1::EVENT_KIND_LINK_DOWN:
      return "link down";
    case v1::EVENT_KIND_MODEM_RESET:
      return "modem reset";
    case v1::EVENT_KIND_MODEM_STATE_CHANGED:
      // A reset seen from outside: the ports went away, or the modem said it restarts.
      if (absl::StrContains(event.detail(), "-> MODEM_STATE_ABSENT") ||
          absl::StrContains(event.detail(), "-> MODEM_STATE_RESETTING")) {
        return "modem reset";
      }
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

// "EPS REGISTRATION_STATE_HOME -> REGISTRATION_STATE_SEARCHING" reads "EPS HOME ->
// SEARCHING" beside the line; a reason after ": " is left to `cellfleet history`.
std::string MarkLabel(const std::string& detail) {
  std::string label = absl::StrReplaceAll(detail.substr(0, detail.find(": ")),
                                          {{"REGISTRATION_STATE_", ""}, {"MODEM_STATE_", ""}});
  if (label.size() > 40) label = absl::StrCat(label.substr(0, 37), "...");
  return label;
}

// Samples further apart than three of their usual spacings (none kept while the modem
// had no signal) are drawn with a gap between, not joined across it.
absl::Duration GapAfter(const std::vector<absl::Time>& times) {
  if (times.size() < 3) return absl::InfiniteDuration();
  std::vector<absl::Duration> spacing;
  for (size_t i = 1; i < times.size(); ++i) spacing.push_back(times[i] - times[i - 1]);
  std::nth_element(spacing.begin(), spacing.begin() + spacing.size() / 2, spacing.end());
  return 3 * spacing[spacing.size() / 2];
}

}  // namespace

Chart HistoryChart(const std::string& board, const v1::GetHistoryResponse& history) {
  Chart chart;
  ChartSeries rsrp{"RSRP", {}}, rsrq{"RSRQ", {}}, sinr{"SINR", {}};
  std::vector<absl::Time> sampled;
  for (const v1::HistoryEntry& entry : history.entries()) {
    const absl::Time at = FromProtoTime(entry.at());
    if (entry.has_event()) {
      if (std::optional<std::string> kind = MarkKind(entry.event())) {
        chart.marks.push_back({at, *kind, MarkLabel(entry.event().detail())});
      }
      continue;
    }
    if (!entry.has_sample()) continue;
    sampled.push_back(at);
    const fleet::ServingSignal signal = fleet::SignalOf(entry.sample());
    if (signal.rsrp) rsrp.points.push_back({at, *signal.rsrp});
    if (signal.rsrq) rsrq.points.push_back({at, *signal.rsrq});
    if (signal.sinr) sinr.points.push_back({at, *signal.sinr});
  }
  const absl::Duration gap = GapAfter(sampled);
  for (ChartSeries* s : {&rsrp, &rsrq, &sinr}) s->gap_after = gap;
  chart.title = absl::StrCat(board, ": serving cell signal");
  chart.panels = {{"RSRP (dBm)", {std::move(rsrp)}},
                  {"RSRQ (dB)", {std::move(rsrq)}},
                  {"SINR (dB)", {std::move(sinr)}}};
  return chart;
}

// A line needs two points: a chart of fewer would be empty panels that look like a
// board without signal. Says when there will be enough (the agent keeps a sample every
// sample_interval).
absl::Status EnoughToDraw(const Chart& chart, const v1::GetHistoryResponse& history) {
  size_t most = 0;
  for (const ChartPanel& panel : chart.panels) {
    for (const ChartSeries& series : panel.series) most = std::max(most, series.points.size());
  }
  if (most >= 2) return absl::OkStatus();
  const absl::Duration every = FromProtoDuration(history.sample_interval());
  std::string when = "once the agent has kept two samples with a signal reading";
  if (every > absl::ZeroDuration()) {
    absl::StrAppend(&when, " (it keeps one every ", base::DurationText(every), ": try again in ",
                    base::DurationText(every * static_cast<double>(2 - most)), ")");
  }
  return absl::FailedPreconditionError(
      absl::StrCat("too little history to draw: ", most, most == 1 ? " sample" : " samples",
                   " with a signal reading in the window; no chart written. There will be "
                   "enough ",
                   when));
}

}  // namespace cellfleet::client
