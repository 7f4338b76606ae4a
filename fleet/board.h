// A board the CLI talks to: a name, the agent's address, and labels for --select.
#ifndef CELLFLEET_FLEET_BOARD_H_
#define CELLFLEET_FLEET_BOARD_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace cellfleet::fleet {

struct Board {
  std::string name;
  std::string address;  // host:port or [v6]:port; "NAME via GATEWAY" for one behind a gateway
  std::map<std::string, std::string> labels;
  // The gateway's operator address (host:port) a board behind carrier NAT is reached
  // through, by its name; empty: dialed directly at `address`.
  std::string via = "";
};

// "host:port,host:port" -> boards named by their address. Every entry is checked.
absl::StatusOr<std::vector<Board>> ParseTargets(absl::string_view targets);

// "rock-001,rock-002" reached through the gateway at `gateway` (host:port): boards by
// their names, as their certificates name them.
absl::StatusOr<std::vector<Board>> BoardsVia(absl::string_view names, absl::string_view gateway);

// Checks one "host:port" / "[v6]:port".
absl::Status ValidateAddress(absl::string_view address);

// A YAML inventory:
//   boards:
//     - name: rock-001
//       address: 10.8.0.11:50051
//       labels: {region: north, site: depot-3}
//     - name: rock-002            # behind carrier NAT: reached through a gateway
//       via: gw.example:8444
// Errors name the file and line.
absl::StatusOr<std::vector<Board>> LoadInventory(const std::string& path);

// "key=value" selectors; a board matches when it has every one. `name=NAME` matches the
// board's inventory name (unless the inventory gives it a label of that key).
inline constexpr char kNameSelector[] = "name";
absl::StatusOr<std::map<std::string, std::string>> ParseSelectors(
    const std::vector<std::string>& selectors);
std::vector<Board> SelectBoards(const std::vector<Board>& boards,
                                const std::map<std::string, std::string>& selectors);

}  // namespace cellfleet::fleet

#endif  // CELLFLEET_FLEET_BOARD_H_
