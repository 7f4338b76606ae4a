// cellfleet-fleet: a simulated fleet on loopback for demos, benchmarks and trying the
// CLI: one simulator with N boards, one real agent per board, an inventory with labels
// (region, site, trouble), optional trouble for a share of the boards. Runs until
// SIGINT or SIGTERM, then stops the agents and the simulator.
//   cellfleet-fleet --boards 100 --dir /tmp/fleet --trouble fade=5% --trouble drop=5%
#include <filesystem>
#include <iostream>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "base/atomic_file.h"
#include "base/stop_signals.h"
#include "tests/support/fleet.h"

int main(int argc, char** argv) {
  const cellfleet::base::StopSignals stop_signals;  // before any thread starts

  cellfleet::testing::FleetOptions options;
  options.simulator = CELLFLEET_MODEMSIM;
  options.agent = CELLFLEET_AGENT;
  options.poll_interval = "";  // the agent's own default, as on a board
  std::vector<std::string> trouble;
  std::string ready_file;
  double start_seconds = 0;
  CLI::App app{"A simulated fleet on loopback: one simulator, one agent per board",
               "cellfleet-fleet"};
  app.add_option("--boards", options.boards, "Boards (and agents)")->check(CLI::Range(1, 5000));
  app.add_option("--dir", options.dir, "Work directory (made if missing)")->required();
  app.add_option("--seed", options.seed, "The same seed gives the same radios and trouble");
  app.add_option("--tick", options.tick, "Seconds per radio step");
  app.add_option("--poll-interval", options.poll_interval,
                 "The agents' --poll-interval (default: the agent's own)");
  CLI::Option* trouble_option =
      app.add_option("--trouble", trouble, "fade=P% or drop=P% of the boards; repeatable");
  std::string scenario;
  app.add_option("--scenario", scenario, "The simulator's scenario file (docs/simulator.md)")
      ->check(CLI::ExistingFile)
      ->excludes(trouble_option);
  app.add_option("--simulator", options.simulator, "cellfleet-modemsim to run");
  app.add_option("--agent", options.agent, "cellfleet-agent to run");
  app.add_option("--ready-file", ready_file, "Write the inventory's path here once all are up");
  app.add_option("--start-timeout", start_seconds, "Seconds the fleet may take to start");
  std::vector<std::string> agent_args;
  app.add_option("--agent-arg", agent_args,
                 "An argument for every agent, e.g. --agent-arg=--unauthenticated-role=operator; "
                 "{name} in it is the board's name (board-00...); repeatable");
  app.add_option("--unauthenticated-role", options.unauthenticated_role,
                 "What the agents give callers without a certificate (default viewer: this "
                 "fleet is on loopback; an --agent-arg of it wins)");
  app.add_option("--listen-host", options.listen_host,
                 "The agents' listen address (default 127.0.0.1; another needs their TLS)");
  CLI11_PARSE(app, argc, argv);
  for (const std::string& text : trouble) {
    absl::StatusOr<cellfleet::testing::FleetTrouble> parsed =
        cellfleet::testing::ParseFleetTrouble(text);
    if (!parsed.ok()) {
      std::cerr << "cellfleet-fleet: " << parsed.status().message() << "\n";
      return 2;
    }
    options.trouble.push_back(*parsed);
  }
  if (!scenario.empty()) options.simulator_args = {"--scenario", scenario};
  if (!agent_args.empty()) {
    options.agent_args = [agent_args](int index) {
      std::vector<std::string> args = agent_args;
      const std::string name = absl::StrFormat("board-%02d", index);
      for (std::string& arg : args) absl::StrReplaceAll({{"{name}", name}}, &arg);
      return args;
    };
  }
  // Agents start in parallel; a large fleet on a small machine needs longer.
  options.start_timeout = start_seconds > 0
                              ? absl::Seconds(start_seconds)
                              : absl::Seconds(20) + absl::Milliseconds(100) * options.boards;
  std::filesystem::create_directories(options.dir);
  absl::StatusOr<std::unique_ptr<cellfleet::testing::Fleet>> fleet =
      cellfleet::testing::Fleet::Start(options);
  if (!fleet.ok()) {
    std::cerr << "cellfleet-fleet: " << fleet.status().message() << "\n";
    return 1;
  }
  absl::StatusOr<std::string> inventory = (*fleet)->WriteInventory();
  if (!inventory.ok()) {
    std::cerr << "cellfleet-fleet: " << inventory.status().message() << "\n";
    return 1;
  }
  if (!ready_file.empty()) {
    if (absl::Status written = cellfleet::base::WriteFileAtomically(ready_file, *inventory + "\n");
        !written.ok()) {
      std::cerr << "cellfleet-fleet: " << written.message() << "\n";
      return 1;
    }
  }
  std::cout << "cellfleet-fleet: " << options.boards << " boards up; inventory " << *inventory
            << std::endl;
  stop_signals.Wait();
  absl::Status stopped = (*fleet)->Stop();
  if (!stopped.ok()) std::cerr << "cellfleet-fleet: stop: " << stopped.message() << "\n";
  return stopped.ok() ? 0 : 1;
}
