#include "tests/ppp_vm/vm_board.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "base/status_macros.h"
#include "modem/testing/wait_for.h"
#include "tests/ppp_vm/service_user.h"

namespace cellfleet::testing {
namespace {

absl::Status WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::trunc);
  out << content;
  out.close();
  if (!out) return absl::UnavailableError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

std::string YamlList(const std::vector<std::string>& items) {
  std::vector<std::string> quoted;
  for (const std::string& item : items) quoted.push_back(absl::StrCat("\"", item, "\""));
  return absl::StrCat("[", absl::StrJoin(quoted, ", "), "]");
}

}  // namespace

absl::StatusOr<std::unique_ptr<VmBoard>> VmBoard::Start(VmBoardOptions options) {
  if (!std::filesystem::exists("/dev/ppp")) {
    return absl::FailedPreconditionError(
        "no /dev/ppp: these tests run inside the PPP test VM (tests/vm/run_in_vm.sh)");
  }
  ASSIGN_OR_RETURN(ServiceIdentity service, InstallAsOnABoard());
  std::unique_ptr<VmBoard> board(new VmBoard());
  board->service_ = service;
  board->dir_ = MakeTempDir("cellfleet-vm");
  board->state_dir_ = board->dir_ + "/state";
  board->config_path_ = board->dir_ + "/agent.yaml";
  // What the unit and postinst give the agent: its own state dir (StateDirectory=, 0700),
  // a log dir (LogsDirectory=), and the config readable by its group only.
  ::chmod(board->dir_.c_str(), 0755);
  for (const std::string& dir : {board->state_dir_, board->dir_ + "/run", board->dir_ + "/log"}) {
    std::filesystem::create_directories(dir);
    RETURN_IF_ERROR(GiveToService(service, dir, 0700));
  }
  if (!options.network_pap_secrets.empty()) {
    RETURN_IF_ERROR(WriteFile("/etc/ppp/pap-secrets", options.network_pap_secrets));
  }
  if (!options.network_chap_secrets.empty()) {
    RETURN_IF_ERROR(WriteFile("/etc/ppp/chap-secrets", options.network_chap_secrets));
  }
  RETURN_IF_ERROR(board->StartSimulator(options));
  RETURN_IF_ERROR(WriteFile(
      board->config_path_,
      absl::StrCat("connection:\n", options.connection_yaml, "  modem_port: ", board->modem_path_,
                   "\n", "  state_dir: ", board->state_dir_, "\n")));
  if (::chown(board->config_path_.c_str(), 0, service.gid) != 0 ||
      ::chmod(board->config_path_.c_str(), 0640) != 0) {
    return absl::InternalError("cannot give the config to the service group");
  }
  RETURN_IF_ERROR(board->StartAgent());
  return board;
}

absl::Status VmBoard::StartSimulator(const VmBoardOptions& options) {
  // The carrier: a pppd in a network namespace of its own, so the board's pings really
  // cross the PPP link instead of short-cutting through this namespace's local routes.
  std::vector<std::string> network = {"/usr/bin/unshare",
                                      "--net",
                                      "/usr/sbin/pppd",
                                      "notty",
                                      "nodetach",
                                      "local",
                                      "noipv6",
                                      "nodefaultroute",
                                      "name",
                                      "carrier",
                                      absl::StrCat(kNetworkAddress, ":", kBoardAddress),
                                      "ms-dns",
                                      kPrimaryDns,
                                      "ms-dns",
                                      kSecondaryDns};
  if (options.network_options.empty()) network.push_back("noauth");
  network.insert(network.end(), options.network_options.begin(), options.network_options.end());
  const std::string scenario = absl::StrCat(
      "initial:\n  radio_drift: false\n", "data:\n  require_apn: ", YamlList(options.accepted_apns),
      "\n  network_command: ", YamlList(network),
      "\n  hangup_on_carrier_loss: ", options.hangup_on_carrier_loss ? "true" : "false", "\n");
  RETURN_IF_ERROR(WriteFile(dir_ + "/scenario.yaml", scenario));
  // The simulator through the fleet harness; the agent is started as the service user
  // (StartAgent), which the harness does not do.
  FleetOptions fleet;
  fleet.simulator = CELLFLEET_MODEMSIM;
  fleet.dir = dir_;
  fleet.boards = 1;
  fleet.seed = 7;
  fleet.tick = "1";
  // udev gives the EC25's ttyUSB ports to dialout
  fleet.simulator_args = {"--scenario", dir_ + "/scenario.yaml", "--port-group", "dialout"};
  fleet.start_agents = false;
  fleet.start_timeout = absl::Seconds(30);
  ASSIGN_OR_RETURN(simulator_, Fleet::Start(std::move(fleet)));
  at_path_ = simulator_->boards()[0].at_path;
  modem_path_ = simulator_->boards()[0].modem_path;
  return absl::OkStatus();
}

absl::Status VmBoard::StartAgent() {
  const std::string ready = absl::StrCat(dir_, "/run/agent", agent_runs_, ".ready");
  // As the packaged unit runs it: the service user, its groups and capability bounding
  // set, the unit's umask; pppd is Debian's setuid one.
  std::vector<std::string> argv = AsService(service_);
  for (const std::string& arg : {InstalledAgentPath(),
                                 std::string("--config"),
                                 config_path_,
                                 std::string("--at-port"),
                                 at_path_,
                                 std::string("--listen"),
                                 std::string("127.0.0.1:0"),
                                 std::string("--board-name"),
                                 std::string("vm-board"),
                                 std::string("--poll-interval"),
                                 std::string("0.5"),
                                 std::string("--unauthenticated-role"),
                                 std::string("operator"),
                                 std::string("--audit-log"),
                                 dir_ + "/log/audit.jsonl",
                                 std::string("--log-level"),
                                 std::string("debug"),
                                 std::string("--log-target"),
                                 std::string("stderr"),
                                 std::string("--ready-file"),
                                 ready}) {
    argv.push_back(arg);
  }
  ASSIGN_OR_RETURN(Subprocess agent,
                   Subprocess::Start(argv, absl::StrCat(dir_, "/agent", agent_runs_, ".log")));
  ++agent_runs_;
  agent_ = std::make_unique<Subprocess>(std::move(agent));
  // Slow under emulation: generous, but bounded.
  ASSIGN_OR_RETURN(std::string address, WaitForFile(ready, absl::Seconds(60)));
  address_ = std::string(absl::StripAsciiWhitespace(address));
  return absl::OkStatus();
}

absl::Status VmBoard::RestartAgent(int signal, const std::function<void()>& between) {
  agent_->Signal(signal);
  RETURN_IF_ERROR(agent_->Wait(absl::Seconds(30)).status());
  agent_.reset();
  if (between) between();
  return StartAgent();
}

VmBoard::~VmBoard() {
  if (agent_) (void)agent_->Stop(absl::Seconds(20));
  if (simulator_) (void)simulator_->Stop();
  // A carrier pppd can outlive a killed relay; nothing may leak into the next test.
  for (pid_t pid : PppdPids()) ::kill(pid, SIGKILL);
  std::error_code ec;
  std::filesystem::remove("/etc/ppp/pap-secrets", ec);
  std::filesystem::remove("/etc/ppp/chap-secrets", ec);
  std::filesystem::remove_all(dir_, ec);
}

std::string VmBoard::AgentLog() const {
  std::string logs;
  for (int run = 0; run < agent_runs_; ++run) {
    absl::StrAppend(&logs, "--- agent run ", run, " ---\n",
                    ReadAll(absl::StrCat(dir_, "/agent", run, ".log")));
  }
  absl::StrAppend(&logs, "--- simulator ---\n", ReadAll(dir_ + "/sim.log"));
  return logs;
}

absl::StatusOr<CommandResult> VmBoard::Cli(const std::vector<std::string>& args,
                                           absl::Duration timeout) {
  std::vector<std::string> argv = {CELLFLEET_CLI, "--output", "json", "--timeout",
                                   std::to_string(absl::ToInt64Seconds(timeout))};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back("--targets");
  argv.push_back(address_);
  return RunCommand(argv, timeout + absl::Seconds(30));
}

absl::StatusOr<nlohmann::json> VmBoard::CliJson(const std::vector<std::string>& args,
                                                absl::Duration timeout) {
  ASSIGN_OR_RETURN(CommandResult result, Cli(args, timeout));
  std::vector<std::string> lines = absl::StrSplit(result.out, '\n', absl::SkipEmpty());
  if (lines.size() != 1) {
    return absl::InternalError(absl::StrCat("expected one JSON line from cellfleet ",
                                            absl::StrJoin(args, " "), ", got:\n", result.out,
                                            "\nstderr:\n", result.err));
  }
  nlohmann::json line = nlohmann::json::parse(lines[0], nullptr, /*allow_exceptions=*/false);
  if (line.is_discarded()) return absl::InternalError(absl::StrCat("not JSON: ", lines[0]));
  return line;
}

absl::StatusOr<nlohmann::json> VmBoard::WaitForStatus(
    const std::function<bool(const nlohmann::json&)>& done, absl::Duration timeout) {
  nlohmann::json last;
  const bool met = WaitFor(
      [&] {
        absl::StatusOr<nlohmann::json> line = CliJson({"status"}, absl::Seconds(10));
        if (!line.ok() || (*line)["ok"] != true) return false;
        last = (*line)["status"];
        return done(last);
      },
      timeout, absl::Milliseconds(500));
  if (met) return last;
  return absl::DeadlineExceededError(absl::StrCat("status condition not met within ",
                                                  absl::FormatDuration(timeout),
                                                  "; last status: ", last.dump()));
}

std::vector<pid_t> PppdPids() {
  std::vector<pid_t> pids;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename();
    if (name.empty() || !std::isdigit(static_cast<unsigned char>(name[0]))) continue;
    std::string comm = ReadAll(entry.path().string() + "/comm");
    if (absl::StripAsciiWhitespace(comm) != "pppd") continue;
    // A zombie is not a running pppd (its parent reaps it).
    const std::string stat = ReadAll(entry.path().string() + "/stat");
    const size_t paren = stat.rfind(')');
    if (paren != std::string::npos && stat.size() > paren + 2 && stat[paren + 2] == 'Z') continue;
    pids.push_back(std::stoi(name));
  }
  return pids;
}

pid_t ParentPid(pid_t pid) {
  const std::string stat = ReadAll(absl::StrCat("/proc/", pid, "/stat"));
  const size_t paren = stat.rfind(')');
  int parent = -1;
  if (paren != std::string::npos) (void)sscanf(stat.c_str() + paren + 2, "%*c %d", &parent);
  return parent;
}

std::pair<int, int> ProcessUids(pid_t pid) {
  const std::string status = ReadAll(absl::StrCat("/proc/", pid, "/status"));
  int real = -1, effective = -1;
  const size_t at = status.find("\nUid:");
  if (at != std::string::npos) (void)sscanf(status.c_str() + at + 5, "%d %d", &real, &effective);
  return {real, effective};
}

bool InterfaceExists(const std::string& name) {
  return std::filesystem::exists("/sys/class/net/" + name);
}

std::string InterfaceAddresses(const std::string& name) {
  absl::StatusOr<CommandResult> ip =
      RunCommand({"/usr/sbin/ip", "-4", "-o", "addr", "show", "dev", name}, absl::Seconds(10));
  return ip.ok() ? ip->out : ip.status().ToString();
}

}  // namespace cellfleet::testing
