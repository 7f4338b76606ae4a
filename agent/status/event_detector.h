// Turns consecutive status samples into events worth keeping: modem state, SIM,
// registration and serving-cell changes, and modem resets.
#ifndef CELLFLEET_AGENT_STATUS_EVENT_DETECTOR_H_
#define CELLFLEET_AGENT_STATUS_EVENT_DETECTOR_H_

#include <vector>

#include "cellfleet/v1/history.pb.h"
#include "cellfleet/v1/modem_status.pb.h"

namespace cellfleet::agent {

// Events from `before` (nullptr for the first sample) to `after`.
std::vector<v1::ModemEvent> DetectEvents(const v1::ModemStatus* before,
                                         const v1::ModemStatus& after);

}  // namespace cellfleet::agent

#endif  // CELLFLEET_AGENT_STATUS_EVENT_DETECTOR_H_
