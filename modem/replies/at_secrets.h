// Secrets an AT command line can carry (a PIN, a PUK, an APN's password, an APDU), masked
// wherever the line is written down: the audit log, its refusals, its replies.
#ifndef CELLFLEET_MODEM_REPLIES_AT_SECRETS_H_
#define CELLFLEET_MODEM_REPLIES_AT_SECRETS_H_

#include <string>

#include "absl/strings/string_view.h"

namespace cellfleet::modem {

// `text` with the secret parameters of every command in it written as ***: AT+CPIN's
// PINs, AT+CLCK's and AT+CPWD's passwords, AT+CGAUTH's and AT+QICSGP's passwords,
// AT+CSIM's APDU and AT+CRSM's data. Works on a bare command line, on a sentence that
// quotes one, and on a protobuf text rendering (strings quoted as \"...\"). Idempotent.
std::string MaskAtSecrets(absl::string_view text);

}  // namespace cellfleet::modem

#endif  // CELLFLEET_MODEM_REPLIES_AT_SECRETS_H_
