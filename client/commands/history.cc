// `cellfleet history`: what each board recorded (events and kept samples) in a window.
// A row (JSON line) per entry.
#include <ostream>

#include "CLI/CLI.hpp"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/commands/command.h"
#include "client/status_cells.h"
#include "proto/time_convert.h"

namespace cellfleet::client {
namespace {

std::string FormatTime(const google::protobuf::Timestamp& t) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S", FromProtoTime(t), absl::LocalTimeZone());
}

// "30m", "6h", "7d" (absl durations have no day unit; operators write days).
absl::StatusOr<absl::Duration> ParseWindow(const std::string& since) {
  std::string text = since;
  if (!text.empty() && text.back() == 'd') {
    int days = 0;
    if (absl::SimpleAtoi(text.substr(0, text.size() - 1), &days))
      text = absl::StrCat(days * 24, "h");
  }
  absl::Duration window;
  if (!absl::ParseDuration(text, &window) || window <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--since \"", since, "\": expected a duration such as 30m, 6h or 7d"));
  }
  return window;
}

Row EntryCells(const v1::HistoryEntry& entry) {
  if (entry.has_event()) {
    return {FormatTime(entry.at()),
            ShortEnumName(v1::EventKind_Name(entry.event().kind()), "EVENT_KIND_"),
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
    command->add_option("--max", max_entries_, "Entries per board (newest kept)")
        ->check(CLI::Range(1, 100000));
    return command;
  }

 private:
  int RunOnBoards(const std::vector<Board>& boards, CommandEnv& env) override {
    absl::StatusOr<absl::Duration> window = ParseWindow(since_);
    if (!window.ok()) return UsageError(env, window.status());
    v1::GetHistoryRequest request;
    *request.mutable_start_time() = ToProtoTime(absl::Now() - *window);
    request.set_events_only(events_only_);
    request.set_max_entries(static_cast<uint32_t>(max_entries_));
    auto results = FanOut<v1::GetHistoryResponse>(
        boards, env.fanout,
        [&request](v1::ModemAgent::Stub* stub, grpc::ClientContext* context,
                   v1::GetHistoryResponse* response, std::function<void(grpc::Status)> done) {
          stub->async()->GetHistory(context, &request, response, std::move(done));
        });
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

  std::string since_ = "24h";
  bool events_only_ = false;
  int max_entries_ = 1000;
};

}  // namespace

std::unique_ptr<Command> MakeHistoryCommand() { return std::make_unique<HistoryCommand>(); }

}  // namespace cellfleet::client
