// `cellfleet config get|diff|apply|confirm` and `cellfleet apn set`: the connection
// config across many boards. Apply goes through the rollout (commit-confirmed, canary).
#include <ostream>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "base/duration_text.h"
#include "client/commands/command.h"
#include "client/config_change.h"
#include "fleet/rollout.h"
#include "google/protobuf/util/time_util.h"

namespace cellfleet::client {
namespace {

constexpr char kConfigGroup[] = "config";
constexpr char kConfigGroupHelp[] = "The PPP connection config (APN, auth, keep-up) of each board";

Row VersionCells(const v1::ConfigVersion& version, const std::string& pending) {
  const v1::ConnectionConfig& c = version.config();
  return {absl::StrCat("v", version.version()),
          c.apn().empty() ? "(default)" : c.apn(),
          fleet::ShortEnumName(v1::PdpType_Name(c.pdp_type()), "PDP_TYPE_"),
          fleet::ShortEnumName(v1::AuthMethod_Name(c.auth()), "AUTH_METHOD_"),
          c.keep_up().enabled() ? "on" : "off",
          pending,
          version.note().empty() ? version.applied_by() : version.note()};
}

std::string PendingCell(const v1::GetConfigResponse& config) {
  if (!config.has_pending()) return "-";
  return absl::StrCat(
      "v", config.pending().version(), " until ",
      google::protobuf::util::TimeUtil::ToString(config.pending().deadline()).substr(11, 8),
      "Z, else v", config.pending().rollback_to_version());
}

class ConfigGetCommand : public FleetCommand {
 public:
  CLI::App* Register(CLI::App& root) override {
    CLI::App* command = CommandGroup(root, kConfigGroup, kConfigGroupHelp)
                            ->add_subcommand("get", "Show the config in force");
    AddBoardOptions(command);
    command->add_flag("--previous", include_previous_, "Also the versions kept before it");
    return command;
  }

 private:
  int RunOnBoards(const std::vector<fleet::Board>& boards, CommandEnv& env) override {
    v1::GetConfigRequest request;
    request.set_include_previous(include_previous_);
    auto results = fleet::CallEach(boards, env.fanout, &Rpc::GetConfig, request);
    BoardReport report =
        env.Report({"VERSION", "APN", "PDP", "AUTH", "KEEP_UP", "PENDING", "APPLIED_BY"});
    for (const auto& result : results) {
      if (!result.status.ok()) {
        report.AddFailure(result.board, result.status);
        continue;
      }
      report.AddRow(result.board,
                    VersionCells(result.response.current(), PendingCell(result.response)),
                    {{"config", ProtoToJson(result.response)}});
      for (const v1::ConfigVersion& old : result.response.previous())
        report.AddDetailRow(VersionCells(old, "-"));
    }
    return report.Finish(env.err) == 0 ? kExitOk : kExitFailed;
  }

  bool include_previous_ = false;
};

class ConfigDiffCommand : public FleetCommand {
 public:
  CLI::App* Register(CLI::App& root) override {
    CLI::App* command =
        CommandGroup(root, kConfigGroup, kConfigGroupHelp)
            ->add_subcommand("diff", "Show what a change would do (config and pppd files)");
    AddBoardOptions(command);
    AddConfigChangeOptions(command, change_, /*with_confirm=*/false);
    return command;
  }

 private:
  int RunOnBoards(const std::vector<fleet::Board>& boards, CommandEnv& env) override {
    absl::StatusOr<v1::ApplyConfigRequest> request = BuildConfigChange(change_, env.in);
    if (!request.ok()) return UsageError(env, request.status());
    request->set_dry_run(true);
    auto results = fleet::CallEach(boards, env.fanout, &Rpc::ApplyConfig, *request);
    BoardReport report = env.Report({"DIFF"});
    for (const auto& result : results) {
      if (!result.status.ok()) {
        report.AddFailure(result.board, result.status);
        continue;
      }
      const std::string& diff = result.response.diff();
      if (env.format != OutputFormat::kTable) {
        report.AddRow(result.board, {diff}, {{"diff", diff}});
        continue;
      }
      // A diff is a block of lines, not a cell: printed whole, board by board.
      report.AddAnswered(result.board);
      env.out << "== " << result.board.name << " (" << result.board.address << ")\n"
              << (diff.empty() ? "(no change)\n" : diff);
    }
    return report.Finish(env.err) == 0 ? kExitOk : kExitFailed;
  }

  ConfigChangeFlags change_;
};

// config apply and apn set: a change pushed through the rollout.
class ApplyCommand : public FleetCommand {
 protected:
  void AddRolloutOptions(CLI::App* command) {
    command
        ->add_option("--canary", canary_,
                     "Push to this many boards first; stop if any of them fails")
        ->check(CLI::Range(0, 100000));
    command->add_flag("--manual-confirm", manual_confirm_,
                      "With --confirm: apply only; confirm later with cellfleet config confirm");
    command->add_flag("--progress", progress_,
                      "A line per board and step on stderr (default on a terminal)");
  }

  ConfigChangeFlags change_;

 private:
  int RunOnBoards(const std::vector<fleet::Board>& boards, CommandEnv& env) override {
    absl::StatusOr<v1::ApplyConfigRequest> request = BuildConfigChange(change_, env.in);
    if (!request.ok()) return UsageError(env, request.status());
    if (manual_confirm_ && !request->has_confirm_within())
      return UsageError(env, absl::InvalidArgumentError("--manual-confirm needs --confirm WINDOW"));
    fleet::RolloutOptions rollout;
    rollout.request = *request;
    rollout.canary = canary_;
    rollout.manual_confirm = manual_confirm_;
    rollout.rpc_timeout = env.fanout.deadline;
    rollout.concurrency = env.fanout.concurrency;
    rollout.channel = env.fanout.channel;
    // A person at a terminal sees each board's steps.
    if (progress_ || (env.format == OutputFormat::kTable && env.err_is_terminal)) {
      rollout.progress = [&env](const fleet::Board& board, const std::string& step) {
        env.err << board.name << ": " << step << "\n";
        env.err.flush();
      };
    }
    const bool confirming = request->has_confirm_within();
    BoardReport report = env.Report({"RESULT", "VERSION", "TOOK", "DETAIL"});
    int unsuccessful = 0;
    for (const fleet::BoardOutcome& outcome : fleet::Rollout(boards, rollout)) {
      // Every board must end as asked: confirmed, or applied (no window), or pending (the
      // operator confirms by hand).
      const bool ok = outcome.result == fleet::RolloutResult::kConfirmed ||
                      (outcome.result == fleet::RolloutResult::kApplied && !confirming) ||
                      (outcome.result == fleet::RolloutResult::kPending && manual_confirm_);
      if (!ok) ++unsuccessful;
      report.AddRow(
          outcome.board,
          {fleet::RolloutResultName(outcome.result),
           outcome.version ? absl::StrCat(outcome.version) : "-",
           base::DurationText(absl::Trunc(outcome.took, absl::Milliseconds(100))), outcome.detail},
          {{"ok", ok},
           {"result", fleet::RolloutResultName(outcome.result)},
           {"version", outcome.version},
           {"detail", outcome.detail},
           {"seconds", absl::ToDoubleSeconds(outcome.took)}});
    }
    report.Finish(env.err);
    if (unsuccessful > 0) {
      env.err << unsuccessful << " of " << boards.size() << " boards did not end "
              << (confirming ? "confirmed" : "applied") << "\n";
    }
    return unsuccessful == 0 ? kExitOk : kExitFailed;
  }

  int canary_ = 0;
  bool manual_confirm_ = false;
  bool progress_ = false;
};

class ConfigApplyCommand : public ApplyCommand {
 public:
  CLI::App* Register(CLI::App& root) override {
    CLI::App* command =
        CommandGroup(root, kConfigGroup, kConfigGroupHelp)
            ->add_subcommand(
                "apply",
                "Apply a change; with --confirm, confirm each board once it is back on it");
    AddBoardOptions(command);
    AddConfigChangeOptions(command, change_, /*with_confirm=*/true);
    AddRolloutOptions(command);
    return command;
  }
};

class ApnSetCommand : public ApplyCommand {
 public:
  CLI::App* Register(CLI::App& root) override {
    CLI::App* command = CommandGroup(root, "apn", "Shorthand for the APN")
                            ->add_subcommand("set", "Push an APN: cellfleet config apply --apn");
    change_.apn.emplace();
    command->add_option("APN", *change_.apn, "The APN")->required();
    AddBoardOptions(command);
    command->add_option("--confirm", change_.confirm,
                        "Roll back unless each board is back on the new APN and confirmed "
                        "within this window, e.g. 120s");
    AddRolloutOptions(command);
    return command;
  }
};

class ConfigConfirmCommand : public FleetCommand {
 public:
  CLI::App* Register(CLI::App& root) override {
    CLI::App* command = CommandGroup(root, kConfigGroup, kConfigGroupHelp)
                            ->add_subcommand("confirm", "Confirm a pending commit-confirmed apply");
    AddBoardOptions(command);
    command->add_option("--version", version_,
                        "The version to confirm (default: the one each board has pending)");
    return command;
  }

 private:
  int RunOnBoards(const std::vector<fleet::Board>& boards, CommandEnv& env) override {
    v1::ConfirmConfigRequest request;
    request.set_version(version_);  // 0: each board confirms the version it has pending
    auto results = fleet::CallEach(boards, env.fanout, &Rpc::ConfirmConfig, request);
    BoardReport report = env.Report({"RESULT", "DETAIL"});
    for (const auto& result : results) {
      if (!result.status.ok()) {
        report.AddFailure(result.board, result.status);
        continue;
      }
      const uint64_t version = result.response.current().version();
      report.AddRow(result.board, {"CONFIRMED", absl::StrCat("version ", version)},
                    {{"version", version}});
    }
    return report.Finish(env.err) == 0 ? kExitOk : kExitFailed;
  }

  uint64_t version_ = 0;
};

}  // namespace

std::unique_ptr<Command> MakeConfigGetCommand() { return std::make_unique<ConfigGetCommand>(); }
std::unique_ptr<Command> MakeConfigDiffCommand() { return std::make_unique<ConfigDiffCommand>(); }
std::unique_ptr<Command> MakeConfigApplyCommand() { return std::make_unique<ConfigApplyCommand>(); }
std::unique_ptr<Command> MakeConfigConfirmCommand() {
  return std::make_unique<ConfigConfirmCommand>();
}
std::unique_ptr<Command> MakeApnSetCommand() { return std::make_unique<ApnSetCommand>(); }

}  // namespace cellfleet::client
