#include "collector/fleet_state.h"

#include "base/clock.h"
#include "gtest/gtest.h"

namespace cellfleet::collector {
namespace {

const absl::Duration kBound = absl::Seconds(270);

std::vector<fleet::Board> TwoBoards() {
  return {{"rock-001", "127.0.0.1:50051", {}}, {"rock-002", "127.0.0.1:50052", {}}};
}

v1::StatusUpdate Change(v1::ModemState state) {
  v1::StatusUpdate update;
  update.set_kind(v1::UPDATE_KIND_CHANGE);
  update.mutable_status()->set_modem_state(state);
  return update;
}

TEST(FleetStateTest, AProbeCopiesOnlyItsBoardAndAnUnknownNameNone) {
  const std::vector<fleet::Board> boards = TwoBoards();
  FleetState fleet(boards, kBound);
  fleet.Update(1, boards[1], Change(v1::MODEM_STATE_READY));

  std::vector<BoardSnapshot> one = fleet.Snapshot(base::Clock::Real().Now(), "rock-002");
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].board.name, "rock-002");
  EXPECT_TRUE(one[0].up());
  EXPECT_EQ(one[0].status->modem_state(), v1::MODEM_STATE_READY);
  EXPECT_TRUE(fleet.Snapshot(base::Clock::Real().Now(), "rock-404").empty());
  EXPECT_EQ(fleet.Snapshot(base::Clock::Real().Now()).size(), 2u);
}

TEST(FleetStateTest, SnapshotAndCountAgreeOnABoardGoneSilent) {
  const std::vector<fleet::Board> boards = TwoBoards();
  FleetState fleet(boards, kBound);
  fleet.Update(0, boards[0], Change(v1::MODEM_STATE_READY));
  fleet.Update(1, boards[1], Change(v1::MODEM_STATE_READY));
  fleet.StreamEnded(1, boards[1], grpc::Status(grpc::StatusCode::UNAVAILABLE, "gone"),
                    absl::Seconds(1));
  fleet.Update(1, boards[1], Change(v1::MODEM_STATE_RESETTING));

  const absl::Time now = base::Clock::Real().Now();
  FleetCounts counts = fleet.Count(now);
  EXPECT_EQ(counts.boards, 2u);
  EXPECT_EQ(counts.connected, 2u);
  EXPECT_EQ(counts.reconnects, 1u);
  EXPECT_EQ(counts.updates, 3u);

  // Past the bound with no heartbeat: silent in both, so never counted as up.
  const absl::Time later = now + kBound + absl::Seconds(1);
  for (const BoardSnapshot& b : fleet.Snapshot(later)) {
    EXPECT_EQ(b.stream, StreamState::kSilent) << b.board.name;
    EXPECT_FALSE(b.up());
  }
  EXPECT_EQ(fleet.Count(later).connected, 0u);
  EXPECT_EQ(fleet.Snapshot(later, "rock-002")[0].modem_resets, 1u);
}

}  // namespace
}  // namespace cellfleet::collector
