// Moves one connection's bytes between a connected socket and the client end of a relay
// stream (an operator's Connect, a board's Relay) until both directions have ended.
#ifndef CELLFLEET_RELAY_SOCKET_PUMP_H_
#define CELLFLEET_RELAY_SOCKET_PUMP_H_

#include "absl/status/status.h"
#include "cellfleet/v1/gateway.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/support/sync_stream.h"

namespace cellfleet::relay {

using RelayStream = grpc::ClientReaderWriter<v1::RelayBytes, v1::RelayBytes>;

struct PumpTotals {
  uint64_t to_stream = 0;  // bytes read from the socket and sent
  uint64_t to_socket = 0;  // bytes received and written to the socket
};

// Blocks until both directions end: the socket's end of file goes on as WritesDone, the
// stream's end shuts the socket down; a failure of either cuts the other (the stream by
// cancelling `context`). Two threads: the caller's (stream to socket) and one it starts
// (socket to stream). Does not close `fd` or call Finish. `first` (may be empty) is sent
// before anything read from the socket.
PumpTotals PumpSocketAndStream(int fd, RelayStream& stream, grpc::ClientContext& context,
                               std::string first = "");

}  // namespace cellfleet::relay

#endif  // CELLFLEET_RELAY_SOCKET_PUMP_H_
