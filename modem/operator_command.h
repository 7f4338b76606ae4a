// An operator's command line (replies/command_line.h) as the AT channel runs it.
#ifndef CELLFLEET_MODEM_OPERATOR_COMMAND_H_
#define CELLFLEET_MODEM_OPERATOR_COMMAND_H_

#include <optional>

#include "absl/time/time.h"
#include "modem/at_command.h"
#include "modem/replies/command_line.h"

namespace cellfleet::modem {

// The longest an operator's command may take: AT+COPS=?'s maximum response time, the
// longest in Quectel's manual.
inline constexpr absl::Duration kMaxOperatorCommandTime = absl::Seconds(180);

// Every line up to the final result is the reply, except known URCs, which still go to
// their handlers (a URC that shares the reply's prefix, as +CREG does, is told apart by
// its form). Within `timeout`, else the modem's maximum response time for the line (the
// parts' added up) and the channel's margin.
AtCommand OperatorCommand(const CommandLine& line, std::optional<absl::Duration> timeout);

}  // namespace cellfleet::modem

#endif  // CELLFLEET_MODEM_OPERATOR_COMMAND_H_
