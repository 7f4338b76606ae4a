// Fleet scale in CI: 200 real agents on loopback (the fleet harness), driven by the real
// CLI. Every board gets exactly one result from a fan-out, and one watch of the whole
// fleet shows every board. Bounded in time; the 1,000-board figures are the benchmark's.
#include <filesystem>
#include <map>
#include <string>

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "modem/testing/status_matchers.h"
#include "nlohmann/json.hpp"
#include "tests/support/fleet.h"
#include "tests/support/subprocess.h"

namespace cellfleet {
namespace {

using ::cellfleet::testing::IsOk;
using ::cellfleet::testing::RunCommand;

constexpr int kBoards = 200;

// Board name -> JSON lines about it.
std::map<std::string, std::vector<nlohmann::json>> ByBoard(const std::string& out) {
  std::map<std::string, std::vector<nlohmann::json>> lines;
  for (absl::string_view line : absl::StrSplit(out, '\n', absl::SkipEmpty())) {
    nlohmann::json parsed = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded() || !parsed.contains("board")) continue;
    lines[parsed["board"]].push_back(parsed);
  }
  return lines;
}

// `cellfleet -o json ARGS`, with a deadline per board that a loaded machine meets.
testing::CommandResult Cli(std::vector<std::string> args, absl::Duration timeout) {
  args.insert(args.begin(), {CELLFLEET_CLI, "--output", "json", "--timeout", "20"});
  absl::StatusOr<testing::CommandResult> result = RunCommand(args, timeout);
  EXPECT_THAT(result, IsOk());
  return result.ok() ? *result : testing::CommandResult{};
}

// One test, one fleet: starting 200 agents is the expensive part.
TEST(FleetScaleTest, TwoHundredAgentsAnswerOnceEachAndOneWatchShowsThemAll) {
  const std::string dir = testing::MakeTempDir("cellfleet-scale");
  testing::FleetOptions options;
  options.simulator = CELLFLEET_MODEMSIM;
  options.agent = CELLFLEET_AGENT;
  options.dir = dir;
  options.boards = kBoards;
  options.tick = "1";
  options.poll_interval = "5";  // 200 agents share this machine's 2 cores with the test
  options.trouble = {{testing::FleetTrouble::Kind::kFade, 0.05, absl::Seconds(5)}};
  options.start_timeout = absl::Seconds(120);
  absl::StatusOr<std::unique_ptr<testing::Fleet>> started = testing::Fleet::Start(options);
  ASSERT_THAT(started, IsOk());
  testing::Fleet& fleet = **started;
  absl::StatusOr<std::string> inventory = fleet.WriteInventory();
  ASSERT_THAT(inventory, IsOk());

  for (const char* verb : {"status", "diagnose"}) {
    SCOPED_TRACE(verb);
    testing::CommandResult result = Cli({verb, "--inventory", *inventory}, absl::Seconds(120));
    const auto lines = ByBoard(result.out);
    EXPECT_EQ(lines.size(), static_cast<size_t>(kBoards)) << result.err;
    for (const testing::FleetBoard& board : fleet.boards()) {
      auto it = lines.find(board.name);
      ASSERT_NE(it, lines.end()) << board.name;
      ASSERT_EQ(it->second.size(), 1u) << board.name;
      EXPECT_EQ(it->second[0]["ok"], true) << it->second[0].dump();
      EXPECT_EQ(it->second[0]["address"], board.address);
    }
    EXPECT_THAT(result.err, ::testing::HasSubstr("200 of 200 boards answered"));
  }

  // Selecting by label reaches just those boards.
  testing::CommandResult north =
      Cli({"status", "--inventory", *inventory, "--select", "region=north"}, absl::Seconds(120));
  const auto north_lines = ByBoard(north.out);
  EXPECT_EQ(north_lines.size(), static_cast<size_t>(kBoards / 2)) << north.err;
  for (const auto& [name, board_lines] : north_lines) EXPECT_EQ(board_lines.size(), 1u) << name;

  // One watch of the whole fleet shows every board.
  testing::CommandResult watch = Cli(
      {"watch", "--inventory", *inventory, "--count", "1", "--duration", "90"}, absl::Seconds(120));
  EXPECT_EQ(watch.exit_code, 0) << watch.err;
  const auto watched = ByBoard(watch.out);
  EXPECT_EQ(watched.size(), static_cast<size_t>(kBoards)) << watch.err;
  for (const auto& [name, board_lines] : watched) {
    EXPECT_TRUE(board_lines[0].contains("update")) << board_lines[0].dump();
  }

  EXPECT_THAT(fleet.Stop(), IsOk());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace cellfleet
