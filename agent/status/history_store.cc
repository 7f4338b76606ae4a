#include "agent/status/history_store.h"

#include <algorithm>

#include "agent/status/event_detector.h"
#include "proto/time_convert.h"

namespace cellfleet::agent {
void HistoryStore::Record(const StatusPtr& status) {
  if (status == nullptr) return;
  const absl::Time at =
      status->has_sampled_at() ? FromProtoTime(status->sampled_at()) : absl::Now();
  absl::MutexLock lock(&mu_);
  for (v1::ModemEvent& event : DetectEvents(last_.get(), *status)) {
    Entry entry{at, {}};
    *entry.entry.mutable_at() = ToProtoTime(at);
    *entry.entry.mutable_event() = std::move(event);
    events_.push_back(std::move(entry));
    if (events_.size() > options_.max_events) events_.pop_front();
  }
  last_ = status;
  if (at - last_sample_at_ >= options_.sample_interval) {
    last_sample_at_ = at;
    Entry entry{at, {}};
    *entry.entry.mutable_at() = ToProtoTime(at);
    *entry.entry.mutable_sample() = *status;
    samples_.push_back(std::move(entry));
    if (samples_.size() > options_.max_samples) samples_.pop_front();
  }
}

v1::GetHistoryResponse HistoryStore::Query(const v1::GetHistoryRequest& request) const {
  const absl::Time start =
      request.has_start_time() ? FromProtoTime(request.start_time()) : absl::InfinitePast();
  const absl::Time end =
      request.has_end_time() ? FromProtoTime(request.end_time()) : absl::InfiniteFuture();
  size_t limit = options_.max_entries_per_reply;
  if (request.max_entries() > 0) limit = std::min<size_t>(limit, request.max_entries());

  std::vector<const Entry*> matches;
  v1::GetHistoryResponse response;
  absl::MutexLock lock(&mu_);
  auto collect = [&](const std::deque<Entry>& ring) {
    for (const Entry& e : ring) {
      if (e.at >= start && e.at < end) matches.push_back(&e);
    }
  };
  collect(events_);
  if (!request.events_only()) collect(samples_);
  std::stable_sort(matches.begin(), matches.end(),
                   [](const Entry* a, const Entry* b) { return a->at < b->at; });
  // Newest entries matter most when cut: keep the last `limit`.
  size_t first = matches.size() > limit ? matches.size() - limit : 0;
  response.set_truncated(first > 0);
  for (size_t i = first; i < matches.size(); ++i) *response.add_entries() = matches[i]->entry;
  absl::Time oldest = absl::InfiniteFuture();
  if (!samples_.empty()) oldest = std::min(oldest, samples_.front().at);
  if (!events_.empty()) oldest = std::min(oldest, events_.front().at);
  if (oldest != absl::InfiniteFuture()) *response.mutable_oldest_kept() = ToProtoTime(oldest);
  return response;
}

size_t HistoryStore::bytes_held() const {
  absl::MutexLock lock(&mu_);
  size_t bytes = 0;
  for (const Entry& e : samples_) bytes += e.entry.ByteSizeLong();
  for (const Entry& e : events_) bytes += e.entry.ByteSizeLong();
  return bytes;
}

}  // namespace cellfleet::agent
