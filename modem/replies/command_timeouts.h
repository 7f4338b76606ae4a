// Maximum response times of Quectel EC2x AT commands (EC25 AT Commands Manual).
#ifndef CELLFLEET_MODEM_REPLIES_COMMAND_TIMEOUTS_H_
#define CELLFLEET_MODEM_REPLIES_COMMAND_TIMEOUTS_H_

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace cellfleet::modem {

// The manual's maximum response time for `command` (e.g. "AT+CSQ" 300 ms, "AT+COPS?"
// 180 s); 300 ms, the manual's usual figure, for commands it does not list.
absl::Duration MaxResponseTime(absl::string_view command);

// ATD's maximum response time: how long one dial may take, modem and network
// together. The agent never lets a dial run longer; the CLI waits as long.
inline constexpr absl::Duration kDialTimeLimit = absl::Seconds(90);

}  // namespace cellfleet::modem

#endif  // CELLFLEET_MODEM_REPLIES_COMMAND_TIMEOUTS_H_
