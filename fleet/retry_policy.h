// Which failed calls are worth repeating, and how long to wait before the next try. A
// code that asking again cannot change (the caller is refused, the request is wrong,
// the agent lacks the method) is final: the board's stream ends with its reason.
// Any other is retried with exponential backoff and jitter, up to minutes, so a board
// that is down does not cost its metered link a reconnect every few seconds, and a
// fleet that comes back does not reconnect all at once.
#ifndef CELLFLEET_FLEET_RETRY_POLICY_H_
#define CELLFLEET_FLEET_RETRY_POLICY_H_

#include "absl/random/random.h"
#include "absl/time/time.h"
#include "grpcpp/support/status.h"

namespace cellfleet::fleet {

bool Retryable(grpc::StatusCode code);

struct BackoffOptions {
  absl::Duration initial = absl::Seconds(1);
  absl::Duration max = absl::Minutes(5);
  double multiplier = 2;
  double jitter = 0.2;  // each wait is the nominal one times a uniform factor in 1 +- jitter
};

class Backoff {
 public:
  explicit Backoff(BackoffOptions options = {}) : options_(options), nominal_(options.initial) {}

  // The wait before the next try; each call makes the one after it longer.
  absl::Duration Next();
  // After a success: the next failure waits the initial time again.
  void Reset() { nominal_ = options_.initial; }

 private:
  const BackoffOptions options_;
  absl::Duration nominal_;
  absl::InsecureBitGen random_;  // 16 bytes: a collector keeps one per board
};

}  // namespace cellfleet::fleet

#endif  // CELLFLEET_FLEET_RETRY_POLICY_H_
