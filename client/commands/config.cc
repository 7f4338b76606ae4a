// `cellfleet config get|diff|apply|confirm` and `cellfleet apn set`: the connection
// config across many boards. Apply goes through the rollout (commit-confirmed, canary).
#include <map>
#include <ostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/commands/commands.h"
#include "client/rollout.h"
#include "google/protobuf/util/time_util.h"

namespace cellfleet::client {
namespace {

std::string Short(const std::string& full, const std::string& prefix) {
  return ShortEnumName(full, prefix);
}

std::vector<std::string> ConfigCells(const v1::GetConfigResponse& config) {
  const v1::ConnectionConfig& c = config.current().config();
  std::string pending = "-";
  if (config.has_pending()) {
    pending = absl::StrCat(
        "v", config.pending().version(), " until ",
        google::protobuf::util::TimeUtil::ToString(config.pending().deadline()).substr(11, 8),
        "Z, else v", config.pending().rollback_to_version());
  }
  return {absl::StrCat(config.current().version()),
          c.apn().empty() ? "(default)" : c.apn(),
          Short(v1::PdpType_Name(c.pdp_type()), "PDP_TYPE_"),
          Short(v1::AuthMethod_Name(c.auth()), "AUTH_METHOD_"),
          c.keep_up().enabled() ? "on" : "off",
          pending,
          config.current().applied_by()};
}

template <typename Response>
void PrintError(const BoardResult<Response>& result, CommandEnv& env,
                std::vector<std::vector<std::string>>& rows) {
  if (env.format == OutputFormat::kJson) {
    env.out << nlohmann::json({{"board", result.board.name},
                               {"address", result.board.address},
                               {"ok", false},
                               {"error", ErrorToJson(result.status)}})
                   .dump()
            << "\n";
    return;
  }
  rows.push_back({result.board.name, "FAILED",
                  absl::StrCat(GrpcCodeName(result.status.error_code()), ": ",
                               result.status.error_message())});
}

// One JSON line for a board that answered: {"board", "address", "ok": true, key: value}.
void PrintJsonOk(const Board& board, const char* key, nlohmann::json value, CommandEnv& env) {
  env.out << nlohmann::json(
                 {{"board", board.name}, {"address", board.address}, {"ok", true}, {key, value}})
                 .dump()
          << "\n";
}

}  // namespace

int RunConfigGet(const std::vector<Board>& boards, const FanOutOptions& options,
                 bool include_previous, CommandEnv& env) {
  auto results = FanOut<v1::GetConfigResponse>(
      boards, options,
      [include_previous](v1::ModemAgent::Stub* stub, grpc::ClientContext* context,
                         v1::GetConfigResponse* response, std::function<void(grpc::Status)> done) {
        auto request = std::make_shared<v1::GetConfigRequest>();
        request->set_include_previous(include_previous);
        stub->async()->GetConfig(context, request.get(), response,
                                 [request, done](grpc::Status s) { done(std::move(s)); });
      });
  int failures = 0;
  std::vector<std::vector<std::string>> rows, errors;
  for (const auto& result : results) {
    if (!result.status.ok()) {
      ++failures;
      PrintError(result, env, errors);
      continue;
    }
    if (env.format == OutputFormat::kJson) {
      PrintJsonOk(result.board, "config", ProtoToJson(result.response), env);
      continue;
    }
    std::vector<std::string> row = {result.board.name};
    for (std::string& cell : ConfigCells(result.response)) row.push_back(std::move(cell));
    rows.push_back(std::move(row));
    for (const v1::ConfigVersion& old : result.response.previous()) {
      rows.push_back({"", absl::StrCat("v", old.version()),
                      old.config().apn().empty() ? "(default)" : old.config().apn(),
                      Short(v1::PdpType_Name(old.config().pdp_type()), "PDP_TYPE_"),
                      Short(v1::AuthMethod_Name(old.config().auth()), "AUTH_METHOD_"),
                      old.config().keep_up().enabled() ? "on" : "off", "-",
                      old.note().empty() ? old.applied_by() : old.note()});
    }
  }
  if (env.format == OutputFormat::kTable) {
    env.out << RenderTable(
        {"BOARD", "VERSION", "APN", "PDP", "AUTH", "KEEP_UP", "PENDING", "APPLIED_BY"}, rows);
    if (!errors.empty()) env.out << RenderTable({"BOARD", "RESULT", "ERROR"}, errors);
  }
  return failures == 0 ? kExitOk : kExitFailed;
}

int RunConfigDiff(const std::vector<Board>& boards, const FanOutOptions& options,
                  const v1::ApplyConfigRequest& change, CommandEnv& env) {
  v1::ApplyConfigRequest request = change;
  request.set_dry_run(true);
  auto results = FanOut<v1::ApplyConfigResponse>(
      boards, options,
      [&request](v1::ModemAgent::Stub* stub, grpc::ClientContext* context,
                 v1::ApplyConfigResponse* response, std::function<void(grpc::Status)> done) {
        stub->async()->ApplyConfig(context, &request, response, std::move(done));
      });
  int failures = 0;
  std::vector<std::vector<std::string>> errors;
  for (const auto& result : results) {
    if (!result.status.ok()) {
      ++failures;
      PrintError(result, env, errors);
      continue;
    }
    if (env.format == OutputFormat::kJson) {
      PrintJsonOk(result.board, "diff", result.response.diff(), env);
      continue;
    }
    env.out << "== " << result.board.name << " (" << result.board.address << ")\n"
            << (result.response.diff().empty() ? "(no change)\n" : result.response.diff());
  }
  if (!errors.empty()) env.out << RenderTable({"BOARD", "RESULT", "ERROR"}, errors);
  return failures == 0 ? kExitOk : kExitFailed;
}

int RunConfigApply(const std::vector<Board>& boards, const FanOutOptions& options,
                   const ApplyOptions& apply, CommandEnv& env) {
  RolloutOptions rollout;
  rollout.request = apply.change;
  rollout.canary = apply.canary;
  rollout.manual_confirm = apply.manual_confirm;
  rollout.rpc_timeout = options.deadline;
  rollout.concurrency = options.concurrency;
  rollout.connect = options.connect;
  if (apply.progress) {
    rollout.progress = [&env](const Board& board, const std::string& step) {
      env.err << board.name << ": " << step << "\n";
      env.err.flush();
    };
  }
  const std::vector<BoardOutcome> outcomes = Rollout(boards, rollout);
  int unsuccessful = 0;
  std::vector<std::vector<std::string>> rows;
  for (const BoardOutcome& outcome : outcomes) {
    // Every board must end as asked: confirmed, or applied (no window), or pending (the
    // operator confirms by hand).
    const bool ok =
        outcome.result == RolloutResult::kConfirmed ||
        (outcome.result == RolloutResult::kApplied && !apply.change.has_confirm_within()) ||
        (outcome.result == RolloutResult::kPending && apply.manual_confirm);
    if (!ok) ++unsuccessful;
    if (env.format == OutputFormat::kJson) {
      env.out << nlohmann::json({{"board", outcome.board.name},
                                 {"address", outcome.board.address},
                                 {"ok", ok},
                                 {"result", RolloutResultName(outcome.result)},
                                 {"version", outcome.version},
                                 {"detail", outcome.detail},
                                 {"seconds", absl::ToDoubleSeconds(outcome.took)}})
                     .dump()
              << "\n";
      continue;
    }
    rows.push_back({outcome.board.name, RolloutResultName(outcome.result),
                    outcome.version ? absl::StrCat(outcome.version) : "-",
                    absl::FormatDuration(absl::Trunc(outcome.took, absl::Milliseconds(100))),
                    outcome.detail});
  }
  if (env.format == OutputFormat::kTable) {
    env.out << RenderTable({"BOARD", "RESULT", "VERSION", "TOOK", "DETAIL"}, rows);
    if (unsuccessful > 0) {
      env.err << unsuccessful << " of " << outcomes.size() << " boards did not end "
              << (apply.change.has_confirm_within() ? "confirmed" : "applied") << "\n";
    }
  }
  return unsuccessful == 0 ? kExitOk : kExitFailed;
}

int RunConfigConfirm(const std::vector<Board>& boards, const FanOutOptions& options,
                     uint64_t version, CommandEnv& env) {
  // Version 0: each board confirms the version it has pending.
  v1::ConfirmConfigRequest request;
  request.set_version(version);
  auto results = FanOut<v1::ConfirmConfigResponse>(
      boards, options,
      [&request](v1::ModemAgent::Stub* stub, grpc::ClientContext* context,
                 v1::ConfirmConfigResponse* response, std::function<void(grpc::Status)> done) {
        stub->async()->ConfirmConfig(context, &request, response, std::move(done));
      });
  int failures = 0;
  std::vector<std::vector<std::string>> rows;
  for (const auto& result : results) {
    if (!result.status.ok()) {
      ++failures;
      PrintError(result, env, rows);
      continue;
    }
    if (env.format == OutputFormat::kJson) {
      PrintJsonOk(result.board, "version", result.response.current().version(), env);
      continue;
    }
    rows.push_back({result.board.name, "CONFIRMED",
                    absl::StrCat("version ", result.response.current().version())});
  }
  if (env.format == OutputFormat::kTable)
    env.out << RenderTable({"BOARD", "RESULT", "DETAIL"}, rows);
  return failures == 0 ? kExitOk : kExitFailed;
}

}  // namespace cellfleet::client
