// Finds Quectel modems in sysfs by USB vendor/product and maps USB interface numbers to
// ttyUSB nodes, so the agent keeps the right port when ttyUSB numbers change.
#ifndef CELLFLEET_MODEM_DISCOVERY_H_
#define CELLFLEET_MODEM_DISCOVERY_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace cellfleet::modem {

struct DiscoveredPort {
  int interface_number = -1;
  std::string tty;          // "ttyUSB2"
  std::string device_path;  // "/dev/ttyUSB2"
  std::string dev_numbers;  // "188:2"
  // Whether udev marked it for ModemManager to leave alone (ID_MM_DEVICE_IGNORE /
  // ID_MM_PORT_IGNORE); nullopt when the udev database has no entry.
  std::optional<bool> modemmanager_ignored;
};

struct DiscoveredModem {
  std::string usb_path;    // sysfs name of the USB device, e.g. "1-1.2": stable per socket
  std::string vendor_id;   // "2c7c"
  std::string product_id;  // "0125"
  std::string model;       // from the table of known ids, e.g. "EC25/EC20 R2.0/EM05"
  std::string serial;      // USB iSerial, if any
  std::vector<DiscoveredPort> ports;
  std::optional<DiscoveredPort> at_port;     // interface 2 on EC25 (ttyUSB2)
  std::optional<DiscoveredPort> modem_port;  // interface 3 on EC25 (ttyUSB3), for PPP
};

struct DiscoveryRoots {
  std::string sysfs = "/sys";
  std::string udev_data = "/run/udev/data";
  std::string proc = "/proc";
  std::string dev = "/dev";
};

// Every known Quectel modem, ordered by USB path. An empty list is not an error.
absl::StatusOr<std::vector<DiscoveredModem>> DiscoverModems(const DiscoveryRoots& roots = {});

// A known modem's USB device as sysfs shows it, ports enumerated or not: what the doctor
// checks when no port answers (no driver bound, a different USB composition).
struct UsbInterface {
  int number = -1;
  std::string driver;             // the bound driver ("option", "qmi_wwan"); empty: none
  std::vector<std::string> ttys;  // usb-serial ports under it: "ttyUSB2"
};

struct UsbModem {
  std::string usb_path;  // "1-1.2"
  std::string vendor_id;
  std::string product_id;
  std::string model;
  int busnum = -1;  // its node is /dev/bus/usb/<busnum>/<devnum> (3 digits each)
  int devnum = -1;
  int at_interface = -1;
  int modem_interface = -1;              // -1: none; PPP then uses the AT port
  std::vector<UsbInterface> interfaces;  // by number
};

// Every USB device with a known modem id under <sysfs>/bus/usb/devices, by USB path.
// An empty list is not an error.
std::vector<UsbModem> FindUsbModems(const DiscoveryRoots& roots = {});

// True when a ModemManager process runs (it probes every tty not marked ignored).
bool ModemManagerRunning(const DiscoveryRoots& roots = {});

// Lines warning about ports ModemManager would probe while it runs; empty when none.
std::vector<std::string> ModemManagerConflicts(const std::vector<DiscoveredModem>& modems,
                                               const DiscoveryRoots& roots = {});

}  // namespace cellfleet::modem

#endif  // CELLFLEET_MODEM_DISCOVERY_H_
