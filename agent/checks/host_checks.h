// The doctor's checks of the board around the modem: its USB device, driver and ports
// against the ports the agent uses, ModemManager, and the PPP link's default route and
// DNS. Each judges what was read (sysfs, /proc/net/route, pppd's resolv.conf) and says
// what to do; the reading is the caller's.
#ifndef CELLFLEET_AGENT_CHECKS_HOST_CHECKS_H_
#define CELLFLEET_AGENT_CHECKS_HOST_CHECKS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "cellfleet/v1/agent_service.pb.h"
#include "modem/discovery.h"

namespace cellfleet::agent {

// The tty names ("ttyUSB2") behind the ports the agent uses, symlinks resolved; empty
// when unknown, or a non-USB node ("pts/3": a simulator's pseudo-terminal).
struct PortsInUse {
  std::string at_tty;
  std::string modem_tty;  // PPP's; empty without a link
};

// usb (a known modem present), driver (its serial interfaces bound to `option`) and
// ports (which interface is which; the agent's ports are the AT and modem interfaces).
std::vector<v1::DiagnosticCheck> UsbChecks(const std::vector<modem::UsbModem>& modems,
                                           const PortsInUse& in_use);

// WARN when ModemManager runs and may probe the modem's ports (udev did not mark them).
v1::DiagnosticCheck ModemManagerCheck(bool running, const std::vector<std::string>& conflicts);

// The default route goes via the link's interface (the lowest metric wins). `route` is
// /proc/net/route's text. SKIPPED while the link is not up.
v1::DiagnosticCheck RouteCheck(const v1::ConnectionStatus& link, absl::string_view route);

// pppd wrote the peer's DNS servers (usepeerdns) to its resolv.conf; `resolv_conf` is
// that file's text, nullopt when it does not exist. SKIPPED while the link is not up.
v1::DiagnosticCheck DnsCheck(const v1::ConnectionStatus& link,
                             const std::optional<std::string>& resolv_conf,
                             absl::string_view resolv_conf_path);

}  // namespace cellfleet::agent

#endif  // CELLFLEET_AGENT_CHECKS_HOST_CHECKS_H_
