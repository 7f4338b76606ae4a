// The agent, assembled in one place: the status hub and history, the modem poller,
// the PPP link, the config manager, the audit log and the gRPC server, started in
// dependency order and stopped in the reverse. main() and the tests both build it
// here, so a degraded start (no usable state dir: config push off) is tested as it runs.
#ifndef CELLFLEET_AGENT_AGENT_H_
#define CELLFLEET_AGENT_AGENT_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "agent/certificate_status.h"
#include "agent/checks/doctor.h"
#include "agent/config/config_manager.h"
#include "agent/dialout/gateway_link.h"
#include "agent/link/link_manager.h"
#include "agent/recovery/recovery_manager.h"
#include "agent/security/audit_log.h"
#include "agent/security/authorizer.h"
#include "agent/security/call_limits.h"
#include "agent/service/agent_service.h"
#include "agent/settings/agent_settings.h"
#include "agent/status/history_store.h"
#include "agent/status/modem_poller.h"
#include "agent/status/status_hub.h"
#include "agent/usage/usage_meter.h"
#include "base/clock.h"
#include "grpcpp/grpcpp.h"
#include "modem/hardware/power_switch.h"
#include "modem/hardware/usb_reset.h"

namespace cellfleet::agent {

struct AgentOptions {
  AgentSettings settings;  // the file, then the flags
  std::string version = "0.0.0";
  // Called once per poller turn (the systemd watchdog ping).
  std::function<void()> on_poll_cycle;
  absl::Duration reattach_interval = absl::Seconds(2);
  absl::Duration shutdown_grace = absl::Seconds(5);  // for calls in flight at stop
  // Config push tuning; its state dir, seed and clock come from `settings` and `clock`.
  ConfigManagerOptions config;
  base::Clock* clock = &base::Clock::Real();
  HostPaths host;  // sysfs, /proc, pppd's resolv.conf: the real ones but in tests
  // The recovery ladder's hardware steps: the real ones but in tests.
  std::function<absl::Status(const std::string& node)> reset_usb_device = modem::ResetUsbDevice;
  std::function<absl::StatusOr<std::unique_ptr<modem::PowerSwitch>>(const modem::PowerLine&)>
      open_power_switch = modem::OpenGpioPowerSwitch;
};

class Agent {
 public:
  // FAILED_PRECONDITION for settings that cannot be served (bad listen address, TLS
  // files missing or half given, plaintext on a non-loopback address without
  // `insecure`, an audit log that cannot be opened); UNAVAILABLE when the address
  // cannot be bound. A state dir that cannot hold the config only turns config push off.
  static absl::StatusOr<std::unique_ptr<Agent>> Start(AgentOptions options);
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;
  ~Agent();  // Stop()

  // Streams end UNAVAILABLE, calls in flight get the grace, then: config manager, the
  // doctor and the recovery ladder, modem poller, usage meter (saved), PPP link
  // (hang-up), audit log.
  // Idempotent.
  void Stop();

  // "host:port" as bound (the port is the real one when 0 was asked for).
  const std::string& address() const { return address_; }
  bool config_push_enabled() const { return config_usable_; }
  const AgentSettings& settings() const { return options_.settings; }
  StatusHub& hub() { return hub_; }
  ConfigManager& config() { return *config_; }

 private:
  explicit Agent(AgentOptions options) : options_(std::move(options)) {}
  absl::Status Assemble();
  RecoveryHardware RecoveryHardwareOf(const AgentSettings& s) const;
  // The history on disk in the state dir, and the event saying how the last run ended.
  void OpenHistory(const std::string& state_dir);

  AgentOptions options_;
  std::string address_;
  bool config_usable_ = false;
  bool stopped_ = false;
  std::string run_marker_;  // agent/status/run_marker.h; empty without a state dir
  // In dependency order: each part only points at parts above it.
  std::unique_ptr<AuditLog> audit_;
  StatusHub hub_;
  std::unique_ptr<HistoryStore> history_;
  // Reads back before the link ends a stale pppd; once started, holds the link at a
  // SIM's cap, so Stop() ends it before the link.
  std::unique_ptr<UsageMeter> usage_;
  std::unique_ptr<LinkManager> link_;
  std::unique_ptr<ConfigManager> config_;
  std::unique_ptr<CertificateStatus> certificate_;  // a part of every sample: outlives the poller
  std::unique_ptr<ModemPoller> poller_;
  std::unique_ptr<Authorizer> authorizer_;
  std::unique_ptr<CallLimits> limits_;  // its slots are held by calls: outlives the server
  std::unique_ptr<AtPolicy> at_policy_;
  std::unique_ptr<AtPassthrough> at_;               // runs on the poller's channel and the link
  std::unique_ptr<Doctor> doctor_;                  // likewise, and reads the link
  std::unique_ptr<RecoveryManager> recovery_;       // follows the hub; steps via at_ and the link
  std::unique_ptr<CertificateStore> certificates_;  // its calls' work: stopped before service_
  std::unique_ptr<AgentService> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<GatewayLink> gateway_;  // dials out to serve through a gateway, if set
};

}  // namespace cellfleet::agent

#endif  // CELLFLEET_AGENT_AGENT_H_
