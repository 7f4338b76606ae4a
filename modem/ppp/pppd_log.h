// Reads pppd's log lines (nodetach, to stderr / syslog) into link facts.
// Formats from pppd 2.4.9 ipcp.c, auth.c, tty.c and main.c (AT_FACTS.md 4.4).
#ifndef CELLFLEET_MODEM_PPP_PPPD_LOG_H_
#define CELLFLEET_MODEM_PPP_PPPD_LOG_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace cellfleet::modem::ppp {

struct PppdLinkFacts {
  std::optional<std::string> interface_name;  // "Using interface ppp0"
  std::optional<std::string> local_address;   // "local  IP address a.b.c.d"
  std::optional<std::string> remote_address;  // "remote IP address a.b.c.d"
  // The peer sent no address and pppd made one up (10.64.64.64 + unit): typical on LTE.
  bool remote_is_placeholder = false;
  std::vector<std::string> dns_servers;      // primary, secondary
  std::optional<int> connect_script_status;  // chat's exit status
  bool connect_script_failed = false;
  bool serial_connection_established = false;
  // "PAP authentication failed" / "CHAP authentication failed": the peer refused us.
  bool auth_rejected_by_peer = false;
  std::string auth_rejection;
  // "LCP terminated by peer": the network ended the session. pppd may then still see the
  // line drop ("Modem hangup", exit 16) or exit 0; either way this is why.
  bool terminated_by_peer = false;
  std::string last_problem;  // the last line that explains a failure
  // "Sent N bytes, received M bytes.": pppd's totals as the session ended (pppd 2.4.9
  // prints them as 32-bit counts, so they wrap at 4 GiB).
  std::optional<uint64_t> bytes_sent;
  std::optional<uint64_t> bytes_received;

  bool ip_up() const { return local_address.has_value(); }
};

class PppdLogParser {
 public:
  void Feed(absl::string_view line);
  const PppdLinkFacts& facts() const { return facts_; }

 private:
  PppdLinkFacts facts_;
};

}  // namespace cellfleet::modem::ppp

#endif  // CELLFLEET_MODEM_PPP_PPPD_LOG_H_
