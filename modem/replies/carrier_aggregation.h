// Parser for `+QCAINFO: "pcc"|"scc",<earfcn>,<bw_rb>,"<band>",...` (carrier aggregation).
#ifndef CELLFLEET_MODEM_REPLIES_CARRIER_AGGREGATION_H_
#define CELLFLEET_MODEM_REPLIES_CARRIER_AGGREGATION_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace cellfleet::modem {

struct ComponentCarrier {
  bool primary = false;  // "pcc" (any case) vs "scc"
  int earfcn = 0;
  int bandwidth_rb = 0;  // resource blocks: 6/15/25/50/75/100 = 1.4 .. 20 MHz
  std::string band;      // "LTE BAND 7"
  std::optional<int> state;
  std::optional<int> pci;
  std::optional<int> rsrp_dbm;
  std::optional<int> rsrq_db;
  std::optional<int> rssi_dbm;
  std::optional<int> rssnr_db;

  std::optional<double> bandwidth_mhz() const;
};

absl::StatusOr<std::vector<ComponentCarrier>> ParseQcainfo(const std::vector<std::string>& lines);

}  // namespace cellfleet::modem

#endif  // CELLFLEET_MODEM_REPLIES_CARRIER_AGGREGATION_H_
