// `cellfleet status`: one GetStatus per board, one row (or JSON line) per board.
#include <ostream>

#include "absl/strings/str_cat.h"
#include "client/commands/commands.h"

namespace cellfleet::client {

int RunStatus(const std::vector<Board>& boards, const FanOutOptions& options, CommandEnv& env) {
  auto results = FanOut<v1::GetStatusResponse>(
      boards, options,
      [](v1::ModemAgent::Stub* stub, grpc::ClientContext* context, v1::GetStatusResponse* response,
         std::function<void(grpc::Status)> done) {
        static const v1::GetStatusRequest kRequest;
        stub->async()->GetStatus(context, &kRequest, response, std::move(done));
      });
  int failures = 0;
  std::vector<std::vector<std::string>> rows;
  for (const auto& result : results) {
    if (!result.status.ok()) ++failures;
    if (env.format == OutputFormat::kJson) {
      nlohmann::json line = {{"board", result.board.name},
                             {"address", result.board.address},
                             {"ok", result.status.ok()}};
      if (result.status.ok()) {
        line["status"] = ProtoToJson(result.response.status());
        line["agent_board_name"] = result.response.board_name();
      } else {
        line["error"] = ErrorToJson(result.status);
      }
      env.out << line.dump() << "\n";
      continue;
    }
    std::vector<std::string> row = {result.board.name};
    if (result.status.ok()) {
      for (std::string& cell : StatusSummaryCells(result.response.status()))
        row.push_back(std::move(cell));
    } else {
      row.push_back(absl::StrCat("UNREACHABLE (", GrpcCodeName(result.status.error_code()), ": ",
                                 result.status.error_message(), ")"));
    }
    rows.push_back(std::move(row));
  }
  if (env.format == OutputFormat::kTable) {
    std::vector<std::string> header = {"BOARD"};
    for (std::string& h : StatusSummaryHeader()) header.push_back(std::move(h));
    env.out << RenderTable(header, rows);
    if (failures > 0) env.err << failures << " of " << boards.size() << " boards did not answer\n";
  }
  env.out.flush();
  return failures == 0 ? kExitOk : kExitFailed;
}

}  // namespace cellfleet::client
