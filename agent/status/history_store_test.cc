#include "agent/status/history_store.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "agent/status/event_detector.h"
#include "agent/status/history_batch.h"
#include "agent/status/run_marker.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"

namespace cellfleet::agent {
namespace {

using google::protobuf::util::TimeUtil;
using ::testing::ElementsAre;

StatusPtr Ready(int64_t second, uint64_t cell_id,
                v1::RegistrationState reg = v1::REGISTRATION_STATE_HOME) {
  auto s = std::make_shared<v1::ModemStatus>();
  s->set_modem_state(v1::MODEM_STATE_READY);
  s->set_sim_state(v1::SIM_STATE_READY);
  s->mutable_eps_registration()->set_state(reg);
  s->mutable_serving_cell()->mutable_lte()->set_cell_id(cell_id);
  s->mutable_serving_cell()->mutable_lte()->set_pci(7);
  *s->mutable_sampled_at() = TimeUtil::SecondsToTimestamp(second);
  return s;
}

StatusPtr State(int64_t second, v1::ModemState state) {
  auto s = std::make_shared<v1::ModemStatus>();
  s->set_modem_state(state);
  *s->mutable_sampled_at() = TimeUtil::SecondsToTimestamp(second);
  return s;
}

std::vector<v1::EventKind> Kinds(const std::vector<v1::ModemEvent>& events) {
  std::vector<v1::EventKind> kinds;
  for (const auto& e : events) kinds.push_back(e.kind());
  return kinds;
}

TEST(EventDetectorTest, ReportsWhatChanged) {
  EXPECT_THAT(Kinds(DetectEvents(nullptr, *Ready(0, 1))),
              ElementsAre(v1::EVENT_KIND_MODEM_STATE_CHANGED));
  EXPECT_TRUE(DetectEvents(Ready(0, 1).get(), *Ready(1, 1)).empty());
  EXPECT_THAT(Kinds(DetectEvents(Ready(0, 1).get(), *Ready(1, 2))),
              ElementsAre(v1::EVENT_KIND_CELL_CHANGED));
  EXPECT_THAT(
      Kinds(DetectEvents(Ready(0, 1).get(), *Ready(1, 1, v1::REGISTRATION_STATE_SEARCHING))),
      ElementsAre(v1::EVENT_KIND_REGISTRATION_CHANGED));
  EXPECT_THAT(Kinds(DetectEvents(Ready(0, 1).get(), *State(1, v1::MODEM_STATE_RESETTING))),
              ElementsAre(v1::EVENT_KIND_MODEM_RESET, v1::EVENT_KIND_MODEM_STATE_CHANGED));
  std::vector<v1::ModemEvent> cell = DetectEvents(Ready(0, 1).get(), *Ready(1, 2));
  EXPECT_EQ(cell[0].detail(), "LTE 1/7 -> LTE 2/7");
}

// Failed dials are events, each of them: two samples both FAILED, the count between them
// grown by 2, is one event saying so (no state change showed them before).
TEST(EventDetectorTest, EveryFailedDialIsAnEvent) {
  auto failed = [](int64_t second, uint64_t dials) {
    StatusPtr s = Ready(second, 1);
    auto* link = std::const_pointer_cast<v1::ModemStatus>(s)->mutable_connection();
    link->set_state(v1::CONNECTION_STATE_FAILED);
    link->set_failure(v1::CONNECTION_FAILURE_NO_CARRIER);
    link->set_failure_detail("NO CARRIER");
    link->set_failed_dials(dials);
    return s;
  };
  std::vector<v1::ModemEvent> first = DetectEvents(Ready(0, 1).get(), *failed(1, 1));
  ASSERT_THAT(Kinds(first), ElementsAre(v1::EVENT_KIND_LINK_FAILED));
  EXPECT_EQ(first[0].detail(), "CONNECTION_FAILURE_NO_CARRIER: NO CARRIER");
  std::vector<v1::ModemEvent> more = DetectEvents(failed(1, 1).get(), *failed(9, 3));
  ASSERT_THAT(Kinds(more), ElementsAre(v1::EVENT_KIND_LINK_FAILED));
  EXPECT_EQ(more[0].detail(),
            "CONNECTION_FAILURE_NO_CARRIER: NO CARRIER (2 dials failed since the last sample)");
  EXPECT_TRUE(DetectEvents(failed(1, 3).get(), *failed(2, 3)).empty());  // no new failure
}

TEST(HistoryStoreTest, KeepsBoundedRingsAndAnswersByTimeRange) {
  HistoryRetention options;
  options.max_samples = 10;
  options.sample_interval = absl::Seconds(60);
  options.max_events = 5;
  HistoryStore store(options);
  // One sample a second for an hour, the cell changing every 5 minutes.
  for (int64_t t = 0; t < 3600; ++t) store.Record(Ready(t, static_cast<uint64_t>(t / 300)));
  v1::GetHistoryResponse all = store.Query(v1::GetHistoryRequest());
  int samples = 0, events = 0;
  for (const auto& e : all.entries()) (e.has_sample() ? samples : events)++;
  EXPECT_EQ(samples, 10);  // one per minute kept, ring of 10
  EXPECT_EQ(events, 5);    // 12 changes happened; the newest 5 are kept
  EXPECT_EQ(TimeUtil::TimestampToSeconds(all.entries(all.entries_size() - 1).at()), 3540);

  v1::GetHistoryRequest range;
  *range.mutable_start_time() = TimeUtil::SecondsToTimestamp(3000);
  *range.mutable_end_time() = TimeUtil::SecondsToTimestamp(3300);
  range.set_events_only(true);
  v1::GetHistoryResponse window = store.Query(range);
  ASSERT_EQ(window.entries_size(), 1);
  EXPECT_EQ(TimeUtil::TimestampToSeconds(window.entries(0).at()), 3000);
  EXPECT_EQ(window.entries(0).event().kind(), v1::EVENT_KIND_CELL_CHANGED);

  v1::GetHistoryRequest limited;
  limited.set_max_entries(3);
  v1::GetHistoryResponse cut = store.Query(limited);
  EXPECT_EQ(cut.entries_size(), 3);
  EXPECT_TRUE(cut.truncated());
  EXPECT_GT(store.bytes_held(), 0u);
}

}  // namespace
}  // namespace cellfleet::agent

namespace cellfleet::agent {
namespace {

std::string HistoryFile() {
  const std::string path = ::testing::TempDir() + "/history-" + std::to_string(::getpid()) + "-" +
                           ::testing::UnitTest::GetInstance()->current_test_info()->name();
  std::filesystem::remove(path);
  return path;
}

std::vector<std::string> Kept(const HistoryStore& store) {
  std::vector<std::string> kept;
  const v1::GetHistoryResponse response = store.Query(v1::GetHistoryRequest());
  for (const v1::HistoryEntry& e : response.entries()) {
    kept.push_back(e.has_sample()
                       ? absl::StrCat("sample ", e.sample().serving_cell().lte().cell_id())
                       : absl::StrCat("event ", v1::EventKind_Name(e.event().kind())));
  }
  return kept;
}

TEST(HistoryFileTest, WhatWasKeptComesBackAfterARestartAndATornTailIsDropped) {
  const std::string file = HistoryFile();
  HistoryRetention retention;
  retention.sample_interval = absl::Seconds(1);
  retention.flush_interval = absl::Hours(1);  // only Stop() flushes here
  {
    HistoryStore store(retention);
    absl::StatusOr<HistoryLoaded> loaded = store.Open(file);
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    EXPECT_EQ(loaded->entries, 0u);
    store.Record(Ready(100, 1));
    store.Record(Ready(110, 2));  // a cell change: an event and a sample
    store.Stop();
    EXPECT_EQ(store.bytes_written(), std::filesystem::file_size(file));
  }
  {
    HistoryStore store(retention);
    absl::StatusOr<HistoryLoaded> loaded = store.Open(file);
    ASSERT_TRUE(loaded.ok());
    EXPECT_EQ(loaded->entries, 4u);
    EXPECT_EQ(loaded->dropped_bytes, 0u);
    EXPECT_THAT(Kept(store), ElementsAre("event EVENT_KIND_MODEM_STATE_CHANGED", "sample 1",
                                         "event EVENT_KIND_CELL_CHANGED", "sample 2"));
    store.Record(Ready(120, 3));
    store.Stop();
  }
  // The power fails in the middle of the next write: the whole batches before it stay.
  std::filesystem::resize_file(file, std::filesystem::file_size(file) - 3);
  HistoryStore store(retention);
  absl::StatusOr<HistoryLoaded> loaded = store.Open(file);
  ASSERT_TRUE(loaded.ok());
  EXPECT_GT(loaded->dropped_bytes, 0u);
  EXPECT_THAT(Kept(store), ElementsAre("event EVENT_KIND_MODEM_STATE_CHANGED", "sample 1",
                                       "event EVENT_KIND_CELL_CHANGED", "sample 2"));
}

TEST(HistoryFileTest, TheFileIsRewrittenFromTheRingsSoItStaysBounded) {
  const std::string file = HistoryFile();
  HistoryRetention retention;
  retention.sample_interval = absl::Seconds(1);
  retention.max_samples = 10;
  retention.max_events = 10;
  retention.flush_interval = absl::Hours(1);
  size_t largest = 0;
  for (int run = 0; run < 60; ++run) {  // a restart after every 20 samples
    HistoryStore store(retention);
    ASSERT_TRUE(store.Open(file).ok());
    for (int i = 0; i < 20; ++i) store.Record(Ready(run * 100 + i, 1000 + run * 100 + i));
    store.Stop();
    largest = std::max<size_t>(largest, std::filesystem::file_size(file));
  }
  HistoryStore store(retention);
  ASSERT_TRUE(store.Open(file).ok());
  const std::vector<std::string> kept = Kept(store);
  ASSERT_EQ(kept.size(), 20u) << "the rings' bounds, after a restart too";
  EXPECT_EQ(kept.back(), "sample 6919");
  // Twice the rings' content and the slack at most, however long it runs.
  EXPECT_LT(largest, 2 * 20 * 200 + (64 << 10));
}

TEST(HistoryFileTest, AFileThatCannotBeWrittenKeepsTheHistoryInMemory) {
  HistoryRetention retention;
  HistoryStore store(retention);
  EXPECT_FALSE(store.Open("/proc/cellfleet-no-such-dir/history.log").ok());
  store.Record(Ready(100, 1));
  EXPECT_THAT(Kept(store), ElementsAre("event EVENT_KIND_MODEM_STATE_CHANGED", "sample 1"));
}

TEST(HistoryBatchTest, BytesThatAreNoBatchAreDataLoss) {
  for (const std::string& bytes :
       {std::string(), std::string("\x02xxxx", 5), std::string("\x01\x10\0\0\0garbage", 12)}) {
    EXPECT_EQ(DecodeHistoryBatch(bytes).status().code(), absl::StatusCode::kDataLoss);
  }
  v1::HistoryEntry entry;
  entry.mutable_event()->set_detail("x");
  absl::StatusOr<std::vector<v1::HistoryEntry>> back =
      DecodeHistoryBatch(EncodeHistoryBatch({entry}));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->at(0).event().detail(), "x");
}

TEST(RunMarkerTest, SaysHowThePreviousRunEnded) {
  const std::string marker = HistoryFile() + ".run";
  const std::string boot = HistoryFile() + ".boot";
  std::ofstream(boot) << "boot-1\n";
  EXPECT_EQ(BeginRun(marker, boot, false), "the first run on this state dir");
  EXPECT_THAT(BeginRun(marker, boot, true), ::testing::HasSubstr("killed or crashed"));
  EndRun(marker);
  EXPECT_EQ(BeginRun(marker, boot, true), "the previous run stopped cleanly");
  std::ofstream(boot) << "boot-2\n";  // the board restarted under the agent
  EXPECT_THAT(BeginRun(marker, boot, true), ::testing::HasSubstr("power lost"));
}

}  // namespace
}  // namespace cellfleet::agent
