#include "base/serial_executor.h"

#include <optional>
#include <vector>

#include "base/thread_name.h"

namespace cellfleet::base {

SerialExecutor::SerialExecutor(std::string name, Clock& clock)
    : name_(std::move(name)), clock_(clock) {
  clock_.AddObserver(this);
  thread_ = std::thread([this] {
    NameThisThread(name_);
    Loop();
  });
}

SerialExecutor::~SerialExecutor() { Stop(); }

TaskId SerialExecutor::PostAt(absl::Time due, Task task) {
  {
    absl::MutexLock lock(&mu_);
    if (!stopping_) {
      ++queue_changes_;  // unlocking re-evaluates the loop's wait condition
      return queue_.Add(due, std::move(task));
    }
  }
  task(absl::CancelledError(name_ + " has stopped"));
  return 0;
}

bool SerialExecutor::Cancel(TaskId id) {
  absl::MutexLock lock(&mu_);
  return queue_.Cancel(id);
}

void SerialExecutor::OnClockAdvanced() {
  absl::MutexLock lock(&mu_);
  ++clock_moves_;  // the loop re-checks what is due when this lock is released
}

void SerialExecutor::Loop() {
  while (true) {
    std::optional<Task> task;
    std::vector<Task> cancelled;
    {
      absl::MutexLock lock(&mu_);
      const uint64_t changes = queue_changes_;
      const uint64_t moves = clock_moves_;
      auto wake = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return stopping_ || queue_changes_ != changes || clock_moves_ != moves ||
               queue_.NextDue() <= clock_.Now();
      };
      // A real clock's deadline is a real time to sleep until; a simulated clock wakes
      // the loop through OnClockAdvanced.
      const absl::Time deadline = clock_.IsSimulated() ? absl::InfiniteFuture() : queue_.NextDue();
      mu_.AwaitWithDeadline(absl::Condition(&wake), deadline);
      if (stopping_) {
        cancelled = queue_.TakeAll();
      } else {
        task = queue_.PopDue(clock_.Now());
        if (!task) continue;
        running_task_ = true;
      }
    }
    if (!cancelled.empty() || !task) {
      for (Task& queued : cancelled) queued(absl::CancelledError(name_ + " is stopping"));
      absl::MutexLock lock(&mu_);
      if (queue_.empty()) return;  // a task told CANCELLED may have posted another
      continue;
    }
    (*task)(absl::OkStatus());
    task.reset();  // its captures go before the next task runs
    absl::MutexLock lock(&mu_);
    running_task_ = false;
  }
}

void SerialExecutor::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
  clock_.RemoveObserver(this);
}

bool SerialExecutor::WaitUntilIdle(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto idle = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return !running_task_ && queue_.NextDue() > clock_.Now();
  };
  return mu_.AwaitWithTimeout(absl::Condition(&idle), timeout);
}

}  // namespace cellfleet::base
