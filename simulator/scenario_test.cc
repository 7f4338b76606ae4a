#include "simulator/scenario.h"

#include <filesystem>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "modem/testing/status_matchers.h"
#include "simulator/radio_model.h"

namespace cellfleet::simulator {
namespace {

using ::cellfleet::testing::IsOk;
using ::cellfleet::testing::StatusIs;
using ::testing::HasSubstr;

TEST(ScenarioTest, EveryExampleFileLoads) {
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(CELLFLEET_SCENARIOS_DIR)) {
    SCOPED_TRACE(entry.path().string());
    EXPECT_THAT(LoadScenario(entry.path().string()), IsOk());
    ++files;
  }
  EXPECT_GE(files, 5);
}

TEST(ScenarioTest, ParsesEveryPart) {
  absl::StatusOr<Scenario> s = ParseScenario(R"(
initial: {sim: absent, operator: X, mcc: 262, mnc: "02", rsrp_dbm: -110, registration: roaming, radio_drift: false}
events:
  - {at: 5s, action: port_vanish, duration: 250ms}
  - {at: 1s, board: 2, action: signal_fade, rsrp_delta_db: -10}
replies:
  - {command: AT+CSQ, raw: "\r\n+CSQ: 1,99\r\n\r\nOK\r\n"}
faults:
  - {command: "AT+COPS?", delay: 2s, garbage_bytes: 8}
data:
  connect: error
  require_apn: [apn.example, backup.example]
  network_command: [/usr/sbin/pppd, notty]
  hangup_on_carrier_loss: true
)",
                                             "inline");
  ASSERT_THAT(s, IsOk());
  EXPECT_EQ(s->initial.sim, SimCardState::kNotInserted);
  EXPECT_EQ(s->initial.mnc, "02");
  EXPECT_EQ(s->initial.registration_stat, 5);
  ASSERT_EQ(s->events.size(), 2u);
  EXPECT_EQ(s->events[0].at, absl::Seconds(1));  // sorted by time
  EXPECT_EQ(s->events[0].board, 2);
  EXPECT_EQ(s->events[1].duration, absl::Milliseconds(250));
  EXPECT_EQ(s->replies[0].raw, "\r\n+CSQ: 1,99\r\n\r\nOK\r\n");
  EXPECT_EQ(s->faults[0].delay, absl::Seconds(2));
  EXPECT_EQ(s->data.connect, ConnectMode::kError);
  EXPECT_EQ(s->data.network_command.size(), 2u);
  EXPECT_EQ(s->data.require_apn, (std::vector<std::string>{"apn.example", "backup.example"}));
  EXPECT_TRUE(s->data.hangup_on_carrier_loss);
}

TEST(ScenarioTest, MalformedFilesNameTheLineAndReason) {
  struct Case {
    const char* yaml;
    const char* expected;
  };
  for (const Case& c : std::vector<Case>{
           {"initial:\n  sim: maybe\n", "bad.yaml:2: sim \"maybe\""},
           {"events:\n  - {at: 5s, action: explode}\n", "bad.yaml:2: unknown action \"explode\""},
           {"events:\n  - {at: soon, action: modem_reset}\n",
            "bad.yaml:2: at \"soon\" is not a duration"},
           {"events:\n  - {at: 1s, action: deregister}\n",
            "bad.yaml:2: deregister needs a positive duration"},
           {"faults:\n  - {drop_probability: 2}\n", "bad.yaml:2: drop_probability must be 0..1"},
           {"data:\n  network_command: [pppd, notty]\n",
            "bad.yaml:2: network_command's program must be an absolute path"},
           {"initial:\n  rat: CDMA\n", "bad.yaml:2: rat \"CDMA\": expected LTE, WCDMA or GSM"},
           {"events:\n  - {at: 1s, action: rat_change}\n", "bad.yaml:2: rat_change needs rat"},
           {"latency:\n  default: fast\n", "bad.yaml:2: default \"fast\" is not a duration"},
           {"latency: [1]\n", "bad.yaml:1: latency must be a map"},
           {"bogus: 1\n", "bad.yaml:1: unknown key \"bogus\""},
           {"events: [1, 2\n", "bad.yaml:"},
           {"replies:\n  - {command: AT}\n", "bad.yaml:2: a reply needs \"command\" and \"raw\""},
       }) {
    EXPECT_THAT(ParseScenario(c.yaml, "bad.yaml"),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.expected)))
        << c.yaml;
  }
  EXPECT_THAT(LoadScenario("/nonexistent.yaml"), StatusIs(absl::StatusCode::kNotFound));
}

TEST(RadioModelTest, SameSeedSameStory) {
  RadioProfile profile;
  profile.handover_per_second = 0.05;
  profile.deregister_per_second = 0.02;
  RadioModel a(99, profile), b(99, profile), c(100, profile);
  bool differs_from_other_seed = false;
  for (int i = 0; i < 600; ++i) {
    a.Step();
    b.Step();
    c.Step();
    ASSERT_EQ(a.rsrp(), b.rsrp()) << "step " << i;
    ASSERT_EQ(a.state().serving_cell, b.state().serving_cell);
    ASSERT_EQ(a.state().registration_stat, b.state().registration_stat);
    if (a.rsrp() != c.rsrp()) differs_from_other_seed = true;
    ASSERT_GE(a.rsrp(), -140);
    ASSERT_LE(a.rsrp(), -44);
  }
  EXPECT_TRUE(differs_from_other_seed);
  EXPECT_GT(a.state().handovers, 0u);
  EXPECT_GT(a.state().registration_drops, 0u);
}

}  // namespace
}  // namespace cellfleet::simulator
