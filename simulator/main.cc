// cellfleet-modemsim: simulated Quectel EC25 boards on pseudo-terminals.
#include <grp.h>
#include <signal.h>
#include <sys/resource.h>

#include <cstdio>
#include <fstream>
#include <iostream>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "base/atomic_file.h"
#include "base/lock_order_checks.h"
#include "base/stop_signals.h"
#include "modem/log_format.h"
#include "simulator/simulated_fleet.h"
#include "spdlog/spdlog.h"

namespace {

std::string DescribeBoard(const cellfleet::simulator::SimulatedBoard& board) {
  return absl::StrCat(board.name, " at=", board.at_path, " modem=", board.modem_path,
                      " imei=", board.identity.imei, " iccid=", board.identity.iccid);
}

}  // namespace

int main(int argc, char** argv) {
  cellfleet::base::SkipLockOrderChecks();
  CLI::App app{"Simulated Quectel EC25 modems on pseudo-terminals, for demos and tests"};
  cellfleet::simulator::SimulatedFleetOptions options;
  std::string ready_file;
  std::string scenario_file;
  double tick_seconds = 1.0;
  app.add_option("--boards", options.boards, "Number of simulated boards")
      ->check(CLI::Range(1, 1000));
  app.add_option("--dir", options.dir, "Directory for the port links <dir>/<board>/{at,modem}")
      ->required();
  app.add_option("--seed", options.seed, "Seed: the same seed gives the same radio story");
  app.add_option("--tick", tick_seconds, "Seconds per radio step")->check(CLI::Range(0.01, 3600.0));
  app.add_option("--scenario", scenario_file,
                 "YAML scenario: initial state, events, replies, faults, data mode");
  app.add_option("--ready-file", ready_file, "Write the board list here once the ports exist");
  std::string port_group;
  app.add_option("--port-group", port_group,
                 "Give the ports to this group, mode 0660, as udev gives ttyUSB to dialout");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  options.tick = absl::Seconds(tick_seconds);
  if (!port_group.empty()) {
    const group* entry = getgrnam(port_group.c_str());
    if (entry == nullptr) {
      std::cerr << "cellfleet-modemsim: no group \"" << port_group << "\"\n";
      return 2;
    }
    options.port_group = static_cast<int>(entry->gr_gid);
  }
  if (!scenario_file.empty()) {
    auto scenario = cellfleet::simulator::LoadScenario(scenario_file);
    if (!scenario.ok()) {
      std::cerr << "cellfleet-modemsim: " << scenario.status().message() << "\n";
      return 2;
    }
    options.scenario = *std::move(scenario);
  }

  // Two ptys per board plus the held slaves: lift the soft fd limit to the hard one.
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
  }

  // Block the stop signals before any thread starts, then wait for one of them.
  const cellfleet::base::StopSignals stop_signals;

  auto fleet = cellfleet::simulator::SimulatedFleet::Create(options);
  if (!fleet.ok()) {
    std::cerr << "cellfleet-modemsim: " << fleet.status().message() << "\n";
    return 1;
  }
  (*fleet)->Start();
  std::string listing;
  for (const auto& board : (*fleet)->boards())
    absl::StrAppend(&listing, DescribeBoard(board), "\n");
  std::cout << listing << std::flush;
  if (!ready_file.empty()) {
    if (absl::Status written = cellfleet::base::WriteFileAtomically(ready_file, listing);
        !written.ok()) {
      std::cerr << "cellfleet-modemsim: ready file: " << written.message() << "\n";
      return 1;
    }
  }
  const int signal_number = stop_signals.Wait();
  spdlog::info("cellfleet-modemsim: stopping on signal {}", signal_number);
  (*fleet)->Stop();
  return 0;
}
