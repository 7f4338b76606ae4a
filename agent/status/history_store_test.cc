#include "agent/status/history_store.h"

#include "agent/status/event_detector.h"
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
