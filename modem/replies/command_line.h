// What the text of an AT command line says about itself, for running an operator's
// command through the agent: well formed or not, which commands it chains, whether each
// only reads, and which no policy may allow or take the modem away. Pure: no I/O.
#ifndef CELLFLEET_MODEM_REPLIES_COMMAND_LINE_H_
#define CELLFLEET_MODEM_REPLIES_COMMAND_LINE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace cellfleet::modem {

// cellfleet's limit, not the modem's: every query and setting an operator needs fits.
inline constexpr size_t kMaxCommandLineBytes = 256;

// One command of a line, e.g. `+QENG="neighbourcell"` of `AT+QENG="neighbourcell"`.
struct CommandPart {
  std::string text;               // as given, without "AT" or ';'
  std::string name;               // upper case: "+QENG", "+CFUN", "I", "&F", "S7", "D"
  bool query = false;             // only reads (a `?` or `=?` form, or a known read)
  bool takes_modem_away = false;  // reboot, radio off, power down
  std::string forbidden;          // why no policy may allow it; empty if none may refuse
  // Why only a pattern naming this command allows it (AT+CRSM=*), never a broad one
  // (AT+C*, AT*): it can strand a remote modem or SIM. Empty for most commands.
  std::string hazard;

  // "AT" + text: what a policy pattern is matched against.
  std::string AsCommand() const { return "AT" + text; }
};

struct CommandLine {
  std::string text;                // as given, without surrounding blanks
  std::vector<CommandPart> parts;  // in order; more than one when chained

  bool chained() const { return parts.size() > 1; }
  bool query() const;             // every part only reads
  bool takes_modem_away() const;  // any part does
  // The first part's reason, else empty.
  std::string forbidden() const;
  // The reply prefix when it is one extended command ("+QENG:"), else empty.
  std::string ReplyPrefix() const;
  // The parts' maximum response times (command_timeouts.h) added up.
  absl::Duration MaxResponseTime() const;
};

// INVALID_ARGUMENT, saying what and where, for an empty line, one longer than
// kMaxCommandLineBytes, one not starting with "AT", a byte that is not printable ASCII
// (control characters included: a CR would end the command early), an unterminated
// string, or an empty command between ';'.
absl::StatusOr<CommandLine> ParseCommandLine(absl::string_view text);

// `line` with every byte outside printable ASCII written as \xNN; `escaped` counts them.
std::string EscapeNonText(absl::string_view line, size_t* escaped = nullptr);

}  // namespace cellfleet::modem

#endif  // CELLFLEET_MODEM_REPLIES_COMMAND_LINE_H_
