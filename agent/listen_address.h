// Parsing and vetting of the agent's --listen address.
#ifndef CELLFLEET_AGENT_LISTEN_ADDRESS_H_
#define CELLFLEET_AGENT_LISTEN_ADDRESS_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace cellfleet::agent {

struct ListenAddress {
  std::string host;  // without brackets
  int port = 0;      // 0: let the kernel choose
  bool loopback = false;

  std::string ToGrpcAddress() const;  // "host:port", IPv6 bracketed
};

// Accepts "host:port", "[v6]:port"; port 0..65535.
absl::StatusOr<ListenAddress> ParseListenAddress(absl::string_view text);

}  // namespace cellfleet::agent

#endif  // CELLFLEET_AGENT_LISTEN_ADDRESS_H_
