// cellfleet-agent: the on-device daemon. main() parses flags, loads the config file and
// runs the Agent (agent/agent.h) until SIGINT or SIGTERM.
#include <signal.h>
#include <unistd.h>

#include <iostream>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "agent/agent.h"
#include "agent/enrollment.h"
#include "agent/settings/agent_settings.h"
#include "agent/settings/setting_table.h"
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

void WriteReadyFile(const std::string& path, const std::string& address) {
  if (path.empty()) return;
  if (absl::Status written = cellfleet::base::WriteFileAtomically(path, address + "\n");
      !written.ok()) {
    spdlog::error("cannot write ready file: {}", written.message());
  }
}

// A board with no certificate yet serves its enrollment calls until an operator installs
// one. True to go on serving; false when a stop signal came first or enrollment cannot run
// (`exit_code` says which).
bool EnrollFirst(const AgentSettings& s, const std::string& ready_file,
                 const cellfleet::base::StopSignals& stop_signals, bool watchdog, int& exit_code) {
  absl::StatusOr<std::unique_ptr<cellfleet::agent::EnrollmentServer>> server =
      cellfleet::agent::EnrollmentServer::Start(s);
  if (!server.ok()) {
    std::cerr << "cellfleet-agent: " << server.status().message() << "\n";
    exit_code = absl::IsUnavailable(server.status()) ? 1 : 2;
    return false;
  }
  WriteReadyFile(ready_file, (*server)->address());
  // Started, as systemd counts it: enrollment may wait for days.
  sd_notify(
      0, absl::StrCat("READY=1\nSTATUS=waiting to be enrolled on ", (*server)->address()).c_str());
  while (!(*server)->WaitForCertificate(absl::Milliseconds(500))) {
    if (watchdog) sd_notify(0, "WATCHDOG=1");
    if (const int signal_number = stop_signals.WaitFor(absl::Milliseconds(500))) {
      spdlog::info("signal {} while waiting to be enrolled: stopping", signal_number);
      exit_code = 0;
      return false;
    }
  }
  (*server)->Stop();
  if (!ready_file.empty()) std::remove(ready_file.c_str());  // written again once serving
  spdlog::info("enrolled: serving with the installed certificate");
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  cellfleet::base::SkipLockOrderChecks();
  CLI::App app{"cellfleet-agent: serves an LTE modem's status and control over gRPC"};
  std::string config_file;
  std::string ready_file;
  bool list_modems = false;
  app.set_version_flag("--version", std::string("cellfleet-agent ") + kVersion);
  app.add_option("--config", config_file, "YAML config file (flags override it)");
  app.add_flag("--list-modems", list_modems, "List the Quectel modems found in sysfs and exit");
  // The settings' own flags, from the one table of settings (setting_table.h). Only
  // those given override the file: their text is kept, applied after the file is read.
  const AgentSettings defaults;
  std::map<std::string, std::string> flag_text;  // setting key -> text
  std::map<std::string, bool> flag_switch;
  std::vector<std::pair<const cellfleet::agent::Setting*, CLI::Option*>> flags;
  for (const cellfleet::agent::Setting& setting : cellfleet::agent::SettingTable()) {
    if (setting.flag.empty()) continue;
    CLI::Option* option;
    if (setting.is_switch) {
      option = app.add_flag(setting.flag, flag_switch[setting.key], setting.help);
    } else {
      AgentSettings shown = defaults;
      option = app.add_option(setting.flag, flag_text[setting.key], setting.help)
                   ->type_name(setting.value_name);
      if (const std::string value = setting.show(shown); !value.empty()) option->default_str(value);
    }
    flags.emplace_back(&setting, option);
  }
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
  for (const auto& [setting, option] : flags) {
    if (option->count() == 0) continue;
    const std::string text = setting->is_switch ? (flag_switch[setting->key] ? "true" : "false")
                                                : flag_text[setting->key];
    if (absl::Status applied = cellfleet::agent::ApplyFlag(setting->key, text, s); !applied.ok()) {
      std::cerr << "cellfleet-agent: " << applied.message() << "\n";
      return 2;
    }
  }
  if (absl::Status valid = cellfleet::agent::CheckSectionRules(s); !valid.ok()) {
    std::cerr << "cellfleet-agent: " << valid.message() << "\n";
    return 2;
  }
  SetUpLogging(s);

  const cellfleet::base::StopSignals stop_signals;  // before any thread starts
  // A file-size limit (systemd's LimitFSIZE=, ulimit -f) fails the write with EFBIG, as a
  // full disk does, rather than killing the agent mid-line.
  ::signal(SIGXFSZ, SIG_IGN);

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
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();  // served where configured
  if (cellfleet::agent::NeedsEnrollment(s)) {
    int exit_code = 0;
    if (!EnrollFirst(s, ready_file, stop_signals, options.on_poll_cycle != nullptr, exit_code)) {
      return exit_code;
    }
  }
  options.settings = std::move(s);
  absl::StatusOr<std::unique_ptr<cellfleet::agent::Agent>> agent =
      cellfleet::agent::Agent::Start(std::move(options));
  if (!agent.ok()) {
    std::cerr << "cellfleet-agent: " << agent.status().message() << "\n";
    return absl::IsUnavailable(agent.status()) ? 1 : 2;
  }
  const std::string& bound = (*agent)->address();
  WriteReadyFile(ready_file, bound);
  sd_notify(0,
            absl::StrCat("READY=1\nSTATUS=serving on ", bound).c_str());  // no-op outside systemd

  const int signal_number = stop_signals.Wait();
  spdlog::info("signal {}: draining streams and stopping", signal_number);
  sd_notify(0, "STOPPING=1");
  (*agent)->Stop();
  spdlog::info("stopped");
  return 0;
}
