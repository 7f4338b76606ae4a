// Adapts modem-layer types to the v1 API, and absl::Status to grpc::Status.
#ifndef CELLFLEET_AGENT_CONVERT_H_
#define CELLFLEET_AGENT_CONVERT_H_

#include "absl/status/status.h"
#include "cellfleet/v1/modem_status.pb.h"
#include "grpcpp/support/status.h"
#include "modem/modem_snapshot.h"

namespace cellfleet::agent {

// Fills identity, SIM, registration, operator, signal and serving cell. The caller sets
// modem_state, at_port, sampled_at and connection.
void FillStatus(const modem::ModemSnapshot& snapshot, v1::ModemStatus& status);

void FillIdentity(const modem::ModemIdentity& identity, v1::Identity& out);

// Same code, same message: absl and gRPC share the canonical code numbering.
grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace cellfleet::agent

#endif  // CELLFLEET_AGENT_CONVERT_H_
