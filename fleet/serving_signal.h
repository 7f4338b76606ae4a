// The signal and identity of the cell a modem is served by, read alike for every radio
// technology (LTE, EN-DC, 5G SA, WCDMA, GSM): the collector's gauges and the history
// chart draw from this one reading.
#ifndef CELLFLEET_FLEET_SERVING_SIGNAL_H_
#define CELLFLEET_FLEET_SERVING_SIGNAL_H_

#include <optional>
#include <string>

#include "cellfleet/v1/modem_status.pb.h"

namespace cellfleet::fleet {

struct ServingSignal {
  std::optional<double> rsrp, rsrq, sinr, rssi, rscp, ecio;  // as reported, or absent
  std::string rat, band, earfcn, pci, cell_id;               // "LTE", "3", "1300", ...
};

ServingSignal SignalOf(const v1::ModemStatus& s);

}  // namespace cellfleet::fleet

#endif  // CELLFLEET_FLEET_SERVING_SIGNAL_H_
