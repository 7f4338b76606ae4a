// The ordering rule every executor here shares: tasks run in due-time order, tasks
// due at the same time (or posted "now") in the order they were added; a cancelled
// task never runs; at stop, every task still queued is told CANCELLED. Not
// thread-safe: SerialExecutor and the simulator's event loop each guard one.
#ifndef CELLFLEET_BASE_TASK_QUEUE_H_
#define CELLFLEET_BASE_TASK_QUEUE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/time/time.h"

namespace cellfleet::base {

// A task is called once: with OK when it runs, with CANCELLED when its executor stopped
// first (so that a caller waiting on it hears back).
using Task = absl::AnyInvocable<void(absl::Status)>;
using TaskId = uint64_t;

class TaskQueue {
 public:
  // absl::InfinitePast(): as soon as possible, before every timer.
  TaskId Add(absl::Time due, Task task);
  // True when the task was still queued; it is destroyed without being called.
  bool Cancel(TaskId id);
  // When the first task is due; InfiniteFuture when empty.
  absl::Time NextDue() const;
  // The first task if it is due at `now`.
  std::optional<Task> PopDue(absl::Time now);
  // Every queued task, in order (to be told CANCELLED).
  std::vector<Task> TakeAll();
  bool empty() const { return tasks_.empty(); }
  size_t size() const { return tasks_.size(); }

 private:
  using Key = std::pair<absl::Time, TaskId>;
  std::map<Key, Task> tasks_;
  std::map<TaskId, absl::Time> due_by_id_;
  TaskId next_id_ = 1;
};

}  // namespace cellfleet::base

#endif  // CELLFLEET_BASE_TASK_QUEUE_H_
