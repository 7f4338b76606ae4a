// A CLI subcommand: it registers its own flags, and runs once they are parsed. Commands
// that talk to boards derive from FleetCommand, which adds --targets/--inventory/--select
// and resolves the boards before RunOnBoards.
#ifndef CELLFLEET_CLIENT_COMMANDS_COMMAND_H_
#define CELLFLEET_CLIENT_COMMANDS_COMMAND_H_

#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "client/cli.h"
#include "client/report.h"
#include "fleet/board.h"
#include "fleet/error_text.h"
#include "fleet/fanout.h"

namespace CLI {
class App;
}

namespace cellfleet::client {

// The agent's RPCs as fleet::CallEach takes them: &Rpc::GetStatus.
using Rpc = v1::ModemAgent::StubInterface::async_interface;

// What every command is given: streams, the global options, the user's cancel.
struct CommandEnv {
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
  const CancelSignal& cancel;
  OutputFormat format = OutputFormat::kTable;
  fleet::FanOutOptions fanout;
  size_t terminal_width = 0;  // of stdout, when it is a terminal; 0 otherwise
  bool err_is_terminal = false;
  const base::Clock* clock = &base::Clock::Real();  // ages, windows, the watch's end

  // A report in the chosen format on `out`, cut to the terminal's width.
  BoardReport Report(Row columns) const {
    return BoardReport(format, std::move(columns), out, terminal_width);
  }
};

class Command {
 public:
  virtual ~Command() = default;
  // Adds the subcommand and its flags under `root` (or under a group of it, such as
  // `config`); returns the subcommand, whose parsed() says this command was chosen.
  virtual CLI::App* Register(CLI::App& root) = 0;
  virtual int Run(CommandEnv& env) = 0;
};

class FleetCommand : public Command {
 public:
  int Run(CommandEnv& env) final;

 protected:
  // Adds the board-choosing flags to `command`.
  void AddBoardOptions(CLI::App* command);
  virtual int RunOnBoards(const std::vector<fleet::Board>& boards, CommandEnv& env) = 0;

 private:
  std::string targets_;
  std::string gateway_;
  std::string inventory_;
  std::vector<std::string> selectors_;
};

// The deadline of an AT command call (`at`, `console`): the time the modem may take
// (its maximum response time for the command, or the one asked for) plus 5 s for the
// agent's queue and the network, and never less than `floor` (the --timeout).
absl::Duration AtCallDeadline(absl::Duration modem_time, absl::Duration floor);

// --since: "30m", "6h", "7d" (absl durations have no day unit; operators write days).
absl::StatusOr<absl::Duration> ParseWindow(const std::string& since);

// A usage error (a bad flag value, inventory or input): one line on stderr, exit 2.
int UsageError(CommandEnv& env, const absl::Status& status);

// `root`'s subcommand `name` (a group such as `config`), made on first use.
CLI::App* CommandGroup(CLI::App& root, const std::string& name, const std::string& description);

// Every subcommand, one file each (client/commands/*.cc).
std::unique_ptr<Command> MakeStatusCommand();
std::unique_ptr<Command> MakeWatchCommand();
std::unique_ptr<Command> MakeHistoryCommand();
std::unique_ptr<Command> MakeFleetChartCommand();
std::unique_ptr<Command> MakeDialCommand();
std::unique_ptr<Command> MakeHangUpCommand();
std::unique_ptr<Command> MakeDiagnoseCommand();
std::unique_ptr<Command> MakeDoctorCommand();
std::unique_ptr<Command> MakeRecoverCommand();
std::unique_ptr<Command> MakeDecodeCommand();
std::unique_ptr<Command> MakeAtCommand();
std::unique_ptr<Command> MakeConsoleCommand();
std::unique_ptr<Command> MakeConfigGetCommand();
std::unique_ptr<Command> MakeConfigDiffCommand();
std::unique_ptr<Command> MakeConfigApplyCommand();
std::unique_ptr<Command> MakeConfigConfirmCommand();
std::unique_ptr<Command> MakeApnSetCommand();
std::unique_ptr<Command> MakeUsageCommand();
std::unique_ptr<Command> MakeUsageOverrideCommand();
std::unique_ptr<Command> MakeCertEnrollCommand();
std::unique_ptr<Command> MakeCertRenewCommand();
std::unique_ptr<Command> MakeCertCrlCommand();

}  // namespace cellfleet::client

#endif  // CELLFLEET_CLIENT_COMMANDS_COMMAND_H_
