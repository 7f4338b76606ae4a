#include "agent/service/watch_reactor.h"

#include "proto/time_convert.h"

namespace cellfleet::agent {

WatchReactor::WatchReactor(StatusHub* hub, UpdateFilter filter, const base::Clock& clock,
                           std::shared_ptr<void> slot)
    : hub_(hub), clock_(clock), slot_(std::move(slot)), filter_(std::move(filter)) {
  // The latest sample goes out at once so a new watcher sees the board immediately.
  if (StatusPtr latest = hub_->Latest()) OnStatus(latest);
  subscription_ = hub_->Subscribe([this](const StatusPtr& status) { OnStatus(status); });
  if (subscription_ == 0) {
    absl::MutexLock lock(&mu_);
    FinishLocked(grpc::Status(grpc::StatusCode::UNAVAILABLE, "agent is shutting down"));
  }
}

void WatchReactor::OnStatus(const StatusPtr& status) {
  absl::MutexLock lock(&mu_);
  if (finished_) return;
  if (status == nullptr) {
    FinishLocked(grpc::Status(grpc::StatusCode::UNAVAILABLE, "agent is shutting down"));
    return;
  }
  std::optional<PlannedUpdate> update = filter_.Offer(status, clock_.Now());
  if (!update) return;
  if (pending_) ++missed_;  // the client is behind: keep only the newest
  pending_ = std::move(update);
  if (!write_in_flight_) StartNextWriteLocked();
}

void WatchReactor::StartNextWriteLocked() {
  if (!pending_) return;
  in_flight_.Clear();
  in_flight_.set_sequence(++sequence_);
  *in_flight_.mutable_sent_at() = ToProtoTime(clock_.Now());
  in_flight_.set_kind(pending_->kind);
  *in_flight_.mutable_status() = *pending_->status;
  in_flight_.set_missed_samples(missed_);
  missed_ = 0;
  pending_.reset();
  write_in_flight_ = true;
  StartWrite(&in_flight_);
}

void WatchReactor::OnWriteDone(bool ok) {
  absl::MutexLock lock(&mu_);
  write_in_flight_ = false;
  if (finish_after_write_) {
    Finish(*finish_after_write_);
    finish_after_write_.reset();
    return;
  }
  if (!ok) {
    FinishLocked(grpc::Status(grpc::StatusCode::UNAVAILABLE, "write failed: client gone"));
    return;
  }
  if (!finished_) StartNextWriteLocked();
}

void WatchReactor::OnCancel() {
  absl::MutexLock lock(&mu_);
  FinishLocked(grpc::Status::CANCELLED);
}

void WatchReactor::FinishLocked(const grpc::Status& status) {
  if (finished_) return;
  finished_ = true;
  pending_.reset();
  // A write in flight finishes first; Finish follows from OnWriteDone.
  if (write_in_flight_) {
    finish_after_write_ = status;
  } else {
    Finish(status);
  }
}

void WatchReactor::OnDone() {
  // Unsubscribe waits out a listener call in progress; after it nothing refers to us.
  if (subscription_ != 0) hub_->Unsubscribe(subscription_);
  delete this;
}

}  // namespace cellfleet::agent
