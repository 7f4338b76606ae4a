// Parser for `+CGDCONT: <cid>,"<PDP_type>","<APN>",...` (AT+CGDCONT?).
#ifndef CELLFLEET_MODEM_REPLIES_PDP_CONTEXT_H_
#define CELLFLEET_MODEM_REPLIES_PDP_CONTEXT_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace cellfleet::modem {

struct PdpContext {
  int cid = 0;
  std::string pdp_type;  // "IP", "IPV6", "IPV4V6", "IMS" ...
  std::string apn;
  std::string address;
};

absl::StatusOr<PdpContext> ParseCgdcont(absl::string_view line);

}  // namespace cellfleet::modem

#endif  // CELLFLEET_MODEM_REPLIES_PDP_CONTEXT_H_
