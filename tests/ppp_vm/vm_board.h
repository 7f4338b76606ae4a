// One simulated board inside the PPP test VM: the simulator (its modem port relaying to a
// network-side pppd in its own network namespace, so traffic really crosses the link),
// the agent dialing with the real pppd and chat, and the cellfleet CLI to drive it.
#ifndef CELLFLEET_TESTS_PPP_VM_VM_BOARD_H_
#define CELLFLEET_TESTS_PPP_VM_VM_BOARD_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "tests/ppp_vm/service_user.h"
#include "tests/support/fleet.h"
#include "tests/support/subprocess.h"

namespace cellfleet::testing {

inline constexpr char kNetworkAddress[] = "10.64.0.1";  // the carrier's end of the link
inline constexpr char kBoardAddress[] = "10.64.0.2";
inline constexpr char kPrimaryDns[] = "10.64.0.53";
inline constexpr char kSecondaryDns[] = "10.64.0.54";

struct VmBoardOptions {
  std::vector<std::string> accepted_apns = {"internet.example"};
  // The carrier's pppd: extra options (e.g. {"require-pap"}) and the secrets it checks.
  std::vector<std::string> network_options;
  std::string network_pap_secrets;  // written to /etc/ppp/pap-secrets (tmpfs in the VM)
  std::string network_chap_secrets;
  bool hangup_on_carrier_loss = true;
  // The agent's `connection:` YAML section, without modem_port and state_dir.
  std::string connection_yaml = "  apn: internet.example\n";
};

class VmBoard {
 public:
  // Starts the simulator and the agent; the agent serves on loopback port 0.
  static absl::StatusOr<std::unique_ptr<VmBoard>> Start(VmBoardOptions options);
  ~VmBoard();  // stops the agent (so pppd ends) and the simulator

  // `cellfleet --output json --timeout <timeout> ARGS... --targets <agent>`.
  absl::StatusOr<CommandResult> Cli(const std::vector<std::string>& args,
                                    absl::Duration timeout = absl::Seconds(90));
  // The single JSON line a one-board command prints.
  absl::StatusOr<nlohmann::json> CliJson(const std::vector<std::string>& args,
                                         absl::Duration timeout = absl::Seconds(90));
  // The board's `status` until `done` holds for it (bounded); the last status seen.
  absl::StatusOr<nlohmann::json> WaitForStatus(
      const std::function<bool(const nlohmann::json&)>& done, absl::Duration timeout);

  // Kills the agent with `signal` (its pppd and the carrier's go on, as after a crash),
  // then, after `between` runs, starts a new one with the same config and state.
  absl::Status RestartAgent(int signal, const std::function<void()>& between = nullptr);

  const std::string& dir() const { return dir_; }
  const ServiceIdentity& service() const { return service_; }
  const std::string& state_dir() const { return state_dir_; }
  const std::string& agent_address() const { return address_; }
  pid_t agent_pid() const { return agent_ ? agent_->pid() : -1; }
  pid_t simulator_pid() const { return simulator_ ? simulator_->simulator().pid() : -1; }
  std::string AgentLog() const;

 private:
  VmBoard() = default;
  absl::Status StartSimulator(const VmBoardOptions& options);
  absl::Status StartAgent();

  ServiceIdentity service_;
  std::string dir_, state_dir_, config_path_, at_path_, modem_path_, address_;
  int agent_runs_ = 0;
  std::unique_ptr<Fleet> simulator_;  // the simulator only
  std::unique_ptr<Subprocess> agent_;
};

// The pids of every running pppd (the board's and the carrier's).
std::vector<pid_t> PppdPids();
// A process's parent pid, or -1.
pid_t ParentPid(pid_t pid);
// A process's real and effective user ids ({-1, -1} if it is gone).
std::pair<int, int> ProcessUids(pid_t pid);
// Whether `name` exists as a network interface in this (the board's) namespace.
bool InterfaceExists(const std::string& name);
// `ip -4 -o addr show dev NAME`.
std::string InterfaceAddresses(const std::string& name);

}  // namespace cellfleet::testing

#endif  // CELLFLEET_TESTS_PPP_VM_VM_BOARD_H_
