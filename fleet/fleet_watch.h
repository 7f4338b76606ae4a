// One WatchStatus stream per board for as long as the caller wants: each update and
// each problem goes to a sink as it happens; a stream that ends is opened again after a
// backoff (fleet/retry_policy.h), or ends for good when asking again cannot help. The
// CLI's `watch` and cellfleet-collector both run their streams here.
#ifndef CELLFLEET_FLEET_FLEET_WATCH_H_
#define CELLFLEET_FLEET_FLEET_WATCH_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "cellfleet/v1/agent_service.pb.h"
#include "fleet/board.h"
#include "fleet/channel.h"
#include "grpcpp/support/status.h"

namespace cellfleet::fleet {

// Where updates go; called from many streams' threads at once, and never with a lock
// of the watch's held.
class UpdateSink {
 public:
  virtual ~UpdateSink() = default;
  virtual void Update(size_t index, const Board& board, const v1::StatusUpdate& update) = 0;
  // The board's stream ended with `status`; `retry_in` is when it is opened again
  // (absl::InfiniteDuration(): never, asking again cannot change it).
  virtual void StreamEnded(size_t index, const Board& board, const grpc::Status& status,
                           absl::Duration retry_in) = 0;
  // On the watch's own thread, about ten times a second; true to end the watch.
  virtual bool Tick() { return false; }
};

struct FleetWatchOptions {
  v1::WatchStatusRequest request;
  ChannelOptions channel;
  int count = 0;                                    // updates per board, then its stream ends
  absl::Time end = absl::InfiniteFuture();          // then every stream ends
  const base::Clock* clock = &base::Clock::Real();  // for `end` and retry times
};

// Runs until `stop` is notified, `end` passes, the sink's Tick() says so, or every board
// is finished (its `count` reached or given up); then cancels the streams and waits for
// them (bounded: cancelling is local). Returns the updates received per board.
std::vector<int> RunFleetWatch(const std::vector<Board>& boards, const FleetWatchOptions& options,
                               UpdateSink& sink, const absl::Notification& stop);

// "rsrp=3" (rsrp, rsrq, sinr, rssi) into `deadbands`; INVALID_ARGUMENT naming the spec.
absl::Status AddDeadband(absl::string_view spec, v1::Deadbands& deadbands);

// "stream ended: UNAVAILABLE: ... (retrying in 2s)" or "(not retried: ...)".
std::string StreamEndedText(const grpc::Status& status, absl::Duration retry_in);

}  // namespace cellfleet::fleet

#endif  // CELLFLEET_FLEET_FLEET_WATCH_H_
