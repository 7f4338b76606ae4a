#include "gateway/relay_splice.h"

#include "relay/relay_names.h"

namespace cellfleet::gateway {

// Reactions run outside any of the caller's locks, and gRPC defers the reactions a Start*
// call causes until the reaction that made it returns: Start* and Finish are called
// under the splice's lock, which is what keeps a write from following a Finish.

std::shared_ptr<RelayEnd> RelayEnd::Make(grpc::CallbackServerContext* context,
                                         std::function<void(const RelayEnd*)> on_done) {
  std::shared_ptr<RelayEnd> end(new RelayEnd());
  end->context_ = context;
  end->on_done_ = std::move(on_done);
  end->self_ = end;
  return end;
}

void RelayEnd::FinishUnspliced(const grpc::Status& status) {
  {
    absl::MutexLock lock(&mu_);
    if (splice_ != nullptr || finished_) return;
    finished_ = true;  // Join refuses it from now on
  }
  // Outside the lock: called from outside a reaction, Finish may run OnDone at once.
  Finish(status);
}

std::pair<std::shared_ptr<Splice>, int> RelayEnd::Joined() {
  absl::MutexLock lock(&mu_);
  return {splice_, side_};
}

void RelayEnd::OnReadDone(bool ok) {
  auto [splice, side] = Joined();
  if (splice != nullptr) splice->ReadDone(side, ok);
}

void RelayEnd::OnWriteDone(bool ok) {
  auto [splice, side] = Joined();
  if (splice != nullptr) splice->WriteDone(side, ok);
}

void RelayEnd::OnCancel() {
  std::shared_ptr<Splice> splice = Joined().first;
  if (splice != nullptr) {
    splice->EndBoth(grpc::Status::CANCELLED);
  } else {
    FinishUnspliced(grpc::Status::CANCELLED);
  }
}

void RelayEnd::OnDone() {
  std::shared_ptr<Splice> splice;
  int side;
  {
    absl::MutexLock lock(&mu_);
    splice = std::move(splice_);
    side = side_;
    finished_ = true;
  }
  if (splice != nullptr) splice->Done(side);
  if (on_done_) on_done_(this);
  std::shared_ptr<RelayEnd> self = std::move(self_);  // may be the last hold: goes last
}

bool Splice::Join(RelayEnd* operator_end, RelayEnd* board_end) {
  auto splice = std::make_shared<Splice>();
  absl::MutexLock lock(&splice->mu_);
  // Both ends' locks, in this order only here: neither may finish while they are joined.
  absl::MutexLock operator_lock(&operator_end->mu_);
  absl::MutexLock board_lock(&board_end->mu_);
  if (operator_end->finished_ || board_end->finished_) return false;
  operator_end->splice_ = splice;
  operator_end->side_ = 0;
  board_end->splice_ = splice;
  board_end->side_ = 1;
  splice->ends_[0] = operator_end;
  splice->ends_[1] = board_end;
  if (operator_end->context_ != nullptr) {
    operator_end->context_->AddInitialMetadata(relay::kSplicedMetadata, "1");
  }
  operator_end->StartSendInitialMetadata();
  operator_end->StartRead(&splice->read_[0]);
  board_end->StartRead(&splice->read_[1]);
  return true;
}

void Splice::ReadDone(int side, bool ok) {
  absl::ReleasableMutexLock lock(&mu_);
  if (finished_[side]) return;
  if (!ok) {  // that end closed its sending side (or went): the session is over
    lock.Release();
    EndBoth(grpc::Status::OK);
    return;
  }
  const int other = 1 - side;
  if (finished_[other] || ends_[other] == nullptr) return;
  ends_[other]->StartWrite(&read_[side]);
}

void Splice::WriteDone(int side, bool ok) {
  absl::ReleasableMutexLock lock(&mu_);
  if (finished_[side]) return;
  if (!ok) {
    lock.Release();
    EndBoth(grpc::Status(grpc::StatusCode::UNAVAILABLE, "the other end of the relay went"));
    return;
  }
  const int other = 1 - side;  // whose bytes were written: it may read the next
  if (finished_[other] || ends_[other] == nullptr) return;
  ends_[other]->StartRead(&read_[other]);
}

void Splice::EndBoth(const grpc::Status& status) {
  absl::MutexLock lock(&mu_);
  for (int side = 0; side < 2; ++side) {
    if (finished_[side] || ends_[side] == nullptr) continue;
    finished_[side] = true;
    ends_[side]->Finish(status);
  }
}

void Splice::Done(int side) {
  absl::MutexLock lock(&mu_);
  ends_[side] = nullptr;
  finished_[side] = true;
}

}  // namespace cellfleet::gateway
