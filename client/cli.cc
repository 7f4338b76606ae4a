#include "client/cli.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <iostream>
#include <istream>
#include <memory>
#include <ostream>

#include "CLI/CLI.hpp"
#include "absl/strings/numbers.h"
#include "client/commands/command.h"

namespace cellfleet::client {
namespace {

// The width of the terminal `out` writes to; 0 when it is not the process's terminal.
size_t TerminalWidth(const std::ostream& out) {
  winsize size{};
  if (&out != &std::cout || ::isatty(STDOUT_FILENO) != 1) return 0;
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) != 0 || size.ws_col == 0) return 0;
  return size.ws_col;
}

std::vector<std::unique_ptr<Command>> AllCommands() {
  std::vector<std::unique_ptr<Command>> commands;
  commands.push_back(MakeStatusCommand());
  commands.push_back(MakeWatchCommand());
  commands.push_back(MakeHistoryCommand());
  commands.push_back(MakeFleetChartCommand());
  commands.push_back(MakeDialCommand());
  commands.push_back(MakeHangUpCommand());
  commands.push_back(MakeDiagnoseCommand());
  commands.push_back(MakeDoctorCommand());
  commands.push_back(MakeRecoverCommand());
  commands.push_back(MakeDecodeCommand());
  commands.push_back(MakeAtCommand());
  commands.push_back(MakeConsoleCommand());
  commands.push_back(MakeConfigGetCommand());
  commands.push_back(MakeConfigDiffCommand());
  commands.push_back(MakeConfigApplyCommand());
  commands.push_back(MakeConfigConfirmCommand());
  commands.push_back(MakeApnSetCommand());
  // `usage override` before `usage`: the group counts as chosen with its subcommand.
  commands.push_back(MakeUsageOverrideCommand());
  commands.push_back(MakeUsageCommand());
  commands.push_back(MakeCertEnrollCommand());
  commands.push_back(MakeCertRenewCommand());
  commands.push_back(MakeCertCrlCommand());
  return commands;
}

}  // namespace

int Run(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
        std::ostream& err, const CancelSignal& cancel) {
  CLI::App app{"cellfleet: manage a fleet of LTE modems through their cellfleet agents",
               "cellfleet"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("cellfleet ") + CELLFLEET_VERSION);
  std::string output = "table";
  double timeout_seconds = 5;
  int concurrency = 32;
  std::string ca_file, cert_file, key_file, server_name;
  app.add_option("-o,--output", output,
                 "Output format: table, json (one JSON object per line) or csv");
  app.add_option("--timeout", timeout_seconds, "Per-board deadline in seconds (0.1 to 600)")
      ->check(CLI::Validator(
          [](std::string& text) -> std::string {
            double seconds = 0;
            if (!absl::SimpleAtod(text, &seconds) || !(seconds >= 0.1 && seconds <= 600)) {
              return "must be between 0.1 and 600 seconds, not " + text;
            }
            return "";
          },
          "SECONDS"));
  app.add_option("--ca", ca_file, "CA certificate of the agents (turns TLS on)");
  app.add_option("--cert", cert_file, "Client certificate, for agents that require mutual TLS");
  app.add_option("--key", key_file, "Private key of --cert");
  app.add_option("--tls-server-name", server_name, "Name to expect in the agents' certificates");
  app.add_option("--concurrency", concurrency, "Boards contacted at once")
      ->check(CLI::Range(1, 1024));

  // The global options may stand anywhere, as with kubectl, gh or git: `cellfleet status
  // -o json`. Subcommands made from here on pass what they do not know up to `app`.
  app.fallthrough();

  std::vector<std::unique_ptr<Command>> commands = AllCommands();
  std::vector<CLI::App*> subcommands;
  for (const auto& command : commands) subcommands.push_back(command->Register(app));

  try {
    app.parse(std::vector<std::string>(args.rbegin(), args.rend()));
  } catch (const CLI::CallForHelp&) {
    out << app.help();
    return kExitOk;
  } catch (const CLI::CallForVersion& version) {
    out << version.what() << "\n";
    return kExitOk;
  } catch (const CLI::CallForAllHelp&) {
    out << app.help("", CLI::AppFormatMode::All);
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    err << "cellfleet: " << e.what() << " (see cellfleet --help)\n";
    return kExitUsage;
  }
  absl::StatusOr<OutputFormat> format = ParseOutputFormat(output);
  if (!format.ok()) {
    err << "cellfleet: " << format.status().message() << "\n";
    return kExitUsage;
  }
  absl::StatusOr<fleet::ChannelOptions> channel =
      fleet::LoadChannelOptions(ca_file, cert_file, key_file, server_name);
  if (!channel.ok()) {
    err << "cellfleet: " << channel.status().message() << "\n";
    return kExitUsage;
  }
  CommandEnv env{in, out, err, cancel, *format, fleet::FanOutOptions{}};
  env.fanout.deadline = absl::Seconds(timeout_seconds);
  env.fanout.concurrency = concurrency;
  env.fanout.channel = *channel;
  env.terminal_width = TerminalWidth(out);
  env.err_is_terminal = &err == &std::cerr && ::isatty(STDERR_FILENO) == 1;
  if (env.err_is_terminal) {
    // A fan-out that takes longer than a second says how far it is, on one line that
    // is cleared at the end.
    env.fanout.progress = [&err](size_t finished, size_t total) {
      if (finished < total) {
        err << "\r" << finished << " of " << total << " boards finished..." << std::flush;
      } else {
        err << "\r\033[K" << std::flush;
      }
    };
  }
  for (size_t i = 0; i < commands.size(); ++i) {
    if (subcommands[i]->parsed()) return commands[i]->Run(env);
  }
  err << "cellfleet: no command given (see cellfleet --help)\n";
  return kExitUsage;
}

}  // namespace cellfleet::client
