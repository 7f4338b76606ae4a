// The live table against a fixed terminal size: what a person sees on an 80x12 screen.
#include "client/fleet_table.h"

#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace cellfleet::client {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);

v1::ModemStatus Healthy(int rsrp_dbm) {
  v1::ModemStatus s;
  s.set_modem_state(v1::MODEM_STATE_READY);
  s.set_sim_state(v1::SIM_STATE_READY);
  s.mutable_eps_registration()->set_state(v1::REGISTRATION_STATE_HOME);
  s.mutable_serving_cell()->set_radio_technology(v1::RADIO_TECHNOLOGY_LTE);
  s.mutable_serving_cell()->mutable_lte()->set_rsrp_dbm(rsrp_dbm);
  s.mutable_connection()->set_state(v1::CONNECTION_STATE_CONNECTED);
  return s;
}

std::vector<std::string> Names(int n) {
  std::vector<std::string> names;
  for (int i = 0; i < n; ++i) names.push_back(absl::StrFormat("board-%02d", i));
  return names;
}

TEST(FleetTableTest, SummaryHeaderAndRowsFitTheTerminal) {
  FleetTable table(Names(3));
  table.Update(0, Healthy(-90), kNow - absl::Seconds(5));
  table.Update(1, Healthy(-115), kNow - absl::Seconds(2));
  table.Problem(2, "stream ended: UNAVAILABLE: connection refused", kNow - absl::Seconds(1));
  std::vector<std::string> lines = table.Render(80, 12, SortKey::kRsrp, kNow);
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[0],  // cut to 80 columns
            "3 boards: READY 2, no answer 1 | link up 2, down 0 | 2 need attention | 0.2 upda");
  EXPECT_THAT(lines[1], StartsWith("BOARD     STATE"));
  // Worst RSRP first; a board with no reading is worse than any.
  EXPECT_THAT(lines[2], StartsWith("board-02  UNREACHABLE"));
  EXPECT_THAT(lines[3], StartsWith("board-01  READY"));
  EXPECT_THAT(lines[4], StartsWith("board-00  READY"));
  for (const std::string& line : lines) EXPECT_LE(line.size(), 80u) << line;
  // On a wide terminal the last column carries the reason, cut to the width.
  lines = table.Render(160, 12, SortKey::kRsrp, kNow);
  EXPECT_THAT(lines[0], HasSubstr("| oldest update 5s ago"));
  EXPECT_THAT(lines[2], HasSubstr("stream ended: UNAVAILABLE: connection refused"));
  EXPECT_THAT(lines[2], HasSubstr(" 1s "));  // its age
}

TEST(FleetTableTest, ATallFleetShowsTheBoardsThatNeedAttentionAndCountsTheRest) {
  FleetTable table(Names(30));
  for (size_t i = 0; i < 30; ++i) table.Update(i, Healthy(-80 - static_cast<int>(i)), kNow);
  v1::ModemStatus absent = Healthy(-80);
  absent.set_modem_state(v1::MODEM_STATE_ABSENT);
  table.Update(17, absent, kNow);
  table.Problem(23, "stream ended: DEADLINE_EXCEEDED: slow", kNow);
  std::vector<std::string> lines = table.Render(120, 8, SortKey::kName, kNow);
  ASSERT_EQ(lines.size(), 8u);                    // summary, header, 5 rows, the count
  EXPECT_THAT(lines[2], StartsWith("board-17"));  // attention first, by name
  EXPECT_THAT(lines[3], StartsWith("board-23"));
  EXPECT_THAT(lines[4], StartsWith("board-00"));
  EXPECT_EQ(lines[7], "... and 25 more boards (0 of them need attention)");
}

TEST(FleetTableTest, AMissingSimNeedsAttentionEvenWhenTheModemSaysRegistered) {
  FleetTable table(Names(2));
  v1::ModemStatus no_sim = Healthy(-85);
  no_sim.set_sim_state(v1::SIM_STATE_NOT_INSERTED);
  table.Update(0, Healthy(-85), kNow);  // positive control: healthy, no attention
  table.Update(1, no_sim, kNow);
  std::vector<std::string> lines = table.Render(120, 10, SortKey::kState, kNow);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_THAT(lines[0], HasSubstr("| 1 need attention |"));
  EXPECT_THAT(lines[2], StartsWith("board-01"));  // attention first
}

// A board whose stream ended is UNREACHABLE at once, its last sample no longer shown as
// its state (a killed agent's row stayed READY until a reconnect failed).
TEST(FleetTableTest, AnEndedStreamShowsTheBoardUnreachableAtOnce) {
  FleetTable table(Names(2));
  table.Update(0, Healthy(-85), kNow - absl::Seconds(1));
  table.Update(1, Healthy(-85), kNow - absl::Seconds(1));
  table.Problem(1, "stream ended: UNAVAILABLE: Socket closed (retrying in 1s)", kNow);
  std::vector<std::string> lines = table.Render(160, 10, SortKey::kName, kNow);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_THAT(lines[0], StartsWith("2 boards: READY 1, no answer 1 |"));
  EXPECT_THAT(lines[2], StartsWith("board-00  READY"));  // positive control
  EXPECT_THAT(lines[3], StartsWith("board-01  UNREACHABLE"));
  EXPECT_THAT(lines[3], HasSubstr("stream ended: UNAVAILABLE"));
  table.Update(1, Healthy(-85), kNow);  // back: its sample shows again
  EXPECT_THAT(table.Render(160, 10, SortKey::kName, kNow)[3], StartsWith("board-01  READY"));
}

TEST(FleetTableTest, SortedByNameWhenEverythingFits) {
  FleetTable table({"c", "a", "b"});
  for (size_t i = 0; i < 3; ++i) table.Update(i, Healthy(-90), kNow);
  std::vector<std::string> lines = table.Render(100, 10, SortKey::kName, kNow);
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_THAT(std::vector<std::string>(lines.begin() + 2, lines.end()),
              ElementsAre(StartsWith("a "), StartsWith("b "), StartsWith("c ")));
  EXPECT_THAT(lines[0], HasSubstr("0 need attention"));
  EXPECT_THAT(lines[0], HasSubstr("0.3 updates/s"));
}

TEST(FleetTableTest, AHeartbeatKeepsTheRowAndRefreshesItsAge) {
  FleetTable table({"a"});
  table.Update(0, Healthy(-97), kNow - absl::Minutes(5));
  table.Heartbeat(0, kNow - absl::Seconds(3));
  std::vector<std::string> lines = table.Render(200, 10, SortKey::kName, kNow);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_THAT(lines[2], HasSubstr("-97dBm"));
  EXPECT_THAT(lines[2], HasSubstr(" 3s"));
  EXPECT_THAT(lines[0], HasSubstr("oldest update 3s ago"));
}

TEST(FleetTableTest, SortKeysByName) {
  EXPECT_EQ(*ParseSortKey("rsrp"), SortKey::kRsrp);
  EXPECT_EQ(ParseSortKey("signal").status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace cellfleet::client
