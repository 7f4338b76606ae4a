#include "agent/server_options.h"

#include <algorithm>
#include <memory>
#include <vector>

#include "grpcpp/impl/server_builder_option.h"
#include "grpcpp/impl/server_builder_plugin.h"
#include "proto/keepalive.h"

namespace cellfleet::agent {
namespace {

class NoReflection final : public grpc::ServerBuilderOption {
 public:
  void UpdateArguments(grpc::ChannelArguments* /*args*/) override {}
  void UpdatePlugins(std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>>* plugins) override {
    plugins->erase(std::remove_if(plugins->begin(), plugins->end(),
                                  [](const std::unique_ptr<grpc::ServerBuilderPlugin>& plugin) {
                                    return plugin->name() == "proto_server_reflection";
                                  }),
                   plugins->end());
  }
};

int Milliseconds(absl::Duration d) { return static_cast<int>(absl::ToInt64Milliseconds(d)); }

}  // namespace

void SetServerLimits(grpc::ServerBuilder& builder) {
  // Cellular links (proto/keepalive.h, docs/history-and-usage.md, "Keepalive on cellular links"): a
  // stream's heartbeats keep the carrier's NAT mapping; the agent's own pings are a rare safety
  // net, also on connections with no call. No bandwidth-probe pings: each costs about
  // 300 IP bytes on a metered link, for a window status messages never fill.
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, Milliseconds(kAgentKeepaliveTime));
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, Milliseconds(kKeepaliveTimeout));
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
                             Milliseconds(kMinClientPingInterval));
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  // Calls at once on one connection; per client, streams and modem calls are CallLimits'.
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, 32);
  // Status messages are a few KB; 1 MiB bounds a hostile or broken client.
  builder.SetMaxReceiveMessageSize(1 << 20);
  builder.SetMaxSendMessageSize(4 << 20);
  // The one synchronous service (gRPC's default health check) polls its queue with this
  // timeout: at gRPC's 1 s it woke the agent once a second for nothing. Shutdown wakes
  // it at once whatever the timeout.
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::CQ_TIMEOUT_MSEC, 60'000);
}

std::unique_ptr<grpc::ServerBuilderOption> WithoutReflection() {
  return std::make_unique<NoReflection>();
}

}  // namespace cellfleet::agent
