#include "fleet/retry_policy.h"

namespace cellfleet::fleet {

bool Retryable(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::INVALID_ARGUMENT:  // the request is wrong
    case grpc::StatusCode::NOT_FOUND:         // what it names is not there
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::PERMISSION_DENIED:    // this caller may not
    case grpc::StatusCode::UNAUTHENTICATED:      // no (valid) credentials
    case grpc::StatusCode::FAILED_PRECONDITION:  // fix the state first
    case grpc::StatusCode::OUT_OF_RANGE:
    case grpc::StatusCode::UNIMPLEMENTED:  // the agent lacks the method
      return false;
    default:
      return true;
  }
}

}  // namespace cellfleet::fleet
