// Parsers for the signal replies +CSQ and +QCSQ.
#ifndef CELLFLEET_MODEM_REPLIES_SIGNAL_QUALITY_H_
#define CELLFLEET_MODEM_REPLIES_SIGNAL_QUALITY_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace cellfleet::modem {

// `+CSQ: <rssi>,<ber>` (3GPP TS 27.007 8.5 with Quectel's 100..199 extension).
struct CsqReading {
  int rssi_code = 99;
  std::optional<int> rssi_dbm;  // absent for 99 / 199 (unknown)
  std::optional<int> ber_code;  // RXQUAL 0..7; absent for 99 (always on LTE)
};

absl::StatusOr<CsqReading> ParseCsq(absl::string_view line);

// `+QCSQ: <sysmode>[,<v1>...]`: per-RAT metrics.
struct QcsqReading {
  std::string sysmode;  // "NOSERVICE", "GSM", "WCDMA", "LTE", "CAT-M1", "CAT-NB1", "NR5G"
  std::optional<int> rssi_dbm;
  std::optional<int> rsrp_dbm;
  std::optional<int> rsrq_db;
  std::optional<int> rscp_dbm;
  std::optional<int> ecio_db;
  std::optional<int> sinr_raw;
  std::optional<double> sinr_db;
};

absl::StatusOr<QcsqReading> ParseQcsq(absl::string_view line);

}  // namespace cellfleet::modem

#endif  // CELLFLEET_MODEM_REPLIES_SIGNAL_QUALITY_H_
