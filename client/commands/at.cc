// `cellfleet at 'AT+QENG="neighbourcell"'`: one AT command line on every chosen board,
// through each agent's own AT channel (RunAtCommand). Table: a block per board, the
// final result and then every reply line, never cut; JSON: one line per board with the
// lines and what a parser decoded.
#include <ostream>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "client/commands/command.h"
#include "modem/replies/command_line.h"
#include "proto/time_convert.h"

namespace cellfleet::client {
namespace {

class AtCommandLineCommand : public FleetCommand {
 public:
  CLI::App* Register(CLI::App& root) override {
    CLI::App* command = root.add_subcommand(
        "at", "Run one AT command on each board, through its agent (operator role: queries)");
    command->add_option("command", text_, "The command line, e.g. 'AT+QENG=\"neighbourcell\"'")
        ->required();
    AddBoardOptions(command);
    command
        ->add_option("--command-timeout", command_seconds_,
                     "Seconds the modem may take (default: its maximum response time for "
                     "the command; at most 180)")
        ->check(CLI::Range(0.1, 180.0));
    return command;
  }

 private:
  int RunOnBoards(const std::vector<fleet::Board>& boards, CommandEnv& env) override {
    // Checked here too, so a typo costs no round trip to a thousand boards.
    absl::StatusOr<modem::CommandLine> line = modem::ParseCommandLine(text_);
    if (!line.ok()) return UsageError(env, line.status());
    v1::RunAtCommandRequest request;
    request.set_command(line->text);
    absl::Duration modem_time = line->MaxResponseTime();
    if (command_seconds_ > 0) {
      modem_time = absl::Seconds(command_seconds_);
      *request.mutable_timeout() = ToProtoDuration(modem_time);
    }
    fleet::FanOutOptions fanout = env.fanout;
    fanout.deadline = AtCallDeadline(modem_time, fanout.deadline);
    auto results = fleet::CallEach(boards, fanout, &Rpc::RunAtCommand, request);
    // The reply is data: never cut to the terminal.
    BoardReport report(env.format, {"RESULT", "REPLY"}, env.out, 0);
    int modem_errors = 0;
    int binary = 0;
    for (const auto& result : results) {
      if (!result.status.ok()) {
        report.AddFailure(result.board, result.status);
        continue;
      }
      const v1::RunAtCommandResponse& reply = result.response;
      if (!reply.ok()) ++modem_errors;
      if (reply.binary()) ++binary;
      nlohmann::json fields = ProtoToJson(reply);
      fields.erase("ok");  // the report's "ok" is the call's; this is the modem's
      fields["modem_ok"] = reply.ok();
      fields.erase("board_name");  // the report's "board" is the name
      report.AddRow(result.board,
                    {reply.final_result(), reply.lines().empty() ? "-" : reply.lines(0)},
                    std::move(fields), reply.board_name());
      for (int i = 1; i < reply.lines_size(); ++i) report.AddDetailRow({"", reply.lines(i)});
    }
    const int unanswered = report.Finish(env.err);
    if (modem_errors > 0) {
      env.err << modem_errors << " of " << results.size()
              << " boards' modems answered with an error\n";
    }
    if (binary > 0) {
      env.err << binary << " of " << results.size()
              << " boards' replies had bytes that are not text; they are shown as \\xNN\n";
    }
    return unanswered == 0 && modem_errors == 0 && binary == 0 ? kExitOk : kExitFailed;
  }

  std::string text_;
  double command_seconds_ = 0;
};

}  // namespace

std::unique_ptr<Command> MakeAtCommand() { return std::make_unique<AtCommandLineCommand>(); }

}  // namespace cellfleet::client
