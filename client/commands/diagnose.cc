// `cellfleet diagnose` (what is wrong with each board, as its agent judges it from its
// latest sample) and `cellfleet doctor` (the hand checklist, run live on each board). A
// row per board with its verdict and the checks that did not pass, or (`--all-checks`) a
// row per check; JSON: one line per board with every check.
#include <ostream>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/commands/command.h"

namespace cellfleet::client {
namespace {

std::string ResultName(v1::CheckResult result) {
  return fleet::ShortEnumName(v1::CheckResult_Name(result), "CHECK_RESULT_");
}

// The worst of the board's checks; skipped ones do not count (what they skip is shown).
template <typename Response>
v1::CheckResult Verdict(const Response& response) {
  v1::CheckResult worst = v1::CHECK_RESULT_PASS;
  for (const v1::DiagnosticCheck& check : response.checks()) {
    if (check.result() == v1::CHECK_RESULT_FAIL) return v1::CHECK_RESULT_FAIL;
    if (check.result() == v1::CHECK_RESULT_WARN) worst = v1::CHECK_RESULT_WARN;
  }
  return worst;
}

// A command whose answer is a list of checks, from `method`.
template <typename Request, typename Response>
class ChecksCommand : public FleetCommand {
 public:
  // `wait`: the command's own bound per board instead of --timeout; zero: --timeout.
  ChecksCommand(std::string name, std::string description, absl::Duration wait,
                fleet::AsyncMethod<Request, Response> method)
      : name_(std::move(name)),
        description_(std::move(description)),
        wait_seconds_(absl::ToDoubleSeconds(wait)),
        method_(method) {}

  CLI::App* Register(CLI::App& root) override {
    CLI::App* command = root.add_subcommand(name_, description_);
    AddBoardOptions(command);
    command->add_flag("--all-checks", all_checks_, "A row per check, passing ones too");
    if (wait_seconds_ > 0) {
      command->add_option("--wait", wait_seconds_, "Seconds each board may take")
          ->check(CLI::Range(1.0, 600.0));
    }
    return command;
  }

 private:
  int RunOnBoards(const std::vector<fleet::Board>& boards, CommandEnv& env) override {
    fleet::FanOutOptions options = env.fanout;
    if (wait_seconds_ > 0) options.deadline = absl::Seconds(wait_seconds_);
    auto results = fleet::CallEach(boards, options, method_, Request());
    BoardReport report = all_checks_ ? env.Report({"CHECK", "RESULT", "DETAIL"})
                                     : env.Report({"VERDICT", "PROBLEMS"});
    int failing = 0;
    for (const auto& result : results) {
      if (!result.status.ok()) {
        report.AddFailure(result.board, result.status);
        continue;
      }
      const v1::CheckResult verdict = Verdict(result.response);
      if (verdict == v1::CHECK_RESULT_FAIL) ++failing;
      // Every field of the answer (the doctor's elapsed too), the checks always present.
      nlohmann::json fields = ProtoToJson(result.response);
      fields.erase("board_name");  // the report names the board already
      fields["verdict"] = ResultName(verdict);
      if (!fields.contains("checks")) fields["checks"] = nlohmann::json::array();
      if (all_checks_) {
        bool first = true;
        for (const v1::DiagnosticCheck& check : result.response.checks()) {
          Row cells = {check.name(), ResultName(check.result()), check.detail()};
          if (first) {
            report.AddRow(result.board, std::move(cells), fields);
          } else {
            report.AddDetailRow(std::move(cells));
          }
          first = false;
        }
        continue;
      }
      std::vector<std::string> problems;
      for (const v1::DiagnosticCheck& check : result.response.checks()) {
        if (check.result() == v1::CHECK_RESULT_FAIL || check.result() == v1::CHECK_RESULT_WARN)
          problems.push_back(absl::StrCat(check.name(), ": ", check.detail()));
      }
      report.AddRow(result.board,
                    {ResultName(verdict), problems.empty() ? "-" : absl::StrJoin(problems, "; ")},
                    fields);
    }
    const int unanswered = report.Finish(env.err);
    if (failing > 0)
      env.err << failing << " of " << results.size() << " boards have a failing check\n";
    return unanswered == 0 && failing == 0 ? kExitOk : kExitFailed;
  }

  const std::string name_;
  const std::string description_;
  double wait_seconds_;
  const fleet::AsyncMethod<Request, Response> method_;
  bool all_checks_ = false;
};

template <typename Request, typename Response>
std::unique_ptr<Command> MakeChecksCommand(std::string name, std::string description,
                                           absl::Duration wait,
                                           fleet::AsyncMethod<Request, Response> method) {
  return std::make_unique<ChecksCommand<Request, Response>>(std::move(name), std::move(description),
                                                            wait, method);
}

}  // namespace

std::unique_ptr<Command> MakeDiagnoseCommand() {
  return MakeChecksCommand("diagnose", "Say what is wrong with each board and what to do about it",
                           absl::ZeroDuration(), &Rpc::Diagnose);
}

std::unique_ptr<Command> MakeDoctorCommand() {
  // The agent bounds a run to 60 s; the margin is the network's.
  return MakeChecksCommand(
      "doctor",
      "Run the hand checklist live on each board: USB, driver, ports, AT, SIM, signal, "
      "operator, registration, APN, ModemManager, link, route, DNS, agent",
      absl::Seconds(70), &Rpc::RunDoctor);
}

}  // namespace cellfleet::client
