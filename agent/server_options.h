// What every gRPC server of the agent is built with: the limits and keepalive of a
// cellular link, and reflection taken off unless configured.
#ifndef CELLFLEET_AGENT_SERVER_OPTIONS_H_
#define CELLFLEET_AGENT_SERVER_OPTIONS_H_

#include <memory>

#include "grpcpp/grpcpp.h"

namespace cellfleet::agent {

void SetServerLimits(grpc::ServerBuilder& builder);

// Reflection lists every method to whoever asks; gRPC's plugin joins every server of a
// process it is linked into, and this option takes it off one.
std::unique_ptr<grpc::ServerBuilderOption> WithoutReflection();

}  // namespace cellfleet::agent

#endif  // CELLFLEET_AGENT_SERVER_OPTIONS_H_
