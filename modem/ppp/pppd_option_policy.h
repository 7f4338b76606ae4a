// The closed set of pppd options the agent may write. pppd reads the agent's options
// file as an ordinary user's (the agent runs unprivileged) and refuses privileged options
// there itself; this check is the second wall: whatever a pushed config carries, the
// rendered files hold only these options, so no field can add a `set`, a `pty` command or
// an option that a future pppd may treat differently.
#ifndef CELLFLEET_MODEM_PPP_PPPD_OPTION_POLICY_H_
#define CELLFLEET_MODEM_PPP_PPPD_OPTION_POLICY_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace cellfleet::modem::ppp {

// Splits an options file into words the way pppd's options parser does: blanks separate,
// '#' at a word's start comments out the rest of the line, double or single quotes group,
// a backslash escapes the next character. INVALID_ARGUMENT for an unterminated quote.
absl::StatusOr<std::vector<std::string>> PppdOptionWords(absl::string_view text);

struct OptionPolicy {
  std::string chat_program;  // the only program connect/disconnect may run
  std::string secrets_file;  // the only file the options may include
};

// OK when every word of the options file is an allowed option with its arguments (the
// device path and baud rate included) and the secrets file holds only `user` and
// `password`; INTERNAL naming the first word that is not (it can only be a rendering bug).
absl::Status CheckAgentOptions(absl::string_view options, absl::string_view secrets,
                               const OptionPolicy& policy);

}  // namespace cellfleet::modem::ppp

#endif  // CELLFLEET_MODEM_PPP_PPPD_OPTION_POLICY_H_
