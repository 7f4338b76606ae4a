#include "agent/status/update_filter.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "modem/testing/status_matchers.h"

namespace cellfleet::agent {
namespace {

using ::cellfleet::testing::IsOk;
using ::cellfleet::testing::StatusIs;

StatusPtr Sample(int rsrp, int cell_id = 1, v1::ModemState state = v1::MODEM_STATE_READY) {
  auto status = std::make_shared<v1::ModemStatus>();
  status->set_modem_state(state);
  v1::LteServingCell* lte = status->mutable_serving_cell()->mutable_lte();
  lte->set_rsrp_dbm(rsrp);
  lte->set_cell_id(cell_id);
  status->mutable_identity()->set_imei("867695040000001");
  return status;
}

v1::WatchStatusRequest OnChange(uint32_t rsrp_deadband, int heartbeat_s) {
  v1::WatchStatusRequest request;
  request.set_on_change(true);
  request.mutable_deadbands()->set_rsrp_db(rsrp_deadband);
  request.mutable_heartbeat_interval()->set_seconds(heartbeat_s);
  return request;
}

TEST(UpdateFilterTest, SampleModeHonoursIntervalBoundedByPollInterval) {
  v1::WatchStatusRequest request;
  request.mutable_sample_interval()->set_seconds(0);  // "as fast as possible"
  absl::StatusOr<UpdateFilter> filter = UpdateFilter::Create(request, absl::Seconds(2));
  ASSERT_THAT(filter, IsOk());
  EXPECT_EQ(filter->sample_interval(), absl::Seconds(2));

  request.mutable_sample_interval()->set_seconds(10);
  filter = UpdateFilter::Create(request, absl::Seconds(2));
  ASSERT_THAT(filter, IsOk());
  absl::Time t0 = absl::FromUnixSeconds(1000);
  EXPECT_TRUE(filter->Offer(Sample(-90), t0).has_value());
  EXPECT_FALSE(filter->Offer(Sample(-91), t0 + absl::Seconds(2)).has_value());
  EXPECT_FALSE(filter->Offer(Sample(-92), t0 + absl::Seconds(8)).has_value());
  std::optional<PlannedUpdate> due = filter->Offer(Sample(-93), t0 + absl::Seconds(10));
  ASSERT_TRUE(due.has_value());
  EXPECT_EQ(due->kind, v1::UPDATE_KIND_SAMPLE);
}

TEST(UpdateFilterTest, OnChangeAppliesDeadbandAndHeartbeat) {
  absl::StatusOr<UpdateFilter> filter = UpdateFilter::Create(OnChange(3, 30), absl::Seconds(1));
  ASSERT_THAT(filter, IsOk());
  absl::Time t = absl::FromUnixSeconds(1000);
  EXPECT_EQ(filter->Offer(Sample(-90), t)->kind, v1::UPDATE_KIND_CHANGE);  // first is always sent
  EXPECT_FALSE(filter->Offer(Sample(-92), t + absl::Seconds(1)).has_value());  // moved 2 < 3
  std::optional<PlannedUpdate> moved = filter->Offer(Sample(-93), t + absl::Seconds(2));
  ASSERT_TRUE(moved.has_value());
  EXPECT_EQ(moved->kind, v1::UPDATE_KIND_CHANGE);
  EXPECT_EQ(moved->status->serving_cell().lte().rsrp_dbm(), -93);
  // A cell change is always a change, whatever the deadband.
  EXPECT_EQ(filter->Offer(Sample(-93, 2), t + absl::Seconds(3))->kind, v1::UPDATE_KIND_CHANGE);
  EXPECT_FALSE(filter->Offer(Sample(-93, 2), t + absl::Seconds(20)).has_value());
  std::optional<PlannedUpdate> heartbeat = filter->Offer(Sample(-94, 2), t + absl::Seconds(33));
  ASSERT_TRUE(heartbeat.has_value());
  EXPECT_EQ(heartbeat->kind, v1::UPDATE_KIND_HEARTBEAT);
  EXPECT_EQ(heartbeat->status->ByteSizeLong(), 0u);  // heartbeats carry no payload
}

TEST(UpdateFilterTest, LinkAndConfigStepsAreChangesButByteCountersAreNot) {
  absl::StatusOr<UpdateFilter> filter = UpdateFilter::Create(OnChange(3, 600), absl::Seconds(1));
  ASSERT_THAT(filter, IsOk());
  absl::Time t = absl::FromUnixSeconds(1000);
  auto with_link = [](v1::ConnectionState state, uint64_t bytes, uint64_t config_version) {
    StatusPtr base = Sample(-90);
    auto status = std::make_shared<v1::ModemStatus>(*base);
    status->mutable_connection()->set_state(state);
    status->mutable_connection()->set_rx_bytes(bytes);
    status->mutable_connection()->set_tx_bytes(bytes / 2);
    status->mutable_config()->set_version(config_version);
    return StatusPtr(status);
  };
  ASSERT_TRUE(filter->Offer(with_link(v1::CONNECTION_STATE_DIALING, 0, 1), t).has_value());
  EXPECT_EQ(
      filter->Offer(with_link(v1::CONNECTION_STATE_CONNECTED, 0, 1), t + absl::Seconds(1))->kind,
      v1::UPDATE_KIND_CHANGE);
  EXPECT_FALSE(
      filter->Offer(with_link(v1::CONNECTION_STATE_CONNECTED, 5000, 1), t + absl::Seconds(2))
          .has_value());
  EXPECT_EQ(
      filter->Offer(with_link(v1::CONNECTION_STATE_CONNECTED, 9000, 2), t + absl::Seconds(3))->kind,
      v1::UPDATE_KIND_CHANGE);
}

TEST(UpdateFilterTest, DataUsageIsAChangeEachMegabyteAndEachStateNotEachPacket) {
  absl::StatusOr<UpdateFilter> filter = UpdateFilter::Create(OnChange(3, 600), absl::Seconds(1));
  ASSERT_THAT(filter, IsOk());
  absl::Time t = absl::FromUnixSeconds(1000);
  auto with_usage = [](uint64_t rx, uint64_t tx, v1::UsageState state) {
    auto status = std::make_shared<v1::ModemStatus>(*Sample(-90));
    v1::SimUsage& usage = *status->mutable_usage();
    usage.set_iccid("89490200001234567890");
    usage.mutable_cycle()->set_rx_bytes(rx);
    usage.mutable_cycle()->set_tx_bytes(tx);
    usage.set_projected_bytes(rx * 30);
    usage.set_state(state);
    return StatusPtr(status);
  };
  ASSERT_TRUE(filter->Offer(with_usage(100'000, 0, v1::USAGE_STATE_OK), t).has_value());
  EXPECT_FALSE(filter->Offer(with_usage(600'000, 300'000, v1::USAGE_STATE_OK), t + absl::Seconds(1))
                   .has_value())
      << "within the same megabyte";
  EXPECT_EQ(
      filter->Offer(with_usage(700'000, 400'000, v1::USAGE_STATE_OK), t + absl::Seconds(2))->kind,
      v1::UPDATE_KIND_CHANGE)
      << "the second megabyte";
  EXPECT_EQ(
      filter->Offer(with_usage(700'000, 400'000, v1::USAGE_STATE_WARNING), t + absl::Seconds(3))
          ->kind,
      v1::UPDATE_KIND_CHANGE);
}

TEST(UpdateFilterTest, FieldMaskTrimsAndLimitsChangeDetection) {
  v1::WatchStatusRequest request = OnChange(0, 60);
  request.mutable_field_mask()->add_paths("serving_cell.lte.rsrp_dbm");
  absl::StatusOr<UpdateFilter> filter = UpdateFilter::Create(request, absl::Seconds(1));
  ASSERT_THAT(filter, IsOk());
  absl::Time t = absl::FromUnixSeconds(1000);
  std::optional<PlannedUpdate> first = filter->Offer(Sample(-90), t);
  ASSERT_TRUE(first.has_value());
  EXPECT_FALSE(first->status->has_identity());
  EXPECT_EQ(first->status->serving_cell().lte().cell_id(), 0u);
  EXPECT_EQ(first->status->serving_cell().lte().rsrp_dbm(), -90);
  // The masked-out modem state changing is not a change for this client.
  EXPECT_FALSE(filter->Offer(Sample(-90, 1, v1::MODEM_STATE_UNRESPONSIVE), t + absl::Seconds(1))
                   .has_value());
}

TEST(UpdateFilterTest, RejectsBadRequests) {
  v1::WatchStatusRequest negative;
  negative.mutable_sample_interval()->set_seconds(-1);
  EXPECT_THAT(UpdateFilter::Create(negative, absl::Seconds(1)),
              StatusIs(absl::StatusCode::kInvalidArgument));
  v1::WatchStatusRequest bad_mask;
  bad_mask.mutable_field_mask()->add_paths("serving_cell.no_such_field");
  EXPECT_THAT(UpdateFilter::Create(bad_mask, absl::Seconds(1)),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::HasSubstr("no_such_field")));
}

}  // namespace
}  // namespace cellfleet::agent
