// What the agent keeps on disk, with a real agent process killed with SIGKILL.
// The history: after its last write was torn as a power cut leaves it, the restarted
// agent answers GetHistory with what was there before, drops the torn bytes, and says
// how its previous run ended; after a clean stop it says that.
// The data usage: the restarted agent counts the link on from its ledger, without
// counting a byte twice, and a counter that went back is a reset, counted as new.
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "agent/usage/usage_store.h"
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
    options.simulator_args = SimulatorArgs();
    absl::StatusOr<std::unique_ptr<testing::Fleet>> simulator = testing::Fleet::Start(options);
    ASSERT_THAT(simulator, IsOk());
    simulator_ = std::move(*simulator);
    // A sample kept every second and flushed every second: minutes in the field.
    std::ofstream(dir_ + "/agent.yaml")
        << "history:\n  interval: 1s\n  flush_interval: 1s\nusage:\n  save_interval: 1s\n";
    // The PPP interface the usage meter reads: its counters are the test's to move.
    std::filesystem::create_directories(Ppp0() + "/statistics");
    std::ofstream(Ppp0() + "/ifindex") << "7\n";
    SetCounters(0, 0);
    std::filesystem::create_directories(dir_ + "/state");
  }
  virtual std::vector<std::string> SimulatorArgs() const { return {}; }

  void TearDown() override {
    agent_.reset();
    // The fake pppd that outlived its killed agent (a real one is ended by the next run).
    if (orphan_pppd_ > 1) ::kill(orphan_pppd_, SIGTERM);
    simulator_.reset();
    std::filesystem::remove_all(dir_);
  }

  void StartAgent() {
    const std::string ready = absl::StrCat(dir_, "/ready", runs_);
    absl::StatusOr<testing::Subprocess> agent =
        testing::Subprocess::Start({CELLFLEET_AGENT,
                                    "--config",
                                    dir_ + "/agent.yaml",
                                    "--at-port",
                                    simulator_->boards()[0].at_path,
                                    "--listen",
                                    "127.0.0.1:0",
                                    "--state-dir",
                                    dir_ + "/state",
                                    "--poll-interval",
                                    "0.3",
                                    "--board-name",
                                    "disk-board",
                                    "--ready-file",
                                    ready,
                                    "--pppd",
                                    CELLFLEET_FAKE_PPPD,
                                    "--modem-port",
                                    simulator_->boards()[0].modem_path,
                                    "--sysfs",
                                    dir_ + "/sys",
                                    "--unauthenticated-role",
                                    "operator"},
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
  std::string Ppp0() const { return dir_ + "/sys/class/net/ppp0"; }
  void SetCounters(uint64_t rx, uint64_t tx) {
    std::ofstream(Ppp0() + "/statistics/rx_bytes") << rx << "\n";
    std::ofstream(Ppp0() + "/statistics/tx_bytes") << tx << "\n";
  }
  // `cellfleet` with `args` on the agent; its output.
  std::string Cli(std::vector<std::string> args) {
    args.insert(args.begin(), {CELLFLEET_CLI, "--output", "json"});
    args.insert(args.end(), {"--targets", address_});
    absl::StatusOr<testing::CommandResult> result = testing::RunCommand(args, absl::Seconds(20));
    if (!result.ok() || result->exit_code != 0) {
      ADD_FAILURE() << args[3] << ": " << (result.ok() ? result->err : result.status().ToString());
      return "";
    }
    return result->out;
  }
  // The ledger as saved in the state dir.
  agent::StoredUsage Saved() const {
    absl::StatusOr<agent::StoredUsage> saved = agent::LoadUsage(dir_ + "/state/usage.pb");
    return saved.ok() ? *saved : agent::StoredUsage();
  }
  static uint64_t Counted(const agent::StoredUsage& usage, bool rx) {
    if (usage.accounts().empty()) return 0;
    const v1::UsageCycle& cycle = usage.accounts(0).cycle();
    return rx ? cycle.rx_bytes() : cycle.tx_bytes();
  }
  // `cellfleet usage`'s figure for the SIM in the modem: "rx_bytes":"N".
  bool UsageShows(uint64_t rx, uint64_t tx) {
    const std::string out = Cli({"usage"});
    return absl::StrContains(out, absl::StrCat("\"rx_bytes\":\"", rx, "\"")) &&
           absl::StrContains(out, absl::StrCat("\"tx_bytes\":\"", tx, "\""));
  }

  std::string dir_, address_;
  int runs_ = 0;
  pid_t orphan_pppd_ = 0;
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

TEST_F(HistoryOnDiskTest, UsageSurvivesSigkillWithoutCountingTwiceAndCountsAReset) {
  ::setenv("FAKE_PPPD_MODE", "connect", 1);
  ASSERT_NO_FATAL_FAILURE(StartAgent());
  ::unsetenv("FAKE_PPPD_MODE");
  EXPECT_THAT(Cli({"dial"}), HasSubstr("CONNECTED"));
  SetCounters(40'000, 4'000);
  ASSERT_TRUE(WaitFor(
      [&] {
        const agent::StoredUsage saved = Saved();
        return Counted(saved, true) == 40'000 && Counted(saved, false) == 4'000;
      },
      absl::Seconds(20)))
      << "the ledger reached the state dir";
  EXPECT_TRUE(UsageShows(40'000, 4'000));
  std::ifstream(dir_ + "/state/ppp/pppd.pid") >> orphan_pppd_;
  agent_->Signal(SIGKILL);
  ASSERT_THAT(agent_->Wait(absl::Seconds(10)), IsOk());
  // pppd outlives the agent, and its link carries on meanwhile.
  SetCounters(50'000, 5'000);

  ASSERT_NO_FATAL_FAILURE(StartAgent());
  ASSERT_TRUE(WaitFor([&] { return UsageShows(50'000, 5'000); }, absl::Seconds(20)))
      << "counted on from the saved 40000, not from 0: " << Cli({"usage"});
  const agent::StoredUsage saved = Saved();
  ASSERT_EQ(saved.accounts_size(), 1);
  EXPECT_EQ(saved.accounts(0).iccid(), simulator_->boards()[0].iccid);
  // The same interface's counters went back: a reset; what they show now is new.
  SetCounters(700, 70);
  ASSERT_TRUE(WaitFor([&] { return UsageShows(50'700, 5'070); }, absl::Seconds(20)))
      << Cli({"usage"});
}

// The history drawn: a simulated board's signal fades, it loses the network and its
// modem resets; `cellfleet history --chart` draws the three signals with those events
// marked, as a valid SVG (kept in build/charts for the docs).
class HistoryChartTest : public HistoryOnDiskTest {
 protected:
  std::vector<std::string> SimulatorArgs() const override {
    return {"--scenario", CELLFLEET_SOURCE_DIR "/tests/testdata/scenarios/signal-history.yaml"};
  }
};

TEST_F(HistoryChartTest, AFadeALossAndAResetAreDrawnAndMarked) {
  ASSERT_NO_FATAL_FAILURE(StartAgent());
  // The scenario's reset at 16 s, and samples after the modem came back.
  ASSERT_TRUE(WaitFor(
      [&] {
        const std::vector<std::string> lines = History();
        return Count(lines, "MODEM_STATE_ABSENT -> MODEM_STATE_INITIALIZING") == 1 &&
               Count(lines, "\"sample\"") >= 20;
      },
      absl::Seconds(60)));
  std::filesystem::create_directories(CELLFLEET_CHART_DIR);
  const std::string chart = CELLFLEET_CHART_DIR "/history-chart.svg";
  absl::StatusOr<testing::CommandResult> drawn = testing::RunCommand(
      {CELLFLEET_CLI, "history", "--since", "1h", "--targets", address_, "--chart", chart},
      absl::Seconds(60));
  ASSERT_THAT(drawn, IsOk());
  ASSERT_EQ(drawn->exit_code, 0) << drawn->err;
  EXPECT_THAT(drawn->out, HasSubstr("events marked"));
  absl::StatusOr<testing::CommandResult> valid =
      testing::RunCommand({"/usr/bin/xmllint", "--noout", chart}, absl::Seconds(20));
  ASSERT_THAT(valid, IsOk());
  EXPECT_EQ(valid->exit_code, 0) << valid->err;
  std::ifstream in(chart);
  const std::string svg((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const char* legend :
       {">RSRP<", ">RSRQ<", ">SINR<", ">registration change<", ">modem reset<"}) {
    EXPECT_THAT(svg, HasSubstr(legend));
  }
  // Two boards at once is refused before any call: a chart is one board's.
  absl::StatusOr<testing::CommandResult> two =
      testing::RunCommand({CELLFLEET_CLI, "history", "--targets",
                           absl::StrCat(address_, ",127.0.0.1:1"), "--chart", dir_ + "/two.svg"},
                          absl::Seconds(20));
  ASSERT_THAT(two, IsOk());
  EXPECT_EQ(two->exit_code, 2);
  EXPECT_THAT(two->err, HasSubstr("one board"));
}

}  // namespace
}  // namespace cellfleet
