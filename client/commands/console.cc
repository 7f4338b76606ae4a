// `cellfleet console BOARD`: an interactive AT console on one board through its agent's
// RunAtCommand, so picocom (and stopping the agent to free the port) is not needed.
// Line editing and history by libedit; Ctrl-C cancels the command in flight (the modem
// may still finish it: the agent's channel waits for its final result) or clears the
// line; Ctrl-D or `exit` leaves. Without a terminal it reads commands line by line.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <istream>
#include <ostream>

#include "CLI/CLI.hpp"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "base/duration_text.h"
#include "client/commands/command.h"
#include "client/line_editor.h"
#include "modem/replies/command_line.h"
#include "proto/time_convert.h"

namespace cellfleet::client {
namespace {

// $XDG_STATE_HOME/cellfleet/console_history, else ~/.local/state/...; "" without either.
std::string HistoryPath() {
  std::string dir;
  if (const char* state = std::getenv("XDG_STATE_HOME"); state != nullptr && *state != 0) {
    dir = state;
  } else if (const char* home = std::getenv("HOME"); home != nullptr && *home != 0) {
    dir = absl::StrCat(home, "/.local/state");
  } else {
    return "";
  }
  dir += "/cellfleet";
  std::error_code ignored;
  std::filesystem::create_directories(dir, ignored);
  return dir + "/console_history";
}

class ConsoleCommand : public FleetCommand {
 public:
  CLI::App* Register(CLI::App& root) override {
    CLI::App* command = root.add_subcommand(
        "console", "Type AT commands to one board's modem through its agent (like picocom)");
    command->add_option("board", board_name_,
                        "The board's name in the inventory (or its address with --targets)");
    AddBoardOptions(command);
    return command;
  }

 private:
  int RunOnBoards(const std::vector<fleet::Board>& boards, CommandEnv& env) override {
    std::vector<fleet::Board> chosen;
    for (const fleet::Board& board : boards) {
      if (board_name_.empty() || board.name == board_name_ || board.address == board_name_) {
        chosen.push_back(board);
      }
    }
    if (chosen.size() != 1) {
      return UsageError(env, absl::InvalidArgumentError(absl::StrCat(
                                 "console talks to one board; ", chosen.size(),
                                 " match (name one: cellfleet console BOARD --inventory ...)")));
    }
    board_ = chosen.front();
    stub_ = v1::ModemAgent::NewStub(fleet::MakeChannel(board_, env.fanout.channel));
    const bool terminal = &env.in == &std::cin && ::isatty(STDIN_FILENO) == 1;
    if (!terminal) return RunScript(env);
    env.out << "cellfleet console: " << board_.name << " (" << board_.address
            << "). Commands run through the agent's AT channel; Ctrl-C cancels one, "
               "Ctrl-D leaves.\n"
            << std::flush;
    LineEditor editor(board_.name + "> ", HistoryPath());
    int failures = 0;
    std::string line;
    while (!env.cancel.HasBeenNotified()) {
      const LineEditor::Read read = editor.ReadLine(line);
      if (read == LineEditor::Read::kEnd) break;
      if (read == LineEditor::Read::kCleared) {
        env.out << "\n" << std::flush;
        continue;
      }
      const std::string command(absl::StripAsciiWhitespace(line));
      if (command.empty()) continue;
      if (command == "exit" || command == "quit") break;
      if (!RunOne(command, env, /*interactive=*/true)) ++failures;
    }
    env.out << "\n" << std::flush;
    return failures == 0 ? kExitOk : kExitFailed;
  }

  // Commands from a pipe or file, one per line, as typed at the prompt.
  int RunScript(CommandEnv& env) {
    int failures = 0;
    for (std::string line; !env.cancel.HasBeenNotified() && std::getline(env.in, line);) {
      const std::string command(absl::StripAsciiWhitespace(line));
      if (command.empty() || command[0] == '#') continue;
      if (command == "exit" || command == "quit") break;
      env.out << board_.name << "> " << command << "\n";
      if (!RunOne(command, env, /*interactive=*/false)) ++failures;
    }
    return failures == 0 ? kExitOk : kExitFailed;
  }

  // Runs one command and prints its reply as the modem would show it; false on any error.
  bool RunOne(const std::string& text, CommandEnv& env, bool interactive) {
    absl::StatusOr<modem::CommandLine> parsed = modem::ParseCommandLine(text);
    if (!parsed.ok()) {
      env.out << "error: " << parsed.status().message() << "\n" << std::flush;
      return false;
    }
    v1::RunAtCommandRequest request;
    request.set_command(parsed->text);
    v1::RunAtCommandResponse response;
    grpc::ClientContext context;
    context.set_deadline(
        absl::ToChronoTime(base::Clock::Real().Now() +
                           AtCallDeadline(parsed->MaxResponseTime(), env.fanout.deadline)));
    absl::Notification done;
    grpc::Status status;
    stub_->async()->RunAtCommand(&context, &request, &response, [&](grpc::Status s) {
      status = std::move(s);
      done.Notify();
    });
    {
      InterruptKey interrupt;  // only on a terminal
      bool cancelled = false;
      while (!done.WaitForNotificationWithTimeout(absl::Milliseconds(interactive ? 0 : 50))) {
        if (!cancelled &&
            ((interactive && interrupt.Pressed(50)) || env.cancel.HasBeenNotified())) {
          context.TryCancel();
          cancelled = true;
          env.out << "^C\n" << std::flush;
        }
      }
    }
    if (!status.ok()) {
      if (status.error_code() == grpc::StatusCode::CANCELLED) {
        env.out << "cancelled (the modem may still finish " << parsed->text << ")\n" << std::flush;
      } else {
        env.out << "error: " << fleet::ErrorText(status) << "\n" << std::flush;
      }
      return false;
    }
    for (const std::string& reply : response.lines()) env.out << reply << "\n";
    env.out << response.final_result() << "  ("
            << base::DurationText(
                   absl::Trunc(FromProtoDuration(response.elapsed()), absl::Milliseconds(1)))
            << ")\n";
    if (response.binary()) env.out << "note: bytes that are not text are shown as \\xNN\n";
    if (response.modem_going_away()) {
      env.out << "note: the modem is going away; the agent reports it RESETTING until it is back\n";
    }
    env.out << std::flush;
    return response.ok() && !response.binary();
  }

  std::string board_name_;
  fleet::Board board_;
  std::unique_ptr<v1::ModemAgent::Stub> stub_;
};

}  // namespace

std::unique_ptr<Command> MakeConsoleCommand() { return std::make_unique<ConsoleCommand>(); }

}  // namespace cellfleet::client
