// One thread that runs tasks one at a time, now or at a time on an injectable clock.
// It owns whatever its tasks touch, so that state needs no lock of its own, and it
// sleeps until the next task is due: an idle executor does not wake.
#ifndef CELLFLEET_BASE_SERIAL_EXECUTOR_H_
#define CELLFLEET_BASE_SERIAL_EXECUTOR_H_

#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "base/task_queue.h"

namespace cellfleet::base {

class SerialExecutor final : private ClockObserver {
 public:
  // `name` names the thread (top, gdb). `clock` must outlive the executor.
  explicit SerialExecutor(std::string name, Clock& clock = Clock::Real());
  SerialExecutor(const SerialExecutor&) = delete;
  SerialExecutor& operator=(const SerialExecutor&) = delete;
  ~SerialExecutor();  // Stop()

  Clock& clock() const { return clock_; }

  // After Stop (or while it drains) a posted task is told CANCELLED at once, on the
  // caller's thread.
  TaskId Post(Task task) { return PostAt(absl::InfinitePast(), std::move(task)); }
  TaskId PostAt(absl::Time due, Task task);
  TaskId PostAfter(absl::Duration delay, Task task) {
    return PostAt(clock_.Now() + delay, std::move(task));
  }
  // True when the task had not started; it then never runs (and is not told).
  bool Cancel(TaskId id);

  // Lets a running task finish, tells every queued one CANCELLED (on the executor's
  // thread, in order) and joins. Idempotent; never from one of its own tasks.
  void Stop();

  // Whether the caller runs on the executor's thread.
  bool IsCurrent() const { return std::this_thread::get_id() == thread_.get_id(); }

  // Tests: waits until no task is running or due (advance a simulated clock first).
  // False on timeout.
  bool WaitUntilIdle(absl::Duration timeout);

 private:
  void Loop();
  void OnClockAdvanced() override;

  const std::string name_;
  Clock& clock_;
  mutable absl::Mutex mu_;
  TaskQueue queue_ ABSL_GUARDED_BY(mu_);
  uint64_t queue_changes_ ABSL_GUARDED_BY(mu_) = 0;  // a new task may be due sooner
  uint64_t clock_moves_ ABSL_GUARDED_BY(mu_) = 0;
  bool running_task_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace cellfleet::base

#endif  // CELLFLEET_BASE_SERIAL_EXECUTOR_H_
