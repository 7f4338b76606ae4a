// `cellfleet diagnose`: what is wrong with each board, as its agent judges it. A row per
// board with its verdict and the checks that did not pass, or (`--all-checks`) a row per
// check; JSON: one line per board with every check.
#include <ostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/commands/commands.h"

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

}  // namespace

int RunDiagnose(const std::vector<Board>& boards, const FanOutOptions& options, bool all_checks,
                CommandEnv& env) {
  auto results = FanOut<v1::DiagnoseResponse>(
      boards, options,
      [](v1::ModemAgent::Stub* stub, grpc::ClientContext* context, v1::DiagnoseResponse* response,
         std::function<void(grpc::Status)> done) {
        static const v1::DiagnoseRequest kRequest;
        stub->async()->Diagnose(context, &kRequest, response, std::move(done));
      });
  int unreachable = 0, failing = 0;
  std::vector<std::vector<std::string>> rows;
  for (const auto& result : results) {
    if (!result.status.ok()) {
      ++unreachable;
      const std::string why = absl::StrCat(GrpcCodeName(result.status.error_code()), ": ",
                                           result.status.error_message());
      if (env.format == OutputFormat::kJson) {
        env.out << nlohmann::json{{"board", result.board.name},
                                  {"address", result.board.address},
                                  {"ok", false},
                                  {"error", ErrorToJson(result.status)}}
                       .dump()
                << "\n";
      } else if (all_checks) {
        rows.push_back({result.board.name, "-", "UNREACHABLE", why});
      } else {
        rows.push_back({result.board.name, "UNREACHABLE", why});
      }
      continue;
    }
    const v1::CheckResult verdict = Verdict(result.response);
    if (verdict == v1::CHECK_RESULT_FAIL) ++failing;
    if (env.format == OutputFormat::kJson) {
      nlohmann::json line = {{"board", result.board.name},
                             {"address", result.board.address},
                             {"ok", true},
                             {"verdict", ResultName(verdict)}};
      line["checks"] = ProtoToJson(result.response).value("checks", nlohmann::json::array());
      env.out << line.dump() << "\n";
      continue;
    }
    std::vector<std::string> problems;
    for (const v1::DiagnosticCheck& check : result.response.checks()) {
      if (all_checks) {
        rows.push_back(
            {result.board.name, check.name(), ResultName(check.result()), check.detail()});
      } else if (check.result() == v1::CHECK_RESULT_FAIL ||
                 check.result() == v1::CHECK_RESULT_WARN) {
        problems.push_back(absl::StrCat(check.name(), ": ", check.detail()));
      }
    }
    if (!all_checks) {
      rows.push_back({result.board.name, ResultName(verdict),
                      problems.empty() ? "-" : absl::StrJoin(problems, "; ")});
    }
  }
  if (env.format == OutputFormat::kTable) {
    env.out << (all_checks ? RenderTable({"BOARD", "CHECK", "RESULT", "DETAIL"}, rows)
                           : RenderTable({"BOARD", "VERDICT", "PROBLEMS"}, rows));
    if (failing > 0)
      env.err << failing << " of " << results.size() << " boards have a failing check\n";
    if (unreachable > 0)
      env.err << unreachable << " of " << results.size() << " boards did not answer\n";
  }
  env.out.flush();
  return unreachable == 0 && failing == 0 ? kExitOk : kExitFailed;
}

}  // namespace cellfleet::client
