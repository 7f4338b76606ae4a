// Byte counters of a network interface, as the kernel keeps them in sysfs.
#ifndef CELLFLEET_MODEM_PPP_INTERFACE_COUNTERS_H_
#define CELLFLEET_MODEM_PPP_INTERFACE_COUNTERS_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace cellfleet::modem::ppp {

struct InterfaceCounters {
  // The kernel's index of this instance of the interface: a ppp0 made by the next pppd
  // has another, so counters of different sessions are never taken for one.
  int64_t ifindex = 0;
  uint64_t rx_bytes = 0;
  uint64_t tx_bytes = 0;
};

// Reads <sysfs_net>/<interface>/ifindex and statistics/{rx,tx}_bytes. NOT_FOUND when the interface
// is gone, INVALID_ARGUMENT for a name that is not a plain interface name.
absl::StatusOr<InterfaceCounters> ReadInterfaceCounters(
    absl::string_view interface_name, const std::string& sysfs_net = "/sys/class/net");

}  // namespace cellfleet::modem::ppp

#endif  // CELLFLEET_MODEM_PPP_INTERFACE_COUNTERS_H_
