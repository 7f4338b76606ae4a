// Waiting in tests: re-check a condition until it holds or a deadline passes, never a
// fixed sleep that is either too short on a loaded machine or wasted on a fast one.
#ifndef CELLFLEET_MODEM_TESTING_WAIT_FOR_H_
#define CELLFLEET_MODEM_TESTING_WAIT_FOR_H_

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/clock.h"

namespace cellfleet::testing {

// True as soon as `done()` is; false if it still is not at `timeout`.
template <typename Condition>
bool WaitFor(Condition done, absl::Duration timeout,
             absl::Duration recheck = absl::Milliseconds(20)) {
  const absl::Time deadline = base::Clock::Real().Now() + timeout;
  while (true) {
    if (done()) return true;
    if (base::Clock::Real().Now() >= deadline) return false;
    absl::SleepFor(recheck);
  }
}

}  // namespace cellfleet::testing

#endif  // CELLFLEET_MODEM_TESTING_WAIT_FOR_H_
