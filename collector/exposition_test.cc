#include "collector/exposition.h"

#include "absl/strings/str_split.h"
#include "base/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "proto/time_convert.h"

namespace cellfleet::collector {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);

BoardSnapshot UpBoard() {
  BoardSnapshot b;
  b.board = {"rock-001", "10.8.0.11:50051", {{"region", "north"}, {"site", "depot \"3\""}}};
  b.stream = StreamState::kConnected;
  b.updates = 7;
  auto status = std::make_shared<v1::ModemStatus>();
  v1::ModemStatus& s = *status;
  *s.mutable_sampled_at() = ToProtoTime(kNow - absl::Seconds(3));
  s.set_modem_state(v1::MODEM_STATE_READY);
  s.mutable_identity()->set_imei("867695041450528");
  s.mutable_identity()->set_iccid("89860000000000000001");
  s.mutable_eps_registration()->set_state(v1::REGISTRATION_STATE_HOME);
  s.mutable_operator_()->set_name("Telekom.de");
  v1::ServingCell& cell = *s.mutable_serving_cell();
  cell.set_radio_technology(v1::RADIO_TECHNOLOGY_LTE);
  cell.mutable_lte()->set_rsrp_dbm(-97);
  cell.mutable_lte()->set_rsrq_db(-10);
  cell.mutable_lte()->set_sinr_db(13.5);
  cell.mutable_lte()->set_band(3);
  cell.mutable_lte()->set_pci(166);
  s.mutable_connection()->set_state(v1::CONNECTION_STATE_CONNECTED);
  s.mutable_connection()->set_rx_bytes(123456789012);
  v1::SimUsage& usage = *s.mutable_usage();
  usage.set_iccid("89860000000000000001");
  usage.mutable_cycle()->set_rx_bytes(750'000'000);
  usage.mutable_cycle()->set_tx_bytes(50'000'000);
  *usage.mutable_cycle()->mutable_end() = ToProtoTime(absl::FromUnixSeconds(1'801'000'000));
  usage.mutable_plan()->set_cap_bytes(1'000'000'000);
  usage.set_projected_bytes(1'200'000'000);
  usage.set_state(v1::USAGE_STATE_WARNING);
  *s.mutable_agent_certificate()->mutable_not_after() =
      ToProtoTime(absl::FromUnixSeconds(1'870'000'000));
  *s.mutable_agent_certificate()->mutable_renew_after() =
      ToProtoTime(absl::FromUnixSeconds(1830000000));
  b.status = std::move(status);
  return b;
}

TEST(ExpositionTest, AnUpBoardHasItsValuesWithAgeAndInfoLabels) {
  CollectorStats stats;
  stats.fleet = {/*boards=*/1, /*connected=*/1, /*reconnects=*/0, /*updates=*/7};
  const std::string text = RenderMetrics({UpBoard()}, stats, true, kNow);
  EXPECT_THAT(text, HasSubstr("cellfleet_board_up{board=\"rock-001\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("cellfleet_sample_age_seconds{board=\"rock-001\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("cellfleet_signal_rsrp_dbm{board=\"rock-001\"} -97\n"));
  EXPECT_THAT(text, HasSubstr("cellfleet_signal_sinr_db{board=\"rock-001\"} 13.5\n"));
  EXPECT_THAT(text, HasSubstr("cellfleet_modem_state{board=\"rock-001\",state=\"READY\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("cellfleet_modem_state{board=\"rock-001\",state=\"ABSENT\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("cellfleet_link_receive_bytes_total{board=\"rock-001\"} "
                              "123456789012\n"));
  EXPECT_THAT(text, HasSubstr("imei=\"867695041450528\""));
  EXPECT_THAT(text, HasSubstr("cellfleet_serving_cell_info{board=\"rock-001\",operator="
                              "\"Telekom.de\",rat=\"LTE\""));
  // Inventory labels on the board's info metric only, escaped.
  EXPECT_THAT(text, HasSubstr("cellfleet_board_info{board=\"rock-001\",address=\"10.8.0.11:"
                              "50051\",region=\"north\",site=\"depot \\\"3\\\"\"} 1\n"));
  // Identity and cell are not labels of the gauges: a handover adds no series to them.
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (absl::StartsWith(line, "cellfleet_signal_")) {
      EXPECT_THAT(line, Not(HasSubstr("pci")));
    }
  }
  // The SIM's data this cycle, labelled by ICCID.
  EXPECT_THAT(text, HasSubstr("cellfleet_sim_cycle_bytes{board=\"rock-001\",iccid=\""
                              "89860000000000000001\",direction=\"rx\"} 750000000\n"));
  EXPECT_THAT(text, HasSubstr("cellfleet_sim_cycle_bytes{board=\"rock-001\",iccid=\""
                              "89860000000000000001\",direction=\"tx\"} 50000000\n"));
  EXPECT_THAT(text, HasSubstr("cellfleet_sim_cap_bytes{board=\"rock-001\",iccid=\""
                              "89860000000000000001\"} 1000000000\n"));
  EXPECT_THAT(text, HasSubstr("cellfleet_sim_cycle_projected_bytes{board=\"rock-001\",iccid=\""
                              "89860000000000000001\"} 1200000000\n"));
  EXPECT_THAT(text, HasSubstr("cellfleet_sim_cycle_end_timestamp_seconds{board=\"rock-001\","
                              "iccid=\"89860000000000000001\"} 1801000000\n"));
  EXPECT_THAT(text, HasSubstr("cellfleet_sim_usage_state{board=\"rock-001\",iccid=\""
                              "89860000000000000001\",state=\"WARNING\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("cellfleet_sim_usage_state{board=\"rock-001\",iccid=\""
                              "89860000000000000001\",state=\"BLOCKED\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("cellfleet_agent_certificate_expiry_timestamp_seconds{board="
                              "\"rock-001\"} 1870000000\n"));
  EXPECT_THAT(text, HasSubstr("cellfleet_agent_certificate_renew_after_timestamp_seconds{board="
                              "\"rock-001\"} 1830000000\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE cellfleet_board_updates_total counter\n"));
  EXPECT_THAT(text, HasSubstr("cellfleet_collector_streams_connected 1\n"));
}

// A board whose stream is down says why, and exports no values: never frozen ones.
TEST(ExpositionTest, ADownBoardExportsWhyAndNoValues) {
  BoardSnapshot b = UpBoard();
  b.stream = StreamState::kRetrying;
  b.error_code = "UNAVAILABLE";
  b.reconnects = 2;
  const std::string text = RenderMetrics({b}, CollectorStats{}, false, kNow);
  EXPECT_THAT(text, HasSubstr("cellfleet_board_up{board=\"rock-001\"} 0\n"));
  EXPECT_THAT(text,
              HasSubstr("cellfleet_board_stream_state{board=\"rock-001\",state=\"retrying\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("cellfleet_board_stream_last_error_info{board=\"rock-001\",code="
                              "\"UNAVAILABLE\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("cellfleet_board_stream_reconnects_total{board=\"rock-001\"} 2\n"));
  EXPECT_THAT(text, Not(HasSubstr("cellfleet_signal_rsrp_dbm{")));
  EXPECT_THAT(text, Not(HasSubstr("cellfleet_modem_state{")));
  EXPECT_THAT(text, Not(HasSubstr("cellfleet_collector_")));  // self metrics not asked for
}

TEST(ExpositionTest, SilenceIsJudgedAtTheScrape) {
  FleetState fleet({{"b", "127.0.0.1:1", {}}}, absl::Seconds(30));
  v1::StatusUpdate heartbeat;
  heartbeat.set_kind(v1::UPDATE_KIND_HEARTBEAT);
  fleet.Update(0, {}, heartbeat);
  EXPECT_EQ(fleet.Snapshot(base::Clock::Real().Now())[0].stream, StreamState::kConnected);
  EXPECT_EQ(fleet.Snapshot(base::Clock::Real().Now() + absl::Seconds(31))[0].stream,
            StreamState::kSilent);
  fleet.StreamEnded(0, {}, grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "no"),
                    absl::InfiniteDuration());
  EXPECT_EQ(fleet.Snapshot(base::Clock::Real().Now())[0].stream, StreamState::kRefused);
}

TEST(ExpositionTest, ResetsAreCountedOnEntryIntoResetting) {
  FleetState fleet({{"b", "127.0.0.1:1", {}}}, absl::Seconds(30));
  v1::StatusUpdate update;
  update.set_kind(v1::UPDATE_KIND_CHANGE);
  for (v1::ModemState state :
       {v1::MODEM_STATE_READY, v1::MODEM_STATE_RESETTING, v1::MODEM_STATE_RESETTING,
        v1::MODEM_STATE_READY, v1::MODEM_STATE_RESETTING}) {
    update.mutable_status()->set_modem_state(state);
    fleet.Update(0, {}, update);
  }
  EXPECT_EQ(fleet.Snapshot(base::Clock::Real().Now())[0].modem_resets, 2u);
}

TEST(ExpositionTest, InventoryKeysBecomeLabelNames) {
  EXPECT_EQ(PrometheusLabelName("site"), "site");
  EXPECT_EQ(PrometheusLabelName("rack-id.2"), "rack_id_2");
  EXPECT_EQ(PrometheusLabelName("3g"), "_3g");
  EXPECT_EQ(PrometheusLabelName("board"), "inventory_board");
  EXPECT_EQ(PrometheusLabelName("__name__"), "inventory___name__");
}

TEST(ExpositionTest, LabelValuesAreEscaped) {
  EXPECT_EQ(EscapeLabelValue("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
}

}  // namespace
}  // namespace cellfleet::collector
