// "host:port" and "[ipv6]:port", parsed one way for the agent's --listen and the CLI's
// targets.
#ifndef CELLFLEET_BASE_HOST_PORT_H_
#define CELLFLEET_BASE_HOST_PORT_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace cellfleet::base {

struct HostPort {
  std::string host;  // without brackets
  int port = 0;
  bool loopback = false;  // 127.0.0.0/8, ::1 or "localhost"

  std::string ToString() const;  // "host:port", IPv6 bracketed
};

// INVALID_ARGUMENT naming `what` ("listen address", "target") and the text for anything
// else; the port must be min_port..65535 (0 lets the kernel choose a listening port).
absl::StatusOr<HostPort> ParseHostPort(absl::string_view text, absl::string_view what,
                                       int min_port);

}  // namespace cellfleet::base

#endif  // CELLFLEET_BASE_HOST_PORT_H_
