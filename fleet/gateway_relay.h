// The operator's way to boards behind a cellfleet-gateway: a loopback HTTP CONNECT proxy
// that their channels go through (GRPC_ARG_HTTP_PROXY). Each CONNECT names a board; the
// relay carries it through the gateway's Connect, where this operator's certificate
// admits it, and the channel's own TLS runs inside, ending on the board's agent. One
// relay per gateway and certificate in a process, shared by every board behind it.
#ifndef CELLFLEET_FLEET_GATEWAY_RELAY_H_
#define CELLFLEET_FLEET_GATEWAY_RELAY_H_

#include <memory>
#include <set>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "cellfleet/v1/gateway.grpc.pb.h"
#include "fleet/channel.h"

namespace cellfleet::fleet {

class GatewayRelay {
 public:
  // Listens on 127.0.0.1 (port 0) for the channels of this process.
  static absl::StatusOr<std::unique_ptr<GatewayRelay>> Start(const std::string& gateway,
                                                             const ChannelOptions& options);
  ~GatewayRelay();

  std::string proxy_uri() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  struct Connection;
  GatewayRelay(int listen_fd, int port, std::shared_ptr<grpc::Channel> gateway);
  void AcceptLoop();
  void Serve(Connection* connection);

  const int listen_fd_;
  const int port_;
  std::unique_ptr<v1::OperatorGateway::Stub> stub_;
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::set<Connection*> connections_ ABSL_GUARDED_BY(mu_);  // open; each freed by its thread
  std::thread acceptor_;
};

// The process's relay to `gateway` for the certificate in `options` (started on first
// use; lives until exit).
absl::StatusOr<GatewayRelay*> RelayTo(const std::string& gateway, const ChannelOptions& options);

}  // namespace cellfleet::fleet

#endif  // CELLFLEET_FLEET_GATEWAY_RELAY_H_
