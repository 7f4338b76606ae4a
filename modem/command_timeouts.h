// Maximum response times of Quectel EC2x AT commands (EC25 AT Commands Manual).
#ifndef CELLFLEET_MODEM_COMMAND_TIMEOUTS_H_
#define CELLFLEET_MODEM_COMMAND_TIMEOUTS_H_

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace cellfleet::modem {

// The manual's maximum response time for `command` (e.g. "AT+CSQ" 300 ms, "AT+COPS?"
// 180 s); 300 ms, the manual's usual figure, for commands it does not list.
absl::Duration MaxResponseTime(absl::string_view command);

}  // namespace cellfleet::modem

#endif  // CELLFLEET_MODEM_COMMAND_TIMEOUTS_H_
