// Decides, per stream, which published samples become StatusUpdates: sample mode at an
// interval, or on-change with per-metric deadbands and a heartbeat; then applies the
// client's field mask.
#ifndef CELLFLEET_AGENT_STATUS_UPDATE_FILTER_H_
#define CELLFLEET_AGENT_STATUS_UPDATE_FILTER_H_

#include <optional>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "agent/status/status_hub.h"
#include "cellfleet/v1/agent_service.pb.h"
#include "google/protobuf/field_mask.pb.h"

namespace cellfleet::agent {

struct PlannedUpdate {
  v1::UpdateKind kind;
  StatusPtr status;  // masked; empty message for heartbeats
};

class UpdateFilter {
 public:
  // Validates the request. `min_interval` is the agent's poll interval: asking for
  // samples more often than the modem is polled would only repeat them.
  static absl::StatusOr<UpdateFilter> Create(const v1::WatchStatusRequest& request,
                                             absl::Duration min_interval);

  // The update to send for a newly published `status` at `now`, if any.
  std::optional<PlannedUpdate> Offer(const StatusPtr& status, absl::Time now);

  absl::Duration sample_interval() const { return sample_interval_; }
  absl::Duration heartbeat_interval() const { return heartbeat_interval_; }

 private:
  UpdateFilter() = default;
  StatusPtr Mask(const StatusPtr& status) const;
  bool Changed(const v1::ModemStatus& before, const v1::ModemStatus& after) const;

  bool on_change_ = false;
  absl::Duration sample_interval_;
  absl::Duration heartbeat_interval_;
  v1::Deadbands deadbands_;
  google::protobuf::FieldMask mask_;
  StatusPtr last_sent_;  // masked
  absl::Time last_sent_at_ = absl::InfinitePast();
};

}  // namespace cellfleet::agent

#endif  // CELLFLEET_AGENT_STATUS_UPDATE_FILTER_H_
