// One AT command, the lines it expects back, and its outcome.
#ifndef CELLFLEET_MODEM_AT_COMMAND_H_
#define CELLFLEET_MODEM_AT_COMMAND_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "modem/replies/final_result.h"

namespace cellfleet::modem {

struct AtCommand {
  std::string text;  // without the trailing CR, e.g. "AT+CSQ"
  // Information lines starting with one of these belong to this command (ofono's
  // "prefixes"); anything else is treated as unsolicited.
  std::vector<std::string> response_prefixes;
  // ATI, AT+CGSN, AT+CIMI...: information lines carry no prefix. Known URCs are still
  // routed to URC handlers.
  bool bare_lines = false;
  // Overrides the table in command_timeouts.h.
  std::optional<absl::Duration> timeout;
  // Where a URC shares the reply's prefix (+CREG...): true for the lines that answer this
  // command; the others go to the URC handlers. Unset: every prefixed line answers.
  std::function<bool(absl::string_view line)> is_reply;

  static AtCommand Query(std::string text, std::vector<std::string> prefixes) {
    return AtCommand{std::move(text), std::move(prefixes), false, std::nullopt, nullptr};
  }
  static AtCommand Bare(std::string text) {
    return AtCommand{std::move(text), {}, true, std::nullopt, nullptr};
  }
  static AtCommand Action(std::string text) {
    return AtCommand{std::move(text), {}, false, std::nullopt, nullptr};
  }
};

struct AtResponse {
  std::vector<std::string> lines;  // information lines, without echo and URCs
  FinalResult final;
  absl::Duration elapsed;
};

}  // namespace cellfleet::modem

#endif  // CELLFLEET_MODEM_AT_COMMAND_H_
