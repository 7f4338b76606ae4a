// What happened on the board while nobody watched: a bounded ring of samples (kept at
// most once per sample interval) and a separate bounded ring of events, queryable by
// time range. Fed from the status hub; never blocks the publisher for long.
#ifndef CELLFLEET_AGENT_STATUS_HISTORY_STORE_H_
#define CELLFLEET_AGENT_STATUS_HISTORY_STORE_H_

#include <deque>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "agent/status/status_hub.h"
#include "cellfleet/v1/agent_service.pb.h"

namespace cellfleet::agent {

struct HistoryRetention {
  size_t max_samples = 1440;  // one a minute for a day
  absl::Duration sample_interval = absl::Minutes(1);
  size_t max_events = 1000;
  size_t max_entries_per_reply = 5000;
};

class HistoryStore {
 public:
  explicit HistoryStore(HistoryRetention options) : options_(options) {}

  // Records `status` (events always; the sample if one is due).
  void Record(const StatusPtr& status);

  v1::GetHistoryResponse Query(const v1::GetHistoryRequest& request) const;

  // Serialized bytes held, for the memory figure in logs and the README.
  size_t bytes_held() const;

 private:
  struct Entry {
    absl::Time at;
    v1::HistoryEntry entry;
  };

  const HistoryRetention options_;
  mutable absl::Mutex mu_;
  StatusPtr last_ ABSL_GUARDED_BY(mu_);
  absl::Time last_sample_at_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  std::deque<Entry> samples_ ABSL_GUARDED_BY(mu_);
  std::deque<Entry> events_ ABSL_GUARDED_BY(mu_);
};

}  // namespace cellfleet::agent

#endif  // CELLFLEET_AGENT_STATUS_HISTORY_STORE_H_
