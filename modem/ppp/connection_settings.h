// What the PPP data connection dials with, validated before anything is rendered.
#ifndef CELLFLEET_MODEM_PPP_CONNECTION_SETTINGS_H_
#define CELLFLEET_MODEM_PPP_CONNECTION_SETTINGS_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace cellfleet::modem::ppp {

enum class PdpType { kIp, kIpv6, kIpv4v6 };
enum class Auth { kNone, kPap, kChap };

struct ConnectionSettings {
  std::string apn;  // empty: the network's default APN
  PdpType pdp_type = PdpType::kIp;
  std::string username;
  std::string password;
  Auth auth = Auth::kNone;
  std::string dial_string = "*99#";  // LTE packet data; never the CDMA "#777"
  std::string modem_port = "/dev/ttyUSB3";
  int baud = 115200;
  bool default_route = true;  // default route via the ppp interface
  bool use_peer_dns = true;   // pppd writes the peer's DNS to /etc/ppp/resolv.conf
  int lcp_echo_interval_s = 30;
  int lcp_echo_failure = 4;  // dead link noticed after interval * failure seconds
  absl::Duration chat_timeout = absl::Seconds(30);
};

absl::string_view PdpTypeName(PdpType type);  // "IP", "IPV6", "IPV4V6"

// The PDP context a dial string activates: 1 for "*99#" (the modem's default), N for
// "*99***N#" with N in 1..16 (the EC2x's AT+CGDCONT range); nothing for anything else.
// The connect script defines the APN in that same context.
std::optional<int> DialContextId(absl::string_view dial_string);

// INVALID_ARGUMENT naming the field for anything that is not a valid LTE setting or
// could smuggle text into pppd's options or chat's script: the APN must follow 3GPP
// TS 23.003 (dot-separated labels of letters, digits and hyphens, 63 octets a label,
// 100 in all); credentials are printable without blanks, quotes or backslashes.
absl::Status Validate(const ConnectionSettings& settings);

}  // namespace cellfleet::modem::ppp

#endif  // CELLFLEET_MODEM_PPP_CONNECTION_SETTINGS_H_
