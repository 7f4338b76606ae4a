// Sustained load: 200 simulated boards in one simulator process, each polled every
// second for a minute through its own AT channel. No reply may be lost or land on the
// wrong board (each board answers AT+CGSN with its own IMEI).
#include <atomic>
#include <cstdlib>
#include <memory>
#include <vector>

#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "base/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "modem/at_channel.h"
#include "modem/replies/identity.h"
#include "modem/replies/signal_quality.h"
#include "modem/testing/status_matchers.h"
#include "modem/testing/wait_for.h"
#include "tests/support/fleet.h"
#include "tests/support/subprocess.h"

namespace cellfleet {
namespace {

using ::cellfleet::testing::IsOk;

constexpr int kBoards = 200;

struct Board {
  std::string at_path;
  std::string imei;
  std::unique_ptr<modem::AtChannel> channel;
};

TEST(SimLoadTest, TwoHundredBoardsPolledEverySecondForAMinute) {
  const int seconds =
      std::getenv("CELLFLEET_LOAD_SECONDS") ? std::atoi(std::getenv("CELLFLEET_LOAD_SECONDS")) : 60;
  const std::string dir = testing::MakeTempDir("cellfleet-load");
  testing::FleetOptions options;
  options.simulator = CELLFLEET_MODEMSIM;
  options.dir = dir;
  options.boards = kBoards;
  options.start_agents = false;  // this test is the simulator's only client
  absl::StatusOr<std::unique_ptr<testing::Fleet>> fleet = testing::Fleet::Start(options);
  ASSERT_THAT(fleet, IsOk());
  std::vector<Board> boards;
  for (const testing::FleetBoard& simulated : (*fleet)->boards()) {
    Board board;
    board.at_path = simulated.at_path;
    board.imei = simulated.imei;
    modem::SerialOptions serial;
    serial.lock_dir = dir;
    auto port = modem::SerialPort::Open(board.at_path, serial);
    ASSERT_THAT(port, IsOk());
    board.channel = std::make_unique<modem::AtChannel>(std::move(*port));
    boards.push_back(std::move(board));
  }
  ASSERT_EQ(boards.size(), static_cast<size_t>(kBoards));

  std::atomic<int> completed{0}, failed{0}, mixed_up{0};
  absl::Mutex mu;
  std::string first_problem;
  absl::Duration slowest;
  auto note = [&](const std::string& problem) {
    absl::MutexLock lock(&mu);
    if (first_problem.empty()) first_problem = problem;
  };
  const absl::Time start = base::Clock::Real().Now();
  int submitted = 0;
  for (int second = 0; second < seconds; ++second) {
    const absl::Time round = start + absl::Seconds(second);
    absl::SleepFor(round - base::Clock::Real().Now());  // pacing: one round of polls per second
    for (Board& board : boards) {
      const absl::Time sent = base::Clock::Real().Now();
      board.channel->Submit(modem::AtCommand::Bare("AT+CGSN"),
                            [&, sent](absl::StatusOr<modem::AtResponse> r) {
                              if (!r.ok() || !r->final.success() || r->lines.size() != 1) {
                                ++failed;
                                note(r.ok() ? r->final.line : std::string(r.status().message()));
                              } else if (r->lines[0] != board.imei) {
                                ++mixed_up;
                                note("board " + board.at_path + " got " + r->lines[0]);
                              }
                              {
                                absl::MutexLock lock(&mu);
                                slowest = std::max(slowest, base::Clock::Real().Now() - sent);
                              }
                              ++completed;
                            });
      board.channel->Submit(modem::AtCommand::Query("AT+CSQ", {"+CSQ:"}),
                            [&](absl::StatusOr<modem::AtResponse> r) {
                              if (!r.ok() || !r->final.success() || r->lines.size() != 1 ||
                                  !modem::ParseCsq(r->lines[0]).ok()) {
                                ++failed;
                                note(r.ok() ? r->final.line : std::string(r.status().message()));
                              }
                              ++completed;
                            });
      submitted += 2;
    }
  }
  (void)testing::WaitFor([&] { return completed.load() >= submitted; }, absl::Seconds(30),
                         absl::Milliseconds(50));
  const absl::Duration elapsed = base::Clock::Real().Now() - start;
  EXPECT_EQ(completed.load(), submitted);
  EXPECT_EQ(failed.load(), 0) << first_problem;
  EXPECT_EQ(mixed_up.load(), 0) << first_problem;
  std::cout << "load: " << kBoards << " boards, " << submitted << " commands in " << elapsed
            << ", slowest AT+CGSN " << slowest << "\n";
  boards.clear();
  EXPECT_THAT((*fleet)->Stop(), IsOk());
}

}  // namespace
}  // namespace cellfleet
