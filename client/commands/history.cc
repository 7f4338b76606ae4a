// `cellfleet history`: what each board recorded (events and kept samples) in a window.
#include <ostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/commands/commands.h"
#include "proto/time_convert.h"

namespace cellfleet::client {
namespace {

std::string FormatTime(const google::protobuf::Timestamp& t) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S", FromProtoTime(t), absl::LocalTimeZone());
}

}  // namespace

int RunHistory(const std::vector<Board>& boards, const FanOutOptions& options,
               const HistoryOptions& history, CommandEnv& env) {
  v1::GetHistoryRequest request;
  const absl::Time now = absl::Now();
  *request.mutable_start_time() = ToProtoTime(now - history.since);
  request.set_events_only(history.events_only);
  request.set_max_entries(static_cast<uint32_t>(history.max_entries));
  auto results = FanOut<v1::GetHistoryResponse>(
      boards, options,
      [&request](v1::ModemAgent::Stub* stub, grpc::ClientContext* context,
                 v1::GetHistoryResponse* response, std::function<void(grpc::Status)> done) {
        stub->async()->GetHistory(context, &request, response, std::move(done));
      });
  int failures = 0;
  std::vector<std::vector<std::string>> rows;
  for (const auto& result : results) {
    if (!result.status.ok()) {
      ++failures;
      if (env.format == OutputFormat::kJson) {
        env.out << nlohmann::json{{"board", result.board.name},
                                  {"ok", false},
                                  {"error", ErrorToJson(result.status)}}
                       .dump()
                << "\n";
      } else {
        rows.push_back({result.board.name, "-", "UNREACHABLE",
                        absl::StrCat(GrpcCodeName(result.status.error_code()), ": ",
                                     result.status.error_message())});
      }
      continue;
    }
    for (const v1::HistoryEntry& entry : result.response.entries()) {
      if (env.format == OutputFormat::kJson) {
        nlohmann::json line = ProtoToJson(entry);
        line["board"] = result.board.name;
        env.out << line.dump() << "\n";
        continue;
      }
      if (entry.has_event()) {
        rows.push_back({result.board.name, FormatTime(entry.at()),
                        ShortEnumName(v1::EventKind_Name(entry.event().kind()), "EVENT_KIND_"),
                        entry.event().detail()});
      } else {
        std::vector<std::string> cells = StatusSummaryCells(entry.sample());
        cells.pop_back();  // the NOTE column
        rows.push_back(
            {result.board.name, FormatTime(entry.at()), "SAMPLE", absl::StrJoin(cells, " ")});
      }
    }
    if (result.response.truncated() && env.format == OutputFormat::kTable) {
      env.err << result.board.name << ": more entries than --max; showing the newest\n";
    }
  }
  if (env.format == OutputFormat::kTable)
    env.out << RenderTable({"BOARD", "TIME", "KIND", "DETAIL"}, rows);
  return failures == 0 ? kExitOk : kExitFailed;
}

}  // namespace cellfleet::client
