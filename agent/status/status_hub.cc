#include "agent/status/status_hub.h"

namespace cellfleet::agent {

void StatusHub::Publish(StatusPtr status) {
  {
    absl::MutexLock lock(&mu_);
    if (closed_) return;
    latest_ = status;
  }
  listeners_.Notify(status);  // GetStatus never waits behind the streams' work
}

StatusPtr StatusHub::Latest() const {
  absl::MutexLock lock(&mu_);
  return latest_;
}

int StatusHub::Subscribe(Listener listener) { return listeners_.Add(std::move(listener)); }

void StatusHub::Unsubscribe(int id) { listeners_.Remove(id); }

void StatusHub::Close() {
  {
    absl::MutexLock lock(&mu_);
    closed_ = true;
  }
  listeners_.Close(nullptr);
}

size_t StatusHub::subscriber_count() const { return listeners_.size(); }

}  // namespace cellfleet::agent
