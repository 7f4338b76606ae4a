// SIGINT and SIGTERM end a cellfleet program cleanly: blocked in every thread (make one
// of these before any thread starts, so threads inherit the mask) and taken by Wait(),
// so no handler runs on a random thread. Children started by base::Spawn get default
// handling back.
#ifndef CELLFLEET_BASE_STOP_SIGNALS_H_
#define CELLFLEET_BASE_STOP_SIGNALS_H_

#include <signal.h>

#include "absl/time/time.h"

namespace cellfleet::base {

class StopSignals {
 public:
  StopSignals();
  // Blocks until SIGINT or SIGTERM arrives; returns which.
  int Wait() const;
  // The same, for at most `timeout`: 0 when none came.
  int WaitFor(absl::Duration timeout) const;

 private:
  sigset_t signals_;
};

}  // namespace cellfleet::base

#endif  // CELLFLEET_BASE_STOP_SIGNALS_H_
