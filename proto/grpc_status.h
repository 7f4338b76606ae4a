// absl::Status as grpc::Status: the same code (both use the canonical numbering) and
// message, so the caller's retry decision follows the code the agent (or gateway) chose.
#ifndef CELLFLEET_PROTO_GRPC_STATUS_H_
#define CELLFLEET_PROTO_GRPC_STATUS_H_

#include <string>

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace cellfleet {

inline grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

}  // namespace cellfleet

#endif  // CELLFLEET_PROTO_GRPC_STATUS_H_
