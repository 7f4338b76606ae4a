// A USB reset of the modem, as the host does to a device that stopped answering:
// USBDEVFS_RESET on its node in /dev/bus/usb re-enumerates it (its ports vanish and come
// back) without cutting its power.
#ifndef CELLFLEET_MODEM_HARDWARE_USB_RESET_H_
#define CELLFLEET_MODEM_HARDWARE_USB_RESET_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "modem/discovery.h"

namespace cellfleet::modem {

// The /dev/bus/usb/BBB/DDD node of the modem whose interface owns `at_port` (a /dev path
// or a udev link to it), else of the only known modem on USB. NOT_FOUND when no known
// modem is on USB; FAILED_PRECONDITION when several are and none owns the port.
absl::StatusOr<std::string> FindModemUsbNode(const std::string& at_port,
                                             const DiscoveryRoots& roots = {});

// Resets the USB device at `node`; blocks while the kernel re-enumerates it (well under
// a second on a modem). NOT_FOUND: the node is gone; PERMISSION_DENIED: the node is not
// writable for this user (the package's udev rule gives the modem's node to the agent);
// FAILED_PRECONDITION: not a USB device node.
absl::Status ResetUsbDevice(const std::string& node);

}  // namespace cellfleet::modem

#endif  // CELLFLEET_MODEM_HARDWARE_USB_RESET_H_
