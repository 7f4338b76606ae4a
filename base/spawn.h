// Starts a program directly (posix_spawn: never a shell) with its standard streams wired
// as asked, an empty signal mask and default dispositions: the agent and the simulator
// block SIGINT/SIGTERM for sigwait, and a child must not inherit that.
#ifndef CELLFLEET_BASE_SPAWN_H_
#define CELLFLEET_BASE_SPAWN_H_

#include <fcntl.h>
#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace cellfleet::base {

class Spawn {
 public:
  explicit Spawn(std::vector<std::string> argv) : argv_(std::move(argv)) {}

  // The child's `child_fd` is the parent's `parent_fd` (applied in the order given).
  Spawn& Dup(int parent_fd, int child_fd);
  // The child's `child_fd` is `path` opened with `flags`.
  Spawn& Open(int child_fd, const std::string& path, int flags = O_RDONLY, mode_t mode = 0644);

  // The child's pid; FAILED_PRECONDITION naming the program when it cannot run.
  absl::StatusOr<pid_t> Start() const;

 private:
  struct Action {
    int child_fd;
    int parent_fd;  // -1: open `path`
    std::string path;
    int flags;
    mode_t mode;
  };
  std::vector<std::string> argv_;
  std::vector<Action> actions_;
};

// Waits up to `timeout` for child `pid` to exit and reaps it: its exit code (-1 when a
// signal ended it), or DEADLINE_EXCEEDED with the child still running.
absl::StatusOr<int> WaitForExit(pid_t pid, absl::Duration timeout);

}  // namespace cellfleet::base

#endif  // CELLFLEET_BASE_SPAWN_H_
