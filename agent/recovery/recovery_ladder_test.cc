#include "agent/recovery/recovery_ladder.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace cellfleet::agent {
namespace {

using ::testing::HasSubstr;

const absl::Time kStart = absl::FromUnixSeconds(1'800'000'000);

v1::ModemStatus RegisteredAndConnected() {
  v1::ModemStatus s;
  s.set_modem_state(v1::MODEM_STATE_READY);
  s.set_sim_state(v1::SIM_STATE_READY);
  s.mutable_eps_registration()->set_state(v1::REGISTRATION_STATE_HOME);
  s.mutable_connection()->set_state(v1::CONNECTION_STATE_CONNECTED);
  return s;
}

v1::ModemStatus LinkFailed(v1::ConnectionFailure failure) {
  v1::ModemStatus s = RegisteredAndConnected();
  s.mutable_connection()->set_state(v1::CONNECTION_STATE_FAILED);
  s.mutable_connection()->set_failure(failure);
  return s;
}

v1::ModemStatus Searching() {
  v1::ModemStatus s = RegisteredAndConnected();
  s.mutable_eps_registration()->set_state(v1::REGISTRATION_STATE_SEARCHING);
  s.mutable_connection()->set_state(v1::CONNECTION_STATE_FAILED);
  return s;
}

// Feeds `sample` every 2 s from `from` for `span`; returns the steps asked for, taking
// each at once.
std::vector<v1::RecoveryStep> Feed(RecoveryLadder& ladder, const v1::ModemStatus& sample,
                                   absl::Time from, absl::Duration span) {
  std::vector<v1::RecoveryStep> steps;
  for (absl::Time t = from; t < from + span; t += absl::Seconds(2)) {
    if (std::optional<v1::RecoveryStep> step = ladder.Observe(sample, true, t)) {
      steps.push_back(*step);
      ladder.Taken(*step, t, "recovery ladder");
    }
  }
  return steps;
}

TEST(RecoveryLadderTest, AHealthyBoardIsLeftAlone) {
  RecoveryLadder ladder{RecoveryPolicy()};
  EXPECT_TRUE(Feed(ladder, RegisteredAndConnected(), kStart, absl::Hours(2)).empty());
  EXPECT_EQ(ladder.Status(kStart + absl::Hours(2)).problem(), "");
}

TEST(RecoveryLadderTest, AFailingLinkClimbsOneStepAtATimeThenStopsAtTheTop) {
  RecoveryLadder ladder{RecoveryPolicy()};
  const v1::ModemStatus down = LinkFailed(v1::CONNECTION_FAILURE_MODEM_HANGUP);
  // 5 min of keep-up's own redials first, then one step per wait (2, 2, 3 min)...
  EXPECT_TRUE(Feed(ladder, down, kStart, absl::Minutes(5) - absl::Seconds(2)).empty());
  std::vector<v1::RecoveryStep> steps =
      Feed(ladder, down, kStart + absl::Minutes(5) - absl::Seconds(2), absl::Minutes(20));
  EXPECT_THAT(steps, ::testing::ElementsAre(v1::RECOVERY_STEP_REDIAL, v1::RECOVERY_STEP_PDP_RESET,
                                            v1::RECOVERY_STEP_RADIO_RESET));
  // ...and the budget (3 an hour) holds the reboot.
  const v1::RecoveryStatus held = ladder.Status(kStart + absl::Minutes(25));
  EXPECT_THAT(held.held(), HasSubstr("budget spent: 3 steps in the last hour"));
  EXPECT_EQ(held.last().outcome(), v1::RECOVERY_OUTCOME_NOT_RECOVERED);
  EXPECT_EQ(held.steps_last_hour(), 3u);
  // An hour later the budget allows the reboot and the USB reset; after them, the top
  // (no power line is set up): stop and report.
  std::vector<v1::RecoveryStep> later =
      Feed(ladder, down, kStart + absl::Minutes(70), absl::Hours(3));
  EXPECT_THAT(later,
              ::testing::ElementsAre(v1::RECOVERY_STEP_MODEM_REBOOT, v1::RECOVERY_STEP_USB_RESET));
  EXPECT_THAT(ladder.Status(kStart + absl::Hours(4)).held(),
              HasSubstr("top of the ladder (USB_RESET)"));
}

TEST(RecoveryLadderTest, AModemThatDoesNotAnswerClimbsToThePowerLineWhereOneIsSet) {
  RecoveryPolicy policy;
  policy.power_cycle = true;
  RecoveryLadder ladder{policy};
  v1::ModemStatus unresponsive;
  unresponsive.set_modem_state(v1::MODEM_STATE_UNRESPONSIVE);
  // 3 min, then the reboot (4 min to show), the USB reset (3 min), the power cycle.
  EXPECT_THAT(Feed(ladder, unresponsive, kStart, absl::Minutes(20)),
              ::testing::ElementsAre(v1::RECOVERY_STEP_MODEM_REBOOT, v1::RECOVERY_STEP_USB_RESET,
                                     v1::RECOVERY_STEP_POWER_CYCLE));
  EXPECT_THAT(ladder.Status(kStart + absl::Minutes(20)).held(),
              HasSubstr("top of the ladder (POWER_CYCLE)"));
}

TEST(RecoveryLadderTest, AModemGoneFromUsbStartsAtTheUsbReset) {
  v1::ModemStatus absent;
  absent.set_modem_state(v1::MODEM_STATE_ABSENT);
  RecoveryLadder ladder{RecoveryPolicy()};
  EXPECT_THAT(Feed(ladder, absent, kStart, absl::Minutes(10)),
              ::testing::ElementsAre(v1::RECOVERY_STEP_USB_RESET));
  // Without the power line the ladder skips the power cycle; with it, that comes next.
  RecoveryPolicy with_power;
  with_power.power_cycle = true;
  RecoveryLadder powered{with_power};
  EXPECT_THAT(Feed(powered, absent, kStart, absl::Minutes(10)),
              ::testing::ElementsAre(v1::RECOVERY_STEP_USB_RESET, v1::RECOVERY_STEP_POWER_CYCLE));
  // With neither set up, nothing can reach it: reported, never a step.
  RecoveryPolicy neither;
  neither.usb_reset = false;
  RecoveryLadder stuck{neither};
  EXPECT_TRUE(Feed(stuck, absent, kStart, absl::Hours(1)).empty());
  EXPECT_THAT(stuck.Status(kStart + absl::Hours(1)).held(),
              HasSubstr("no USB reset or power line is set up"));
}

TEST(RecoveryLadderTest, ARecoveryEndsTheEpisodeAndSaysSo) {
  RecoveryLadder ladder{RecoveryPolicy()};
  std::vector<v1::RecoveryStep> steps =
      Feed(ladder, Searching(), kStart, absl::Minutes(10) + absl::Seconds(2));
  ASSERT_THAT(steps, ::testing::ElementsAre(v1::RECOVERY_STEP_RADIO_RESET));
  EXPECT_THAT(ladder.Status(kStart + absl::Minutes(10)).problem(),
              HasSubstr("not registered (SEARCHING) for 10m"));
  EXPECT_FALSE(ladder.Observe(RegisteredAndConnected(), true, kStart + absl::Minutes(11)));
  const v1::RecoveryStatus status = ladder.Status(kStart + absl::Minutes(11));
  EXPECT_EQ(status.last().outcome(), v1::RECOVERY_OUTCOME_RECOVERED);
  EXPECT_EQ(status.last().step(), v1::RECOVERY_STEP_RADIO_RESET);
  EXPECT_EQ(status.last().problem(), "not registered (SEARCHING)");
  EXPECT_EQ(status.problem(), "");
  // A new loss of service starts again from the bottom, after its own delay.
  EXPECT_TRUE(Feed(ladder, Searching(), kStart + absl::Minutes(12), absl::Minutes(9)).empty());
}

TEST(RecoveryLadderTest, ModemComingBackIsNotYetEvidence) {
  RecoveryLadder ladder{RecoveryPolicy()};
  v1::ModemStatus unresponsive;
  unresponsive.set_modem_state(v1::MODEM_STATE_UNRESPONSIVE);
  ASSERT_THAT(Feed(ladder, unresponsive, kStart, absl::Minutes(3) + absl::Seconds(2)),
              ::testing::ElementsAre(v1::RECOVERY_STEP_MODEM_REBOOT));
  v1::ModemStatus resetting;
  resetting.set_modem_state(v1::MODEM_STATE_RESETTING);
  EXPECT_FALSE(ladder.Observe(resetting, true, kStart + absl::Minutes(4)));
  EXPECT_EQ(ladder.Status(kStart + absl::Minutes(4)).last().outcome(),
            v1::RECOVERY_OUTCOME_WAITING);
  EXPECT_FALSE(ladder.Observe(RegisteredAndConnected(), true, kStart + absl::Minutes(5)));
  EXPECT_EQ(ladder.Status(kStart + absl::Minutes(5)).last().outcome(),
            v1::RECOVERY_OUTCOME_RECOVERED);
}

TEST(RecoveryLadderTest, CausesNoResetFixesAreReportedNeverReset) {
  for (const v1::ModemStatus& sample :
       {LinkFailed(v1::CONNECTION_FAILURE_NO_CARRIER),  // the network refuses the APN
        LinkFailed(v1::CONNECTION_FAILURE_AUTH_REJECTED),
        [] {
          v1::ModemStatus s = RegisteredAndConnected();
          s.set_sim_state(v1::SIM_STATE_NOT_INSERTED);
          return s;
        }(),
        [] {
          v1::ModemStatus s = RegisteredAndConnected();
          s.set_sim_state(v1::SIM_STATE_PIN_REQUIRED);
          return s;
        }(),
        [] {
          v1::ModemStatus s = RegisteredAndConnected();
          s.mutable_eps_registration()->set_state(v1::REGISTRATION_STATE_DENIED);
          return s;
        }()}) {
    RecoveryLadder ladder{RecoveryPolicy()};
    EXPECT_TRUE(Feed(ladder, sample, kStart, absl::Hours(24)).empty()) << sample.DebugString();
    const v1::RecoveryStatus status = ladder.Status(kStart + absl::Hours(24));
    EXPECT_THAT(status.held(), HasSubstr("no reset fixes")) << sample.DebugString();
    EXPECT_EQ(status.steps_last_day(), 0u);
  }
}

TEST(RecoveryLadderTest, ASimFailureGoesStraightToAReboot) {
  RecoveryLadder ladder{RecoveryPolicy()};
  v1::ModemStatus failed = RegisteredAndConnected();
  failed.set_sim_state(v1::SIM_STATE_FAILURE);
  EXPECT_THAT(Feed(ladder, failed, kStart, absl::Minutes(4)),
              ::testing::ElementsAre(v1::RECOVERY_STEP_MODEM_REBOOT));
}

TEST(RecoveryLadderTest, AStepThatCouldNotRunEscalatesAtTheNextSample) {
  RecoveryLadder ladder{RecoveryPolicy()};
  const v1::ModemStatus down = LinkFailed(v1::CONNECTION_FAILURE_ECHO_TIMEOUT);
  std::optional<v1::RecoveryStep> first;
  absl::Time t = kStart;
  for (; !first && t < kStart + absl::Minutes(10); t += absl::Seconds(2))
    first = ladder.Observe(down, true, t);
  ASSERT_EQ(first, v1::RECOVERY_STEP_REDIAL);
  ladder.Taken(*first, t, "recovery ladder");
  ladder.Failed("no PPP connection on this agent");
  EXPECT_EQ(ladder.Status(t).last().outcome(), v1::RECOVERY_OUTCOME_FAILED);
  EXPECT_EQ(ladder.Observe(down, true, t + absl::Seconds(2)), v1::RECOVERY_STEP_PDP_RESET);
}

TEST(RecoveryLadderTest, DisabledOnlyWatchesAndALinkNotWantedIsNoProblem) {
  RecoveryPolicy off;
  off.enabled = false;
  RecoveryLadder ladder{off};
  EXPECT_TRUE(Feed(ladder, Searching(), kStart, absl::Hours(1)).empty());
  EXPECT_THAT(ladder.Status(kStart + absl::Hours(1)).problem(), HasSubstr("not registered"));
  RecoveryLadder on{RecoveryPolicy()};
  const v1::ModemStatus down = LinkFailed(v1::CONNECTION_FAILURE_MODEM_HANGUP);
  for (absl::Time t = kStart; t < kStart + absl::Hours(1); t += absl::Seconds(2))
    EXPECT_FALSE(on.Observe(down, /*link_wanted=*/false, t));
}

}  // namespace
}  // namespace cellfleet::agent
