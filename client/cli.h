// The whole CLI as a library call, so tests run it in-process.
#ifndef CELLFLEET_CLIENT_CLI_H_
#define CELLFLEET_CLIENT_CLI_H_

#include <iosfwd>
#include <string>
#include <vector>

#include "absl/synchronization/notification.h"

namespace cellfleet::client {

// Exit codes (documented in docs/commands.md and cellfleet(1)).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed =
    1;  // a board failed or was unreachable; a pasted reply was malformed
inline constexpr int kExitUsage = 2;  // bad flags, targets, inventory or input

// Set by main() on SIGINT/SIGTERM; long-running commands (watch) end when notified.
using CancelSignal = absl::Notification;

int Run(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
        std::ostream& err, const CancelSignal& cancel);

}  // namespace cellfleet::client

#endif  // CELLFLEET_CLIENT_CLI_H_
