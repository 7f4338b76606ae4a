// A part of every sample that is not the modem's — the PPP link, the connection config
// in force, the recovery ladder, the SIM's data usage — written by the part that owns it.
// The poller stamps each registered part into each sample; the owners depend on this
// header, not the other way round.
#ifndef CELLFLEET_AGENT_STATUS_STATUS_PART_H_
#define CELLFLEET_AGENT_STATUS_STATUS_PART_H_

#include "cellfleet/v1/modem_status.pb.h"

namespace cellfleet::agent {

class StatusPart {
 public:
  // Writes this part's field of `status`. Runs on the poller's thread for every sample:
  // it must not block (a copy of state under a short lock).
  virtual void FillStatus(v1::ModemStatus& status) const = 0;

 protected:
  ~StatusPart() = default;
};

}  // namespace cellfleet::agent

#endif  // CELLFLEET_AGENT_STATUS_STATUS_PART_H_
