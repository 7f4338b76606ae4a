// cellfleet-bench: measures the agent; never asserts a time. Figures go in docs/measurements.md.
//   latency: a status request through the agent vs the bare AT exchange, same port
//   memory:  agent resident memory with 1 and 100 WatchStatus subscribers
//   cpu:     agent CPU at 1 sample per 10 s
//   wire:    bytes on the wire (TLS included) per hour at 1 sample per 10 s, sample
//            mode and on-change mode with a stable signal
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <numeric>
#include <thread>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "agent/service/agent_service.h"
#include "agent/status/modem_poller.h"
#include "base/clock.h"
#include "bench/byte_counting_proxy.h"
#include "convert/modem_to_proto.h"
#include "fleet/channel.h"
#include "modem/at_channel.h"
#include "modem/quectel/quectel_modem.h"
#include "modem/testing/process_stats.h"
#include "proto/listener.h"
#include "simulator/simulated_fleet.h"
#include "tests/support/fleet.h"
#include "tests/support/subprocess.h"

namespace cellfleet::bench {
namespace {

using testing::ResidentKib;
using testing::Subprocess;

struct Stats {
  double mean_us, p50_us, p99_us;
};

Stats Summarise(std::vector<double> us) {
  std::sort(us.begin(), us.end());
  double mean = std::accumulate(us.begin(), us.end(), 0.0) / static_cast<double>(us.size());
  return {mean, us[us.size() / 2], us[us.size() * 99 / 100]};
}

std::string Show(const Stats& s) {
  return absl::StrFormat("mean %.0f us, p50 %.0f us, p99 %.0f us", s.mean_us, s.p50_us, s.p99_us);
}

const std::vector<modem::AtCommand>& StatusCommands() {
  static const std::vector<modem::AtCommand> kCommands = {
      modem::AtCommand::Query("AT+CPIN?", {"+CPIN:"}),
      modem::AtCommand::Query("AT+CREG?", {"+CREG:"}),
      modem::AtCommand::Query("AT+CEREG?", {"+CEREG:"}),
      modem::AtCommand::Query("AT+COPS?", {"+COPS:"}),
      modem::AtCommand::Query("AT+CSQ", {"+CSQ:"}),
      modem::AtCommand::Query("AT+QENG=\"servingcell\"", {"+QENG:"})};
  return kCommands;
}

std::unique_ptr<modem::AtChannel> OpenChannel(const std::string& path,
                                              const std::string& lock_dir) {
  modem::SerialOptions serial;
  serial.lock_dir = lock_dir;
  auto port = modem::SerialPort::Open(path, serial);
  if (!port.ok()) {
    std::cerr << port.status() << "\n";
    std::exit(1);
  }
  return std::make_unique<modem::AtChannel>(std::move(*port));
}

void Latency(const std::string& dir, int rounds) {
  simulator::SimulatedFleetOptions options;
  options.boards = 1;
  options.dir = dir + "/lat-sim";
  auto fleet = *simulator::SimulatedFleet::Create(options);
  fleet->Start();
  const std::string at = fleet->boards()[0].at_path;

  // 1. The bare exchange: the six status commands, answers not even parsed.
  std::vector<double> bare;
  {
    auto channel = OpenChannel(at, dir);
    (void)channel->Execute(modem::AtCommand::Action("ATE0"));  // as the driver sets it
    for (int i = 0; i < rounds + 20; ++i) {
      const absl::Time start = base::Clock::Real().Now();
      for (const modem::AtCommand& command : StatusCommands()) (void)channel->Execute(command);
      if (i >= 20) bare.push_back(absl::ToDoubleMicroseconds(base::Clock::Real().Now() - start));
    }
  }
  // 2. The agent's poll of the same port: driver, parsers and conversion to the proto.
  std::vector<double> driver;
  {
    auto channel = OpenChannel(at, dir);
    modem::QuectelModem modem(*channel);
    (void)modem.Initialize();
    for (int i = 0; i < rounds + 20; ++i) {
      const absl::Time start = base::Clock::Real().Now();
      absl::StatusOr<modem::ModemSnapshot> snapshot = modem.ReadStatus();
      v1::ModemStatus status;
      if (snapshot.ok()) convert::FillStatus(*snapshot, status);
      if (i >= 20) driver.push_back(absl::ToDoubleMicroseconds(base::Clock::Real().Now() - start));
    }
  }
  // 3. GetStatus over gRPC on loopback, served from the poller's latest sample.
  std::vector<double> rpc;
  {
    agent::StatusHub hub;
    agent::PollerOptions poller_options;
    poller_options.at_port = at;
    poller_options.poll_interval = absl::Seconds(1);
    poller_options.serial.lock_dir = dir;
    agent::ModemPoller poller(poller_options, &hub);
    poller.Start();
    agent::Authorizer authorizer({}, agent::Role::kViewer);
    auto audit = *agent::AuditLog::Open(agent::AuditLogOptions{});
    agent::CallLimits limits(agent::CallLimitSettings{});
    agent::ServiceParts parts;
    parts.hub = &hub;
    parts.authorizer = &authorizer;
    parts.limits = &limits;
    parts.audit = audit.get();
    agent::AgentService service(parts, agent::ServiceInfo{"b", "bench", absl::Seconds(1)});
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    RefuseSharedPort(builder);
    builder.RegisterService(&service);
    auto server = builder.BuildAndStart();
    auto stub = v1::ModemAgent::NewStub(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
    while (hub.Latest() == nullptr || hub.Latest()->modem_state() != v1::MODEM_STATE_READY)
      absl::SleepFor(absl::Milliseconds(50));
    std::cout << "memory: one status sample is " << hub.Latest()->ByteSizeLong()
              << " bytes serialized, " << hub.Latest()->SpaceUsedLong()
              << " bytes in memory (what each kept history sample costs)\n";
    for (int i = 0; i < rounds * 5 + 50; ++i) {
      grpc::ClientContext context;
      v1::GetStatusResponse response;
      const absl::Time start = base::Clock::Real().Now();
      (void)stub->GetStatus(&context, v1::GetStatusRequest(), &response);
      if (i >= 50) rpc.push_back(absl::ToDoubleMicroseconds(base::Clock::Real().Now() - start));
    }
    hub.Close();
    server->Shutdown();
    poller.Stop();
  }
  fleet->Stop();
  const Stats b = Summarise(bare), d = Summarise(driver), r = Summarise(rpc);
  std::cout << "latency: bare AT exchange of the 6 status commands: " << Show(b) << "\n"
            << "latency: agent poll of the same (driver + parsers + proto): " << Show(d) << "\n"
            << absl::StrFormat("latency: ratio agent poll / bare exchange = %.3f\n",
                               d.mean_us / b.mean_us)
            << "latency: GetStatus over gRPC (served from the latest sample): " << Show(r) << "\n"
            << absl::StrFormat("latency: ratio GetStatus / bare exchange = %.3f\n",
                               r.mean_us / b.mean_us);
}

double CpuSeconds(pid_t pid) {
  std::ifstream stat(absl::StrCat("/proc/", pid, "/stat"));
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  std::vector<std::string> fields = absl::StrSplit(text.substr(text.rfind(')') + 2), ' ');
  double utime = 0, stime = 0;
  (void)absl::SimpleAtod(fields[11], &utime);
  (void)absl::SimpleAtod(fields[12], &stime);
  return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// One simulated board and its agent (the test harness), in `dir`/`name`; exits the
// benchmark with the reason when it cannot start.
std::unique_ptr<testing::Fleet> StartFleet(const std::string& dir, const std::string& name,
                                           const std::string& poll_seconds,
                                           const std::vector<std::string>& agent_args,
                                           const std::string& scenario = "") {
  testing::FleetOptions options;
  options.simulator = CELLFLEET_MODEMSIM;
  options.agent = CELLFLEET_AGENT;
  options.dir = dir + "/" + name;
  options.boards = 1;
  options.poll_interval = poll_seconds;
  std::filesystem::create_directories(options.dir);
  if (!scenario.empty()) {
    std::ofstream(options.dir + "/scenario.yaml") << scenario;
    options.simulator_args = {"--scenario", options.dir + "/scenario.yaml"};
  }
  options.agent_args = [agent_args](int) { return agent_args; };
  absl::StatusOr<std::unique_ptr<testing::Fleet>> fleet = testing::Fleet::Start(options);
  if (!fleet.ok()) {
    std::cerr << "cellfleet-bench: " << fleet.status() << "\n";
    std::exit(1);
  }
  return std::move(*fleet);
}

// Opens `count` streams and reads them on threads until `contexts` are cancelled.
struct Watchers {
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<std::thread> threads;
  std::atomic<int> updates{0};

  void Open(v1::ModemAgent::Stub& stub, const v1::WatchStatusRequest& request, int count) {
    for (int i = 0; i < count; ++i) {
      contexts.push_back(std::make_unique<grpc::ClientContext>());
      grpc::ClientContext* context = contexts.back().get();
      threads.emplace_back([this, &stub, request, context] {
        auto reader = stub.WatchStatus(context, request);
        v1::StatusUpdate update;
        while (reader->Read(&update)) ++updates;
        reader->Finish();
      });
    }
  }
  ~Watchers() {
    for (auto& c : contexts) c->TryCancel();
    for (auto& t : threads) t.join();
  }
};

void Memory(const std::string& dir) {
  std::unique_ptr<testing::Fleet> fleet = StartFleet(dir, "mem", "1", {});
  auto stub = v1::ModemAgent::NewStub(
      grpc::CreateChannel(fleet->boards()[0].address, grpc::InsecureChannelCredentials()));
  v1::WatchStatusRequest request;
  request.mutable_sample_interval()->set_seconds(1);
  const long idle = ResidentKib(fleet->agent(0).pid());
  {
    Watchers one;
    one.Open(*stub, request, 1);
    absl::SleepFor(absl::Seconds(5));
    const long with_one = ResidentKib(fleet->agent(0).pid());
    Watchers more;
    more.Open(*stub, request, 99);
    absl::SleepFor(absl::Seconds(5));
    const long with_hundred = ResidentKib(fleet->agent(0).pid());
    std::cout << "memory: agent RSS idle " << idle << " KiB, 1 subscriber " << with_one
              << " KiB, 100 subscribers " << with_hundred << " KiB ("
              << (one.updates + more.updates) << " updates delivered)\n";
  }
  (void)fleet->Stop();
}

void Cpu(const std::string& dir, int seconds) {
  std::unique_ptr<testing::Fleet> fleet = StartFleet(dir, "cpu", "10", {});
  auto stub = v1::ModemAgent::NewStub(
      grpc::CreateChannel(fleet->boards()[0].address, grpc::InsecureChannelCredentials()));
  v1::WatchStatusRequest request;
  request.mutable_sample_interval()->set_seconds(10);
  {
    Watchers one;
    one.Open(*stub, request, 1);
    absl::SleepFor(absl::Seconds(2));
    const double before = CpuSeconds(fleet->agent(0).pid());
    absl::SleepFor(absl::Seconds(seconds));
    const double used = CpuSeconds(fleet->agent(0).pid()) - before;
    std::cout << absl::StrFormat(
        "cpu: agent at 1 sample per 10 s: %.2f s CPU in %d s = %.3f%% of one core\n", used, seconds,
        100.0 * used / seconds);
  }
  (void)fleet->Stop();
}

void Wire(const std::string& dir, int seconds) {
  const std::string pki = dir + "/pki";
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {pki, "agent", "board-00"}, {pki, "client", "grafana"}}) {
    std::vector<std::string> argv = {"/bin/bash", CELLFLEET_MAKE_CERTS};
    argv.insert(argv.end(), args.begin(), args.end());
    (void)testing::RunCommand(argv, absl::Seconds(30));
  }
  std::ofstream(dir + "/wire-agent.yaml") << "security:\n  roles: {grafana: viewer}\n";
  std::unique_ptr<testing::Fleet> fleet =
      StartFleet(dir, "wire", "10",
                 {"--config", dir + "/wire-agent.yaml", "--tls-cert", pki + "/agent-board-00.crt",
                  "--tls-key", pki + "/agent-board-00.key", "--tls-client-ca", pki + "/ca.crt"},
                 "initial: {radio_drift: false}\n");
  const int agent_port =
      std::stoi(fleet->boards()[0].address.substr(fleet->boards()[0].address.rfind(':') + 1));
  auto connect = *fleet::LoadChannelOptions(pki + "/ca.crt", pki + "/client-grafana.crt",
                                            pki + "/client-grafana.key", "board-00");
  for (bool on_change : {false, true}) {
    ByteCountingProxy proxy(agent_port);
    fleet::Board through_proxy;
    through_proxy.address = absl::StrCat("127.0.0.1:", proxy.port());
    auto stub = v1::ModemAgent::NewStub(fleet::MakeChannel(through_proxy, connect));
    v1::WatchStatusRequest request;
    request.mutable_sample_interval()->set_seconds(10);
    request.set_on_change(on_change);
    request.mutable_deadbands()->set_rsrp_db(3);
    Watchers watcher;
    watcher.Open(*stub, request, 1);
    absl::SleepFor(absl::Seconds(15));  // connection set-up and the first update
    const uint64_t setup = proxy.client_to_server() + proxy.server_to_client();
    absl::SleepFor(absl::Seconds(seconds));
    const uint64_t steady = proxy.client_to_server() + proxy.server_to_client() - setup;
    std::cout << absl::StrFormat(
        "wire: %s mode, 1 sample per 10 s, mutual TLS: set-up %llu bytes, then %llu bytes in %d s "
        "= %.1f KB per hour "
        "(%d updates)\n",
        on_change ? "on-change (stable signal, 60 s heartbeat)" : "sample",
        static_cast<unsigned long long>(setup), static_cast<unsigned long long>(steady), seconds,
        steady * 3600.0 / seconds / 1000.0, watcher.updates.load());
  }
  (void)fleet->Stop();
}

}  // namespace
}  // namespace cellfleet::bench

int main(int argc, char** argv) {
  CLI::App app{"cellfleet-bench: measures the agent (prints figures, asserts nothing)"};
  std::string section = "all";
  int rounds = 300, cpu_seconds = 60, wire_seconds = 120;
  app.add_option("--section", section, "latency, memory, cpu, wire or all")
      ->check(CLI::IsMember({"all", "latency", "memory", "cpu", "wire"}));
  app.add_option("--rounds", rounds, "Latency rounds");
  app.add_option("--cpu-seconds", cpu_seconds, "CPU measurement window");
  app.add_option("--wire-seconds", wire_seconds, "Steady-state window per wire mode");
  CLI11_PARSE(app, argc, argv);
  signal(SIGPIPE, SIG_IGN);
  const std::string dir = cellfleet::testing::MakeTempDir("cellfleet-bench");
  if (section == "all" || section == "latency") cellfleet::bench::Latency(dir, rounds);
  if (section == "all" || section == "memory") cellfleet::bench::Memory(dir);
  if (section == "all" || section == "cpu") cellfleet::bench::Cpu(dir, cpu_seconds);
  if (section == "all" || section == "wire") cellfleet::bench::Wire(dir, wire_seconds);
  std::filesystem::remove_all(dir);
  return 0;
}
