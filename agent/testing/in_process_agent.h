// Test-only: a simulated EC25 on a pty and the Agent (agent/agent.h, the same assembly
// main() runs) on a loopback port, in one process; tests talk to it through `stub()`.
#ifndef CELLFLEET_AGENT_TESTING_IN_PROCESS_AGENT_H_
#define CELLFLEET_AGENT_TESTING_IN_PROCESS_AGENT_H_

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "agent/agent.h"
#include "grpcpp/grpcpp.h"
#include "simulator/simulated_fleet.h"

namespace cellfleet::agent {

class InProcessAgent {
 public:
  InProcessAgent() = default;
  InProcessAgent(const InProcessAgent&) = delete;
  InProcessAgent& operator=(const InProcessAgent&) = delete;
  ~InProcessAgent() { Stop(); }

  absl::Status Start(const std::string& dir, const std::string& scenario_yaml,
                     absl::Duration poll_interval) {
    dir_ = dir;
    simulator::SimulatedFleetOptions sim_options;
    sim_options.boards = 1;
    sim_options.dir = dir_ + "/sim";
    sim_options.seed = 7;
    sim_options.tick = absl::Milliseconds(100);
    absl::StatusOr<simulator::Scenario> scenario = simulator::ParseScenario(scenario_yaml, "test");
    if (!scenario.ok()) return scenario.status();
    sim_options.scenario = *scenario;
    absl::StatusOr<std::unique_ptr<simulator::SimulatedFleet>> fleet =
        simulator::SimulatedFleet::Create(sim_options);
    if (!fleet.ok()) return fleet.status();
    fleet_ = std::move(*fleet);
    fleet_->Start();

    AgentOptions options;
    AgentSettings& s = options.settings;
    s.at_port = fleet_->boards()[0].at_path;
    s.poll_interval = poll_interval;
    s.lock_dir = dir_;
    s.listen = "127.0.0.1:0";
    s.board_name = "test-board";
    s.unauthenticated_role = Role::kOperator;
    s.link.state_dir = dir_ + "/state";
    s.link.settings.modem_port = fleet_->boards()[0].modem_path;
    s.link.settings.apn = "internet.example";
    s.link.pppd = pppd_;
    s.link.stop_grace = absl::Milliseconds(500);
    s.link.keep_up = keep_up_;
    options.version = "0.0.0-test";
    options.reattach_interval = absl::Milliseconds(200);
    options.shutdown_grace = absl::Seconds(2);
    options.config = config_options_;
    if (customize_) customize_(options);
    absl::StatusOr<std::unique_ptr<Agent>> agent = Agent::Start(std::move(options));
    if (!agent.ok()) return agent.status();
    agent_ = std::move(*agent);
    target_ = agent_->address();
    stub_ =
        v1::ModemAgent::NewStub(grpc::CreateChannel(target_, grpc::InsecureChannelCredentials()));
    return absl::OkStatus();
  }

  void Stop() {
    StopParts();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
    dir_.clear();
  }

  // Stops the agent and the simulator, keeps the state dir, then starts again on it:
  // an agent restart.
  absl::Status Restart(const std::string& scenario_yaml, absl::Duration poll_interval) {
    const std::string dir = dir_;
    StopParts();
    std::filesystem::remove_all(dir + "/sim");
    return Start(dir, scenario_yaml, poll_interval);
  }

  simulator::SimulatedFleet& fleet() { return *fleet_; }
  Agent& agent() { return *agent_; }
  StatusHub& hub() { return agent_->hub(); }
  ConfigManager& config() { return agent_->config(); }
  v1::ModemAgent::Stub& stub() { return *stub_; }
  const std::string& target() const { return target_; }
  const std::string& state_dir() const { return dir_; }
  // Before Start: the program run as pppd (tests pass a stand-in), keep-up, config
  // push tuning, and anything else of the options.
  void set_pppd(std::string pppd) { pppd_ = std::move(pppd); }
  void set_keep_up(KeepUpPolicy policy) { keep_up_ = policy; }
  void set_config_options(ConfigManagerOptions options) { config_options_ = std::move(options); }
  void set_customize(std::function<void(AgentOptions&)> customize) {
    customize_ = std::move(customize);
  }

 private:
  void StopParts() {
    stub_.reset();
    agent_.reset();  // in dependency order; hangs up, reaps pppd
    if (fleet_) fleet_->Stop();
    fleet_.reset();
  }

  std::string dir_;
  std::unique_ptr<simulator::SimulatedFleet> fleet_;
  std::string pppd_ = "/usr/sbin/pppd";
  KeepUpPolicy keep_up_;
  ConfigManagerOptions config_options_;
  std::function<void(AgentOptions&)> customize_;
  std::unique_ptr<Agent> agent_;
  std::string target_;
  std::unique_ptr<v1::ModemAgent::Stub> stub_;
};

}  // namespace cellfleet::agent

#endif  // CELLFLEET_AGENT_TESTING_IN_PROCESS_AGENT_H_
