#include "agent/checks/host_checks.h"

#include <algorithm>
#include <cstdint>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "agent/checks/layer_checks.h"

namespace cellfleet::agent {
namespace {

// What each interface of a modem with the EC25's layout is for (AT_FACTS.md section 3).
std::string Role(const modem::UsbModem& modem, int number) {
  if (number == modem.at_interface) return "AT";
  if (number == modem.modem_interface) return "modem/PPP";
  if (modem.at_interface == 2 && number == 0) return "diagnostics";
  if (modem.at_interface == 2 && number == 1) return "NMEA";
  return "other";
}

const modem::UsbInterface* FindInterface(const modem::UsbModem& modem, int number) {
  for (const modem::UsbInterface& interface : modem.interfaces) {
    if (interface.number == number) return &interface;
  }
  return nullptr;
}

// Which interface carries `tty`; -1 when none of this modem's does.
int InterfaceOf(const modem::UsbModem& modem, const std::string& tty) {
  for (const modem::UsbInterface& interface : modem.interfaces) {
    if (std::find(interface.ttys.begin(), interface.ttys.end(), tty) != interface.ttys.end())
      return interface.number;
  }
  return -1;
}

std::string Ids(const modem::UsbModem& modem) {
  return absl::StrCat(modem.vendor_id, ":", modem.product_id);
}

v1::DiagnosticCheck DriverCheck(const modem::UsbModem& modem) {
  std::vector<std::string> bound, problems;
  for (int number : {modem.at_interface, modem.modem_interface}) {
    if (number < 0) continue;
    const modem::UsbInterface* interface = FindInterface(modem, number);
    const std::string which = absl::StrCat("interface ", number, " (", Role(modem, number), ")");
    if (interface == nullptr) {
      problems.push_back(absl::StrCat(which,
                                      " is missing: the modem runs another USB "
                                      "composition (AT+QCFG=\"usbnet\")"));
    } else if (interface->driver.empty()) {
      problems.push_back(absl::StrCat(which,
                                      " has no driver: load the option driver "
                                      "(modprobe option; kernel USB_SERIAL_OPTION)"));
    } else if (interface->driver != "option" && interface->driver != "usb_wwan") {
      problems.push_back(absl::StrCat(which, " is bound to ", interface->driver,
                                      ", not option: its tty may not carry AT commands"));
    } else {
      bound.push_back(which);
    }
  }
  if (!problems.empty()) return Fail("driver", absl::StrJoin(problems, "; "));
  return Pass("driver", absl::StrCat(absl::StrJoin(bound, " and "), " bound to option"));
}

// The agent's `tty` must be the one on interface `wanted` of `modem`.
std::optional<std::string> PortMismatch(const modem::UsbModem& modem, const std::string& tty,
                                        int wanted, const char* setting) {
  if (wanted < 0 || tty.empty()) return std::nullopt;
  const modem::UsbInterface* interface = FindInterface(modem, wanted);
  if (interface == nullptr || interface->ttys.empty()) return std::nullopt;  // see driver
  const int actual = InterfaceOf(modem, tty);
  if (actual == wanted) return std::nullopt;
  const std::string is = actual < 0
                             ? std::string("not one of this modem's ports")
                             : absl::StrCat("interface ", actual, " (", Role(modem, actual), ")");
  return absl::StrCat("the agent's ", setting, " is ", tty, ", which is ", is, "; the ",
                      Role(modem, wanted), " interface is ", interface->ttys.front(), ": set ",
                      setting, " to /dev/", interface->ttys.front(),
                      " or its udev name (deploy/udev)");
}

v1::DiagnosticCheck PortsCheck(const modem::UsbModem& modem, const PortsInUse& in_use) {
  std::vector<std::string> listing;
  for (const modem::UsbInterface& interface : modem.interfaces) {
    for (const std::string& tty : interface.ttys) {
      listing.push_back(absl::StrCat("if#", interface.number, " ", tty, " (",
                                     Role(modem, interface.number), ")"));
    }
  }
  if (listing.empty()) return Fail("ports", "no ttyUSB ports enumerated (see driver)");
  std::vector<std::string> mismatches;
  for (const std::optional<std::string>& mismatch :
       {PortMismatch(modem, in_use.at_tty, modem.at_interface, "at_port"),
        PortMismatch(modem, in_use.modem_tty,
                     modem.modem_interface >= 0 ? modem.modem_interface : modem.at_interface,
                     "connection's modem_port")}) {
    if (mismatch) mismatches.push_back(*mismatch);
  }
  const std::string ports = absl::StrJoin(listing, ", ");
  if (!mismatches.empty())
    return Fail("ports", absl::StrCat(ports, "; ", absl::StrJoin(mismatches, "; ")));
  return Pass("ports", ports);
}

}  // namespace

std::vector<v1::DiagnosticCheck> UsbChecks(const std::vector<modem::UsbModem>& modems,
                                           const PortsInUse& in_use) {
  if (modems.empty()) {
    if (!in_use.at_tty.empty() && !absl::StartsWith(in_use.at_tty, "ttyUSB")) {
      const std::string because =
          absl::StrCat("the AT port is ", in_use.at_tty,
                       ", not a USB serial port (a simulator's pseudo-terminal?)");
      return {Skipped("usb", because), Skipped("driver", because), Skipped("ports", because)};
    }
    const std::string none = "no modem on USB (see usb)";
    return {Fail("usb",
                 "no known modem on USB (an EC25 is 2c7c:0125 in lsusb): check its "
                 "power and USB cable; a modem switched to another USB composition "
                 "shows another product id"),
            Skipped("driver", none), Skipped("ports", none)};
  }
  const modem::UsbModem* ours = &modems.front();
  for (const modem::UsbModem& modem : modems) {
    if (!in_use.at_tty.empty() && InterfaceOf(modem, in_use.at_tty) >= 0) ours = &modem;
  }
  std::string found =
      absl::StrCat("Quectel ", ours->model, " (", Ids(*ours), ") on USB ", ours->usb_path);
  if (modems.size() > 1) absl::StrAppend(&found, "; ", modems.size() - 1, " more known modem(s)");
  return {Pass("usb", std::move(found)), DriverCheck(*ours), PortsCheck(*ours, in_use)};
}

v1::DiagnosticCheck ModemManagerCheck(bool running, const std::vector<std::string>& conflicts) {
  if (!running) return Pass("modemmanager", "not running");
  if (conflicts.empty()) {
    return Pass(
        "modemmanager",
        "running, and udev tells it to leave the modem's ports alone (ID_MM_DEVICE_IGNORE)");
  }
  return Warn("modemmanager", absl::StrJoin(conflicts, "; "));
}

v1::DiagnosticCheck RouteCheck(const v1::ConnectionStatus& link, absl::string_view route) {
  if (link.state() != v1::CONNECTION_STATE_CONNECTED)
    return Skipped("route", "the link is not up (see link)");
  // Iface Destination Gateway Flags RefCnt Use Metric Mask ...; hex, host byte order.
  struct Default {
    std::string interface;
    uint32_t metric = 0;
  };
  std::vector<Default> defaults;
  for (absl::string_view line : absl::StrSplit(route, '\n', absl::SkipEmpty())) {
    std::vector<absl::string_view> f =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    uint32_t metric = 0;
    if (f.size() < 8 || f[1] != "00000000" || f[7] != "00000000") continue;
    if (!absl::SimpleAtoi(f[6], &metric)) continue;
    defaults.push_back({std::string(f[0]), metric});
  }
  std::sort(defaults.begin(), defaults.end(),
            [](const Default& a, const Default& b) { return a.metric < b.metric; });
  const std::string& ppp = link.interface_name();
  if (!defaults.empty() && defaults.front().interface == ppp)
    return Pass("route", absl::StrCat("default route via dev ", ppp));
  const bool has_ppp = std::any_of(defaults.begin(), defaults.end(),
                                   [&](const Default& d) { return d.interface == ppp; });
  if (has_ppp) {
    return Warn(
        "route",
        absl::StrCat("a default route via ", ppp, " exists, but ", defaults.front().interface,
                     "'s has a lower metric: traffic leaves by ", defaults.front().interface));
  }
  return Fail("route", absl::StrCat("no default route via dev ", ppp,
                                    defaults.empty() ? std::string(": none at all")
                                                     : absl::StrCat(": traffic leaves by ",
                                                                    defaults.front().interface),
                                    "; pppd's defaultroute does not replace an existing one "
                                    "(replacedefaultroute does)"));
}

v1::DiagnosticCheck DnsCheck(const v1::ConnectionStatus& link,
                             const std::optional<std::string>& resolv_conf,
                             absl::string_view resolv_conf_path) {
  if (link.state() != v1::CONNECTION_STATE_CONNECTED)
    return Skipped("dns", "the link is not up (see link)");
  if (link.dns_servers().empty())
    return Warn("dns", "the network gave no DNS servers: set them in /etc/resolv.conf yourself");
  if (!resolv_conf) {
    return Fail("dns", absl::StrCat(resolv_conf_path,
                                    " is missing: pppd writes it with usepeerdns (the peers "
                                    "file /etc/ppp/peers/cellfleet has it)"));
  }
  std::vector<std::string> missing;
  for (const std::string& server : link.dns_servers()) {
    bool listed = false;
    for (absl::string_view line : absl::StrSplit(*resolv_conf, '\n', absl::SkipEmpty())) {
      std::vector<absl::string_view> f =
          absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
      if (f.size() >= 2 && f[0] == "nameserver" && f[1] == server) listed = true;
    }
    if (!listed) missing.push_back(server);
  }
  if (!missing.empty()) {
    return Warn("dns",
                absl::StrCat(resolv_conf_path, " lacks the peer's ", absl::StrJoin(missing, " "),
                             ": another pppd wrote it, or usepeerdns is off"));
  }
  return Pass("dns",
              absl::StrCat("pppd wrote the peer's DNS ", absl::StrJoin(link.dns_servers(), " "),
                           " to ", resolv_conf_path));
}

}  // namespace cellfleet::agent
