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
  int RunOnBoards(const std::vector<fleet::Board>& boards, CommandEnv& env) override {
    auto results = fleet::CallEach(boards, env.fanout, &Rpc::GetStatus, v1::GetStatusRequest());
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
