// `cellfleet dial` and `cellfleet hangup`: the PPP data link on many boards, one
// result line per board.
#include <ostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/commands/commands.h"

namespace cellfleet::client {
namespace {

template <typename Response>
int Report(const std::vector<BoardResult<Response>>& results, CommandEnv& env) {
  int failures = 0;
  std::vector<std::vector<std::string>> rows;
  for (const auto& result : results) {
    const v1::ConnectionStatus& link = result.response.connection();
    if (!result.status.ok()) ++failures;
    if (env.format == OutputFormat::kJson) {
      nlohmann::json line = {{"board", result.board.name},
                             {"address", result.board.address},
                             {"ok", result.status.ok()}};
      if (result.status.ok()) {
        line["connection"] = ProtoToJson(link);
      } else {
        line["error"] = ErrorToJson(result.status);
      }
      env.out << line.dump() << "\n";
      continue;
    }
    if (!result.status.ok()) {
      rows.push_back({result.board.name, "FAILED", "-", "-", "-",
                      absl::StrCat(GrpcCodeName(result.status.error_code()), ": ",
                                   result.status.error_message())});
      continue;
    }
    rows.push_back({result.board.name,
                    ShortEnumName(v1::ConnectionState_Name(link.state()), "CONNECTION_STATE_"),
                    link.interface_name().empty() ? "-" : link.interface_name(),
                    link.local_address().empty() ? "-" : link.local_address(),
                    link.dns_servers().empty() ? "-" : absl::StrJoin(link.dns_servers(), ","), ""});
  }
  if (env.format == OutputFormat::kTable) {
    env.out << RenderTable({"BOARD", "LINK", "INTERFACE", "ADDRESS", "DNS", "NOTE"}, rows);
    if (failures > 0) env.err << failures << " of " << results.size() << " boards failed\n";
  }
  return failures == 0 ? kExitOk : kExitFailed;
}

}  // namespace

int RunDial(const std::vector<Board>& boards, const FanOutOptions& options, CommandEnv& env) {
  return Report(FanOut<v1::DialResponse>(
                    boards, options,
                    [](v1::ModemAgent::Stub* stub, grpc::ClientContext* context,
                       v1::DialResponse* response, std::function<void(grpc::Status)> done) {
                      static const v1::DialRequest kRequest;
                      stub->async()->Dial(context, &kRequest, response, std::move(done));
                    }),
                env);
}

int RunHangUp(const std::vector<Board>& boards, const FanOutOptions& options, CommandEnv& env) {
  return Report(FanOut<v1::HangUpResponse>(
                    boards, options,
                    [](v1::ModemAgent::Stub* stub, grpc::ClientContext* context,
                       v1::HangUpResponse* response, std::function<void(grpc::Status)> done) {
                      static const v1::HangUpRequest kRequest;
                      stub->async()->HangUp(context, &kRequest, response, std::move(done));
                    }),
                env);
}

}  // namespace cellfleet::client
