#include "collector/fleet_state.h"

#include "absl/status/status.h"

namespace cellfleet::collector {

const char* StreamStateName(StreamState state) {
  switch (state) {
    case StreamState::kConnecting:
      return "connecting";
    case StreamState::kConnected:
      return "connected";
    case StreamState::kRetrying:
      return "retrying";
    case StreamState::kRefused:
      return "refused";
    case StreamState::kSilent:
      return "silent";
  }
  return "unknown";
}

FleetState::FleetState(std::vector<fleet::Board> boards, absl::Duration silence_bound,
                       const base::Clock& clock)
    : silence_bound_(silence_bound), clock_(clock), size_(boards.size()) {
  state_.resize(boards.size());
  for (size_t i = 0; i < boards.size(); ++i) state_[i].board = std::move(boards[i]);
}

void FleetState::Update(size_t index, const fleet::Board& /*board*/,
                        const v1::StatusUpdate& update) {
  const absl::Time now = clock_.Now();
  absl::MutexLock lock(&mu_);
  BoardSnapshot& b = state_[index];
  b.stream = StreamState::kConnected;
  b.last_update = now;
  ++b.updates;
  if (update.kind() == v1::UPDATE_KIND_HEARTBEAT) return;  // nothing changed
  if (update.status().modem_state() == v1::MODEM_STATE_RESETTING &&
      (b.status == nullptr || b.status->modem_state() != v1::MODEM_STATE_RESETTING)) {
    ++b.modem_resets;
  }
  b.status = std::make_shared<const v1::ModemStatus>(update.status());
}

void FleetState::StreamEnded(size_t index, const fleet::Board& /*board*/,
                             const grpc::Status& status, absl::Duration retry_in) {
  absl::MutexLock lock(&mu_);
  BoardSnapshot& b = state_[index];
  b.error_code = absl::StatusCodeToString(static_cast<absl::StatusCode>(status.error_code()));
  if (retry_in == absl::InfiniteDuration()) {
    b.stream = StreamState::kRefused;
  } else {
    b.stream = StreamState::kRetrying;
    ++b.reconnects;
  }
}

StreamState FleetState::StreamAt(const BoardSnapshot& b, absl::Time now) const {
  if (b.stream == StreamState::kConnected && now - b.last_update > silence_bound_) {
    return StreamState::kSilent;
  }
  return b.stream;
}

std::vector<BoardSnapshot> FleetState::Snapshot(absl::Time now, absl::string_view only) const {
  std::vector<BoardSnapshot> copy;
  absl::MutexLock lock(&mu_);
  copy.reserve(only.empty() ? state_.size() : 1);
  for (const BoardSnapshot& b : state_) {
    if (!only.empty() && b.board.name != only) continue;
    copy.push_back(b);
    copy.back().stream = StreamAt(b, now);
  }
  return copy;
}

FleetCounts FleetState::Count(absl::Time now) const {
  FleetCounts counts;
  absl::MutexLock lock(&mu_);
  counts.boards = state_.size();
  for (const BoardSnapshot& b : state_) {
    if (StreamAt(b, now) == StreamState::kConnected) ++counts.connected;
    counts.reconnects += b.reconnects;
    counts.updates += b.updates;
  }
  return counts;
}

}  // namespace cellfleet::collector
