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

// For what a simulated clock times (a ladder's delays, a redial's backoff): moves `clock`
// on by `step` at a time, each step followed by a moment of real time for the threads
// that follow it to act, until `done()` holds (true) or the clock has moved `limit`
// (false). Minutes of the clock pass in about a second.
template <typename Condition>
bool AdvanceUntil(base::SimulatedClock& clock, Condition done, absl::Duration step,
                  absl::Duration limit, absl::Duration settle = absl::Milliseconds(5)) {
  for (absl::Duration moved; moved < limit; moved += step) {
    if (done()) return true;
    clock.Advance(step);
    absl::SleepFor(settle);
  }
  return done();
}

}  // namespace cellfleet::testing

#endif  // CELLFLEET_MODEM_TESTING_WAIT_FOR_H_
