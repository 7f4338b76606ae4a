// What happened on the board while nobody watched: a bounded ring of samples (kept at
// most once per sample interval) and a separate bounded ring of events, queryable by
// time range. Fed from the status hub; never blocks the publisher for long. With a file,
// what is kept goes to it in compressed batches every flush interval (on the store's own
// thread, so neither the publisher nor a gRPC call waits on flash) and comes back after
// a restart; the file is a crash-safe record log (base/record_log.h) rewritten from the
// rings when it has grown to twice their size.
#ifndef CELLFLEET_AGENT_STATUS_HISTORY_STORE_H_
#define CELLFLEET_AGENT_STATUS_HISTORY_STORE_H_

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "agent/status/status_hub.h"
#include "base/clock.h"
#include "base/serial_executor.h"
#include "cellfleet/v1/agent_service.pb.h"

namespace cellfleet::agent {

struct HistoryRetention {
  size_t max_samples = 1440;  // one a minute for a day
  absl::Duration sample_interval = absl::Minutes(1);
  size_t max_events = 1000;
  size_t max_entries_per_reply = 5000;
  // How often what was kept goes to the file: the most a power cut can lose.
  absl::Duration flush_interval = absl::Minutes(5);
};

// What Open() found in the file.
struct HistoryLoaded {
  size_t entries = 0;
  size_t dropped_bytes = 0;  // a torn or damaged tail, cut off
};

class HistoryStore {
 public:
  explicit HistoryStore(HistoryRetention options, const base::Clock& clock = base::Clock::Real())
      : options_(options), clock_(clock) {}
  ~HistoryStore();  // Stop()

  // Reads back what `file` holds (created 0600 if missing), then flushes to it every
  // flush interval. Before the first Record; without it the history is memory only.
  absl::StatusOr<HistoryLoaded> Open(const std::string& file);
  // Writes what is still pending and stops flushing. Idempotent.
  void Stop();

  // Records `status` (events always; the sample if one is due).
  void Record(const StatusPtr& status);
  // An event of the agent's own (its start, and how the run before ended).
  void RecordEvent(v1::ModemEvent event, absl::Time at);

  // Bytes appended or rewritten to the file since Open: the flash wear.
  uint64_t bytes_written() const;

  v1::GetHistoryResponse Query(const v1::GetHistoryRequest& request) const;

  // Serialized bytes held, for the memory figure in logs and the README.
  size_t bytes_held() const;

 private:
  struct Entry {
    absl::Time at;
    v1::HistoryEntry entry;
  };

  // Into `ring` (bounded by `max`), and to the file's pending batch if `pending`.
  void Keep(std::deque<Entry>& ring, size_t max, Entry entry, bool pending)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Flush();  // the store's thread, or Stop's after it ended
  void ScheduleFlush();

  const HistoryRetention options_;
  const base::Clock& clock_;
  // The file's side: its path, bytes, the size it was last rewritten to, bytes written.
  std::string file_;
  size_t file_bytes_ = 0;
  size_t rewritten_bytes_ = 0;
  std::unique_ptr<base::SerialExecutor> flusher_;
  mutable absl::Mutex mu_;
  bool persistent_ ABSL_GUARDED_BY(mu_) = false;                // Open() succeeded
  std::vector<v1::HistoryEntry> pending_ ABSL_GUARDED_BY(mu_);  // kept, not yet in the file
  uint64_t bytes_written_ ABSL_GUARDED_BY(mu_) = 0;
  StatusPtr last_ ABSL_GUARDED_BY(mu_);
  absl::Time last_sample_at_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  std::deque<Entry> samples_ ABSL_GUARDED_BY(mu_);
  std::deque<Entry> events_ ABSL_GUARDED_BY(mu_);
};

}  // namespace cellfleet::agent

#endif  // CELLFLEET_AGENT_STATUS_HISTORY_STORE_H_
