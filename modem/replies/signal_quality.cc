#include "modem/replies/signal_quality.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "modem/replies/reply_fields.h"

namespace cellfleet::modem {

absl::StatusOr<CsqReading> ParseCsq(absl::string_view line) {
  ASSIGN_OR_RETURN(ReplyFields fields, ReplyFields::Parse(line, "+CSQ:"));
  if (fields.size() != 2) return fields.Error("expected 2 fields");
  ASSIGN_OR_RETURN(int64_t rssi, fields.Int(0, "rssi"));
  ASSIGN_OR_RETURN(int64_t ber, fields.Int(1, "ber"));
  CsqReading reading;
  reading.rssi_code = static_cast<int>(rssi);
  if (rssi >= 0 && rssi <= 31) {
    reading.rssi_dbm = -113 + 2 * static_cast<int>(rssi);
  } else if (rssi >= 100 && rssi <= 191) {
    reading.rssi_dbm = -116 + static_cast<int>(rssi - 100);  // TD-SCDMA extension
  } else if (rssi != 99 && rssi != 199) {
    return fields.Error(absl::StrCat("rssi ", rssi, " is out of range"));
  }
  if (ber >= 0 && ber <= 7) {
    reading.ber_code = static_cast<int>(ber);
  } else if (ber != 99) {
    return fields.Error(absl::StrCat("ber ", ber, " is out of range"));
  }
  return reading;
}

absl::StatusOr<QcsqReading> ParseQcsq(absl::string_view line) {
  ASSIGN_OR_RETURN(ReplyFields fields, ReplyFields::Parse(line, "+QCSQ:"));
  QcsqReading reading;
  ASSIGN_OR_RETURN(reading.sysmode, fields.Text(0, "sysmode"));
  reading.sysmode = absl::AsciiStrToUpper(reading.sysmode);
  auto value = [&](size_t index, absl::string_view name) -> absl::StatusOr<std::optional<int>> {
    ASSIGN_OR_RETURN(std::optional<int64_t> v, fields.OptionalInt(index, name));
    if (!v) return std::optional<int>();
    return std::optional<int>(static_cast<int>(*v));
  };
  // Quectel staff: EG21-G prints LTE/GSM RSSI as a positive magnitude; dBm is negative.
  auto as_dbm = [](std::optional<int> v) -> std::optional<int> {
    if (v && *v > 0) return -*v;
    return v;
  };
  const std::string& mode = reading.sysmode;
  if (mode == "NOSERVICE") return reading;
  if (mode == "GSM") {
    ASSIGN_OR_RETURN(std::optional<int> rssi, value(1, "rssi"));
    reading.rssi_dbm = as_dbm(rssi);
  } else if (mode == "WCDMA") {
    ASSIGN_OR_RETURN(std::optional<int> rssi, value(1, "rssi"));
    reading.rssi_dbm = as_dbm(rssi);
    ASSIGN_OR_RETURN(reading.rscp_dbm, value(2, "rscp"));
    ASSIGN_OR_RETURN(reading.ecio_db, value(3, "ecio"));
  } else if (mode == "LTE" || mode == "CAT-M1" || mode == "CAT-NB1" || mode == "EMTC" ||
             mode == "NBIOT") {
    ASSIGN_OR_RETURN(std::optional<int> rssi, value(1, "rssi"));
    reading.rssi_dbm = as_dbm(rssi);
    ASSIGN_OR_RETURN(reading.rsrp_dbm, value(2, "rsrp"));
    ASSIGN_OR_RETURN(reading.sinr_raw, value(3, "sinr"));
    ASSIGN_OR_RETURN(reading.rsrq_db, value(4, "rsrq"));
  } else if (mode == "NR5G") {
    ASSIGN_OR_RETURN(reading.rsrp_dbm, value(1, "rsrp"));
    ASSIGN_OR_RETURN(reading.sinr_raw, value(2, "sinr"));
    ASSIGN_OR_RETURN(reading.rsrq_db, value(3, "rsrq"));
  } else {
    return fields.Error(absl::StrCat("unknown sysmode \"", mode, "\""));
  }
  // +QCSQ encodes SINR as 0..250 with dB = value / 5 - 20 (unlike +QENG).
  if (reading.sinr_raw) reading.sinr_db = *reading.sinr_raw / 5.0 - 20.0;
  return reading;
}

}  // namespace cellfleet::modem
