// Which failed calls are worth repeating (the wait before the next is base::Backoff). A
// code that asking again cannot change (the caller is refused, the request is wrong,
// the agent lacks the method) is final: the board's stream ends with its reason.
#ifndef CELLFLEET_FLEET_RETRY_POLICY_H_
#define CELLFLEET_FLEET_RETRY_POLICY_H_

#include "grpcpp/support/status.h"

namespace cellfleet::fleet {

bool Retryable(grpc::StatusCode code);

}  // namespace cellfleet::fleet

#endif  // CELLFLEET_FLEET_RETRY_POLICY_H_
