// cellfleet-agent: the on-device daemon. main() parses flags, loads the config file and
// runs the Agent (agent/agent.h) until SIGINT or SIGTERM.
#include <signal.h>
#include <unistd.h>

#include <iostream>
#include <memory>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "agent/agent.h"
#include "agent/settings/agent_settings.h"
#include "base/atomic_file.h"
#include "base/lock_order_checks.h"
#include "base/stop_signals.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "modem/discovery.h"
#include "modem/log_format.h"
#include "spdlog/sinks/stdout_sinks.h"
#include "spdlog/sinks/systemd_sink.h"
#include "spdlog/spdlog.h"
#include "systemd/sd-daemon.h"

namespace {

using cellfleet::agent::AgentSettings;

constexpr char kVersion[] = CELLFLEET_VERSION;

// Prints what discovery sees, and what ModemManager would get in the way of.
int ListModems(std::ostream& out) {
  absl::StatusOr<std::vector<cellfleet::modem::DiscoveredModem>> modems =
      cellfleet::modem::DiscoverModems();
  if (!modems.ok()) {
    std::cerr << "cellfleet-agent: " << modems.status().message() << "\n";
    return 1;
  }
  if (modems->empty()) out << "no Quectel modem found\n";
  for (const auto& modem : *modems) {
    out << modem.model << " (" << modem.vendor_id << ":" << modem.product_id << ") at USB "
        << modem.usb_path;
    if (!modem.serial.empty()) out << " serial " << modem.serial;
    out << "\n  AT port: " << (modem.at_port ? modem.at_port->device_path : "none")
        << "\n  modem (PPP) port: " << (modem.modem_port ? modem.modem_port->device_path : "none")
        << "\n";
  }
  for (const std::string& conflict : cellfleet::modem::ModemManagerConflicts(*modems)) {
    out << "warning: " << conflict << "\n";
  }
  return 0;
}

void SetUpLogging(const AgentSettings& s) {
  std::shared_ptr<spdlog::logger> logger;
  if (s.log_target == "journald") {
    logger = std::make_shared<spdlog::logger>("agent",
                                              std::make_shared<spdlog::sinks::systemd_sink_mt>());
  } else {
    logger = std::make_shared<spdlog::logger>("agent",
                                              std::make_shared<spdlog::sinks::stderr_sink_mt>());
  }
  logger->set_level(spdlog::level::from_str(s.log_level));
  spdlog::set_default_logger(logger);
}

}  // namespace

int main(int argc, char** argv) {
  cellfleet::base::SkipLockOrderChecks();
  CLI::App app{"cellfleet-agent: serves an LTE modem's status and control over gRPC"};
  AgentSettings flags;  // holds flag values; only flags given on the command line override
  std::string config_file;
  std::string ready_file;
  std::string unauthenticated_role;
  double poll_seconds = 2.0;
  double history_interval_seconds = 60;
  bool list_modems = false;
  app.set_version_flag("--version", std::string("cellfleet-agent ") + kVersion);
  app.add_option("--config", config_file, "YAML config file (flags override it)");
  auto* at_port = app.add_option(
      "--at-port", flags.at_port,
      "The modem's AT port (EC25: USB interface 2, usually /dev/ttyUSB2), or \"auto\" "
      "to find it in sysfs by USB id and interface number");
  app.add_flag("--list-modems", list_modems, "List the Quectel modems found in sysfs and exit");
  auto* baud = app.add_option("--baud", flags.baud, "Baud rate of the AT port");
  auto* listen = app.add_option("--listen", flags.listen,
                                "Address to serve gRPC on (host:port; port 0 picks one)");
  auto* board_name = app.add_option("--board-name", flags.board_name,
                                    "Name reported to clients (default: host name)");
  auto* poll =
      app.add_option("--poll-interval", poll_seconds, "Seconds between status polls of the modem")
          ->check(CLI::Range(0.2, 3600.0));
  auto* lock_dir = app.add_option("--lock-dir", flags.lock_dir,
                                  "Directory for UUCP lock files (pppd uses /var/lock)");
  auto* tls_cert =
      app.add_option("--tls-cert", flags.tls.cert, "The agent's TLS certificate (PEM)");
  auto* tls_key = app.add_option("--tls-key", flags.tls.key, "The agent's TLS private key (PEM)");
  auto* tls_client_ca = app.add_option("--tls-client-ca", flags.tls.client_ca,
                                       "CA of client certificates: turns on mutual TLS");
  auto* unauth = app.add_option(
      "--unauthenticated-role", unauthenticated_role,
      "Role of callers without a client certificate: none, viewer (default), operator");
  auto* audit =
      app.add_option("--audit-log", flags.audit_log, "Append a JSON line per mutating call here");
  auto* history_samples = app.add_option("--history-samples", flags.history.max_samples,
                                         "Status samples kept on the device (about 1 KB each)");
  auto* history_interval =
      app.add_option("--history-interval", history_interval_seconds, "Seconds between kept samples")
          ->check(CLI::Range(1.0, 86400.0));
  auto* history_events =
      app.add_option("--history-events", flags.history.max_events, "Events kept on the device");
  auto* log_level =
      app.add_option("--log-level", flags.log_level, "trace, debug, info, warn, error")
          ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
  auto* log_target = app.add_option("--log-target", flags.log_target, "stderr or journald")
                         ->check(CLI::IsMember({"stderr", "journald"}));
  auto* modem_port =
      app.add_option("--modem-port", flags.link.settings.modem_port,
                     "The modem's PPP port (EC25: USB interface 3, usually /dev/ttyUSB3)");
  auto* apn =
      app.add_option("--apn", flags.link.settings.apn, "APN to dial until a config is pushed");
  auto* state_dir = app.add_option("--state-dir", flags.link.state_dir,
                                   "Directory the agent owns (pushed config, rendered PPP files)");
  auto* pppd = app.add_option("--pppd", flags.link.pppd, "The pppd program");
  auto* insecure =
      app.add_flag("--insecure", flags.insecure, "Allow plaintext gRPC on a non-loopback address");
  app.add_option("--ready-file", ready_file, "Write the bound address here once serving");
  std::string sysfs = "/sys";
  app.add_option("--sysfs", sysfs, "Where sysfs is mounted (tests point it at a fake tree)")
      ->group("");  // not for users: hidden from --help
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (list_modems) return ListModems(std::cout);

  AgentSettings s;
  if (!config_file.empty()) {
    if (absl::Status loaded = cellfleet::agent::LoadAgentSettings(config_file, s); !loaded.ok()) {
      std::cerr << "cellfleet-agent: " << loaded.message() << "\n";
      return 2;
    }
  }
  if (at_port->count()) s.at_port = flags.at_port;
  if (baud->count()) s.baud = flags.baud;
  if (listen->count()) s.listen = flags.listen;
  if (board_name->count()) s.board_name = flags.board_name;
  if (poll->count()) s.poll_interval = absl::Seconds(poll_seconds);
  if (lock_dir->count()) s.lock_dir = flags.lock_dir;
  if (tls_cert->count()) s.tls.cert = flags.tls.cert;
  if (tls_key->count()) s.tls.key = flags.tls.key;
  if (tls_client_ca->count()) s.tls.client_ca = flags.tls.client_ca;
  if (audit->count()) s.audit_log = flags.audit_log;
  if (history_samples->count()) s.history.max_samples = flags.history.max_samples;
  if (history_interval->count())
    s.history.sample_interval = absl::Seconds(history_interval_seconds);
  if (history_events->count()) s.history.max_events = flags.history.max_events;
  if (log_level->count()) s.log_level = flags.log_level;
  if (log_target->count()) s.log_target = flags.log_target;
  if (insecure->count()) s.insecure = flags.insecure;
  if (modem_port->count()) s.link.settings.modem_port = flags.link.settings.modem_port;
  if (apn->count()) s.link.settings.apn = flags.link.settings.apn;
  if (state_dir->count()) s.link.state_dir = flags.link.state_dir;
  if (pppd->count()) s.link.pppd = flags.link.pppd;
  if (unauth->count()) {
    absl::StatusOr<cellfleet::agent::Role> role = cellfleet::agent::ParseRole(unauthenticated_role);
    if (!role.ok()) {
      std::cerr << "cellfleet-agent: --unauthenticated-role: " << role.status().message() << "\n";
      return 2;
    }
    s.unauthenticated_role = *role;
  }
  SetUpLogging(s);

  const cellfleet::base::StopSignals stop_signals;  // before any thread starts

  cellfleet::agent::AgentOptions options;
  options.version = kVersion;
  options.host.roots.sysfs = sysfs;
  // Under systemd with WatchdogSec=, ping at half the period from the poll loop.
  uint64_t watchdog_usec = 0;
  if (sd_watchdog_enabled(0, &watchdog_usec) > 0) {
    const absl::Duration period = absl::Microseconds(static_cast<int64_t>(watchdog_usec)) / 2;
    if (s.poll_interval > period) s.poll_interval = period;  // the loop must turn often enough
    options.on_poll_cycle = [] { sd_notify(0, "WATCHDOG=1"); };
  }
  options.settings = std::move(s);
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  absl::StatusOr<std::unique_ptr<cellfleet::agent::Agent>> agent =
      cellfleet::agent::Agent::Start(std::move(options));
  if (!agent.ok()) {
    std::cerr << "cellfleet-agent: " << agent.status().message() << "\n";
    return absl::IsUnavailable(agent.status()) ? 1 : 2;
  }
  const std::string& bound = (*agent)->address();
  if (!ready_file.empty()) {
    if (absl::Status written = cellfleet::base::WriteFileAtomically(ready_file, bound + "\n");
        !written.ok()) {
      spdlog::error("cannot write ready file: {}", written.message());
    }
  }
  sd_notify(0,
            absl::StrCat("READY=1\nSTATUS=serving on ", bound).c_str());  // no-op outside systemd

  const int signal_number = stop_signals.Wait();
  spdlog::info("signal {}: draining streams and stopping", signal_number);
  sd_notify(0, "STOPPING=1");
  (*agent)->Stop();
  spdlog::info("stopped");
  return 0;
}
