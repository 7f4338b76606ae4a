// `cellfleet usage`: data used by each board's SIM this billing cycle, against its plan,
// the fleet sorted by use (most first) with the projected end-of-cycle figure;
// `--all` adds SIMs seen before and past cycles. `cellfleet usage override` lets a SIM
// blocked at its cap through for the rest of its cycle (operator role; audited).
#include <algorithm>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "base/byte_units.h"
#include "client/commands/command.h"
#include "google/protobuf/util/time_util.h"
#include "proto/time_convert.h"

namespace cellfleet::client {
namespace {

using google::protobuf::util::TimeUtil;

constexpr char kUsageHelp[] =
    "Data used by each board's SIM this billing cycle, most first, with its projection";

uint64_t Used(const v1::UsageCycle& cycle) { return cycle.rx_bytes() + cycle.tx_bytes(); }

std::string Day(const google::protobuf::Timestamp& t) {
  return absl::FormatTime("%Y-%m-%d", FromProtoTime(t), absl::UTCTimeZone());
}

std::string CapText(const v1::DataPlan& plan) {
  if (plan.cap_bytes() == 0) return "-";
  return absl::StrCat(base::FormatBytes(plan.cap_bytes()),
                      plan.at_cap() == v1::CAP_ACTION_HANG_UP ? " (hang-up)" : " (warn)");
}

std::string StateText(const v1::SimUsage& usage) {
  std::string state = fleet::ShortEnumName(v1::UsageState_Name(usage.state()), "USAGE_STATE_");
  if (usage.state() == v1::USAGE_STATE_OVERRIDDEN)
    absl::StrAppend(&state, " by ", usage.cap_override().by());
  return state;
}

// The columns of both commands' rows.
Row UsageColumns() { return {"SIM", "USED", "DOWN / UP", "CAP", "PROJECTED", "CYCLE", "STATE"}; }

// A row of `iccid`'s `cycle`, with the plan's cells as given.
Row CycleCells(const std::string& iccid, const v1::UsageCycle& cycle, std::string cap,
               std::string projected, std::string state) {
  return {
      iccid,
      base::FormatBytes(Used(cycle)),
      absl::StrCat(base::FormatBytes(cycle.rx_bytes()), " / ", base::FormatBytes(cycle.tx_bytes())),
      std::move(cap),
      std::move(projected),
      absl::StrCat(Day(cycle.start()), " .. ", Day(cycle.end())),
      std::move(state)};
}

Row UsageCells(const v1::SimUsage& usage) {
  return CycleCells(usage.iccid(), usage.cycle(), CapText(usage.plan()),
                    usage.projected_bytes() > 0 ? base::FormatBytes(usage.projected_bytes()) : "-",
                    StateText(usage));
}

class UsageCommand : public FleetCommand {
 public:
  CLI::App* Register(CLI::App& root) override {
    CLI::App* command = CommandGroup(root, "usage", kUsageHelp);
    command->require_subcommand(0, 1);  // `usage` itself, or `usage override`
    command->add_flag("--all", all_, "Also SIMs seen before and the past cycles");
    AddBoardOptions(command);
    return command;
  }

 private:
  int RunOnBoards(const std::vector<fleet::Board>& boards, CommandEnv& env) override {
    v1::GetUsageRequest request;
    auto results = fleet::CallEach(boards, env.fanout, &Rpc::GetUsage, request);
    // Most used first: the SIM in each board's modem this cycle.
    std::stable_sort(results.begin(), results.end(), [](const auto& a, const auto& b) {
      auto used = [](const auto& r) {
        return r.status.ok() && r.response.accounts_size() > 0
                   ? Used(r.response.accounts(0).cycle())
                   : 0;
      };
      return used(a) > used(b);
    });
    BoardReport report = env.Report(UsageColumns());
    for (const auto& result : results) {
      if (!result.status.ok()) {
        report.AddFailure(result.board, result.status);
        continue;
      }
      const v1::GetUsageResponse& r = result.response;
      if (r.accounts().empty()) {
        report.AddRow(result.board, {"-", "-", "-", "-", "-", "-", "no SIM seen yet"},
                      {{"accounts", nlohmann::json::array()}}, r.board_name());
        continue;
      }
      nlohmann::json accounts = nlohmann::json::array();
      for (int i = 0; i < (all_ ? r.accounts_size() : 1); ++i) {
        accounts.push_back(ProtoToJson(r.accounts(i)));
      }
      report.AddRow(result.board, UsageCells(r.accounts(0)), {{"accounts", accounts}},
                    r.board_name());
      if (!all_) continue;
      for (int i = 0; i < r.accounts_size(); ++i) {
        const v1::SimUsage& account = r.accounts(i);
        if (i > 0) report.AddDetailRow(UsageCells(account));
        for (const v1::UsageCycle& past : account.previous()) {
          report.AddDetailRow(CycleCells(account.iccid(), past, "", "", "past cycle"));
        }
      }
    }
    return report.Finish(env.err) == 0 ? kExitOk : kExitFailed;
  }

  bool all_ = false;
};

class UsageOverrideCommand : public FleetCommand {
 public:
  CLI::App* Register(CLI::App& root) override {
    CLI::App* command =
        CommandGroup(root, "usage", kUsageHelp)
            ->add_subcommand("override",
                             "Let a SIM blocked at its cap through until its cycle ends "
                             "(operator role, audited)");
    command->add_option("--reason", reason_, "Why (the audit log keeps it)")->required();
    command->add_option("--sim", iccid_, "The SIM's ICCID (default: the one in the modem)");
    AddBoardOptions(command);
    return command;
  }

 private:
  int RunOnBoards(const std::vector<fleet::Board>& boards, CommandEnv& env) override {
    v1::OverrideDataCapRequest request;
    request.set_iccid(iccid_);
    request.set_reason(reason_);
    auto results = fleet::CallEach(boards, env.fanout, &Rpc::OverrideDataCap, request);
    BoardReport report = env.Report(UsageColumns());
    for (const auto& result : results) {
      if (!result.status.ok()) {
        report.AddFailure(result.board, result.status);
        continue;
      }
      report.AddRow(result.board, UsageCells(result.response.usage()),
                    {{"usage", ProtoToJson(result.response.usage())}},
                    result.response.board_name());
    }
    return report.Finish(env.err) == 0 ? kExitOk : kExitFailed;
  }

  std::string reason_;
  std::string iccid_;
};

}  // namespace

std::unique_ptr<Command> MakeUsageCommand() { return std::make_unique<UsageCommand>(); }
std::unique_ptr<Command> MakeUsageOverrideCommand() {
  return std::make_unique<UsageOverrideCommand>();
}

}  // namespace cellfleet::client
