// Pushes one config change to many boards the careful way: apply with a confirm window,
// wait for each board to come back on its new link (a board that cannot reach us on the
// new config never gets confirmed, and rolls itself back), then confirm. Canary boards
// go first; if any of them fails, the rest are not touched.
#ifndef CELLFLEET_FLEET_ROLLOUT_H_
#define CELLFLEET_FLEET_ROLLOUT_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "cellfleet/v1/agent_service.pb.h"
#include "fleet/board.h"
#include "fleet/fanout.h"

namespace cellfleet::fleet {

enum class RolloutResult {
  kConfirmed,   // up on the new version and confirmed
  kApplied,     // applied without a confirm window (nothing to confirm)
  kPending,     // applied; awaits `cellfleet config confirm` within its window
  kRolledBack,  // the board restored its previous version (the detail says why)
  kFailed,      // refused, unreachable, or not back in time (then it rolls back itself)
  kSkipped,     // not touched: a canary failed
};

std::string RolloutResultName(RolloutResult result);

struct BoardOutcome {
  Board board;
  RolloutResult result = RolloutResult::kSkipped;
  uint64_t version = 0;
  std::string detail;
  absl::Duration took;
};

struct RolloutOptions {
  v1::ApplyConfigRequest request;  // the change (config + update_mask) and confirm window
  int canary = 0;                  // boards pushed first; the rest only if all succeed
  bool manual_confirm = false;     // apply with the window, leave confirming to the operator
  absl::Duration rpc_timeout = absl::Seconds(10);
  absl::Duration status_interval = absl::Seconds(1);  // while waiting for the new link
  int concurrency = 32;
  ChannelOptions channel;
  // Called (from any thread, one call at a time) at each step of each board.
  std::function<void(const Board& board, const std::string& step)> progress;
};

// One outcome per board, in the boards' order. Bounded: each board takes at most the
// confirm window plus a few RPC timeouts.
std::vector<BoardOutcome> Rollout(const std::vector<Board>& boards, const RolloutOptions& options);

}  // namespace cellfleet::fleet

#endif  // CELLFLEET_FLEET_ROLLOUT_H_
