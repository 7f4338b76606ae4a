// Fan-out of status samples from the one modem poller to any number of subscribers.
// Subscribers share one immutable message per sample, so adding one costs no modem
// traffic and no copy.
#ifndef CELLFLEET_AGENT_STATUS_STATUS_HUB_H_
#define CELLFLEET_AGENT_STATUS_STATUS_HUB_H_

#include <functional>
#include <map>
#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "base/callback_list.h"
#include "cellfleet/v1/modem_status.pb.h"

namespace cellfleet::agent {

using StatusPtr = std::shared_ptr<const v1::ModemStatus>;

class StatusHub {
 public:
  // Called for each published sample, and once with nullptr when the hub closes.
  // Runs on the publisher's thread (the poller's), outside any lock of the hub's: it
  // must not block.
  using Listener = std::function<void(const StatusPtr& status)>;

  void Publish(StatusPtr status);
  StatusPtr Latest() const;

  // Returns an id for Unsubscribe; returns 0 (and calls nothing) after Close().
  int Subscribe(Listener listener);
  // When this returns, the listener is not running and will not run again.
  void Unsubscribe(int id);
  // Tells every subscriber the stream is over (agent shutting down).
  void Close();

  size_t subscriber_count() const;

 private:
  mutable absl::Mutex mu_;
  StatusPtr latest_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  base::CallbackList<const StatusPtr&> listeners_;
};

}  // namespace cellfleet::agent

#endif  // CELLFLEET_AGENT_STATUS_STATUS_HUB_H_
