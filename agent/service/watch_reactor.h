// One WatchStatus stream: subscribes to the hub, keeps one write in flight, and
// coalesces samples for a slow client (it gets the newest, with a count of what it
// missed). Never blocks: it runs on the poller's and gRPC's threads.
#ifndef CELLFLEET_AGENT_SERVICE_WATCH_REACTOR_H_
#define CELLFLEET_AGENT_SERVICE_WATCH_REACTOR_H_

#include <cstdint>
#include <memory>
#include <optional>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "agent/status/status_hub.h"
#include "agent/status/update_filter.h"
#include "base/clock.h"
#include "cellfleet/v1/agent_service.pb.h"
#include "grpcpp/grpcpp.h"

namespace cellfleet::agent {

class WatchReactor : public grpc::ServerWriteReactor<v1::StatusUpdate> {
 public:
  // Deletes itself in OnDone.
  // `slot` is the caller's place among its streams (CallLimits), given back in OnDone.
  WatchReactor(StatusHub* hub, UpdateFilter filter, const base::Clock& clock,
               std::shared_ptr<void> slot = nullptr);

  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

 private:
  void OnStatus(const StatusPtr& status);
  void StartNextWriteLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void FinishLocked(const grpc::Status& status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  StatusHub* hub_;
  const base::Clock& clock_;
  int subscription_ = 0;
  std::shared_ptr<void> slot_;

  absl::Mutex mu_;
  UpdateFilter filter_ ABSL_GUARDED_BY(mu_);
  std::optional<PlannedUpdate> pending_ ABSL_GUARDED_BY(mu_);
  uint64_t missed_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t sequence_ ABSL_GUARDED_BY(mu_) = 0;
  bool write_in_flight_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  std::optional<grpc::Status> finish_after_write_ ABSL_GUARDED_BY(mu_);
  v1::StatusUpdate in_flight_ ABSL_GUARDED_BY(mu_);  // must live until OnWriteDone
};

}  // namespace cellfleet::agent

#endif  // CELLFLEET_AGENT_SERVICE_WATCH_REACTOR_H_
