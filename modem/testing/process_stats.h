// Test-only: what the kernel says about a process's memory.
#ifndef CELLFLEET_MODEM_TESTING_PROCESS_STATS_H_
#define CELLFLEET_MODEM_TESTING_PROCESS_STATS_H_

#include <sys/types.h>
#include <unistd.h>

namespace cellfleet::testing {

// VmRSS of `pid` in KiB (from /proc/<pid>/status), or -1 if it cannot be read.
long ResidentKib(pid_t pid = ::getpid());

}  // namespace cellfleet::testing

#endif  // CELLFLEET_MODEM_TESTING_PROCESS_STATS_H_
