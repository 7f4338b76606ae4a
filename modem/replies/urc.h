// Recognises unsolicited result codes an EC25 emits (AT_FACTS.md 2.8).
#ifndef CELLFLEET_MODEM_REPLIES_URC_H_
#define CELLFLEET_MODEM_REPLIES_URC_H_

#include "absl/strings/string_view.h"

namespace cellfleet::modem {

// True for lines that are unsolicited unless the command in flight asked for them.
bool IsKnownUrc(absl::string_view line);

}  // namespace cellfleet::modem

#endif  // CELLFLEET_MODEM_REPLIES_URC_H_
