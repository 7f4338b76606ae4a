// cellfleet-fleet-bench: the fleet at scale, with real agents (tests/support/fleet.h)
// and the real CLI, at each N of --boards. Prints figures, asserts nothing.
//   fan-outs: `status`, `diagnose` and `config diff` to all N: the CLI's wall time and
//     peak memory (its own process, wait4), and each board's latency p50/p99 measured
//     by the same fan-out library (fleet/fanout.h) in this process right after;
//   watch: `watch --on-change --count 1` of all N: time until every board has shown;
//     then `--duration` of it: the CLI's CPU per update and peak memory;
//   agents: resident and private memory per agent process; the fleet's CPU at idle;
//   ssh: the same six status queries by an ssh fan-out (bench/ssh_fanout.sh: pssh, a
//     new connection per board) to the same simulated ports, and the ratio;
//   gateway (--gateway): N agents with mutual TLS that also dial out to one
//     cellfleet-gateway; `status` to all N directly and through the gateway in the same
//     run (CLI wall, per-board p50/p99), the gateway's memory per attached board and its
//     idle CPU.
#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "base/clock.h"
#include "fleet/board.h"
#include "fleet/fanout.h"
#include "modem/testing/process_stats.h"
#include "tests/support/fleet.h"
#include "tests/support/subprocess.h"

namespace cellfleet::bench {
namespace {

struct Options {
  std::vector<int> boards = {100, 500, 1000};
  int concurrency = 256;
  std::string poll_interval = "10";
  int watch_seconds = 60;
  int idle_seconds = 30;
  int ssh_parallel = 256;
  bool ssh = true;
  bool gateway_only = false;
  std::string dir;
};

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t index = std::min(values.size() - 1, static_cast<size_t>(p * values.size()));
  return values[index];
}

template <typename Response>
std::string LatencyFigures(const std::vector<fleet::BoardResult<Response>>& results) {
  std::vector<double> ms;
  size_t ok = 0;
  for (const auto& result : results) {
    ms.push_back(absl::ToDoubleMilliseconds(result.latency));
    if (result.status.ok()) ++ok;
  }
  return absl::StrFormat("per board p50 %.0f ms, p99 %.0f ms (%d of %d ok)", Percentile(ms, 0.5),
                         Percentile(ms, 0.99), ok, results.size());
}

// One real CLI run: its wall time, peak memory and how many boards answered.
struct CliRun {
  double wall_s = 0;
  double cpu_s = 0;
  long peak_kb = 0;
  int lines = 0;
  int exit_code = -1;
};

// The CLI runs under GNU time, whose report is its own: a child's peak RSS as wait4
// gives it counts the memory of the process it was spawned from (here, this bench, which
// holds fan-outs of its own), and GNU time is small.
CliRun RunCli(std::vector<std::string> args, absl::Duration timeout) {
  const std::string report = absl::StrCat(testing::MakeTempDir("cellfleet-time"), "/time");
  args.insert(args.begin(), {"/usr/bin/time", "-o", report, "-f", "%M %U %S", CELLFLEET_CLI});
  absl::StatusOr<testing::CommandResult> result = testing::RunCommand(args, timeout);
  CliRun run;
  if (!result.ok()) {
    std::cout << "  cli failed: " << result.status() << "\n";
    return run;
  }
  run.wall_s = absl::ToDoubleSeconds(result->elapsed);
  std::ifstream in(report);
  double user = 0, system = 0;
  in >> run.peak_kb >> user >> system;
  run.cpu_s = user + system;
  std::filesystem::remove_all(std::filesystem::path(report).parent_path());
  run.exit_code = result->exit_code;
  for (absl::string_view line : absl::StrSplit(result->out, '\n', absl::SkipEmpty())) {
    (void)line;
    ++run.lines;
  }
  return run;
}

// The CLI's peak memory talking to one board: what a fan-out adds per board is above it.
long g_one_board_peak_kb = 0;

std::string CliFigures(const CliRun& run, int boards) {
  return absl::StrFormat(
      "CLI wall %.2f s, CPU %.2f s, peak %.1f MB (%.0f KB a board above the %.1f MB of a "
      "one-board call), %d lines, exit %d",
      run.wall_s, run.cpu_s, run.peak_kb / 1024.0,
      static_cast<double>(run.peak_kb - g_one_board_peak_kb) / boards, g_one_board_peak_kb / 1024.0,
      run.lines, run.exit_code);
}

// Until every board's modem is READY (bounded), so no figure includes start-up.
void WaitReady(const std::string& inventory, int boards) {
  const absl::Time deadline = base::Clock::Real().Now() + absl::Seconds(120);
  while (base::Clock::Real().Now() < deadline) {
    absl::StatusOr<testing::CommandResult> r = testing::RunCommand(
        {CELLFLEET_CLI, "--concurrency", "256", "-o", "json", "status", "--inventory", inventory},
        absl::Seconds(60));
    int ready = 0;
    if (r.ok()) {
      for (absl::string_view line : absl::StrSplit(r->out, '\n', absl::SkipEmpty())) {
        if (absl::StrContains(line, "MODEM_STATE_READY")) ++ready;
      }
    }
    if (ready >= boards) return;
    absl::SleepFor(absl::Seconds(1));
  }
  std::cout << "  (not every board became READY within 120 s)\n";
}

void FanOuts(const Options& o, const std::vector<fleet::Board>& boards,
             const std::string& inventory) {
  const int n = static_cast<int>(boards.size());
  const std::string conc = std::to_string(o.concurrency);
  g_one_board_peak_kb =
      RunCli({"-o", "json", "status", "--targets", boards.front().address}, absl::Seconds(30))
          .peak_kb;
  fleet::FanOutOptions fanout;
  fanout.concurrency = o.concurrency;
  fanout.deadline = absl::Seconds(30);

  CliRun status_default =
      RunCli({"-o", "json", "status", "--inventory", inventory}, absl::Seconds(120));
  std::cout << "  status (concurrency 32, the default): " << CliFigures(status_default, n) << "\n";
  CliRun status = RunCli({"--concurrency", conc, "-o", "json", "status", "--inventory", inventory},
                         absl::Seconds(120));
  auto status_latency = fleet::FanOut<v1::GetStatusResponse>(
      boards, fanout, [](auto* stub, auto* context, auto* response, auto done) {
        static const v1::GetStatusRequest kRequest;
        stub->async()->GetStatus(context, &kRequest, response, std::move(done));
      });
  std::cout << "  status (concurrency " << conc << "): " << CliFigures(status, n) << "; "
            << LatencyFigures(status_latency) << "\n";

  CliRun diagnose =
      RunCli({"--concurrency", conc, "-o", "json", "diagnose", "--inventory", inventory},
             absl::Seconds(120));
  auto diagnose_latency = fleet::FanOut<v1::DiagnoseResponse>(
      boards, fanout, [](auto* stub, auto* context, auto* response, auto done) {
        static const v1::DiagnoseRequest kRequest;
        stub->async()->Diagnose(context, &kRequest, response, std::move(done));
      });
  std::cout << "  diagnose (concurrency " << conc << "): " << CliFigures(diagnose, n) << "; "
            << LatencyFigures(diagnose_latency) << "\n";

  CliRun diff = RunCli({"--concurrency", conc, "-o", "json", "config", "diff", "--apn",
                        "bench.example", "--inventory", inventory},
                       absl::Seconds(120));
  v1::ApplyConfigRequest dry_run;
  dry_run.mutable_config()->set_apn("bench.example");
  dry_run.mutable_update_mask()->add_paths("apn");
  dry_run.set_dry_run(true);
  auto diff_latency = fleet::FanOut<v1::ApplyConfigResponse>(
      boards, fanout, [&dry_run](auto* stub, auto* context, auto* response, auto done) {
        stub->async()->ApplyConfig(context, &dry_run, response, std::move(done));
      });
  std::cout << "  config diff (concurrency " << conc << "): " << CliFigures(diff, n) << "; "
            << LatencyFigures(diff_latency) << "\n";
}

void Watch(const Options& o, int n, const std::string& inventory) {
  CliRun first = RunCli({"--concurrency", std::to_string(o.concurrency), "-o", "json", "watch",
                         "--on-change", "--count", "1", "--inventory", inventory},
                        absl::Seconds(180));
  std::cout << "  watch --on-change --count 1 (every board shown once): " << CliFigures(first, n)
            << "\n";
  CliRun steady =
      RunCli({"--concurrency", std::to_string(o.concurrency), "-o", "json", "watch", "--on-change",
              "--duration", std::to_string(o.watch_seconds), "--inventory", inventory},
             absl::Seconds(o.watch_seconds + 120));
  std::cout << "  watch --on-change for " << o.watch_seconds << " s: " << CliFigures(steady, n)
            << absl::StrFormat("; %.0f us CPU an update (%d updates)",
                               steady.lines > 0 ? steady.cpu_s * 1e6 / steady.lines : 0.0,
                               steady.lines)
            << "\n";
}

// One collector over the whole fleet: its memory per board, its CPU, and the time a
// scrape of /metrics takes (curl's time_total, 20 scrapes).
void Collector(const Options& o, int n, const std::string& inventory) {
  const std::string ready = absl::StrCat(o.dir, "/collector", n, ".ready");
  absl::StatusOr<testing::Subprocess> collector =
      testing::Subprocess::Start({CELLFLEET_COLLECTOR, "--inventory", inventory, "--listen",
                                  "127.0.0.1:0", "--ready-file", ready},
                                 absl::StrCat(o.dir, "/collector", n, ".log"));
  if (!collector.ok()) {
    std::cout << "  collector: " << collector.status() << "\n";
    return;
  }
  absl::StatusOr<std::string> address = testing::WaitForFile(ready, absl::Seconds(30));
  if (!address.ok()) {
    std::cout << "  collector did not start\n";
    return;
  }
  const std::string url = absl::StrCat("http://", absl::StripAsciiWhitespace(*address), "/metrics");
  auto scrape = [&url]() -> std::pair<double, double> {  // seconds, bytes
    absl::StatusOr<testing::CommandResult> r = testing::RunCommand(
        {"/usr/bin/curl", "-s", "-o", "/dev/null", "-w", "%{time_total} %{size_download}", url},
        absl::Seconds(30));
    std::pair<double, double> out{0, 0};
    if (!r.ok()) return out;
    std::vector<std::string> parts = absl::StrSplit(r->out, ' ');
    if (parts.size() == 2) {
      (void)absl::SimpleAtod(parts[0], &out.first);
      (void)absl::SimpleAtod(parts[1], &out.second);
    }
    return out;
  };
  const absl::Time start = base::Clock::Real().Now();
  const std::string connected = absl::StrCat("cellfleet_collector_streams_connected ", n);
  bool all = false;
  while (!all && base::Clock::Real().Now() - start < absl::Seconds(120)) {
    absl::StatusOr<testing::CommandResult> r =
        testing::RunCommand({"/usr/bin/curl", "-s", url}, absl::Seconds(30));
    all = r.ok() && absl::StrContains(r->out, connected);
    if (!all) absl::SleepFor(absl::Milliseconds(200));
  }
  std::cout << absl::StrFormat("  collector: %s streams up in %.1f s\n", all ? "all" : "NOT all",
                               absl::ToDoubleSeconds(base::Clock::Real().Now() - start));
  std::vector<double> times;
  double bytes = 0;
  for (int i = 0; i < 20; ++i) {
    auto [seconds, size] = scrape();
    times.push_back(seconds * 1000);
    bytes = size;
  }
  const double cpu_before = testing::CpuSeconds(collector->pid());
  absl::SleepFor(absl::Seconds(o.idle_seconds));
  const double cpu = testing::CpuSeconds(collector->pid()) - cpu_before;
  const long rss = testing::ResidentKib(collector->pid());
  std::cout << absl::StrFormat(
      "  collector: RSS %.1f MB (%.1f KB a board), private %.1f MB; CPU %.2f s in %d s (%.2f %% "
      "of a core); /metrics %.0f KB, scrape p50 %.1f ms, max %.1f ms\n",
      rss / 1024.0, static_cast<double>(rss) / n, testing::PrivateKib(collector->pid()) / 1024.0,
      cpu, o.idle_seconds, 100 * cpu / o.idle_seconds, bytes / 1000, Percentile(times, 0.5),
      Percentile(times, 1.0));
  (void)collector->Stop();
}

void Agents(const Options& o, testing::Fleet& fleet) {
  const size_t n = fleet.boards().size();
  double rss = 0, priv = 0;
  for (size_t i = 0; i < n; ++i) {
    rss += static_cast<double>(testing::ResidentKib(fleet.agent(i).pid()));
    priv += static_cast<double>(testing::PrivateKib(fleet.agent(i).pid()));
  }
  std::cout << absl::StrFormat("  agent memory: RSS %.1f MB, private %.2f MB (mean of %d)\n",
                               rss / n / 1024, priv / n / 1024, n);
  auto fleet_cpu = [&] {
    double total = testing::CpuSeconds(fleet.simulator().pid());
    for (size_t i = 0; i < n; ++i) total += testing::CpuSeconds(fleet.agent(i).pid());
    return total;
  };
  const double before = fleet_cpu();
  absl::SleepFor(absl::Seconds(o.idle_seconds));
  const double used = fleet_cpu() - before;
  std::cout << absl::StrFormat(
      "  idle fleet CPU (%d agents at %s s polls + the simulator): %.1f s in %d s = %.0f %% of "
      "one core, %.2f %% an agent\n",
      n, o.poll_interval, used, o.idle_seconds, 100 * used / o.idle_seconds,
      100 * used / o.idle_seconds / n);
}

void Ssh(const Options& o, int n, double status_wall) {
  const std::string dir = absl::StrCat(o.dir, "/ssh", n);
  std::filesystem::create_directories(dir);
  testing::FleetOptions options;
  options.simulator = CELLFLEET_MODEMSIM;
  options.agent = CELLFLEET_AGENT;
  options.dir = dir;
  options.boards = n;
  options.start_agents = false;  // the ports are the operators' now
  // As udev gives a modem's ports: group dialout, which the fan-out's login user is in.
  options.simulator_args = {"--port-group", "dialout"};
  options.start_timeout = absl::Seconds(60);
  absl::StatusOr<std::unique_ptr<testing::Fleet>> fleet = testing::Fleet::Start(options);
  if (!fleet.ok()) {
    std::cout << "  ssh: simulator did not start: " << fleet.status() << "\n";
    return;
  }
  {
    std::ofstream ports(dir + "/ports");
    for (const testing::FleetBoard& board : (*fleet)->boards()) ports << board.at_path << "\n";
  }
  absl::SleepFor(absl::Seconds(3));  // the simulated modems finish booting
  absl::StatusOr<testing::CommandResult> r =
      testing::RunCommand({"/bin/bash", CELLFLEET_SSH_FANOUT, dir + "/ports",
                           std::to_string(o.ssh_parallel), dir + "/work"},
                          absl::Seconds(600));
  if (r.ok() && r->exit_code == 0) {
    std::string line(absl::StripAsciiWhitespace(r->out));
    double wall = 0;
    const size_t at = line.rfind("wall_s=");
    if (at != std::string::npos) (void)absl::SimpleAtod(line.substr(at + 7), &wall);
    std::cout << "  " << line
              << absl::StrFormat("; ratio ssh / cellfleet status: %.0fx\n",
                                 status_wall > 0 ? wall / status_wall : 0.0);
  } else {
    std::cout << "  ssh: " << (r.ok() ? r->err : r.status().ToString()) << "\n";
  }
  (void)(*fleet)->Stop();
}

// Lines that contain `needle` in the file at `path`.
int CountLines(const std::string& path, absl::string_view needle) {
  std::ifstream in(path);
  int count = 0;
  for (std::string line; std::getline(in, line);) count += absl::StrContains(line, needle) ? 1 : 0;
  return count;
}

void GatewayColumn(const Options& o, int n) {
  std::cout << "N = " << n << " boards, direct and through one gateway (mutual TLS)\n"
            << std::flush;
  const std::string dir = absl::StrCat(o.dir, "/gateway", n);
  const std::string pki = dir + "/pki";
  std::filesystem::create_directories(dir);
  auto certs = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"/bin/bash", CELLFLEET_MAKE_CERTS, pki});
    return testing::RunCommand(args, absl::Seconds(30)).ok();
  };
  // Each board's certificate names it and, on this one machine, 127.0.0.1 (for the
  // direct calls); the gateway's names 127.0.0.1.
  bool made = certs({"client", "ops"}) && certs({"gateway", "gw", "IP:127.0.0.1"});
  for (int i = 0; i < n && made; ++i) {
    made = certs({"agent", absl::StrFormat("board-%02d", i), "IP:127.0.0.1"});
  }
  if (!made) {
    std::cout << "  certificates could not be made\n";
    return;
  }
  absl::StatusOr<testing::Subprocess> gateway = testing::Subprocess::Start(
      {CELLFLEET_GATEWAY, "--board-listen", "127.0.0.1:0", "--operator-listen", "127.0.0.1:0",
       "--cert", pki + "/gateway-gw.crt", "--key", pki + "/gateway-gw.key", "--boards-ca",
       pki + "/ca.crt", "--operators-ca", pki + "/ca.crt", "--operator", "ops", "--ready-file",
       dir + "/gateway.ready"},
      dir + "/gateway.log");
  if (!gateway.ok() || !testing::WaitForFile(dir + "/gateway.ready", absl::Seconds(20)).ok()) {
    std::cout << "  the gateway did not start\n";
    return;
  }
  std::ifstream ready(dir + "/gateway.ready");
  std::string board_listen, operator_listen;
  ready >> board_listen >> operator_listen;
  const double gateway_kib_empty = static_cast<double>(testing::ResidentKib(gateway->pid()));
  for (int i = 0; i < n; ++i) {
    const std::string name = absl::StrFormat("board-%02d", i);
    std::ofstream(absl::StrCat(dir, "/", name, ".yaml"))
        << "security:\n  tls: {cert: " << pki << "/agent-" << name << ".crt, key: " << pki
        << "/agent-" << name << ".key, client_ca: " << pki << "/ca.crt}\n"
        << "  roles: {ops: operator}\n"
        << "gateway: {address: '" << board_listen << "', ca: " << pki
        << "/ca.crt, server_name: gw}\n";
  }
  testing::FleetOptions options;
  options.simulator = CELLFLEET_MODEMSIM;
  options.agent = CELLFLEET_AGENT;
  options.dir = dir;
  options.boards = n;
  options.poll_interval = o.poll_interval;
  options.start_timeout = absl::Seconds(20) + absl::Milliseconds(100) * n;
  options.agent_args = [dir](int i) -> std::vector<std::string> {
    return {"--config", absl::StrFormat("%s/board-%02d.yaml", dir, i)};
  };
  absl::StatusOr<std::unique_ptr<testing::Fleet>> fleet = testing::Fleet::Start(options);
  if (!fleet.ok()) {
    std::cout << "  fleet did not start: " << fleet.status() << "\n";
    return;
  }
  const absl::Time deadline = base::Clock::Real().Now() + absl::Seconds(120);
  while (CountLines(dir + "/gateway.log", "attached from") < n &&
         base::Clock::Real().Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(200));
  }
  const int attached = CountLines(dir + "/gateway.log", "attached from");
  absl::SleepFor(absl::Seconds(2));
  const double gateway_kib_attached = static_cast<double>(testing::ResidentKib(gateway->pid()));
  // Both inventories: the boards' own addresses, and their names through the gateway.
  std::ofstream direct(dir + "/direct.yaml"), via(dir + "/via.yaml");
  direct << "boards:\n";
  via << "boards:\n";
  for (const testing::FleetBoard& board : (*fleet)->boards()) {
    direct << "  - {name: " << board.name << ", address: '" << board.address << "'}\n";
    via << "  - {name: " << board.name << ", via: '" << operator_listen << "'}\n";
  }
  direct.close();
  via.close();
  const std::vector<std::string> tls = {
      "--ca", pki + "/ca.crt", "--cert", pki + "/client-ops.crt", "--key", pki + "/client-ops.key"};
  auto cli = [&](const std::string& inventory) {
    std::vector<std::string> args = tls;
    args.insert(args.end(), {"--concurrency", std::to_string(o.concurrency), "-o", "json", "status",
                             "--inventory", inventory});
    return RunCli(args, absl::Seconds(120));
  };
  absl::SleepFor(absl::Seconds(5));  // every modem has answered its first poll
  absl::StatusOr<fleet::ChannelOptions> channel = fleet::LoadChannelOptions(
      pki + "/ca.crt", pki + "/client-ops.crt", pki + "/client-ops.key", "");
  fleet::FanOutOptions fanout;
  fanout.concurrency = o.concurrency;
  fanout.deadline = absl::Seconds(30);
  fanout.channel = *channel;
  for (const char* way : {"direct", "via"}) {
    (void)cli(absl::StrCat(dir, "/", way, ".yaml"));  // warm: the relay, the sessions' paths
    const CliRun run = cli(absl::StrCat(dir, "/", way, ".yaml"));
    absl::StatusOr<std::vector<fleet::Board>> boards =
        fleet::LoadInventory(absl::StrCat(dir, "/", way, ".yaml"));
    auto latency = fleet::FanOut<v1::GetStatusResponse>(
        *boards, fanout, [](auto* stub, auto* context, auto* response, auto done) {
          static const v1::GetStatusRequest kRequest;
          stub->async()->GetStatus(context, &kRequest, response, std::move(done));
        });
    std::cout << "  status " << (std::string(way) == "via" ? "through the gateway" : "direct")
              << absl::StrFormat(": CLI wall %.2f s, %d lines, exit %d; ", run.wall_s, run.lines,
                                 run.exit_code)
              << LatencyFigures(latency) << "\n";
  }
  const double gateway_kib = static_cast<double>(testing::ResidentKib(gateway->pid()));
  const double cpu_before = testing::CpuSeconds(gateway->pid());
  absl::SleepFor(absl::Seconds(o.idle_seconds));
  const double cpu = testing::CpuSeconds(gateway->pid()) - cpu_before;
  std::cout << absl::StrFormat(
      "  gateway: %d of %d boards attached; RSS %.1f MB empty, %.1f MB with the boards attached "
      "(%.1f KB a board), %.1f MB after the status calls (%.1f KB a board); idle CPU %.2f s in "
      "%d s = %.2f %% of a core\n",
      attached, n, gateway_kib_empty / 1024, gateway_kib_attached / 1024,
      (gateway_kib_attached - gateway_kib_empty) / std::max(1, attached), gateway_kib / 1024,
      (gateway_kib - gateway_kib_empty) / std::max(1, attached), cpu, o.idle_seconds,
      100 * cpu / o.idle_seconds);
  (void)(*fleet)->Stop();
  (void)gateway->Stop();
  std::filesystem::remove_all(dir);
}

void AtScale(const Options& o, int n) {
  std::cout << "N = " << n << " boards\n" << std::flush;
  const std::string dir = absl::StrCat(o.dir, "/fleet", n);
  std::filesystem::create_directories(dir);
  testing::FleetOptions options;
  options.simulator = CELLFLEET_MODEMSIM;
  options.agent = CELLFLEET_AGENT;
  options.dir = dir;
  options.boards = n;
  options.poll_interval = o.poll_interval;
  options.start_timeout = absl::Seconds(20) + absl::Milliseconds(100) * n;
  // `config diff` is a dry run of ApplyConfig, which needs the operator role.
  options.agent_args = [](int) -> std::vector<std::string> {
    return {"--unauthenticated-role", "operator"};
  };
  const absl::Time start = base::Clock::Real().Now();
  absl::StatusOr<std::unique_ptr<testing::Fleet>> fleet = testing::Fleet::Start(options);
  if (!fleet.ok()) {
    std::cout << "  fleet did not start: " << fleet.status() << "\n";
    return;
  }
  absl::StatusOr<std::string> inventory = (*fleet)->WriteInventory();
  absl::StatusOr<std::vector<fleet::Board>> boards = fleet::LoadInventory(*inventory);
  std::cout << absl::StrFormat("  fleet up in %.1f s\n",
                               absl::ToDoubleSeconds(base::Clock::Real().Now() - start));
  WaitReady(*inventory, n);
  FanOuts(o, *boards, *inventory);
  // The status wall for the ratio: the CLI at the bench's concurrency, once more.
  CliRun status = RunCli({"--concurrency", std::to_string(o.concurrency), "-o", "json", "status",
                          "--inventory", *inventory},
                         absl::Seconds(120));
  Watch(o, n, *inventory);
  Collector(o, n, *inventory);
  Agents(o, **fleet);
  const absl::Time stopping = base::Clock::Real().Now();
  (void)(*fleet)->Stop();
  std::cout << absl::StrFormat("  fleet stopped in %.1f s\n",
                               absl::ToDoubleSeconds(base::Clock::Real().Now() - stopping));
  if (o.ssh) Ssh(o, n, status.wall_s);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace cellfleet::bench

int main(int argc, char** argv) {
  cellfleet::bench::Options o;
  CLI::App app{
      "cellfleet-fleet-bench: the fleet at scale with real agents (prints, asserts nothing)"};
  app.add_option("--boards", o.boards, "Fleet sizes, e.g. --boards 100 500 1000");
  app.add_option("--concurrency", o.concurrency, "The CLI's --concurrency");
  app.add_option("--poll-interval", o.poll_interval, "The agents' --poll-interval, seconds");
  app.add_option("--watch-seconds", o.watch_seconds, "Length of the steady watch");
  app.add_option("--idle-seconds", o.idle_seconds, "Window of the idle CPU measurement");
  app.add_option("--ssh-parallel", o.ssh_parallel, "pssh's -p");
  app.add_flag("!--no-ssh", o.ssh, "Skip the ssh fan-out comparison");
  app.add_flag("--gateway", o.gateway_only,
               "Only the comparison of status direct and through one gateway");
  CLI11_PARSE(app, argc, argv);
  signal(SIGPIPE, SIG_IGN);
  o.dir = cellfleet::testing::MakeTempDir("cellfleet-fleet-bench");
  for (int n : o.boards) {
    if (o.gateway_only) {
      cellfleet::bench::GatewayColumn(o, n);
    } else {
      cellfleet::bench::AtScale(o, n);
    }
  }
  std::filesystem::remove_all(o.dir);
  return 0;
}
