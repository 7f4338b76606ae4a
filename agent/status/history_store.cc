#include "agent/status/history_store.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "agent/status/event_detector.h"
#include "agent/status/history_batch.h"
#include "base/record_log.h"
#include "proto/time_convert.h"
#include "spdlog/spdlog.h"

namespace cellfleet::agent {
namespace {

constexpr size_t kEntriesPerBatch = 256;  // a rewrite's batches
constexpr size_t kRewriteSlack = 64 << 10;
constexpr unsigned kFileMode = 0600;  // the state dir's, as the config's

std::vector<std::string> Batches(const std::vector<v1::HistoryEntry>& entries) {
  std::vector<std::string> batches;
  for (size_t first = 0; first < entries.size(); first += kEntriesPerBatch) {
    const size_t last = std::min(entries.size(), first + kEntriesPerBatch);
    batches.push_back(EncodeHistoryBatch(
        std::vector<v1::HistoryEntry>(entries.begin() + first, entries.begin() + last)));
  }
  return batches;
}

}  // namespace

HistoryStore::~HistoryStore() { Stop(); }

absl::StatusOr<HistoryLoaded> HistoryStore::Open(const std::string& file) {
  absl::StatusOr<base::RecordLogContents> contents = base::ReadRecordLog(file);
  if (!contents.ok()) return contents.status();
  // Created now if missing: a file that cannot be written says so at start, not later.
  if (absl::StatusOr<size_t> created = base::AppendRecords(file, {}, kFileMode); !created.ok()) {
    return created.status();
  }
  std::vector<v1::HistoryEntry> entries;
  for (const std::string& record : contents->records) {
    absl::StatusOr<std::vector<v1::HistoryEntry>> batch = DecodeHistoryBatch(record);
    if (!batch.ok()) {
      spdlog::error("history: a batch in {} is skipped: {}", file, batch.status().ToString());
      continue;
    }
    for (v1::HistoryEntry& entry : *batch) entries.push_back(std::move(entry));
  }
  std::stable_sort(entries.begin(), entries.end(),
                   [](const v1::HistoryEntry& a, const v1::HistoryEntry& b) {
                     return FromProtoTime(a.at()) < FromProtoTime(b.at());
                   });
  {
    absl::MutexLock lock(&mu_);
    for (v1::HistoryEntry& e : entries) {
      const absl::Time at = FromProtoTime(e.at());
      const bool sample = e.has_sample();
      if (sample) last_sample_at_ = std::max(last_sample_at_, at);
      Keep(sample ? samples_ : events_, sample ? options_.max_samples : options_.max_events,
           Entry{at, std::move(e)}, /*pending=*/false);
    }
    persistent_ = true;
  }
  file_ = file;
  file_bytes_ = contents->file_bytes;
  rewritten_bytes_ = contents->file_bytes;
  flusher_ = std::make_unique<base::SerialExecutor>("cf-history");
  ScheduleFlush();
  return HistoryLoaded{entries.size(), contents->dropped_bytes};
}

void HistoryStore::Stop() {
  if (flusher_ == nullptr) return;
  flusher_->Stop();
  flusher_.reset();
  Flush();  // on this thread now that the flusher's has ended
}

void HistoryStore::ScheduleFlush() {
  flusher_->PostAfter(options_.flush_interval, [this](absl::Status status) {
    if (!status.ok()) return;
    Flush();
    ScheduleFlush();
  });
}

void HistoryStore::Flush() {
  std::vector<v1::HistoryEntry> entries;
  // Grown to twice what the rings hold: rewritten from them, dropping what aged out.
  const bool rewrite = file_bytes_ > 2 * rewritten_bytes_ + kRewriteSlack;
  {
    absl::MutexLock lock(&mu_);
    if (pending_.empty()) return;
    if (rewrite) {
      std::vector<const Entry*> all;
      for (const Entry& e : samples_) all.push_back(&e);
      for (const Entry& e : events_) all.push_back(&e);
      std::stable_sort(all.begin(), all.end(),
                       [](const Entry* a, const Entry* b) { return a->at < b->at; });
      for (const Entry* e : all) entries.push_back(e->entry);
      pending_.clear();
    } else {
      entries.swap(pending_);
    }
  }
  absl::StatusOr<size_t> written =
      rewrite ? base::RewriteRecordLog(file_, Batches(entries), kFileMode)
              : base::AppendRecords(file_, {EncodeHistoryBatch(entries)}, kFileMode);
  if (!written.ok()) {
    spdlog::error("history: cannot write {} entries to {}: {}", entries.size(), file_,
                  written.status().ToString());
    if (!rewrite) {  // kept for the next try, as many as the rings could hold
      absl::MutexLock lock(&mu_);
      pending_.insert(pending_.begin(), entries.begin(), entries.end());
      const size_t cap = options_.max_samples + options_.max_events;
      if (pending_.size() > cap) pending_.erase(pending_.begin(), pending_.end() - cap);
    }
    return;
  }
  file_bytes_ = rewrite ? *written : file_bytes_ + *written;
  if (rewrite) rewritten_bytes_ = *written;
  absl::MutexLock lock(&mu_);
  bytes_written_ += *written;
}

uint64_t HistoryStore::bytes_written() const {
  absl::MutexLock lock(&mu_);
  return bytes_written_;
}

void HistoryStore::Keep(std::deque<Entry>& ring, size_t max, Entry entry, bool pending) {
  if (pending && persistent_) pending_.push_back(entry.entry);
  ring.push_back(std::move(entry));
  if (ring.size() > max) ring.pop_front();
}

void HistoryStore::RecordEvent(v1::ModemEvent event, absl::Time at) {
  Entry entry{at, {}};
  *entry.entry.mutable_at() = ToProtoTime(at);
  *entry.entry.mutable_event() = std::move(event);
  absl::MutexLock lock(&mu_);
  Keep(events_, options_.max_events, std::move(entry), true);
}

void HistoryStore::Record(const StatusPtr& status) {
  if (status == nullptr) return;
  const absl::Time at =
      status->has_sampled_at() ? FromProtoTime(status->sampled_at()) : clock_.Now();
  absl::MutexLock lock(&mu_);
  for (v1::ModemEvent& event : DetectEvents(last_.get(), *status)) {
    Entry entry{at, {}};
    *entry.entry.mutable_at() = ToProtoTime(at);
    *entry.entry.mutable_event() = std::move(event);
    Keep(events_, options_.max_events, std::move(entry), true);
  }
  last_ = status;
  if (at - last_sample_at_ >= options_.sample_interval) {
    last_sample_at_ = at;
    Entry entry{at, {}};
    *entry.entry.mutable_at() = ToProtoTime(at);
    *entry.entry.mutable_sample() = *status;
    Keep(samples_, options_.max_samples, std::move(entry), true);
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
  *response.mutable_sample_interval() = ToProtoDuration(options_.sample_interval);
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
