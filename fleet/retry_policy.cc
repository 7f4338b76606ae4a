#include "fleet/retry_policy.h"

#include <algorithm>

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

absl::Duration Backoff::Next() {
  const double factor =
      absl::Uniform(absl::IntervalClosed, random_, 1 - options_.jitter, 1 + options_.jitter);
  const absl::Duration wait = nominal_ * factor;
  nominal_ = std::min(nominal_ * options_.multiplier, options_.max);
  return wait;
}

}  // namespace cellfleet::fleet
