// cellfleet-agent: the on-device daemon. main() parses flags, loads the config and wires
// the parts; the work happens in the poller, the hub and the gRPC service.
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "agent/agent_config.h"
#include "agent/agent_service.h"
#include "agent/audit_log.h"
#include "agent/authorizer.h"
#include "agent/config_manager.h"
#include "agent/history_store.h"
#include "agent/listen_address.h"
#include "agent/modem_poller.h"
#include "agent/status_hub.h"
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

bool WriteFileAtomically(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << content;
    if (!out.flush()) return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

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

// TLS when configured (mutual when a client CA is given), else plaintext.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerCredentials(const AgentSettings& s) {
  if (s.tls.cert.empty()) return grpc::InsecureServerCredentials();
  absl::StatusOr<std::string> cert = ReadFile(s.tls.cert);
  if (!cert.ok()) return cert.status();
  absl::StatusOr<std::string> key = ReadFile(s.tls.key);
  if (!key.ok()) return key.status();
  grpc::SslServerCredentialsOptions options(
      s.tls.client_ca.empty() ? GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE
                              : GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  if (!s.tls.client_ca.empty()) {
    absl::StatusOr<std::string> ca = ReadFile(s.tls.client_ca);
    if (!ca.ok()) return ca.status();
    options.pem_root_certs = *ca;
  }
  options.pem_key_cert_pairs.push_back({*key, *cert});
  return grpc::SslServerCredentials(options);
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
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (list_modems) return ListModems(std::cout);

  AgentSettings s;
  if (!config_file.empty()) {
    if (absl::Status loaded = cellfleet::agent::LoadAgentConfig(config_file, s); !loaded.ok()) {
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

  absl::StatusOr<cellfleet::agent::ListenAddress> address =
      cellfleet::agent::ParseListenAddress(s.listen);
  if (!address.ok()) {
    std::cerr << "cellfleet-agent: " << address.status().message() << "\n";
    return 2;
  }
  if ((s.tls.cert.empty() != s.tls.key.empty()) ||
      (!s.tls.client_ca.empty() && s.tls.cert.empty())) {
    std::cerr << "cellfleet-agent: TLS needs both --tls-cert and --tls-key (and they are needed "
                 "for --tls-client-ca)\n";
    return 2;
  }
  if (!address->loopback && s.tls.cert.empty() && !s.insecure) {
    std::cerr << "cellfleet-agent: refusing plaintext gRPC on non-loopback address " << s.listen
              << "; configure TLS (--tls-cert/--tls-key), or --insecure if the network is "
                 "otherwise protected\n";
    return 2;
  }
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials = ServerCredentials(s);
  if (!credentials.ok()) {
    std::cerr << "cellfleet-agent: " << credentials.status().message() << "\n";
    return 2;
  }
  absl::StatusOr<std::unique_ptr<cellfleet::agent::AuditLog>> audit_log =
      cellfleet::agent::AuditLog::Open(s.audit_log);
  if (!audit_log.ok()) {
    std::cerr << "cellfleet-agent: " << audit_log.status().message() << "\n";
    return 2;
  }
  if (s.audit_log.empty()) spdlog::warn("no --audit-log: mutating calls are not recorded");
  if (s.board_name.empty()) {
    char host[256] = {};
    gethostname(host, sizeof(host) - 1);
    s.board_name = host;
  }

  // Stop signals are handled by sigwait below; block them before threads start.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  cellfleet::agent::StatusHub hub;
  cellfleet::agent::HistoryStore history(s.history);
  hub.Subscribe([&history](const cellfleet::agent::StatusPtr& status) { history.Record(status); });
  cellfleet::agent::PollerOptions poller_options;
  poller_options.at_port = s.at_port;
  poller_options.poll_interval = s.poll_interval;
  poller_options.serial.baud = s.baud;
  poller_options.serial.lock_dir = s.lock_dir;
  // Under systemd with WatchdogSec=, ping at half the period from the poll loop.
  uint64_t watchdog_usec = 0;
  if (sd_watchdog_enabled(0, &watchdog_usec) > 0) {
    const absl::Duration period = absl::Microseconds(static_cast<int64_t>(watchdog_usec)) / 2;
    if (s.poll_interval > period) s.poll_interval = period;  // the loop must turn often enough
    poller_options.poll_interval = s.poll_interval;
    poller_options.on_cycle = [] { sd_notify(0, "WATCHDOG=1"); };
  }
  cellfleet::agent::LinkManager link(s.link);
  cellfleet::agent::ModemPoller* poller_for_steps = nullptr;  // set below, before Start
  cellfleet::agent::ConfigManagerOptions config_options;
  config_options.state_dir = s.link.state_dir;
  config_options.seed = cellfleet::agent::LinkConfig{s.link.settings, s.link.keep_up};
  cellfleet::agent::AuditLog* audit_sink = audit_log->get();
  cellfleet::agent::ConfigManager config(
      config_options, &link,
      [&poller_for_steps, audit_sink](const cellfleet::v1::ConfigStep& step) {
        if (poller_for_steps != nullptr) poller_for_steps->RequestSample();
        // Applies and confirms are audited as the calls they are; a rollback is the agent's.
        if (step.kind() == cellfleet::v1::CONFIG_STEP_KIND_ROLLED_BACK) {
          audit_sink->Record(cellfleet::agent::Caller{"cellfleet-agent", "local",
                                                      cellfleet::agent::Role::kOperator},
                             "RollbackConfig", step.ShortDebugString(), grpc::Status::OK);
        }
      });
  bool config_usable = true;  // false when the state dir cannot hold it (see below)
  poller_options.add_local_state = [&link, &config,
                                    &config_usable](cellfleet::v1::ModemStatus& status) {
    *status.mutable_connection() = link.Status();
    if (config_usable) *status.mutable_config() = config.State();
  };
  cellfleet::agent::ModemPoller poller(poller_options, &hub);
  poller_for_steps = &poller;
  link.SetOnChange([&poller] { poller.RequestSample(); });
  // Without a usable state dir the agent still serves status and dials with the settings
  // file's connection; only config push is off (its calls say why).
  if (absl::Status started = config.Start(); !started.ok()) {
    spdlog::error("connection config push is off: {} (see --state-dir)", started);
    config_usable = false;
  }
  cellfleet::agent::Authorizer authorizer(s.roles, s.unauthenticated_role);
  cellfleet::agent::AgentService service(
      &hub, &history, &authorizer, audit_log->get(), &link, config_usable ? &config : nullptr,
      cellfleet::agent::ServiceInfo{s.board_name, kVersion, s.poll_interval});

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int bound_port = 0;
  builder.AddListeningPort(address->ToGrpcAddress(), *credentials, &bound_port);
  builder.RegisterService(&service);
  // Cellular links (see README "Keepalive on cellular links"): carrier NATs drop idle
  // TCP mappings after some minutes, and every byte on a metered SIM costs. A stream's
  // own heartbeats (60 s by default) already refresh the mapping, so pings are only the
  // safety net: every 2 min, 20 s to answer (LTE RTTs spike to seconds), allowed with
  // no call in flight so idle connections stay mapped. Clients may ping every 60 s.
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 120 * 1000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 20 * 1000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 60 * 1000);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  // Status messages are a few KB; 1 MiB bounds a hostile or broken client.
  builder.SetMaxReceiveMessageSize(1 << 20);
  builder.SetMaxSendMessageSize(4 << 20);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || bound_port == 0) {
    std::cerr << "cellfleet-agent: cannot listen on " << s.listen << "\n";
    return 1;
  }
  poller.Start();
  address->port = bound_port;
  const std::string bound = address->ToGrpcAddress();
  spdlog::info("serving board \"{}\" (modem port {}) on {} ({})", s.board_name, s.at_port, bound,
               s.tls.cert.empty() ? "plaintext" : (s.tls.client_ca.empty() ? "TLS" : "mutual TLS"));
  if (!ready_file.empty() && !WriteFileAtomically(ready_file, bound + "\n")) {
    spdlog::error("cannot write ready file {}", ready_file);
  }
  sd_notify(0,
            absl::StrCat("READY=1\nSTATUS=serving on ", bound).c_str());  // no-op outside systemd

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  spdlog::info("signal {}: draining streams and stopping", signal_number);
  sd_notify(0, "STOPPING=1");
  hub.Close();  // every stream ends with UNAVAILABLE "agent is shutting down"
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  config.Stop();              // before the poller it nudges
  link.SetOnChange(nullptr);  // the link outlives the poller: its hang-up comes last
  poller.Stop();
  spdlog::info("stopped");
  return 0;
}
