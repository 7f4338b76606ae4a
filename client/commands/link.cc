// `cellfleet dial` and `cellfleet hangup`: the PPP data link on many boards, one
// result line per board.
#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/commands/command.h"
#include "modem/replies/command_timeouts.h"

namespace cellfleet::client {
namespace {

// What the LINK column alone does not say: why a link failed, what the last dial met on
// a link that is down, or why dials are refused.
std::string LinkNote(const v1::ConnectionStatus& link) {
  std::string failure;
  if (link.failure() != v1::CONNECTION_FAILURE_UNSPECIFIED) {
    failure =
        fleet::ShortEnumName(v1::ConnectionFailure_Name(link.failure()), "CONNECTION_FAILURE_");
    if (!link.failure_detail().empty()) absl::StrAppend(&failure, " (", link.failure_detail(), ")");
  }
  std::string note;
  if (link.state() == v1::CONNECTION_STATE_FAILED) note = failure;
  if (link.state() == v1::CONNECTION_STATE_DISCONNECTED && !failure.empty()) {
    note = absl::StrCat("was not up: the last dial failed: ", failure);
  }
  if (!link.dial_blocked().empty()) {
    absl::StrAppend(&note, note.empty() ? "" : "; ", "dials blocked: ", link.dial_blocked());
  }
  return note.empty() ? "-" : note;
}

template <typename Response>
int Report(const std::vector<fleet::BoardResult<Response>>& results, CommandEnv& env) {
  BoardReport report = env.Report({"LINK", "INTERFACE", "ADDRESS", "DNS", "NOTE"});
  for (const auto& result : results) {
    if (!result.status.ok()) {
      report.AddFailure(result.board, result.status);
      continue;
    }
    const v1::ConnectionStatus& link = result.response.connection();
    report.AddRow(
        result.board,
        {fleet::ShortEnumName(v1::ConnectionState_Name(link.state()), "CONNECTION_STATE_"),
         link.interface_name().empty() ? "-" : link.interface_name(),
         link.local_address().empty() ? "-" : link.local_address(),
         link.dns_servers().empty() ? "-" : absl::StrJoin(link.dns_servers(), ","), LinkNote(link)},
        {{"connection", ProtoToJson(link)}});
  }
  return report.Finish(env.err) == 0 ? kExitOk : kExitFailed;
}

class DialCommand : public FleetCommand {
 public:
  CLI::App* Register(CLI::App& root) override {
    CLI::App* command = root.add_subcommand("dial", "Bring up the PPP data link on each board");
    AddBoardOptions(command);
    command->add_option("--wait", wait_seconds_, "Seconds each board may take to come up")
        ->check(CLI::Range(1.0, 600.0));
    return command;
  }

 private:
  int RunOnBoards(const std::vector<fleet::Board>& boards, CommandEnv& env) override {
    fleet::FanOutOptions options = env.fanout;
    options.deadline = absl::Seconds(wait_seconds_);  // a dial's own bound, not --timeout
    return Report(fleet::CallEach(boards, options, &Rpc::Dial, v1::DialRequest()), env);
  }

  double wait_seconds_ = absl::ToDoubleSeconds(modem::kDialTimeLimit);
};

class HangUpCommand : public FleetCommand {
 public:
  CLI::App* Register(CLI::App& root) override {
    CLI::App* command = root.add_subcommand("hangup", "Take the PPP data link down on each board");
    AddBoardOptions(command);
    return command;
  }

 private:
  int RunOnBoards(const std::vector<fleet::Board>& boards, CommandEnv& env) override {
    return Report(fleet::CallEach(boards, env.fanout, &Rpc::HangUp, v1::HangUpRequest()), env);
  }
};

}  // namespace

std::unique_ptr<Command> MakeDialCommand() { return std::make_unique<DialCommand>(); }
std::unique_ptr<Command> MakeHangUpCommand() { return std::make_unique<HangUpCommand>(); }

}  // namespace cellfleet::client
