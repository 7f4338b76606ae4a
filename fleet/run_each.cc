#include "fleet/run_each.h"

#include <algorithm>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "base/clock.h"

namespace cellfleet::fleet {
namespace {

class Run {
 public:
  Run(size_t count, int concurrency, const StartTask& start)
      : count_(count), limit_(static_cast<size_t>(std::max(1, concurrency))), start_(start) {}

  void Wait(const ProgressFn& progress) {
    absl::MutexLock lock(&mu_);
    Launch();
    // Progress is about people waiting: real time, like the calls' own deadlines.
    const absl::Time started = base::Clock::Real().Now();
    bool reported = false;
    while (!mu_.AwaitWithTimeout(absl::Condition(this, &Run::Over),
                                 progress ? absl::Milliseconds(200) : absl::InfiniteDuration())) {
      if (base::Clock::Real().Now() - started < absl::Seconds(1)) continue;
      const size_t so_far = finished_;
      mu_.Unlock();  // the callback prints; the tasks go on meanwhile
      progress(so_far, count_);
      mu_.Lock();
      reported = true;
    }
    if (reported) {
      mu_.Unlock();
      progress(count_, count_);
      mu_.Lock();
    }
  }

 private:
  // Every task finished, and no thread between starting one and taking mu_ back: a task
  // started from another's `done` may finish before that thread returns to mu_, and the
  // run must outlive it.
  bool Over() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return finished_ == count_ && starting_ == 0;
  }

  // Starts tasks while under the limit.
  void Launch() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    while (next_ < count_ && in_flight_ < limit_) {
      const size_t index = next_++;
      ++in_flight_;
      ++starting_;
      // Started without the lock: a task may finish inline, on this thread.
      mu_.Unlock();
      start_(index, [this] {
        absl::MutexLock lock(&mu_);
        --in_flight_;
        ++finished_;
        Launch();
      });
      mu_.Lock();
      --starting_;
    }
  }

  const size_t count_;
  const size_t limit_;
  const StartTask& start_;
  absl::Mutex mu_;
  size_t next_ ABSL_GUARDED_BY(mu_) = 0;
  size_t in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  size_t finished_ ABSL_GUARDED_BY(mu_) = 0;
  size_t starting_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace

void RunEach(size_t count, int concurrency, const ProgressFn& progress, const StartTask& start) {
  Run(count, concurrency, start).Wait(progress);
}

}  // namespace cellfleet::fleet
