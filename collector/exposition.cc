#include "collector/exposition.h"

#include <cmath>
#include <functional>
#include <initializer_list>
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "fleet/error_text.h"
#include "fleet/serving_signal.h"
#include "proto/time_convert.h"

namespace cellfleet::collector {
namespace {

std::string FormatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    return absl::StrCat(static_cast<int64_t>(value));
  }
  return absl::StrFormat("%.15g", value);
}

class Writer {
 public:
  void Family(absl::string_view name, absl::string_view type, absl::string_view help) {
    absl::StrAppend(&out_, "# HELP ", name, " ", help, "\n# TYPE ", name, " ", type, "\n");
  }
  void Sample(absl::string_view name, const fleet::Board& board, LabelSpan labels, double value) {
    absl::StrAppend(&out_, name, "{board=\"", EscapeLabelValue(board.name), "\"");
    for (const auto& [key, text] : labels) {
      absl::StrAppend(&out_, ",", key, "=\"", EscapeLabelValue(text), "\"");
    }
    absl::StrAppend(&out_, "} ", FormatValue(value), "\n");
  }
  void Plain(absl::string_view name, double value) {
    absl::StrAppend(&out_, name, " ", FormatValue(value), "\n");
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

}  // namespace

std::string EscapeLabelValue(absl::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string RenderMetrics(const std::vector<BoardSnapshot>& boards, const CollectorStats& stats,
                          bool self, absl::Time now) {
  // Each up board's serving cell, read once for every family that needs it.
  std::vector<fleet::ServingSignal> signals(boards.size());
  for (size_t i = 0; i < boards.size(); ++i) {
    if (boards[i].up() && boards[i].status != nullptr)
      signals[i] = fleet::SignalOf(*boards[i].status);
  }
  Writer w;
  for (const MetricFamily& family : BoardMetricFamilies()) {
    w.Family(family.name, family.type, family.help);
    for (size_t i = 0; i < boards.size(); ++i) {
      const BoardSnapshot& b = boards[i];
      const bool up = b.up() && b.status != nullptr;
      if (family.covers == Covers::kUpBoards && !up) continue;
      if (family.covers == Covers::kUpSims && (!up || b.status->usage().iccid().empty())) continue;
      family.read(BoardReading{b, signals[i], now}, [&](LabelSpan labels, double value) {
        w.Sample(family.name, b.board, labels, value);
      });
    }
  }
  if (self) {
    for (const CollectorFamily& family : CollectorMetricFamilies()) {
      w.Family(family.name, family.type, family.help);
      w.Plain(family.name, family.read(stats));
    }
  }
  return w.Take();
}

}  // namespace cellfleet::collector
