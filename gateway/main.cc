// cellfleet-gateway: boards behind carrier NAT attach here (they dial out); operators
// connect here and are relayed to the board they name, their TLS ending on the board.
// Runs until SIGINT or SIGTERM.
//   cellfleet-gateway [--config /etc/cellfleet/gateway.yaml] [--board-listen [::]:8443]
//     [--operator-listen [::]:8444] [--cert g.crt --key g.key --boards-ca b.crt
//     --operators-ca o.crt] [--operator NAME ...]
#include <iostream>

#include "CLI/CLI.hpp"
#include "base/atomic_file.h"
#include "base/lock_order_checks.h"
#include "base/malloc_tuning.h"
#include "base/stop_signals.h"
#include "gateway/gateway.h"
#include "proto/read_buffers.h"

namespace {

int Fail(const std::string& what) {
  std::cerr << "cellfleet-gateway: " << what << "\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  cellfleet::base::SkipLockOrderChecks();
  cellfleet::base::TuneMallocForManyConnections();
  cellfleet::ReadIntoSizedBuffers();                // an idle attachment holds no 8 KB read
  const cellfleet::base::StopSignals stop_signals;  // before any thread
  std::string config, ready_file;
  cellfleet::gateway::GatewaySettings flags;
  CLI::App app{"cellfleet-gateway: boards behind NAT attach; operators reach them through it"};
  app.set_version_flag("--version", std::string("cellfleet-gateway ") + CELLFLEET_VERSION);
  app.add_option("--config", config, "YAML settings (deploy/gateway.example.yaml); flags win");
  CLI::Option* board_listen =
      app.add_option("--board-listen", flags.board_listen, "Where boards attach (port 0: any)");
  CLI::Option* operator_listen = app.add_option("--operator-listen", flags.operator_listen,
                                                "Where operators connect (port 0: any)");
  CLI::Option* cert = app.add_option("--cert", flags.cert, "The gateway's certificate");
  CLI::Option* key = app.add_option("--key", flags.key, "Private key of --cert");
  CLI::Option* boards_ca =
      app.add_option("--boards-ca", flags.boards_ca, "CA that signed the boards' certificates");
  CLI::Option* operators_ca = app.add_option("--operators-ca", flags.operators_ca,
                                             "CA that signed the operators' certificates");
  CLI::Option* operators = app.add_option("--operator", flags.operators,
                                          "An operator certificate name admitted; repeatable");
  app.add_option("--ready-file", ready_file,
                 "Write the bound addresses (boards, operators) here once serving");
  CLI11_PARSE(app, argc, argv);

  cellfleet::gateway::GatewaySettings settings;
  if (!config.empty()) {
    if (absl::Status read = cellfleet::gateway::ReadGatewaySettings(config, settings); !read.ok()) {
      return Fail(std::string(read.message()));
    }
  }
  if (board_listen->count()) settings.board_listen = flags.board_listen;
  if (operator_listen->count()) settings.operator_listen = flags.operator_listen;
  if (cert->count()) settings.cert = flags.cert;
  if (key->count()) settings.key = flags.key;
  if (boards_ca->count()) settings.boards_ca = flags.boards_ca;
  if (operators_ca->count()) settings.operators_ca = flags.operators_ca;
  if (operators->count()) settings.operators = flags.operators;

  absl::StatusOr<std::unique_ptr<cellfleet::gateway::Gateway>> gateway =
      cellfleet::gateway::Gateway::Start(settings);
  if (!gateway.ok()) return Fail(std::string(gateway.status().message()));
  if (!ready_file.empty()) {
    if (absl::Status written = cellfleet::base::WriteFileAtomically(
            ready_file, (*gateway)->board_address() + "\n" + (*gateway)->operator_address() + "\n");
        !written.ok()) {
      return Fail(std::string(written.message()));
    }
  }
  stop_signals.Wait();
  (*gateway)->Stop();
  return 0;
}
