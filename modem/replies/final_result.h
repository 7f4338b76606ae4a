// Final result codes that end an AT command (V.250, 27.007, Quectel).
#ifndef CELLFLEET_MODEM_REPLIES_FINAL_RESULT_H_
#define CELLFLEET_MODEM_REPLIES_FINAL_RESULT_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace cellfleet::modem {

enum class FinalResultKind {
  kOk,
  kConnect,  // "CONNECT" or "CONNECT <text>" (rate, etc.)
  kError,
  kCmeError,
  kCmsError,
  kNoCarrier,
  kBusy,
  kNoAnswer,
  kNoDialtone,
  kCommandNotSupported,
};

struct FinalResult {
  FinalResultKind kind = FinalResultKind::kOk;
  std::optional<int> code;  // +CME/+CMS numeric code, when printed as a number
  std::string text;         // verbose error text, or CONNECT's text
  std::string line;         // as received

  bool success() const { return kind == FinalResultKind::kOk || kind == FinalResultKind::kConnect; }
};

// Recognises a final result line; nullopt for anything else.
std::optional<FinalResult> ParseFinalResult(absl::string_view line);

// The +CME error code, printed or derived from the verbose text (AT+CMEE=2).
std::optional<int> CmeCode(const FinalResult& result);

// 27.007 / Quectel text for a +CME ERROR code ("SIM not inserted"); "" if unknown.
absl::string_view CmeErrorText(int code);
// The inverse, case-insensitive, for AT+CMEE=2 verbose replies.
std::optional<int> CmeErrorCodeFromText(absl::string_view text);

// A Status for an unsuccessful final result, naming the command and the port. The code
// says what the caller should do: FAILED_PRECONDITION (fix the state: SIM, registration),
// UNIMPLEMENTED (not supported), UNAVAILABLE (busy, retry), ABORTED (call ended).
absl::Status FinalResultStatus(const FinalResult& result, absl::string_view command,
                               absl::string_view port);

}  // namespace cellfleet::modem

#endif  // CELLFLEET_MODEM_REPLIES_FINAL_RESULT_H_
