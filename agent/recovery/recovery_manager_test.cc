// The recovery ladder in the real agent, over loopback gRPC, on a simulated EC25: a
// modem wedged until it reboots (the radio reset does not help, the reboot does), a SIM
// that fails until the modem reboots, a refused APN that is reported and never reset
// over, and an operator's step by hand. Short delays and waits, set here; the defaults
// are minutes (docs/diagnosis-and-recovery.md, "Recovery ladder").
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "agent/testing/in_process_agent.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "modem/hardware/power_switch.h"
#include "modem/testing/status_matchers.h"
#include "modem/testing/sysfs_tree.h"
#include "modem/testing/wait_for.h"

namespace cellfleet::agent {
namespace {

using ::cellfleet::testing::AdvanceUntil;
using ::cellfleet::testing::BuildSysfsTree;
using ::cellfleet::testing::IsOk;
using ::cellfleet::testing::WaitFor;
using ::testing::HasSubstr;

class RecoveryTest : public ::testing::Test {
 protected:
  // The board's power line and USB reset, as the simulator's: each records what it did.
  class FakePowerSwitch : public modem::PowerSwitch {
   public:
    FakePowerSwitch(InProcessAgent* agent, std::vector<bool>* log) : agent_(agent), log_(log) {}
    absl::Status SetPower(bool on) override {
      log_->push_back(on);
      agent_->fleet().SetPower(0, on);
      return absl::OkStatus();
    }
    std::string Describe() const override { return "fake line"; }

   private:
    InProcessAgent* agent_;
    std::vector<bool>* log_;
  };
  void WithPowerLineAndUsbReset() {
    hardware_ = [this](AgentOptions& options) {
      options.host.roots = BuildSysfsTree(CELLFLEET_MODEM_TESTDATA "/sysfs-ec25-renumbered.tree");
      options.reset_usb_device = [this](const std::string& node) {
        usb_resets_.push_back(node);
        agent_.fleet().ResetUsb(0);
        return absl::OkStatus();
      };
      options.open_power_switch = [this](const modem::PowerLine&) {
        return absl::StatusOr<std::unique_ptr<modem::PowerSwitch>>(
            std::make_unique<FakePowerSwitch>(&agent_, &power_));
      };
      options.settings.power_line = modem::PowerLine{"fake", 0, false, absl::Seconds(1)};
      options.settings.recovery.power_cycle = true;
      options.settings.recovery.usb_reset_wait = absl::Seconds(5);
      options.settings.recovery.power_cycle_wait = absl::Seconds(30);
    };
  }

  void Start(const std::string& scenario, Role role = Role::kOperator,
             absl::Duration poll_interval = absl::Milliseconds(200)) {
    dir_ = ::testing::TempDir() + "/recovery-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    audit_path_ = dir_ + "-audit.log";
    agent_.set_pppd(CELLFLEET_FAKE_PPPD);
    agent_.set_customize([this, role](AgentOptions& options) {
      options.settings.unauthenticated_role = role;
      options.settings.audit_log = audit_path_;
      RecoveryPolicy& p = options.settings.recovery;
      p.link_down_after = absl::Seconds(2);
      p.unregistered_after = absl::Seconds(2);
      p.unresponsive_after = absl::Seconds(2);
      p.redial_wait = absl::Seconds(3);
      p.radio_reset_wait = absl::Seconds(3);
      p.reboot_wait = absl::Seconds(30);  // the simulator's reboot, search and registration
      if (hardware_) hardware_(options);
      if (clock_) options.clock = clock_.get();
    });
    ASSERT_THAT(agent_.Start(dir_, scenario, poll_interval), IsOk());
  }
  void TearDown() override {
    agent_.Stop();
    ::unsetenv("FAKE_PPPD_MODE");
    ::unsetenv("FAKE_PPPD_REFUSED_APN");
    std::remove(audit_path_.c_str());
  }

  v1::ModemStatus Status() {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
    v1::GetStatusResponse response;
    (void)agent_.stub().GetStatus(&context, v1::GetStatusRequest(), &response);
    return response.status();
  }

  std::vector<std::string> RecoveryEvents() {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
    v1::GetHistoryRequest request;
    request.set_events_only(true);
    v1::GetHistoryResponse response;
    (void)agent_.stub().GetHistory(&context, request, &response);
    std::vector<std::string> events;
    for (const v1::HistoryEntry& entry : response.entries()) {
      if (entry.event().kind() == v1::EVENT_KIND_RECOVERY) events.push_back(entry.event().detail());
    }
    return events;
  }

  std::vector<std::string> AuditedRecoveries() {
    std::vector<std::string> lines;
    std::ifstream in(audit_path_);
    for (std::string line; std::getline(in, line);) {
      if (absl::StrContains(line, "\"Recover\"")) lines.push_back(line);
    }
    return lines;
  }

  // Set before Start: the agent's clock (else the real one). Declared before the agent,
  // which must stop before its clock goes.
  std::unique_ptr<base::SimulatedClock> clock_;
  InProcessAgent agent_;
  std::function<void(AgentOptions&)> hardware_;
  std::vector<std::string> usb_resets_;  // the nodes reset
  std::vector<bool> power_;              // the power line's changes: false off, true on
  std::string dir_;
  std::string audit_path_;
};

TEST_F(RecoveryTest, AWedgedModemIsRebootedAfterTheRadioResetDidNotHelp) {
  ASSERT_NO_FATAL_FAILURE(
      Start("initial: {radio_drift: false}\nevents:\n  - {at: 4s, action: wedge}\n"));
  ASSERT_TRUE(WaitFor(
      [&] {
        const v1::RecoveryAction last = Status().recovery().last();
        return last.step() == v1::RECOVERY_STEP_MODEM_REBOOT &&
               last.outcome() == v1::RECOVERY_OUTCOME_RECOVERED;
      },
      absl::Seconds(60)))
      << Status().recovery().DebugString();
  const v1::ModemStatus after = Status();
  EXPECT_EQ(after.recovery().last().sequence(), 2u) << "radio reset, then the reboot";
  EXPECT_EQ(after.recovery().last().problem(), "not registered (SEARCHING)");
  EXPECT_EQ(after.recovery().steps_last_hour(), 2u);
  EXPECT_EQ(after.recovery().problem(), "");
  EXPECT_EQ(after.eps_registration().state(), v1::REGISTRATION_STATE_HOME);
  // The history tells the story, step by step.
  ASSERT_TRUE(WaitFor([&] { return RecoveryEvents().size() >= 4; }, absl::Seconds(5)));
  const std::vector<std::string> events = RecoveryEvents();
  EXPECT_THAT(events[0], HasSubstr("RADIO_RESET #1 WAITING (recovery ladder, for: not registered"));
  EXPECT_THAT(events[1], HasSubstr("RADIO_RESET #1 NOT_RECOVERED"));
  EXPECT_THAT(events[2], HasSubstr("MODEM_REBOOT #2 WAITING"));
  EXPECT_THAT(events.back(), HasSubstr("MODEM_REBOOT #2 RECOVERED"));
  // And the audit log has each step the ladder took.
  EXPECT_EQ(AuditedRecoveries().size(), 2u);
}

TEST_F(RecoveryTest, AHungModemIsPowerCycledAfterTheRebootAndTheUsbResetDidNotReachIt) {
  WithPowerLineAndUsbReset();
  ASSERT_NO_FATAL_FAILURE(
      Start("initial: {radio_drift: false}\n", Role::kOperator, absl::Seconds(2)));
  // The firmware hangs between two samples: had it hung under AT+COPS?, whose answer may
  // take 180 s, the poller would wait that long before calling it unresponsive.
  ASSERT_TRUE(
      WaitFor([&] { return Status().modem_state() == v1::MODEM_STATE_READY; }, absl::Seconds(10)));
  const int64_t sampled = Status().sampled_at().seconds();
  ASSERT_TRUE(
      WaitFor([&] { return Status().sampled_at().seconds() != sampled; }, absl::Seconds(5)));
  simulator::ScenarioEvent hang;
  hang.action = simulator::EventAction::kHang;
  agent_.fleet().ApplyEventNow(0, hang);
  ASSERT_TRUE(WaitFor(
      [&] {
        const v1::RecoveryAction last = Status().recovery().last();
        return last.step() == v1::RECOVERY_STEP_POWER_CYCLE &&
               last.outcome() == v1::RECOVERY_OUTCOME_RECOVERED;
      },
      absl::Seconds(100)))
      << Status().recovery().DebugString();
  const v1::ModemStatus after = Status();
  EXPECT_EQ(after.modem_state(), v1::MODEM_STATE_READY);
  EXPECT_EQ(after.recovery().last().sequence(), 3u) << "reboot, USB reset, power cycle";
  EXPECT_EQ(after.recovery().last().problem(), "the modem does not answer");
  // The USB reset went to the EC25's node in sysfs; the power went off, then on.
  EXPECT_THAT(usb_resets_, ::testing::ElementsAre("/dev/bus/usb/001/004"));
  EXPECT_THAT(power_, ::testing::ElementsAre(false, true));
  ASSERT_TRUE(WaitFor([&] { return RecoveryEvents().size() >= 6; }, absl::Seconds(5)));
  const std::vector<std::string> events = RecoveryEvents();
  EXPECT_THAT(events[0], HasSubstr("MODEM_REBOOT #1 WAITING (recovery ladder, for: the modem does "
                                   "not answer"));
  EXPECT_THAT(events[1], HasSubstr("MODEM_REBOOT #1 FAILED"));
  EXPECT_THAT(events[2], HasSubstr("USB_RESET #2 WAITING"));
  EXPECT_THAT(events[3], HasSubstr("USB_RESET #2 NOT_RECOVERED"));
  EXPECT_THAT(events[4], HasSubstr("POWER_CYCLE #3 WAITING"));
  EXPECT_THAT(events.back(), HasSubstr("POWER_CYCLE #3 RECOVERED"));
  EXPECT_EQ(AuditedRecoveries().size(), 4u) << "three steps, and the reboot that failed";
}

TEST_F(RecoveryTest, APowerLineThatCannotBeOpenedFailsItsStepSayingWhy) {
  hardware_ = [](AgentOptions& options) {
    options.settings.power_line = modem::PowerLine{"cellfleet-no-such-chip", 5};
    options.settings.recovery.power_cycle = true;
  };
  ASSERT_NO_FATAL_FAILURE(Start("initial: {radio_drift: false}\n"));
  ASSERT_TRUE(
      WaitFor([&] { return Status().modem_state() == v1::MODEM_STATE_READY; }, absl::Seconds(10)));
  grpc::ClientContext context;
  v1::RecoverRequest request;
  request.set_step(v1::RECOVERY_STEP_POWER_CYCLE);
  v1::RecoverResponse response;
  ASSERT_TRUE(agent_.stub().Recover(&context, request, &response).ok());
  ASSERT_TRUE(
      WaitFor([&] { return Status().recovery().last().outcome() == v1::RECOVERY_OUTCOME_FAILED; },
              absl::Seconds(10)));
  EXPECT_THAT(Status().recovery().last().detail(),
              HasSubstr("the power line is unusable: no GPIO chip cellfleet-no-such-chip"));
  EXPECT_EQ(Status().modem_state(), v1::MODEM_STATE_READY) << "nothing was taken away";
}

TEST_F(RecoveryTest, ASimThatFailsUntilAResetGetsTheReboot) {
  ASSERT_NO_FATAL_FAILURE(
      Start("initial: {radio_drift: false}\nevents:\n  - {at: 4s, action: sim_failure}\n"));
  ASSERT_TRUE(WaitFor(
      [&] {
        const v1::RecoveryAction last = Status().recovery().last();
        return last.outcome() == v1::RECOVERY_OUTCOME_RECOVERED;
      },
      absl::Seconds(60)))
      << Status().recovery().DebugString();
  const v1::RecoveryAction last = Status().recovery().last();
  EXPECT_EQ(last.step(), v1::RECOVERY_STEP_MODEM_REBOOT);
  EXPECT_EQ(last.sequence(), 1u);
  EXPECT_EQ(last.problem(), "SIM failure");
  EXPECT_EQ(Status().sim_state(), v1::SIM_STATE_READY);
}

TEST_F(RecoveryTest, ARefusedApnIsReportedAndNeverResetOver) {
  ::setenv("FAKE_PPPD_MODE", "by-apn", 1);
  ::setenv("FAKE_PPPD_REFUSED_APN", "internet.example", 1);
  agent_.set_keep_up(
      KeepUpPolicy{true, absl::Milliseconds(200), absl::Milliseconds(400), 2, absl::Seconds(60)});
  // The ladder's delays and the redials' backoff on a simulated clock: proving that no
  // step is ever taken costs no real minutes.
  clock_ = std::make_unique<base::SimulatedClock>();
  ASSERT_NO_FATAL_FAILURE(Start("initial: {radio_drift: false}\n"));
  ASSERT_TRUE(
      WaitFor([&] { return Status().modem_state() == v1::MODEM_STATE_READY; }, absl::Seconds(10)));
  grpc::ClientContext context;
  v1::DialResponse dialed;
  EXPECT_FALSE(agent_.stub().Dial(&context, v1::DialRequest(), &dialed).ok());
  // Past the link's 2 s delay and keep-up's two redials: held, saying why.
  ASSERT_TRUE(AdvanceUntil(
      *clock_, [&] { return !Status().recovery().held().empty(); }, absl::Milliseconds(250),
      absl::Minutes(1)))
      << Status().recovery().DebugString();
  // Half an hour of the clock, many times the ladder's delays (2 s, then 3 s a step): no
  // step is taken.
  EXPECT_FALSE(AdvanceUntil(
      *clock_, [&] { return Status().recovery().steps_last_day() > 0; }, absl::Seconds(5),
      absl::Minutes(30)));
  const v1::RecoveryStatus recovery = Status().recovery();
  EXPECT_THAT(recovery.held(), HasSubstr("NO_CARRIER"));
  EXPECT_THAT(recovery.held(), HasSubstr("no reset fixes it"));
  EXPECT_EQ(recovery.steps_last_day(), 0u);
  EXPECT_TRUE(RecoveryEvents().empty());
}

TEST_F(RecoveryTest, AnOperatorRunsAStepByHandAuditedOneAtATime) {
  ASSERT_NO_FATAL_FAILURE(Start("initial: {radio_drift: false}\n"));
  ASSERT_TRUE(
      WaitFor([&] { return Status().modem_state() == v1::MODEM_STATE_READY; }, absl::Seconds(10)));
  grpc::ClientContext bad_context;
  v1::RecoverResponse response;
  EXPECT_EQ(agent_.stub().Recover(&bad_context, v1::RecoverRequest(), &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  grpc::ClientContext context;
  v1::RecoverRequest request;
  request.set_step(v1::RECOVERY_STEP_RADIO_RESET);
  grpc::Status status = agent_.stub().Recover(&context, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.action().step(), v1::RECOVERY_STEP_RADIO_RESET);
  EXPECT_EQ(response.action().outcome(), v1::RECOVERY_OUTCOME_WAITING);
  EXPECT_THAT(response.action().requested_by(), HasSubstr("127.0.0.1"));
  EXPECT_EQ(response.board_name(), "test-board");
  // While it runs (the radio is off for 5 s), a second step is refused.
  grpc::ClientContext second;
  EXPECT_EQ(agent_.stub().Recover(&second, request, &response).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  ASSERT_TRUE(WaitFor(
      [&] { return Status().recovery().last().outcome() == v1::RECOVERY_OUTCOME_RECOVERED; },
      absl::Seconds(30)))
      << Status().recovery().DebugString();
  EXPECT_GE(AuditedRecoveries().size(), 3u) << "refused, taken, refused: every call";
}

// A redial is judged by its dial: one that fails is NOT_RECOVERED with the dial's reason
// (it used to be RECOVERED once the failed link was no longer wanted); and a redial of a
// link nobody wants up is refused (it used to dial boards that were never dialed).
TEST_F(RecoveryTest, AnOperatorsRedialIsJudgedByItsDialAndRefusedWhereNoLinkIsWanted) {
  ASSERT_NO_FATAL_FAILURE(Start("initial: {radio_drift: false}\n"));
  ASSERT_TRUE(
      WaitFor([&] { return Status().modem_state() == v1::MODEM_STATE_READY; }, absl::Seconds(10)));
  v1::RecoverRequest redial;
  redial.set_step(v1::RECOVERY_STEP_REDIAL);
  v1::RecoverResponse response;
  grpc::ClientContext never_dialed;
  const grpc::Status refused = agent_.stub().Recover(&never_dialed, redial, &response);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(refused.error_message(), HasSubstr("bring it up with cellfleet dial"));
  EXPECT_EQ(Status().connection().state(), v1::CONNECTION_STATE_DISCONNECTED) << "not dialed";

  ::setenv("FAKE_PPPD_MODE", "connect", 1);  // positive control: a link that is up
  grpc::ClientContext dial_context;
  v1::DialResponse dialed;
  ASSERT_TRUE(agent_.stub().Dial(&dial_context, v1::DialRequest(), &dialed).ok());
  ::setenv("FAKE_PPPD_MODE", "chat-timeout", 1);  // from now on every dial fails
  grpc::ClientContext context;
  const grpc::Status taken = agent_.stub().Recover(&context, redial, &response);
  ASSERT_TRUE(taken.ok()) << taken.error_message();
  EXPECT_EQ(response.action().outcome(), v1::RECOVERY_OUTCOME_WAITING);
  const uint64_t sequence = response.action().sequence();
  v1::RecoveryAction judged;
  ASSERT_TRUE(WaitFor(
      [&] {
        const v1::ModemStatus status = Status();
        for (const v1::RecoveryAction& action : status.recovery().recent()) {
          if (action.sequence() == sequence) judged = action;
        }
        return judged.outcome() != v1::RECOVERY_OUTCOME_WAITING &&
               judged.outcome() != v1::RECOVERY_OUTCOME_UNSPECIFIED;
      },
      absl::Seconds(30)));
  EXPECT_EQ(judged.outcome(), v1::RECOVERY_OUTCOME_NOT_RECOVERED) << judged.DebugString();
  EXPECT_THAT(judged.detail(), HasSubstr("dial failed: "));
}

TEST_F(RecoveryTest, AViewerMayNotRunAStep) {
  ASSERT_NO_FATAL_FAILURE(Start("initial: {radio_drift: false}\n", Role::kViewer));
  grpc::ClientContext context;
  v1::RecoverRequest request;
  request.set_step(v1::RECOVERY_STEP_MODEM_REBOOT);
  v1::RecoverResponse response;
  EXPECT_EQ(agent_.stub().Recover(&context, request, &response).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Status().recovery().steps_last_day(), 0u);
  EXPECT_EQ(AuditedRecoveries().size(), 1u) << "refused, and audited";
}

}  // namespace
}  // namespace cellfleet::agent
