#include "client/connection.h"

namespace cellfleet::client {

std::shared_ptr<grpc::Channel> MakeChannel(const std::string& address,
                                           const ConnectOptions& /*options*/) {
  grpc::ChannelArguments args;
  // Keep NAT mappings on cellular paths alive during long watches; the agent permits
  // pings every 30 s.
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 30 * 1000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 20 * 1000);
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 0);
  // Reconnect quickly after an agent restart rather than backing off for minutes.
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 5 * 1000);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

}  // namespace cellfleet::client
