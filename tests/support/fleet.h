// A simulated fleet of real processes on loopback: one simulator with N boards and one
// cellfleet-agent per board, each on its own port. Started in parallel and stopped in
// order (agents, then the simulator); every wait is bounded. Used by the end-to-end and
// VM tests and the benchmark.
#ifndef CELLFLEET_TESTS_SUPPORT_FLEET_H_
#define CELLFLEET_TESTS_SUPPORT_FLEET_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tests/support/subprocess.h"

namespace cellfleet::testing {

// Trouble for a share of the fleet, so a large fleet is not uniformly healthy: the
// chosen boards (picked by the seed) fade by 20 dB, or lose registration for a minute,
// `at` after the start.
struct FleetTrouble {
  enum class Kind { kFade, kDrop };
  Kind kind = Kind::kFade;
  double share = 0.05;  // of the boards, at least one when > 0
  absl::Duration at = absl::Seconds(15);
};

// "fade=5%" or "drop=10%"; INVALID_ARGUMENT naming the problem otherwise.
absl::StatusOr<FleetTrouble> ParseFleetTrouble(const std::string& text);

struct FleetOptions {
  std::string simulator;  // the cellfleet-modemsim and cellfleet-agent programs
  std::string agent;
  std::string dir;  // work directory, made by the caller
  int boards = 3;
  uint64_t seed = 42;
  std::string tick = "0.2";                 // seconds per radio step
  std::vector<std::string> simulator_args;  // e.g. --scenario FILE
  std::vector<FleetTrouble> trouble;        // instead of a --scenario of one's own
  std::string poll_interval = "0.5";        // the agents' --poll-interval; "": theirs
  // More agent flags for board `index` (TLS, pppd, roles...).
  std::function<std::vector<std::string>(int index)> agent_args;
  // What a caller without a certificate may do on these loopback agents (the agent's own
  // default is none): a simulated fleet answers `cellfleet status` as it comes. An
  // --unauthenticated-role among agent_args wins; "" passes none.
  std::string unauthenticated_role = "viewer";
  bool start_agents = true;  // false: the simulator only
  // Where the agents listen (port 0 each); another host's address needs their TLS.
  std::string listen_host = "127.0.0.1";
  absl::Duration start_timeout = absl::Seconds(20);
};

struct FleetBoard {
  std::string name;  // "board-00", the simulator's and the agent's
  std::string at_path, modem_path;
  std::string imei, iccid;
  std::string address;  // the agent's host:port
  std::string state_dir, log;
};

class Fleet {
 public:
  static absl::StatusOr<std::unique_ptr<Fleet>> Start(FleetOptions options);
  ~Fleet();

  const std::vector<FleetBoard>& boards() const { return boards_; }
  std::vector<std::string> addresses() const;
  std::string targets() const;  // "host:port,host:port,..."
  Subprocess& agent(size_t index) { return *agents_[index]; }
  Subprocess& simulator() { return *simulator_; }

  // An inventory file of the fleet: name, address, and labels region (north/south,
  // alternating), site (one per ten boards) and, for boards given trouble, trouble.
  // Returns its path.
  absl::StatusOr<std::string> WriteInventory() const;

  // SIGTERM to every agent, then the simulator; the first error, if any.
  absl::Status Stop();

 private:
  explicit Fleet(FleetOptions options) : options_(std::move(options)) {}
  absl::Status StartSimulator();
  // The scenario file that gives the chosen boards their trouble; its path.
  absl::StatusOr<std::string> WriteTroubleScenario() const;
  absl::Status StartAgents();

  const FleetOptions options_;
  std::unique_ptr<Subprocess> simulator_;
  std::vector<std::unique_ptr<Subprocess>> agents_;
  std::vector<FleetBoard> boards_;
  std::vector<std::optional<FleetTrouble>> trouble_of_;  // per board, if it has any
};

}  // namespace cellfleet::testing

#endif  // CELLFLEET_TESTS_SUPPORT_FLEET_H_
