// Subscribers to a notification, called outside any lock. What makes that safe:
// Remove() waits for a call in progress on another thread, so once it returns the
// callback is not running and never runs again, and whatever it captured may go.
#ifndef CELLFLEET_BASE_CALLBACK_LIST_H_
#define CELLFLEET_BASE_CALLBACK_LIST_H_

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace cellfleet::base {

template <typename... Args>
class CallbackList {
 public:
  using Callback = std::function<void(Args...)>;

  // An id for Remove; 0 (and never called) once closed.
  int Add(Callback callback) {
    absl::MutexLock lock(&mu_);
    if (closed_) return 0;
    const int id = next_id_++;
    callbacks_.emplace(id, std::make_shared<const Callback>(std::move(callback)));
    return id;
  }

  // May be called from inside a callback (then only other threads' calls are waited for).
  void Remove(int id) {
    absl::MutexLock lock(&mu_);
    callbacks_.erase(id);
    AwaitOtherThreadsDone();
  }

  // Calls every callback in the order added; nothing once closed.
  void Notify(Args... args) { NotifyUnlessClosed(false, args...); }

  // Refuses further Add and Notify, lets a Notify in progress finish, then calls every
  // callback a last time with `args` and forgets them all. Idempotent.
  void Close(Args... args) { NotifyUnlessClosed(true, args...); }

  size_t size() const {
    absl::MutexLock lock(&mu_);
    return callbacks_.size();
  }

 private:
  void AwaitOtherThreadsDone() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    const std::thread::id self = std::this_thread::get_id();
    auto others_done = [this, self]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return std::all_of(calling_.begin(), calling_.end(),
                         [self](std::thread::id t) { return t == self; });
    };
    mu_.Await(absl::Condition(&others_done));
  }

  void NotifyUnlessClosed(bool closing, Args... args) {
    std::vector<std::pair<int, std::shared_ptr<const Callback>>> snapshot;
    {
      absl::MutexLock lock(&mu_);
      if (closed_) return;
      if (closing) {
        closed_ = true;
        AwaitOtherThreadsDone();
      }
      snapshot.assign(callbacks_.begin(), callbacks_.end());
      calling_.push_back(std::this_thread::get_id());
    }
    for (const auto& [id, callback] : snapshot) {
      {
        absl::MutexLock lock(&mu_);  // removed by an earlier callback of this pass
        if (callbacks_.count(id) == 0) continue;
      }
      (*callback)(args...);
    }
    absl::MutexLock lock(&mu_);
    calling_.erase(std::find(calling_.begin(), calling_.end(), std::this_thread::get_id()));
    if (closing) callbacks_.clear();
  }

  mutable absl::Mutex mu_;
  std::map<int, std::shared_ptr<const Callback>> callbacks_ ABSL_GUARDED_BY(mu_);
  std::vector<std::thread::id> calling_ ABSL_GUARDED_BY(mu_);  // threads inside Notify
  int next_id_ ABSL_GUARDED_BY(mu_) = 1;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace cellfleet::base

#endif  // CELLFLEET_BASE_CALLBACK_LIST_H_
