// Test-only: a simulated EC25 on a pty, the poller, the hub, history and the gRPC
// service on a loopback port, all in one process; tests talk to it through `stub()`.
#ifndef CELLFLEET_AGENT_IN_PROCESS_AGENT_H_
#define CELLFLEET_AGENT_IN_PROCESS_AGENT_H_

#include <filesystem>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "agent/agent_service.h"
#include "agent/config_manager.h"
#include "agent/link_manager.h"
#include "agent/modem_poller.h"
#include "agent/status_hub.h"
#include "grpcpp/grpcpp.h"
#include "modem/sim/sim_fleet.h"

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
    modem::sim::SimFleetOptions sim_options;
    sim_options.boards = 1;
    sim_options.dir = dir_ + "/sim";
    sim_options.seed = 7;
    sim_options.tick = absl::Milliseconds(100);
    absl::StatusOr<modem::sim::Scenario> scenario =
        modem::sim::ParseScenario(scenario_yaml, "test");
    if (!scenario.ok()) return scenario.status();
    sim_options.scenario = *scenario;
    absl::StatusOr<std::unique_ptr<modem::sim::SimFleet>> fleet =
        modem::sim::SimFleet::Create(sim_options);
    if (!fleet.ok()) return fleet.status();
    fleet_ = std::move(*fleet);
    fleet_->Start();

    if (!subscribed_) hub_.Subscribe([this](const StatusPtr& status) { history_.Record(status); });
    subscribed_ = true;
    PollerOptions options;
    options.at_port = fleet_->boards()[0].at_path;
    options.poll_interval = poll_interval;
    options.reattach_interval = absl::Milliseconds(200);
    options.serial.lock_dir = dir_;
    LinkOptions link_options;
    link_options.state_dir = dir_ + "/state";
    link_options.settings.modem_port = fleet_->boards()[0].modem_path;
    link_options.settings.apn = "internet.example";
    link_options.pppd = pppd_;
    link_options.stop_grace = absl::Milliseconds(500);
    link_options.keep_up = keep_up_;
    link_ = std::make_unique<LinkManager>(link_options);
    ConfigManagerOptions config_options = config_options_;
    config_options.state_dir = link_options.state_dir;
    config_options.seed = LinkConfig{link_options.settings, link_options.keep_up};
    config_ =
        std::make_unique<ConfigManager>(config_options, link_.get(), [this](const v1::ConfigStep&) {
          if (poller_) poller_->RequestSample();
        });
    options.add_local_state = [this](v1::ModemStatus& status) {
      *status.mutable_connection() = link_->Status();
      *status.mutable_config() = config_->State();
    };
    poller_ = std::make_unique<ModemPoller>(options, &hub_);
    link_->SetOnChange([poller = poller_.get()] { poller->RequestSample(); });
    if (absl::Status started = config_->Start(); !started.ok()) return started;
    poller_->Start();
    service_ = std::make_unique<AgentService>(
        &hub_, &history_, &authorizer_, audit_.get(), link_.get(), config_.get(),
        ServiceInfo{"test-board", "0.0.0-test", poll_interval});
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    if (server_ == nullptr || port == 0)
      return absl::UnavailableError("cannot listen on 127.0.0.1:0");
    target_ = "127.0.0.1:" + std::to_string(port);
    stub_ =
        v1::ModemAgent::NewStub(grpc::CreateChannel(target_, grpc::InsecureChannelCredentials()));
    return absl::OkStatus();
  }

  void Stop() {
    hub_.Close();
    StopParts();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
    dir_.clear();
  }

  // Stops everything but the hub and keeps the state dir, then starts again on it: an
  // agent restart.
  absl::Status Restart(const std::string& scenario_yaml, absl::Duration poll_interval) {
    const std::string dir = dir_;
    StopParts();
    std::filesystem::remove_all(dir + "/sim");
    return Start(dir, scenario_yaml, poll_interval);
  }

 private:
  void StopParts() {
    if (server_) server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
    server_.reset();
    if (config_) config_->Stop();
    if (link_) link_->SetOnChange(nullptr);  // before the poller goes
    if (poller_) poller_->Stop();
    config_.reset();
    poller_.reset();
    link_.reset();  // hangs up, reaps pppd
    if (fleet_) fleet_->Stop();
    fleet_.reset();
  }

 public:
  modem::sim::SimFleet& fleet() { return *fleet_; }
  StatusHub& hub() { return hub_; }
  v1::ModemAgent::Stub& stub() { return *stub_; }
  const std::string& target() const { return target_; }
  const std::string& state_dir() const { return dir_; }
  // The program run as pppd (before Start): tests pass a stand-in.
  void set_pppd(std::string pppd) { pppd_ = std::move(pppd); }
  void set_keep_up(KeepUpPolicy policy) { keep_up_ = policy; }
  void set_config_options(ConfigManagerOptions options) { config_options_ = std::move(options); }
  ConfigManager& config() { return *config_; }

 private:
  std::string dir_;
  std::unique_ptr<modem::sim::SimFleet> fleet_;
  StatusHub hub_;
  HistoryStore history_{HistoryOptions{}};
  Authorizer authorizer_{{}, Role::kOperator};
  std::unique_ptr<AuditLog> audit_ = *AuditLog::Open("");
  std::string pppd_ = "/usr/sbin/pppd";
  KeepUpPolicy keep_up_;
  ConfigManagerOptions config_options_;
  bool subscribed_ = false;
  std::unique_ptr<LinkManager> link_;
  std::unique_ptr<ConfigManager> config_;
  std::unique_ptr<ModemPoller> poller_;
  std::unique_ptr<AgentService> service_;
  std::unique_ptr<grpc::Server> server_;
  std::string target_;
  std::unique_ptr<v1::ModemAgent::Stub> stub_;
};

}  // namespace cellfleet::agent

#endif  // CELLFLEET_AGENT_IN_PROCESS_AGENT_H_
