// Abseil's lock-order checking, left on by Debian's build, turned off in the programs
// cellfleet ships.
#ifndef CELLFLEET_BASE_LOCK_ORDER_CHECKS_H_
#define CELLFLEET_BASE_LOCK_ORDER_CHECKS_H_

namespace cellfleet::base {

// Debian builds Abseil without NDEBUG, so by default every absl::Mutex acquisition,
// gRPC's own included, is recorded in one process-wide lock-order graph (behind one
// global lock, in memory malloc does not see), and a cycle aborts the process. The
// tests keep that check: they never call this. The programs the packages install (the
// agent, the simulator, the CLI and the collector) should not pay for it on every lock
// of every connection. Call first in main().
void SkipLockOrderChecks();

}  // namespace cellfleet::base

#endif  // CELLFLEET_BASE_LOCK_ORDER_CHECKS_H_
