// The history on disk, with a real agent process: killed with SIGKILL after its history
// reached the state dir, and the file's last write torn as a power cut leaves it, the
// restarted agent answers GetHistory with what was there before, drops the torn bytes,
// and says how its previous run ended; after a clean stop it says that.
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "modem/testing/status_matchers.h"
#include "modem/testing/wait_for.h"
#include "tests/support/fleet.h"
#include "tests/support/subprocess.h"

namespace cellfleet {
namespace {

using ::cellfleet::testing::IsOk;
using ::cellfleet::testing::WaitFor;
using ::testing::HasSubstr;

class HistoryOnDiskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("cellfleet-history");
    testing::FleetOptions options;
    options.simulator = CELLFLEET_MODEMSIM;
    options.dir = dir_;
    options.boards = 1;
    options.start_agents = false;
    absl::StatusOr<std::unique_ptr<testing::Fleet>> simulator = testing::Fleet::Start(options);
    ASSERT_THAT(simulator, IsOk());
    simulator_ = std::move(*simulator);
    // A sample kept every second and flushed every second: minutes in the field.
    std::ofstream(dir_ + "/agent.yaml") << "history:\n  interval: 1s\n  flush_interval: 1s\n";
    std::filesystem::create_directories(dir_ + "/state");
  }
  void TearDown() override {
    agent_.reset();
    simulator_.reset();
    std::filesystem::remove_all(dir_);
  }

  void StartAgent() {
    const std::string ready = absl::StrCat(dir_, "/ready", runs_);
    absl::StatusOr<testing::Subprocess> agent = testing::Subprocess::Start(
        {CELLFLEET_AGENT, "--config", dir_ + "/agent.yaml", "--at-port",
         simulator_->boards()[0].at_path, "--listen", "127.0.0.1:0", "--state-dir", dir_ + "/state",
         "--poll-interval", "0.3", "--board-name", "disk-board", "--ready-file", ready},
        absl::StrCat(dir_, "/agent", runs_++, ".log"));
    ASSERT_THAT(agent, IsOk());
    agent_ = std::make_unique<testing::Subprocess>(std::move(*agent));
    absl::StatusOr<std::string> address = testing::WaitForFile(ready, absl::Seconds(20));
    ASSERT_THAT(address, IsOk());
    address_ = std::string(absl::StripAsciiWhitespace(*address));
  }

  // `cellfleet history -o json`: one line per entry.
  std::vector<std::string> History() {
    absl::StatusOr<testing::CommandResult> result = testing::RunCommand(
        {CELLFLEET_CLI, "--output", "json", "history", "--since", "1h", "--targets", address_},
        absl::Seconds(20));
    if (!result.ok() || result->exit_code != 0) {
      ADD_FAILURE() << "cellfleet history: "
                    << (result.ok() ? result->err : result.status().ToString());
      return {};
    }
    return absl::StrSplit(result->out, '\n', absl::SkipEmpty());
  }
  static size_t Count(const std::vector<std::string>& lines, const std::string& what) {
    size_t n = 0;
    for (const std::string& line : lines) n += absl::StrContains(line, what) ? 1 : 0;
    return n;
  }
  std::string File() const { return dir_ + "/state/history.log"; }

  std::string dir_, address_;
  int runs_ = 0;
  std::unique_ptr<testing::Fleet> simulator_;
  std::unique_ptr<testing::Subprocess> agent_;
};

TEST_F(HistoryOnDiskTest, ItSurvivesSigkillAndATornWriteAndSaysHowTheLastRunEnded) {
  ASSERT_NO_FATAL_FAILURE(StartAgent());
  // Samples kept, and flushed: the file grows past the first run's start event.
  ASSERT_TRUE(WaitFor([&] { return Count(History(), "\"sample\"") >= 3; }, absl::Seconds(20)));
  ASSERT_TRUE(WaitFor(
      [&] {
        std::error_code ec;
        return std::filesystem::file_size(File(), ec) > 1000;
      },
      absl::Seconds(20)));
  EXPECT_EQ(Count(History(), "the first run on this state dir"), 1u);
  agent_->Signal(SIGKILL);
  ASSERT_THAT(agent_->Wait(absl::Seconds(10)), IsOk());
  const size_t whole = std::filesystem::file_size(File());
  // The power failed in the middle of a write: a header and part of its batch.
  std::ofstream(File(), std::ios::binary | std::ios::app)
      << std::string("\x40\x00\x00\x00\x12\x34\x56\x78partial", 15);

  ASSERT_NO_FATAL_FAILURE(StartAgent());
  const std::vector<std::string> after = History();
  EXPECT_GE(Count(after, "\"sample\""), 3u) << "the first run's samples are back";
  EXPECT_EQ(Count(after, "the first run on this state dir"), 1u);
  EXPECT_EQ(Count(after, "the previous run ended without stopping (killed or crashed)"), 1u)
      << absl::StrJoin(after, "\n");
  EXPECT_EQ(Count(after, "15 bytes of a write the end cut short were dropped"), 1u);
  EXPECT_GE(std::filesystem::file_size(File()), whole) << "the torn tail is cut off, no more";

  // A clean stop (systemctl stop) is told apart.
  ASSERT_THAT(agent_->Stop(absl::Seconds(10)), IsOk());
  ASSERT_NO_FATAL_FAILURE(StartAgent());
  EXPECT_EQ(Count(History(), "the previous run stopped cleanly"), 1u);
}

}  // namespace
}  // namespace cellfleet
