// Diagnose: what is wrong with a board, judged from its latest status sample (so the
// call never touches the serial port), one check per layer from the modem up to the link,
// each with what to do about it.
#ifndef CELLFLEET_AGENT_CHECKS_DIAGNOSIS_H_
#define CELLFLEET_AGENT_CHECKS_DIAGNOSIS_H_

#include "absl/time/time.h"
#include "cellfleet/v1/agent_service.pb.h"

namespace cellfleet::agent {

// Checks, in order: sample (is the poller alive), modem, sim, registration, signal,
// link, usage, config, recovery. A check that a failure below it makes meaningless is SKIPPED,
// naming that failure. `poll_interval` sets how old a sample may be before it is stale.
v1::DiagnoseResponse Diagnose(const v1::ModemStatus& latest, absl::Time now,
                              absl::Duration poll_interval);

}  // namespace cellfleet::agent

#endif  // CELLFLEET_AGENT_CHECKS_DIAGNOSIS_H_
