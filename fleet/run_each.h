// The one fan-out engine: runs an asynchronous task per board, at most `concurrency` at
// once, and returns when every task has said it is done. The unary fan-out (fanout.h)
// and the config rollout (rollout.h) are both tasks on it.
#ifndef CELLFLEET_FLEET_RUN_EACH_H_
#define CELLFLEET_FLEET_RUN_EACH_H_

#include <cstddef>
#include <functional>

namespace cellfleet::fleet {

// Called on the caller's thread about five times a second, once the run has taken a
// second, with the tasks finished so far; and once more at the end.
using ProgressFn = std::function<void(size_t finished, size_t total)>;

// Starts task `index`; the task calls `done` exactly once, from any thread (possibly
// inline, before StartTask returns).
using StartTask = std::function<void(size_t index, std::function<void()> done)>;

void RunEach(size_t count, int concurrency, const ProgressFn& progress, const StartTask& start);

}  // namespace cellfleet::fleet

#endif  // CELLFLEET_FLEET_RUN_EACH_H_
