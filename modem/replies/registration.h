// Parser for +CREG / +CGREG / +CEREG / +C5GREG, solicited (read) and unsolicited forms.
#ifndef CELLFLEET_MODEM_REPLIES_REGISTRATION_H_
#define CELLFLEET_MODEM_REPLIES_REGISTRATION_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace cellfleet::modem {

enum class RegistrationDomain { kCircuit, kGprs, kEps, kFiveG };  // CREG, CGREG, CEREG, C5GREG

struct RegistrationInfo {
  RegistrationDomain domain = RegistrationDomain::kCircuit;
  bool solicited = true;
  std::optional<int> n;  // URC mode; only in the solicited form
  int stat = 4;          // 0 not searching, 1 home, 2 searching, 3 denied, 4 unknown, 5 roaming
  std::optional<uint32_t> lac_or_tac;
  std::optional<uint64_t> cell_id;
  std::optional<int> act;

  // 3GPP TS 27.007 <stat>: 1/5 home/roaming, 9/10 home/roaming with "CSFB not
  // preferred" (data works); 6/7 SMS only, 8 and 11 emergency bearers only.
  bool registered() const { return stat == 1 || stat == 5 || stat == 9 || stat == 10; }
  bool sms_only() const { return stat == 6 || stat == 7; }
  bool emergency_only() const { return stat == 8 || stat == 11; }
};

absl::string_view RegistrationStatText(int stat);
absl::string_view RegistrationPrefix(RegistrationDomain domain);  // "+CREG" ...

// True when `line` starts with one of the four registration prefixes.
bool IsRegistrationLine(absl::string_view line);

// Whether `line` is the read command's reply (`+CEREG: <n>,<stat>[,...]`) rather than the
// URC a modem may print just before it (`+CEREG: <stat>[,"<tac>","<ci>",<act>]`): the
// reply's second field is the bare number <stat>, the URC's is absent, empty or a quoted
// hex area code (ModemManager keeps separate solicited and unsolicited patterns, too).
bool IsRegistrationReadReply(absl::string_view line);

// `solicited` says whether the line answers a read command (leading <n>) or is a URC.
absl::StatusOr<RegistrationInfo> ParseRegistration(absl::string_view line, bool solicited);

}  // namespace cellfleet::modem

#endif  // CELLFLEET_MODEM_REPLIES_REGISTRATION_H_
