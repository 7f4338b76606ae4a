// `cellfleet status`: one GetStatus per board, one row (or JSON line) per board.
#include "CLI/CLI.hpp"
#include "client/commands/command.h"
#include "client/status_cells.h"

namespace cellfleet::client {
namespace {

class StatusCommand : public FleetCommand {
 public:
  CLI::App* Register(CLI::App& root) override {
    CLI::App* command = root.add_subcommand("status", "Show each board's modem status");
    AddBoardOptions(command);
    return command;
  }

 private:
  int RunOnBoards(const std::vector<Board>& boards, CommandEnv& env) override {
    auto results = FanOut<v1::GetStatusResponse>(
        boards, env.fanout,
        [](v1::ModemAgent::Stub* stub, grpc::ClientContext* context,
           v1::GetStatusResponse* response, std::function<void(grpc::Status)> done) {
          static const v1::GetStatusRequest kRequest;
          stub->async()->GetStatus(context, &kRequest, response, std::move(done));
        });
    BoardReport report = env.Report(StatusSummaryHeader());
    for (const auto& result : results) {
      if (!result.status.ok()) {
        report.AddFailure(result.board, result.status);
        continue;
      }
      report.AddRow(result.board, StatusSummaryCells(result.response.status()),
                    {{"status", ProtoToJson(result.response.status())},
                     {"agent_board_name", result.response.board_name()}},
                    result.response.board_name());
    }
    return report.Finish(env.err) == 0 ? kExitOk : kExitFailed;
  }
};

}  // namespace

std::unique_ptr<Command> MakeStatusCommand() { return std::make_unique<StatusCommand>(); }

}  // namespace cellfleet::client
