// Parsers for the identity replies: ATI, AT+CGSN, AT+CIMI, AT+QCCID, AT+QGMR / AT+CGMR.
#ifndef CELLFLEET_MODEM_REPLIES_IDENTITY_H_
#define CELLFLEET_MODEM_REPLIES_IDENTITY_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace cellfleet::modem {

struct AtiInfo {
  std::string manufacturer;  // "Quectel"
  std::string model;         // "EC25"
  std::string revision;      // "EC25EFAR06A06M4G"
};

// The information lines of ATI (without echo and final result).
absl::StatusOr<AtiInfo> ParseAti(const std::vector<std::string>& lines);
// AT+CGSN / AT+GSN: a bare 15-digit IMEI (some firmware prefixes "+CGSN: ").
absl::StatusOr<std::string> ParseImei(absl::string_view line);
// AT+CIMI: a bare IMSI of 6..15 digits.
absl::StatusOr<std::string> ParseImsi(absl::string_view line);
// AT+QCCID: `+QCCID: <iccid>`, 18..22 characters, digits and hex letters, kept as printed.
absl::StatusOr<std::string> ParseIccid(absl::string_view line);
// INVALID_ARGUMENT unless 18..22 digits and hex letters (as Quectel prints it).
absl::Status ValidateIccid(absl::string_view iccid);
// AT+QGMR / AT+CGMR / AT+GMR: a bare revision line (optionally "+CGMR: " / "Revision: ").
absl::StatusOr<std::string> ParseRevision(absl::string_view line);

}  // namespace cellfleet::modem

#endif  // CELLFLEET_MODEM_REPLIES_IDENTITY_H_
