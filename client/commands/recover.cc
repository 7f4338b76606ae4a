// `cellfleet recover --step STEP`: one step of the recovery ladder, by hand, on every
// chosen board (operator role; each agent audits it). A row per board with the action
// taken; its outcome follows in status and history, as the ladder's own steps do.
#include <map>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "client/commands/command.h"

namespace cellfleet::client {
namespace {

const std::map<std::string, v1::RecoveryStep> kSteps = {
    {"redial", v1::RECOVERY_STEP_REDIAL},
    {"pdp-reset", v1::RECOVERY_STEP_PDP_RESET},
    {"radio-reset", v1::RECOVERY_STEP_RADIO_RESET},
    {"modem-reboot", v1::RECOVERY_STEP_MODEM_REBOOT},
    {"usb-reset", v1::RECOVERY_STEP_USB_RESET},
    {"power-cycle", v1::RECOVERY_STEP_POWER_CYCLE},
};

class RecoverCommand : public FleetCommand {
 public:
  CLI::App* Register(CLI::App& root) override {
    CLI::App* command = root.add_subcommand(
        "recover", "Take one recovery step by hand on each board (operator role, audited)");
    command
        ->add_option("--step", step_,
                     "redial (hang up, dial), pdp-reset (hang up, AT+CGACT=0,1, dial), "
                     "radio-reset (AT+CFUN=0, AT+CFUN=1), modem-reboot (AT+CFUN=1,1), "
                     "usb-reset (the modem's USB device) or power-cycle (its GPIO power line)")
        ->required()
        ->transform(CLI::CheckedTransformer(kSteps, CLI::ignore_case));
    AddBoardOptions(command);
    return command;
  }

 private:
  int RunOnBoards(const std::vector<fleet::Board>& boards, CommandEnv& env) override {
    v1::RecoverRequest request;
    request.set_step(step_);
    auto results = fleet::CallEach(boards, env.fanout, &Rpc::Recover, request);
    BoardReport report = env.Report({"STEP", "ACTION", "FOR"});
    for (const auto& result : results) {
      if (!result.status.ok()) {
        report.AddFailure(result.board, result.status);
        continue;
      }
      const v1::RecoveryAction& action = result.response.action();
      report.AddRow(result.board,
                    {fleet::ShortEnumName(v1::RecoveryStep_Name(action.step()), "RECOVERY_STEP_"),
                     absl::StrCat("#", action.sequence(), " ",
                                  fleet::ShortEnumName(v1::RecoveryOutcome_Name(action.outcome()),
                                                       "RECOVERY_OUTCOME_")),
                     action.problem().empty() ? "-" : action.problem()},
                    {{"action", ProtoToJson(action)}});
    }
    return report.Finish(env.err) == 0 ? kExitOk : kExitFailed;
  }

  v1::RecoveryStep step_ = v1::RECOVERY_STEP_UNSPECIFIED;
};

}  // namespace

std::unique_ptr<Command> MakeRecoverCommand() { return std::make_unique<RecoverCommand>(); }

}  // namespace cellfleet::client
