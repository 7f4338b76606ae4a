// cellfleet-collector: one on-change WatchStatus stream per board of its inventory (or
// of its shard of it), served to Prometheus at /metrics. Runs until SIGINT or SIGTERM.
//   cellfleet-collector --inventory fleet.yaml --listen 127.0.0.1:9470 [--shard 0/4]
//     [--ca ca.crt --cert c.crt --key c.key] [--heartbeat 240] [--deadband rsrp=2]
#include <iostream>
#include <thread>

#include "CLI/CLI.hpp"
#include "base/atomic_file.h"
#include "base/lock_order_checks.h"
#include "base/malloc_tuning.h"
#include "base/stop_signals.h"
#include "collector/fleet_state.h"
#include "collector/http_front.h"
#include "collector/shard.h"
#include "fleet/board.h"
#include "fleet/channel.h"
#include "fleet/fleet_watch.h"
#include "proto/keepalive.h"
#include "proto/read_buffers.h"
#include "proto/time_convert.h"

namespace {

int Fail(const std::string& what) {
  std::cerr << "cellfleet-collector: " << what << "\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  cellfleet::base::SkipLockOrderChecks();
  cellfleet::base::TuneMallocForManyConnections();
  cellfleet::ReadIntoSizedBuffers();                // 4 KB a board less (proto/read_buffers.h)
  const cellfleet::base::StopSignals stop_signals;  // before any thread
  std::string inventory, shard_text = "0/1", listen = "127.0.0.1:9470", advertise, ready_file;
  std::string ca, cert, key, server_name;
  std::vector<std::string> selectors;
  std::vector<std::string> deadbands = {"rsrp=2", "rsrq=2", "sinr=2", "rssi=2"};
  double heartbeat_seconds = absl::ToDoubleSeconds(cellfleet::kDefaultStreamHeartbeat);
  CLI::App app{"cellfleet-collector: the fleet's status streams as Prometheus metrics"};
  app.set_version_flag("--version", std::string("cellfleet-collector ") + CELLFLEET_VERSION);
  app.add_option("--inventory", inventory, "YAML inventory of boards")->required();
  app.add_option("--select", selectors, "Only boards with this label (key=value); repeatable");
  app.add_option("--shard", shard_text, "i/n: hold the boards whose name hashes to shard i of n");
  app.add_option("--listen", listen, "HTTP address for Prometheus (port 0: any)");
  app.add_option("--advertise", advertise,
                 "This collector's address as Prometheus reaches it, for /targets (default: "
                 "--listen)");
  app.add_option("--ca", ca, "CA certificate of the agents (turns TLS on)");
  app.add_option("--cert", cert, "Client certificate, for agents that require mutual TLS");
  app.add_option("--key", key, "Private key of --cert");
  app.add_option("--tls-server-name", server_name, "Name to expect in the agents' certificates");
  app.add_option("--heartbeat", heartbeat_seconds,
                 "Seconds between the agents' heartbeats; a board silent for longer (plus 30 "
                 "s) is down")
      ->check(CLI::Range(1.0, 3600.0));
  app.add_option("--deadband", deadbands, "metric=dB change that counts (rsrp, rsrq, sinr, rssi)");
  app.add_option("--ready-file", ready_file, "Write the bound HTTP address here once serving");
  CLI11_PARSE(app, argc, argv);

  absl::StatusOr<cellfleet::collector::Shard> shard = cellfleet::collector::ParseShard(shard_text);
  if (!shard.ok()) return Fail(std::string(shard.status().message()));
  absl::StatusOr<std::map<std::string, std::string>> wanted =
      cellfleet::fleet::ParseSelectors(selectors);
  if (!wanted.ok()) return Fail(std::string(wanted.status().message()));
  std::vector<cellfleet::fleet::Board> boards;
  size_t inventory_size = 0;
  {  // the whole inventory only while the shard is picked from it
    absl::StatusOr<std::vector<cellfleet::fleet::Board>> all =
        cellfleet::fleet::LoadInventory(inventory);
    if (!all.ok()) return Fail(std::string(all.status().message()));
    inventory_size = all->size();
    boards =
        cellfleet::collector::BoardsOfShard(cellfleet::fleet::SelectBoards(*all, *wanted), *shard);
  }
  absl::StatusOr<cellfleet::fleet::ChannelOptions> channel =
      cellfleet::fleet::LoadChannelOptions(ca, cert, key, server_name);
  if (!channel.ok()) return Fail(std::string(channel.status().message()));
  if (absl::Status reachable = cellfleet::fleet::CheckGatewayCredentials(boards, *channel);
      !reachable.ok()) {
    return Fail(std::string(reachable.message()));
  }

  cellfleet::fleet::FleetWatchOptions watch;
  watch.channel = *channel;
  watch.request.set_on_change(true);
  const absl::Duration heartbeat = absl::Seconds(heartbeat_seconds);
  *watch.request.mutable_heartbeat_interval() = cellfleet::ToProtoDuration(heartbeat);
  for (const std::string& spec : deadbands) {
    if (absl::Status added =
            cellfleet::fleet::AddDeadband(spec, *watch.request.mutable_deadbands());
        !added.ok()) {
      return Fail(std::string(added.message()));
    }
  }
  // A board heard from neither by an update nor by a heartbeat for this long is down.
  cellfleet::collector::FleetState fleet(boards, heartbeat + absl::Seconds(30));
  absl::StatusOr<std::unique_ptr<cellfleet::collector::HttpFront>> front =
      cellfleet::collector::HttpFront::Start(listen, advertise, &fleet);
  if (!front.ok()) return Fail(std::string(front.status().message()));
  std::cerr << "cellfleet-collector: " << boards.size() << " of " << inventory_size
            << " boards (shard " << shard_text << "); metrics on http://" << (*front)->address()
            << "/metrics" << std::endl;
  if (!ready_file.empty()) {
    if (absl::Status written =
            cellfleet::base::WriteFileAtomically(ready_file, (*front)->address() + "\n");
        !written.ok()) {
      return Fail(std::string(written.message()));
    }
  }
  absl::Notification stop;
  std::thread signals([&] {
    stop_signals.Wait();
    stop.Notify();
  });
  cellfleet::fleet::RunFleetWatch(boards, watch, fleet, stop);  // until stopped
  (*front)->Stop();
  signals.join();
  return 0;
}
