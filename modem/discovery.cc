#include "modem/discovery.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace cellfleet::modem {
namespace {

namespace fs = std::filesystem;

struct KnownModem {
  const char* vendor;
  const char* product;
  const char* model;
  int at_interface;
  int modem_interface;  // -1: none; PPP then uses the AT port
};

// USB ids from Linux option.c and ModemManager's 77-mm-quectel-port-types.rules
// (AT_FACTS.md section 3): if#02 is the primary AT port, if#03 the modem (PPP) port.
constexpr KnownModem kKnownModems[] = {
    {"2c7c", "0121", "EC21", 2, 3},           {"2c7c", "0125", "EC25/EC20 R2.0/EM05", 2, 3},
    {"2c7c", "0128", "EM060K", 5, -1},        {"2c7c", "0191", "EG91", 2, 3},
    {"2c7c", "0195", "EG95", 2, 3},           {"2c7c", "0296", "BG96", 2, 3},
    {"2c7c", "0306", "EP06/EG06/EM06", 2, 3}, {"2c7c", "0512", "EM12/EG12/EG18", 2, 3},
    {"2c7c", "0800", "RM500Q", 2, 3},         {"2c7c", "0801", "RM520N", 2, 3},
    {"05c6", "9003", "UC20", 2, 3},           {"05c6", "9215", "EC20", 2, 3},
};

std::string ReadAttribute(const fs::path& path) {
  std::ifstream in(path);
  std::string value;
  std::getline(in, value);
  return std::string(absl::StripAsciiWhitespace(value));
}

const KnownModem* Lookup(const std::string& vendor, const std::string& product) {
  for (const KnownModem& known : kKnownModems) {
    if (absl::EqualsIgnoreCase(vendor, known.vendor) &&
        absl::EqualsIgnoreCase(product, known.product)) {
      return &known;
    }
  }
  return nullptr;
}

std::optional<bool> UdevIgnored(const DiscoveryRoots& roots, const std::string& dev_numbers) {
  std::ifstream in(fs::path(roots.udev_data) / absl::StrCat("c", dev_numbers));
  if (!in) return std::nullopt;
  std::string line;
  bool ignored = false;
  while (std::getline(in, line)) {
    if (line == "E:ID_MM_DEVICE_IGNORE=1" || line == "E:ID_MM_PORT_IGNORE=1") ignored = true;
  }
  return ignored;
}

}  // namespace

absl::StatusOr<std::vector<DiscoveredModem>> DiscoverModems(const DiscoveryRoots& roots) {
  const fs::path tty_class = fs::path(roots.sysfs) / "class" / "tty";
  std::error_code ec;
  std::vector<DiscoveredModem> modems;
  if (!fs::exists(tty_class, ec)) return modems;  // no tty class (container): nothing to find
  fs::directory_iterator entries(tty_class, ec);
  if (ec)
    return absl::UnavailableError(
        absl::StrCat("cannot list ", tty_class.string(), ": ", ec.message()));
  for (const fs::directory_entry& entry : entries) {
    const std::string tty = entry.path().filename().string();
    if (!absl::StartsWith(tty, "ttyUSB")) continue;
    // class/tty/ttyUSBn/device -> the usb-serial port; its parent is the USB interface,
    // whose parent is the USB device.
    const fs::path port = fs::canonical(entry.path() / "device", ec);
    if (ec) continue;
    const fs::path interface = port.parent_path();
    const fs::path device = interface.parent_path();
    const std::string vendor = ReadAttribute(device / "idVendor");
    const std::string product = ReadAttribute(device / "idProduct");
    const KnownModem* known = Lookup(vendor, product);
    if (known == nullptr) continue;
    int interface_number = -1;
    if (!absl::SimpleHexAtoi(ReadAttribute(interface / "bInterfaceNumber"), &interface_number))
      continue;

    DiscoveredPort found;
    found.interface_number = interface_number;
    found.tty = tty;
    found.device_path = (fs::path(roots.dev) / tty).string();
    found.dev_numbers = ReadAttribute(entry.path() / "dev");
    if (!found.dev_numbers.empty())
      found.modemmanager_ignored = UdevIgnored(roots, found.dev_numbers);

    const std::string usb_path = device.filename().string();
    auto it = std::find_if(modems.begin(), modems.end(),
                           [&](const DiscoveredModem& m) { return m.usb_path == usb_path; });
    if (it == modems.end()) {
      DiscoveredModem modem;
      modem.usb_path = usb_path;
      modem.vendor_id = absl::AsciiStrToLower(vendor);
      modem.product_id = absl::AsciiStrToLower(product);
      modem.model = known->model;
      modem.serial = ReadAttribute(device / "serial");
      modems.push_back(std::move(modem));
      it = modems.end() - 1;
    }
    if (interface_number == known->at_interface) it->at_port = found;
    if (interface_number == known->modem_interface) it->modem_port = found;
    it->ports.push_back(std::move(found));
  }
  for (DiscoveredModem& modem : modems) {
    std::sort(modem.ports.begin(), modem.ports.end(),
              [](const DiscoveredPort& a, const DiscoveredPort& b) {
                return a.interface_number < b.interface_number;
              });
  }
  std::sort(modems.begin(), modems.end(), [](const DiscoveredModem& a, const DiscoveredModem& b) {
    return a.usb_path < b.usb_path;
  });
  return modems;
}

std::vector<UsbModem> FindUsbModems(const DiscoveryRoots& roots) {
  std::vector<UsbModem> modems;
  std::error_code ec;
  for (const fs::directory_entry& entry :
       fs::directory_iterator(fs::path(roots.sysfs) / "bus" / "usb" / "devices", ec)) {
    const std::string name = entry.path().filename().string();
    if (absl::StrContains(name, ':')) continue;  // an interface, not a device
    const KnownModem* known =
        Lookup(ReadAttribute(entry.path() / "idVendor"), ReadAttribute(entry.path() / "idProduct"));
    if (known == nullptr) continue;
    UsbModem modem;
    modem.usb_path = name;
    modem.vendor_id = known->vendor;
    modem.product_id = known->product;
    modem.model = known->model;
    modem.at_interface = known->at_interface;
    modem.modem_interface = known->modem_interface;
    if (!absl::SimpleAtoi(ReadAttribute(entry.path() / "busnum"), &modem.busnum)) modem.busnum = -1;
    if (!absl::SimpleAtoi(ReadAttribute(entry.path() / "devnum"), &modem.devnum)) modem.devnum = -1;
    std::error_code list_ec;
    for (const fs::directory_entry& child : fs::directory_iterator(entry.path(), list_ec)) {
      const std::string child_name = child.path().filename().string();
      if (!absl::StartsWith(child_name, name + ":")) continue;
      UsbInterface interface;
      if (!absl::SimpleHexAtoi(ReadAttribute(child.path() / "bInterfaceNumber"), &interface.number))
        continue;
      std::error_code link_ec;
      const fs::path driver = fs::read_symlink(child.path() / "driver", link_ec);
      if (!link_ec) interface.driver = driver.filename().string();
      std::error_code tty_ec;
      for (const fs::directory_entry& port : fs::directory_iterator(child.path(), tty_ec)) {
        const std::string port_name = port.path().filename().string();
        if (absl::StartsWith(port_name, "ttyUSB")) interface.ttys.push_back(port_name);
      }
      std::sort(interface.ttys.begin(), interface.ttys.end());
      modem.interfaces.push_back(std::move(interface));
    }
    std::sort(modem.interfaces.begin(), modem.interfaces.end(),
              [](const UsbInterface& a, const UsbInterface& b) { return a.number < b.number; });
    modems.push_back(std::move(modem));
  }
  std::sort(modems.begin(), modems.end(),
            [](const UsbModem& a, const UsbModem& b) { return a.usb_path < b.usb_path; });
  return modems;
}

bool ModemManagerRunning(const DiscoveryRoots& roots) {
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(roots.proc, ec)) {
    const std::string pid = entry.path().filename().string();
    if (pid.empty() || !absl::ascii_isdigit(pid[0])) continue;
    if (ReadAttribute(entry.path() / "comm") == "ModemManager") return true;
  }
  return false;
}

std::vector<std::string> ModemManagerConflicts(const std::vector<DiscoveredModem>& modems,
                                               const DiscoveryRoots& roots) {
  std::vector<std::string> conflicts;
  if (!ModemManagerRunning(roots)) return conflicts;
  for (const DiscoveredModem& modem : modems) {
    for (const std::optional<DiscoveredPort>& port : {modem.at_port, modem.modem_port}) {
      if (!port || port->modemmanager_ignored.value_or(false)) continue;
      conflicts.push_back(absl::StrCat(
          "ModemManager is running and may probe ", port->device_path, " (", modem.model,
          " at USB ", modem.usb_path,
          "); install cellfleet's udev rules (ID_MM_DEVICE_IGNORE) or stop ModemManager"));
    }
  }
  return conflicts;
}

}  // namespace cellfleet::modem
