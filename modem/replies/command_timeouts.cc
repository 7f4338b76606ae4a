#include "modem/replies/command_timeouts.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

namespace cellfleet::modem {
namespace {

struct TimeoutEntry {
  absl::string_view prefix;  // upper case; longest match wins
  absl::Duration timeout;
};

const TimeoutEntry kTimeouts[] = {
    {"AT+COPS", absl::Seconds(180)},  // read and set: network scan may run
    {"AT+CFUN", absl::Seconds(15)},
    {"AT+CPIN", absl::Seconds(5)},
    {"AT+CLCK", absl::Seconds(5)},
    {"AT+QPOWD", absl::Milliseconds(300)},  // POWERED DOWN URC follows within 60 s
    {"AT+CGATT", absl::Seconds(140)},
    {"AT+CGACT", absl::Seconds(150)},
    {"AT+QCFG", absl::Milliseconds(300)},
    {"AT+QENG", absl::Milliseconds(300)},
    {"AT+QCCID", absl::Milliseconds(300)},
    {"AT+CSQ", absl::Milliseconds(300)},
    {"AT+QCSQ", absl::Milliseconds(300)},
    {"AT+CREG", absl::Milliseconds(300)},
    {"AT+CGREG", absl::Milliseconds(300)},
    {"AT+CEREG", absl::Milliseconds(300)},
    {"AT+CGDCONT", absl::Milliseconds(300)},
    {"ATD", kDialTimeLimit},
    {"ATH", absl::Seconds(90)},
    {"ATA", absl::Seconds(90)},
};

}  // namespace

absl::Duration MaxResponseTime(absl::string_view command) {
  std::string upper = absl::AsciiStrToUpper(command);
  const TimeoutEntry* best = nullptr;
  for (const TimeoutEntry& entry : kTimeouts) {
    if (absl::StartsWith(upper, entry.prefix) &&
        (best == nullptr || entry.prefix.size() > best->prefix.size())) {
      best = &entry;
    }
  }
  return best ? best->timeout : absl::Milliseconds(300);
}

}  // namespace cellfleet::modem
