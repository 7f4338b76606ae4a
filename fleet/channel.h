// Channels to agents, with the options every command shares.
#ifndef CELLFLEET_FLEET_CHANNEL_H_
#define CELLFLEET_FLEET_CHANNEL_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "cellfleet/v1/agent_service.grpc.pb.h"
#include "fleet/board.h"
#include "grpcpp/grpcpp.h"

namespace cellfleet::fleet {

struct ChannelOptions {
  // All empty: plaintext (loopback, or inside a tunnel such as WireGuard).
  std::string ca_pem;    // CA that signed the agents' certificates: turns TLS on
  std::string cert_pem;  // our client certificate, for agents that require mutual TLS
  std::string key_pem;
  std::string server_name;  // expected name in the agent's certificate, if not the host
};

// Reads --ca/--cert/--key files into options; errors name the file.
absl::StatusOr<ChannelOptions> LoadChannelOptions(const std::string& ca_file,
                                                  const std::string& cert_file,
                                                  const std::string& key_file,
                                                  const std::string& server_name);

// To `board.address`, or, for a board behind a gateway (`via`), through this process's
// relay to that gateway (fleet/gateway_relay.h), the TLS checking the board's name.
std::shared_ptr<grpc::Channel> MakeChannel(const Board& board, const ChannelOptions& options);

// OK, or why boards behind a gateway cannot be reached with `options`: the gateway admits
// operators by their client certificate, and the boards' agents end the TLS.
absl::Status CheckGatewayCredentials(const std::vector<Board>& boards,
                                     const ChannelOptions& options);

}  // namespace cellfleet::fleet

#endif  // CELLFLEET_FLEET_CHANNEL_H_
