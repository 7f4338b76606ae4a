#include "base/clock.h"

#include <algorithm>

namespace cellfleet::base {
namespace {

class RealClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
};

}  // namespace

Clock& Clock::Real() {
  static RealClock* const clock = new RealClock();  // never destroyed: used until exit
  return *clock;
}

void SimulatedClock::AddObserver(ClockObserver* observer) {
  absl::MutexLock lock(&mu_);
  observers_.push_back(observer);
}

void SimulatedClock::RemoveObserver(ClockObserver* observer) {
  absl::MutexLock lock(&mu_);
  observers_.erase(std::remove(observers_.begin(), observers_.end(), observer), observers_.end());
}

void SimulatedClock::Advance(absl::Duration by) {
  now_nanos_ += absl::ToInt64Nanoseconds(by);
  absl::MutexLock lock(&mu_);
  for (ClockObserver* observer : observers_) observer->OnClockAdvanced();
}

}  // namespace cellfleet::base
