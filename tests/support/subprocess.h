// Real child processes for end-to-end tests: spawn without a shell, capture output,
// and never wait without a bound.
#ifndef CELLFLEET_TESTS_SUPPORT_SUBPROCESS_H_
#define CELLFLEET_TESTS_SUPPORT_SUBPROCESS_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace cellfleet::testing {

struct CommandResult {
  int exit_code = -1;  // -1 when killed by a signal
  std::string out;
  std::string err;
  absl::Duration elapsed;
  absl::Duration cpu;    // user + system time of the child
  long peak_rss_kb = 0;  // the child's peak resident memory
};

// Runs argv[0] (a path) with its arguments; kills it (SIGKILL) after `timeout`.
absl::StatusOr<CommandResult> RunCommand(const std::vector<std::string>& argv,
                                         absl::Duration timeout,
                                         const std::string& stdin_text = "");

// A long-running child whose stdout and stderr go to `log_path`.
class Subprocess {
 public:
  static absl::StatusOr<Subprocess> Start(const std::vector<std::string>& argv,
                                          const std::string& log_path);
  Subprocess(Subprocess&& other) noexcept;
  Subprocess& operator=(Subprocess&&) = delete;
  ~Subprocess();  // SIGKILL and reap if still running

  pid_t pid() const { return pid_; }
  void Signal(int signal_number);
  // Waits up to `timeout` for exit; the exit code, or an error if still running.
  absl::StatusOr<int> Wait(absl::Duration timeout);
  // SIGTERM, then SIGKILL after `grace`.
  absl::StatusOr<int> Stop(absl::Duration grace = absl::Seconds(5));

 private:
  explicit Subprocess(pid_t pid) : pid_(pid) {}
  pid_t pid_ = -1;
  bool reaped_ = false;
  int exit_code_ = -1;
};

// Waits until `path` exists and is non-empty; returns its content.
absl::StatusOr<std::string> WaitForFile(const std::string& path, absl::Duration timeout);

// A fresh directory under $TMPDIR (or /tmp), removed by the caller.
std::string MakeTempDir(const std::string& prefix);

}  // namespace cellfleet::testing

#endif  // CELLFLEET_TESTS_SUPPORT_SUBPROCESS_H_
