// Time as the code sees it: the real clock in production, a simulated one in tests so
// that a 30 s confirm window or a 5 s redial backoff takes no real time.
#ifndef CELLFLEET_BASE_CLOCK_H_
#define CELLFLEET_BASE_CLOCK_H_

#include <atomic>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace cellfleet::base {

// Told when a simulated clock moves, so that a waiter re-checks what is due.
class ClockObserver {
 public:
  virtual void OnClockAdvanced() = 0;

 protected:
  ~ClockObserver() = default;
};

class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
  // Real clocks pass time by themselves: a waiter may sleep until a deadline. A
  // simulated one only moves when told, and then tells its observers.
  virtual bool IsSimulated() const { return false; }
  virtual void AddObserver(ClockObserver*) {}
  virtual void RemoveObserver(ClockObserver*) {}

  static Clock& Real();
};

class SimulatedClock final : public Clock {
 public:
  explicit SimulatedClock(absl::Time start = absl::FromUnixSeconds(1'800'000'000))
      : now_nanos_(absl::ToUnixNanos(start)) {}

  absl::Time Now() const override { return absl::FromUnixNanos(now_nanos_.load()); }
  bool IsSimulated() const override { return true; }
  void AddObserver(ClockObserver* observer) override;
  void RemoveObserver(ClockObserver* observer) override;

  void Advance(absl::Duration by);

 private:
  std::atomic<int64_t> now_nanos_;
  absl::Mutex mu_;
  // Observers are told under mu_ (the one callback under a lock): RemoveObserver must
  // not return while one is being told, or it could be told after it is destroyed.
  // OnClockAdvanced only nudges the observer's own lock, never this clock.
  std::vector<ClockObserver*> observers_ ABSL_GUARDED_BY(mu_);
};

}  // namespace cellfleet::base

#endif  // CELLFLEET_BASE_CLOCK_H_
