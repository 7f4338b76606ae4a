#include "agent/status_hub.h"

namespace cellfleet::agent {

// Listeners run under mu_: that is what lets Unsubscribe promise the listener is not
// running once it returns. Listeners only queue work, so the hold is short.
void StatusHub::Publish(StatusPtr status) {
  absl::MutexLock lock(&mu_);
  if (closed_) return;
  latest_ = status;
  for (auto& [id, listener] : listeners_) listener(status);
}

StatusPtr StatusHub::Latest() const {
  absl::MutexLock lock(&mu_);
  return latest_;
}

int StatusHub::Subscribe(Listener listener) {
  absl::MutexLock lock(&mu_);
  if (closed_) return 0;
  int id = next_id_++;
  listeners_.emplace(id, std::move(listener));
  return id;
}

void StatusHub::Unsubscribe(int id) {
  absl::MutexLock lock(&mu_);
  listeners_.erase(id);
}

void StatusHub::Close() {
  absl::MutexLock lock(&mu_);
  if (closed_) return;
  closed_ = true;
  for (auto& [id, listener] : listeners_) listener(nullptr);
  listeners_.clear();
}

size_t StatusHub::subscriber_count() const {
  absl::MutexLock lock(&mu_);
  return listeners_.size();
}

}  // namespace cellfleet::agent
