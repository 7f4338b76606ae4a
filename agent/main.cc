// cellfleet-agent: the on-device daemon. main() only parses flags and wires parts.
#include <signal.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "agent/agent_service.h"
#include "agent/listen_address.h"
#include "agent/modem_poller.h"
#include "agent/status_hub.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "modem/discovery.h"
#include "modem/log_format.h"
#include "spdlog/spdlog.h"

namespace {

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
  for (const std::string& conflict : cellfleet::modem::ModemManagerConflicts(*modems))
    out << "warning: " << conflict << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"cellfleet-agent: serves an LTE modem's status and control over gRPC"};
  std::string at_port = "/dev/ttyUSB2";
  std::string listen = "127.0.0.1:50051";
  std::string board_name;
  std::string ready_file;
  std::string lock_dir = cellfleet::modem::kDefaultLockDir;
  std::string log_level = "info";
  double poll_seconds = 2.0;
  bool insecure = false;
  bool list_modems = false;
  cellfleet::agent::HistoryOptions history_options;
  double history_interval_seconds = 60;
  int baud = 115200;
  app.set_version_flag("--version", std::string("cellfleet-agent ") + kVersion);
  app.add_option("--at-port", at_port,
                 "The modem's AT port (EC25: USB interface 2, usually /dev/ttyUSB2), or \"auto\" "
                 "to find it in sysfs by USB id and interface number");
  app.add_flag("--list-modems", list_modems, "List the Quectel modems found in sysfs and exit");
  app.add_option("--baud", baud, "Baud rate of the AT port");
  app.add_option("--listen", listen,
                 "Address to serve gRPC on (host:port; port 0 picks a free one)");
  app.add_option("--board-name", board_name, "Name reported to clients (default: the host name)");
  app.add_option("--poll-interval", poll_seconds, "Seconds between status polls of the modem")
      ->check(CLI::Range(0.2, 3600.0));
  app.add_option("--history-samples", history_options.max_samples,
                 "Status samples kept on the device (about 1.2 KB each)")
      ->check(CLI::Range(0, 1000000));
  app.add_option("--history-interval", history_interval_seconds, "Seconds between kept samples")
      ->check(CLI::Range(1.0, 86400.0));
  app.add_option("--history-events", history_options.max_events, "Events kept on the device")
      ->check(CLI::Range(0, 1000000));
  app.add_option("--ready-file", ready_file, "Write the bound address here once serving");
  app.add_option("--lock-dir", lock_dir, "Directory for UUCP lock files (pppd uses /var/lock)");
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
  app.add_flag("--insecure", insecure, "Allow plaintext gRPC on a non-loopback address");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (list_modems) return ListModems(std::cout);
  history_options.sample_interval = absl::Seconds(history_interval_seconds);
  spdlog::set_default_logger(spdlog::default_logger()->clone("agent"));
  spdlog::set_level(spdlog::level::from_str(log_level));

  absl::StatusOr<cellfleet::agent::ListenAddress> address =
      cellfleet::agent::ParseListenAddress(listen);
  if (!address.ok()) {
    std::cerr << "cellfleet-agent: " << address.status().message() << "\n";
    return 2;
  }
  if (!address->loopback && !insecure) {
    std::cerr << "cellfleet-agent: refusing plaintext gRPC on non-loopback address " << listen
              << "; use a loopback address, or --insecure if the network is otherwise protected\n";
    return 2;
  }
  if (board_name.empty()) {
    char host[256] = {};
    gethostname(host, sizeof(host) - 1);
    board_name = host;
  }

  // Stop signals are handled by sigwait below; block them before threads start.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  cellfleet::agent::StatusHub hub;
  cellfleet::agent::PollerOptions poller_options;
  poller_options.at_port = at_port;
  poller_options.poll_interval = absl::Seconds(poll_seconds);
  poller_options.serial.baud = baud;
  poller_options.serial.lock_dir = lock_dir;
  cellfleet::agent::ModemPoller poller(poller_options, &hub);

  cellfleet::agent::HistoryStore history(history_options);
  hub.Subscribe([&history](const cellfleet::agent::StatusPtr& status) { history.Record(status); });
  cellfleet::agent::AgentService service(
      &hub, &history,
      cellfleet::agent::ServiceInfo{board_name, kVersion, poller_options.poll_interval});
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int bound_port = 0;
  builder.AddListeningPort(address->ToGrpcAddress(), grpc::InsecureServerCredentials(),
                           &bound_port);
  builder.RegisterService(&service);
  // Cellular links: NAT mappings on carrier networks expire after a few minutes idle,
  // so the server pings every 60 s (well inside typical 2-5 min NAT timeouts) and
  // waits 20 s for the answer, since LTE RTTs can spike to seconds. Clients may ping
  // every 30 s at most, even without calls in flight, to keep their own mappings.
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 60 * 1000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 20 * 1000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 30 * 1000);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  // Status messages are a few KB; 1 MiB bounds a hostile or broken client.
  builder.SetMaxReceiveMessageSize(1 << 20);
  builder.SetMaxSendMessageSize(4 << 20);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || bound_port == 0) {
    std::cerr << "cellfleet-agent: cannot listen on " << listen << "\n";
    return 1;
  }
  poller.Start();
  address->port = bound_port;
  const std::string bound = address->ToGrpcAddress();
  spdlog::info("serving board \"{}\" (modem port {}) on {}", board_name, at_port, bound);
  if (!ready_file.empty() && !WriteFileAtomically(ready_file, bound + "\n")) {
    spdlog::error("cannot write ready file {}", ready_file);
  }

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  spdlog::info("signal {}: draining streams and stopping", signal_number);
  hub.Close();  // every stream ends with UNAVAILABLE "agent is shutting down"
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  poller.Stop();
  spdlog::info("stopped");
  return 0;
}
