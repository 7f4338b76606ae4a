// Runs an operator's AT command line on the poller's channel (queued behind the poller's
// own commands: one owner of the port). A command that takes the modem away is announced
// first: the link ends pppd and holds redials, the poller reports RESETTING. The reply
// comes back raw, escaped where it is not text, and decoded where a parser knows it.
#ifndef CELLFLEET_AGENT_AT_AT_PASSTHROUGH_H_
#define CELLFLEET_AGENT_AT_AT_PASSTHROUGH_H_

#include <functional>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "agent/link/link_manager.h"
#include "agent/status/modem_poller.h"
#include "base/clock.h"
#include "cellfleet/v1/agent_service.pb.h"
#include "modem/replies/command_line.h"

namespace cellfleet::agent {

class AtPassthrough {
 public:
  // How long a modem taken away on purpose is expected back: an EC25 reboots and
  // re-enumerates on USB in about 15 s; the rest is margin.
  static constexpr absl::Duration kOutageHold = absl::Seconds(60);

  // `link` may be null (no PPP link on this agent). Both must outlive this.
  AtPassthrough(ModemPoller* poller, LinkManager* link,
                const base::Clock& clock = base::Clock::Real())
      : poller_(poller), link_(link), clock_(clock) {}

  using Done = std::function<void(absl::StatusOr<v1::RunAtCommandResponse>)>;
  // Never blocks; `done` runs on the channel's or the link's thread, and must not block.
  // Errors: UNAVAILABLE (no modem attached, or it vanished mid-command),
  // DEADLINE_EXCEEDED (no final result in time; the channel resynchronises).
  void Run(modem::CommandLine line, std::optional<absl::Duration> timeout,
           const std::string& requested_by, Done done);

 private:
  void Send(modem::CommandLine line, std::optional<absl::Duration> timeout, bool going_away,
            Done done);

  ModemPoller* poller_;
  LinkManager* link_;
  const base::Clock& clock_;
};

}  // namespace cellfleet::agent

#endif  // CELLFLEET_AGENT_AT_AT_PASSTHROUGH_H_
