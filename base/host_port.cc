#include "base/host_port.h"

#include <arpa/inet.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace cellfleet::base {

std::string HostPort::ToString() const {
  if (absl::StrContains(host, ':')) return absl::StrCat("[", host, "]:", port);
  return absl::StrCat(host, ":", port);
}

absl::StatusOr<HostPort> ParseHostPort(absl::string_view text, absl::string_view what,
                                       int min_port) {
  auto invalid = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat(what, " \"", text, "\": ", why));
  };
  absl::string_view host;
  absl::string_view port;
  if (absl::StartsWith(text, "[")) {
    const size_t close = text.find("]:");
    if (close == absl::string_view::npos) return invalid("expected [ipv6]:port");
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const size_t colon = text.rfind(':');
    if (colon == absl::string_view::npos || text.find(':') != colon) {
      return invalid("expected host:port");
    }
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  if (host.empty()) return invalid("empty host");
  for (char c : host) {
    if (!(absl::ascii_isalnum(c) || c == '.' || c == '-' || c == ':' || c == '_')) {
      return invalid(absl::StrCat("invalid character '", std::string(1, c), "' in host"));
    }
  }
  HostPort address;
  if (!absl::SimpleAtoi(port, &address.port) || address.port < min_port || address.port > 65535) {
    return invalid(absl::StrCat("port must be ", min_port, "..65535"));
  }
  address.host = std::string(host);
  in_addr v4{};
  in6_addr v6{};
  if (inet_pton(AF_INET, address.host.c_str(), &v4) == 1) {
    address.loopback = (ntohl(v4.s_addr) >> 24) == 127;
  } else if (inet_pton(AF_INET6, address.host.c_str(), &v6) == 1) {
    address.loopback = IN6_IS_ADDR_LOOPBACK(&v6);
  } else {
    address.loopback = address.host == "localhost";
  }
  return address;
}

}  // namespace cellfleet::base
