#include "modem/operator_command.h"

#include "modem/replies/registration.h"

namespace cellfleet::modem {

AtCommand OperatorCommand(const CommandLine& line, std::optional<absl::Duration> timeout) {
  AtCommand command = AtCommand::Bare(line.text);
  if (const std::string prefix = line.ReplyPrefix(); !prefix.empty()) {
    command.response_prefixes = {prefix};
    if (prefix == "+CREG:" || prefix == "+CGREG:" || prefix == "+CEREG:") {
      command.is_reply = [](absl::string_view l) { return IsRegistrationReadReply(l); };
    }
  }
  if (timeout) {
    command.timeout = timeout;
  } else if (line.chained()) {  // the channel's own rule knows the first command only
    command.timeout = line.MaxResponseTime() + absl::Seconds(1);
  }
  return command;
}

}  // namespace cellfleet::modem
