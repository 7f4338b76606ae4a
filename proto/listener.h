// The one rule for every gRPC listener of the project: its port is this process's alone.
// gRPC sets SO_REUSEPORT by default (GRPC_ARG_ALLOW_REUSEPORT), so a second agent started
// on a used port would start without a word and the kernel would share the calls between
// the two. Without it, binding a used port fails and the program says so.
#ifndef CELLFLEET_PROTO_LISTENER_H_
#define CELLFLEET_PROTO_LISTENER_H_

#include "grpcpp/server_builder.h"

namespace cellfleet {

inline void RefuseSharedPort(grpc::ServerBuilder& builder) {
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
}

}  // namespace cellfleet

#endif  // CELLFLEET_PROTO_LISTENER_H_
