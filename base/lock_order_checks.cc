#include "base/lock_order_checks.h"

#include "absl/synchronization/mutex.h"

namespace cellfleet::base {

void SkipLockOrderChecks() { absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore); }

}  // namespace cellfleet::base
