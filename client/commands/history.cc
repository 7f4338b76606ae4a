// `cellfleet history`: what each board recorded (events and kept samples) in a window.
// A row (JSON line) per entry; with --chart, one board's signal drawn instead.
#include <ostream>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/chart.h"
#include "client/commands/command.h"
#include "client/history_chart.h"
#include "client/status_cells.h"
#include "proto/time_convert.h"

namespace cellfleet::client {
namespace {

std::string FormatTime(const google::protobuf::Timestamp& t) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S", FromProtoTime(t), absl::LocalTimeZone());
}

Row EntryCells(const v1::HistoryEntry& entry) {
  if (entry.has_event()) {
    return {FormatTime(entry.at()),
            fleet::ShortEnumName(v1::EventKind_Name(entry.event().kind()), "EVENT_KIND_"),
            entry.event().detail()};
  }
  std::vector<std::string> cells = StatusSummaryCells(entry.sample());
  cells.pop_back();  // the NOTE column
  return {FormatTime(entry.at()), "SAMPLE", absl::StrJoin(cells, " ")};
}

class HistoryCommand : public FleetCommand {
 public:
  CLI::App* Register(CLI::App& root) override {
    CLI::App* command =
        root.add_subcommand("history", "Show what each board recorded while unwatched");
    AddBoardOptions(command);
    command->add_option("--since", since_, "How far back, e.g. 30m, 6h, 7d");
    command->add_flag("--events-only", events_only_, "Only events, no kept samples");
    max_option_ = command->add_option("--max", max_entries_, "Entries per board (newest kept)")
                      ->check(CLI::Range(1, kMostEntries));
    command->add_option("--chart", chart_,
                        "Draw one board's RSRP, RSRQ and SINR with its events to this .svg or "
                        ".png file (by gnuplot) instead of listing the entries");
    return command;
  }

 private:
  int RunOnBoards(const std::vector<fleet::Board>& boards, CommandEnv& env) override {
    absl::StatusOr<absl::Duration> window = ParseWindow(since_);
    if (!window.ok()) return UsageError(env, window.status());
    if (!chart_.empty() && (boards.size() != 1 || events_only_)) {
      return UsageError(env, absl::InvalidArgumentError(
                                 "--chart draws one board's samples: name one board, without "
                                 "--events-only"));
    }
    v1::GetHistoryRequest request;
    *request.mutable_start_time() = ToProtoTime(env.clock->Now() - *window);
    request.set_events_only(events_only_);
    // A chart wants the whole window unless --max says otherwise.
    const int most = !chart_.empty() && max_option_->count() == 0 ? kMostEntries : max_entries_;
    request.set_max_entries(static_cast<uint32_t>(most));
    auto results = fleet::CallEach(boards, env.fanout, &Rpc::GetHistory, request);
    if (!chart_.empty()) return DrawChart(results.front(), env);
    BoardReport report = env.Report({"TIME", "KIND", "DETAIL"});
    for (const auto& result : results) {
      if (!result.status.ok()) {
        report.AddFailure(result.board, result.status);
        continue;
      }
      report.AddAnswered(result.board);
      for (const v1::HistoryEntry& entry : result.response.entries())
        report.AddRow(result.board, EntryCells(entry), ProtoToJson(entry));
      if (result.response.truncated()) {
        env.err << result.board.name << ": more entries than --max; showing the newest\n";
      }
    }
    return report.Finish(env.err) == 0 ? kExitOk : kExitFailed;
  }

  int DrawChart(const fleet::BoardResult<v1::GetHistoryResponse>& result, CommandEnv& env) {
    if (!result.status.ok()) {
      env.err << result.board.name << ": " << fleet::ErrorText(result.status) << "\n";
      return kExitFailed;
    }
    const Chart chart = HistoryChart(result.board.name, result.response);
    if (absl::Status enough = EnoughToDraw(chart, result.response); !enough.ok()) {
      env.err << result.board.name << ": " << enough.message() << "\n";
      return kExitFailed;
    }
    if (absl::Status drawn = RenderChart(chart, chart_); !drawn.ok()) {
      env.err << result.board.name << ": " << drawn.message() << "\n";
      return drawn.code() == absl::StatusCode::kInvalidArgument ? kExitUsage : kExitFailed;
    }
    size_t samples = 0;
    for (const ChartPanel& panel : chart.panels)
      samples = std::max(samples, panel.series[0].points.size());
    env.out << result.board.name << ": " << chart_ << " (" << samples << " samples, "
            << chart.marks.size() << " events marked)\n";
    if (result.response.truncated()) {
      env.err << result.board.name << ": more entries than --max; the chart shows the newest\n";
    }
    return kExitOk;
  }

  static constexpr int kMostEntries = 100000;
  std::string since_ = "24h";
  bool events_only_ = false;
  int max_entries_ = 1000;
  CLI::Option* max_option_ = nullptr;
  std::string chart_;
};

}  // namespace

std::unique_ptr<Command> MakeHistoryCommand() { return std::make_unique<HistoryCommand>(); }

}  // namespace cellfleet::client
