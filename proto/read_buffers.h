// How gRPC sizes its reads, for programs that hold many connections.
#ifndef CELLFLEET_PROTO_READ_BUFFERS_H_
#define CELLFLEET_PROTO_READ_BUFFERS_H_

namespace cellfleet {

// gRPC 1.51 reads every connection into fixed 8 KB pieces (its "tcp_read_chunks"
// experiment) and keeps the unfilled rest of the last one for the next read: 8 KB held
// by each idle stream. A program holding many mostly idle connections (the collector, the
// gateway) calls
// this first in main, before gRPC starts, so that reads are sized by what arrives
// instead (GRPC_ARG_TCP_READ_CHUNK_SIZE; gRPC adapts it). Keeps GRPC_EXPERIMENTS the
// user set.
void ReadIntoSizedBuffers();

}  // namespace cellfleet

#endif  // CELLFLEET_PROTO_READ_BUFFERS_H_
