// What the collector knows of each board: the latest status its stream carried, and the
// stream itself (connected, retrying and why, refused, or silent past its heartbeat).
// Fed by the streams (fleet/fleet_watch.h) on their threads; read by scrapes as a copy.
#ifndef CELLFLEET_COLLECTOR_FLEET_STATE_H_
#define CELLFLEET_COLLECTOR_FLEET_STATE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "cellfleet/v1/modem_status.pb.h"
#include "fleet/board.h"
#include "fleet/fleet_watch.h"

namespace cellfleet::collector {

enum class StreamState {
  kConnecting,  // not answered yet since the collector started
  kConnected,   // updates arriving
  kRetrying,    // ended; opened again after a backoff
  kRefused,     // ended for good: asking again cannot change it (e.g. PERMISSION_DENIED)
  kSilent,      // open, but nothing (not even a heartbeat) for longer than the bound
};
const char* StreamStateName(StreamState state);  // "connecting", ...
inline constexpr StreamState kAllStreamStates[] = {StreamState::kConnecting,
                                                   StreamState::kConnected, StreamState::kRetrying,
                                                   StreamState::kRefused, StreamState::kSilent};

struct BoardSnapshot {
  fleet::Board board;
  StreamState stream = StreamState::kConnecting;
  std::string error_code;  // of the stream's last end, e.g. "UNAVAILABLE"
  // The latest full sample (none yet: null); shared, so that a scrape copies no sample.
  std::shared_ptr<const v1::ModemStatus> status;
  absl::Time last_update = absl::InfinitePast();  // any update, heartbeats too
  uint64_t updates = 0;
  uint64_t reconnects = 0;    // stream ends that were retried
  uint64_t modem_resets = 0;  // entries into RESETTING seen by this collector

  // Up: connected and heard from within the bound. Only then are its values exported.
  bool up() const { return stream == StreamState::kConnected; }
};

// The fleet in numbers, for the collector's own metrics.
struct FleetCounts {
  uint64_t boards = 0;
  uint64_t connected = 0;  // up
  uint64_t reconnects = 0;
  uint64_t updates = 0;
};

class FleetState : public fleet::UpdateSink {
 public:
  // `silence_bound`: longer than this without any update (a heartbeat is due every
  // heartbeat interval) and a connected board counts as silent.
  // `clock` stamps updates and judges silence; must outlive the state.
  FleetState(std::vector<fleet::Board> boards, absl::Duration silence_bound,
             const base::Clock& clock = base::Clock::Real());

  absl::Time Now() const { return clock_.Now(); }

  void Update(size_t index, const fleet::Board& board, const v1::StatusUpdate& update) override;
  void StreamEnded(size_t index, const fleet::Board& board, const grpc::Status& status,
                   absl::Duration retry_in) override;

  // A copy of every board as of `now` (silence judged then), or of the board named
  // `only`; the lock is held only to copy.
  std::vector<BoardSnapshot> Snapshot(absl::Time now, absl::string_view only = {}) const;
  // The same boards counted, copying none (a probe of one board asks for them).
  FleetCounts Count(absl::Time now) const;
  size_t size() const { return size_; }

 private:
  StreamState StreamAt(const BoardSnapshot& b, absl::Time now) const;

  const absl::Duration silence_bound_;
  const base::Clock& clock_;
  const size_t size_;
  mutable absl::Mutex mu_;
  std::vector<BoardSnapshot> state_ ABSL_GUARDED_BY(mu_);
};

}  // namespace cellfleet::collector

#endif  // CELLFLEET_COLLECTOR_FLEET_STATE_H_
