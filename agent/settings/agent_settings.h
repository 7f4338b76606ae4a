// The agent's settings: defaults, then the YAML config file, then command-line flags,
// each setting described once in setting_table.h.
#ifndef CELLFLEET_AGENT_SETTINGS_AGENT_SETTINGS_H_
#define CELLFLEET_AGENT_SETTINGS_AGENT_SETTINGS_H_

#include <map>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "agent/dialout/gateway_link.h"
#include "agent/link/link_manager.h"
#include "agent/recovery/recovery_ladder.h"
#include "agent/security/at_policy.h"
#include "agent/security/authorizer.h"
#include "agent/status/history_store.h"
#include "agent/usage/usage_meter.h"
#include "modem/hardware/power_switch.h"

namespace cellfleet::agent {

struct TlsFiles {
  std::string cert;       // the agent's certificate (PEM)
  std::string key;        // its private key (PEM)
  std::string client_ca;  // if set: mutual TLS, clients must present a cert from this CA
  std::string crl_dir;    // if set: client certificates revoked by its CRLs are refused
  // If set and `cert` does not exist: enroll first (agent/enrollment.h).
  std::string enrollment_token;
  // The three files are read again this often: a renewed certificate or CA is served
  // without a restart, and connections made before keep theirs.
  absl::Duration reload_interval = absl::Minutes(1);
};

struct AgentSettings {
  // modem
  std::string at_port = "/dev/ttyUSB2";
  int baud = 115200;
  // Signal is sampled at this pace; registration, SIM and resets are read as the modem's
  // URCs announce them, so a longer poll does not delay them.
  absl::Duration poll_interval = absl::Seconds(10);
  std::string lock_dir = "/var/lock";
  // server
  std::string listen = "127.0.0.1:50051";
  std::string board_name;
  bool insecure = false;
  // security
  TlsFiles tls;
  std::map<std::string, Role> roles;
  Role unauthenticated_role = Role::kNone;  // deny by default
  bool reflection = false;                  // gRPC server reflection, for grpcurl
  std::string audit_log;
  int audit_log_max_mb = 16;  // then rotated to <audit_log>.1
  AtPolicySettings at_commands;
  // dial-out to a gateway, for a board behind carrier NAT
  DialOutSettings gateway;
  // history
  HistoryRetention history;
  // data usage per SIM (the plans come with the pushed config)
  UsageSettings usage;
  // PPP data link (state_dir holds the rendered pppd/chat files)
  LinkOptions link;
  // the recovery ladder, and the modem's power line where the board has one
  RecoveryPolicy recovery;
  std::optional<modem::PowerLine> power_line;
  // log
  std::string log_level = "info";
  std::string log_target = "stderr";  // or "journald"
};

// Overlays the YAML file at `path` on `settings`. Errors name the file and line:
// "/etc/cellfleet/agent.yaml:7: unknown key \"pol_interval\"".
absl::Status LoadAgentSettings(const std::string& path, AgentSettings& settings);
absl::Status ParseAgentSettings(const std::string& yaml, const std::string& name,
                                AgentSettings& settings);
// A flag's text into the setting `key` (setting_table.h); errors name the flag:
// "--poll-interval must be at least 200ms".
absl::Status ApplyFlag(const std::string& key, absl::string_view text, AgentSettings& settings);
// The rules across settings (both TLS files or none, ...), once the flags are in.
absl::Status CheckSectionRules(const AgentSettings& settings);

}  // namespace cellfleet::agent

#endif  // CELLFLEET_AGENT_SETTINGS_AGENT_SETTINGS_H_
