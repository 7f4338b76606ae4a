// Test-only: what the kernel says about a process's memory.
#ifndef CELLFLEET_MODEM_TESTING_PROCESS_STATS_H_
#define CELLFLEET_MODEM_TESTING_PROCESS_STATS_H_

#include <sys/types.h>
#include <unistd.h>

namespace cellfleet::testing {

// VmRSS of `pid` in KiB (from /proc/<pid>/status), or -1 if it cannot be read.
long ResidentKib(pid_t pid = ::getpid());
// Memory only this process holds (Private_Clean + Private_Dirty of
// /proc/<pid>/smaps_rollup) in KiB: what each more process costs. -1 if unreadable.
long PrivateKib(pid_t pid);
// User + system CPU seconds `pid` has used (/proc/<pid>/stat), or -1.
double CpuSeconds(pid_t pid);

}  // namespace cellfleet::testing

#endif  // CELLFLEET_MODEM_TESTING_PROCESS_STATS_H_
