// `cellfleet diagnose`: what is wrong with each board, as its agent judges it. A row per
// board with its verdict and the checks that did not pass, or (`--all-checks`) a row per
// check; JSON: one line per board with every check.
#include <ostream>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/commands/command.h"
#include "client/status_cells.h"

namespace cellfleet::client {
namespace {

std::string ResultName(v1::CheckResult result) {
  return ShortEnumName(v1::CheckResult_Name(result), "CHECK_RESULT_");
}

// The worst of the board's checks; skipped ones do not count (what they skip is shown).
v1::CheckResult Verdict(const v1::DiagnoseResponse& response) {
  v1::CheckResult worst = v1::CHECK_RESULT_PASS;
  for (const v1::DiagnosticCheck& check : response.checks()) {
    if (check.result() == v1::CHECK_RESULT_FAIL) return v1::CHECK_RESULT_FAIL;
    if (check.result() == v1::CHECK_RESULT_WARN) worst = v1::CHECK_RESULT_WARN;
  }
  return worst;
}

class DiagnoseCommand : public FleetCommand {
 public:
  CLI::App* Register(CLI::App& root) override {
    CLI::App* command = root.add_subcommand(
        "diagnose", "Say what is wrong with each board and what to do about it");
    AddBoardOptions(command);
    command->add_flag("--all-checks", all_checks_, "A row per check, passing ones too");
    return command;
  }

 private:
  int RunOnBoards(const std::vector<Board>& boards, CommandEnv& env) override {
    auto results = FanOut<v1::DiagnoseResponse>(
        boards, env.fanout,
        [](v1::ModemAgent::Stub* stub, grpc::ClientContext* context, v1::DiagnoseResponse* response,
           std::function<void(grpc::Status)> done) {
          static const v1::DiagnoseRequest kRequest;
          stub->async()->Diagnose(context, &kRequest, response, std::move(done));
        });
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
      const nlohmann::json fields = {
          {"verdict", ResultName(verdict)},
          {"checks", ProtoToJson(result.response).value("checks", nlohmann::json::array())}};
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

  bool all_checks_ = false;
};

}  // namespace

std::unique_ptr<Command> MakeDiagnoseCommand() { return std::make_unique<DiagnoseCommand>(); }

}  // namespace cellfleet::client
