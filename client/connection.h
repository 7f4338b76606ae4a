// Channels to agents, with the options every command shares.
#ifndef CELLFLEET_CLIENT_CONNECTION_H_
#define CELLFLEET_CLIENT_CONNECTION_H_

#include <memory>
#include <string>

#include "cellfleet/v1/agent_service.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace cellfleet::client {

struct ConnectOptions {
  // Empty: plaintext (loopback, or a tunnel such as WireGuard).
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
};

std::shared_ptr<grpc::Channel> MakeChannel(const std::string& address,
                                           const ConnectOptions& options);

}  // namespace cellfleet::client

#endif  // CELLFLEET_CLIENT_CONNECTION_H_
