// The project's one backoff: how long to wait before the next try after a failure,
// growing exponentially with jitter up to a cap, so that something that is down does not
// cost a metered link a reconnect every few seconds, and a fleet that fails together does
// not come back in the same instant. Which failures are worth a retry is the caller's
// rule (fleet/retry_policy.h for calls).
#ifndef CELLFLEET_BASE_BACKOFF_H_
#define CELLFLEET_BASE_BACKOFF_H_

#include "absl/random/random.h"
#include "absl/time/time.h"

namespace cellfleet::base {

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

}  // namespace cellfleet::base

#endif  // CELLFLEET_BASE_BACKOFF_H_
