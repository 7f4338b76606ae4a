// RunDoctor through the real agent over loopback gRPC, on a simulated EC25 on a
// pseudo-terminal: a healthy board's checklist, a missing SIM, a query that gets no
// answer, and the caller's deadline.
#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "agent/testing/in_process_agent.h"
#include "base/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "modem/testing/status_matchers.h"
#include "modem/testing/wait_for.h"
#include "proto/time_convert.h"

namespace cellfleet::agent {
namespace {

using ::cellfleet::testing::IsOk;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class DoctorTest : public ::testing::Test {
 protected:
  void Start(const std::string& scenario) {
    dir_ = ::testing::TempDir() + "/doctor-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    agent_.set_pppd(CELLFLEET_FAKE_PPPD);
    agent_.set_customize([this](AgentOptions& options) {
      options.settings.unauthenticated_role = Role::kViewer;  // the doctor is a viewer's call
      // A board without ModemManager or a USB modem: the host's own must not matter.
      options.host.roots = {dir_ + "/no-sys", dir_ + "/no-udev", dir_ + "/no-proc", "/dev"};
      options.host.route_table = dir_ + "/no-route";
    });
    ASSERT_THAT(agent_.Start(dir_, scenario, absl::Milliseconds(200)), IsOk());
    ASSERT_TRUE(cellfleet::testing::WaitFor(
        [&] {
          grpc::ClientContext context;
          v1::GetStatusResponse response;
          return agent_.stub().GetStatus(&context, v1::GetStatusRequest(), &response).ok() &&
                 response.status().modem_state() == v1::MODEM_STATE_READY;
        },
        absl::Seconds(10)));
  }
  void TearDown() override { agent_.Stop(); }

  grpc::Status RunDoctor(v1::RunDoctorResponse& response,
                         absl::Duration deadline = absl::Seconds(30)) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(base::Clock::Real().Now() + deadline));
    return agent_.stub().RunDoctor(&context, v1::RunDoctorRequest(), &response);
  }

  static const v1::DiagnosticCheck& Find(const v1::RunDoctorResponse& response,
                                         const std::string& name) {
    for (const v1::DiagnosticCheck& check : response.checks()) {
      if (check.name() == name) return check;
    }
    static const v1::DiagnosticCheck kMissing;
    ADD_FAILURE() << "no check " << name << " in " << response.DebugString();
    return kMissing;
  }

  InProcessAgent agent_;
  std::string dir_;
};

TEST_F(DoctorTest, AHealthyBoardPassesTheChecklistInOrder) {
  ASSERT_NO_FATAL_FAILURE(Start("initial: {radio_drift: false, rsrp_dbm: -85}\n"));
  v1::RunDoctorResponse response;
  ASSERT_TRUE(RunDoctor(response).ok());
  std::vector<std::string> names;
  for (const v1::DiagnosticCheck& check : response.checks()) names.push_back(check.name());
  EXPECT_THAT(names, ElementsAre("usb", "driver", "ports", "at_port", "sim", "signal", "operator",
                                 "registration", "pdp_context", "modemmanager", "link", "route",
                                 "dns", "agent", "certificate"));
  EXPECT_EQ(response.board_name(), "test-board");
  // The simulator's ports are pseudo-terminals: no USB device to check.
  EXPECT_EQ(Find(response, "usb").result(), v1::CHECK_RESULT_SKIPPED);
  EXPECT_THAT(Find(response, "usb").detail(), HasSubstr("not a USB serial port"));
  const v1::DiagnosticCheck& at = Find(response, "at_port");
  EXPECT_EQ(at.result(), v1::CHECK_RESULT_PASS) << at.detail();
  EXPECT_THAT(at.detail(), HasSubstr("Quectel EC25"));
  const v1::DiagnosticCheck& sim = Find(response, "sim");
  EXPECT_EQ(sim.result(), v1::CHECK_RESULT_PASS) << sim.detail();
  EXPECT_THAT(sim.detail(), HasSubstr("ICCID 89"));
  const v1::DiagnosticCheck& signal = Find(response, "signal");
  EXPECT_NE(signal.result(), v1::CHECK_RESULT_FAIL) << signal.detail();
  EXPECT_THAT(signal.detail(), HasSubstr("RSRP -85 dBm (good)"));
  EXPECT_EQ(Find(response, "operator").result(), v1::CHECK_RESULT_PASS);
  EXPECT_EQ(Find(response, "registration").result(), v1::CHECK_RESULT_PASS);
  // Not dialed yet: context 1 is whatever the modem had; the next dial sets the APN.
  EXPECT_NE(Find(response, "pdp_context").result(), v1::CHECK_RESULT_FAIL);
  EXPECT_EQ(Find(response, "modemmanager").result(), v1::CHECK_RESULT_PASS);
  EXPECT_EQ(Find(response, "link").result(), v1::CHECK_RESULT_PASS);
  EXPECT_EQ(Find(response, "route").result(), v1::CHECK_RESULT_SKIPPED);
  const v1::DiagnosticCheck& agent = Find(response, "agent");
  EXPECT_EQ(agent.result(), v1::CHECK_RESULT_PASS) << agent.detail();
  EXPECT_THAT(agent.detail(), HasSubstr("cellfleet-agent 0.0.0-test"));
  EXPECT_LT(FromProtoDuration(response.elapsed()), absl::Seconds(10));
}

TEST_F(DoctorTest, AContextWithAnotherApnThanTheConfigWarns) {
  // The modem's context 1 still has the default APN; the agent is configured for
  // internet.example (InProcessAgent), which the next dial writes.
  ASSERT_NO_FATAL_FAILURE(Start("initial: {radio_drift: false}\n"));
  v1::RunDoctorResponse response;
  ASSERT_TRUE(RunDoctor(response).ok());
  const v1::DiagnosticCheck& pdp = Find(response, "pdp_context");
  EXPECT_EQ(pdp.result(), v1::CHECK_RESULT_WARN) << pdp.detail();
  EXPECT_THAT(pdp.detail(), HasSubstr("config says \"internet.example\": the next dial sets it"));
}

TEST_F(DoctorTest, AMissingSimFailsSimAndSkipsRegistration) {
  ASSERT_NO_FATAL_FAILURE(Start("initial: {sim: absent, radio_drift: false}\n"));
  v1::RunDoctorResponse response;
  ASSERT_TRUE(RunDoctor(response).ok());
  const v1::DiagnosticCheck& sim = Find(response, "sim");
  EXPECT_EQ(sim.result(), v1::CHECK_RESULT_FAIL) << sim.detail();
  EXPECT_THAT(sim.detail(), HasSubstr("no SIM inserted"));
  EXPECT_EQ(Find(response, "registration").result(), v1::CHECK_RESULT_SKIPPED);
  EXPECT_EQ(Find(response, "at_port").result(), v1::CHECK_RESULT_PASS);
}

TEST_F(DoctorTest, AQueryWithoutAnswerSkipsOnlyTheCheckThatNeedsIt) {
  // The poller never sends AT+CGDCONT?; the doctor does, and gets silence.
  ASSERT_NO_FATAL_FAILURE(Start(
      "initial: {radio_drift: false}\nfaults:\n  - {command: \"AT+CGDCONT?\", no_reply: true}\n"));
  v1::RunDoctorResponse response;
  ASSERT_TRUE(RunDoctor(response).ok());
  const v1::DiagnosticCheck& pdp = Find(response, "pdp_context");
  EXPECT_EQ(pdp.result(), v1::CHECK_RESULT_SKIPPED);
  EXPECT_THAT(pdp.detail(), HasSubstr("AT+CGDCONT? got no answer"));
  EXPECT_EQ(Find(response, "sim").result(), v1::CHECK_RESULT_PASS);
  EXPECT_EQ(Find(response, "registration").result(), v1::CHECK_RESULT_PASS);
  // The channel resynchronised: the next run's queries are answered again.
  v1::RunDoctorResponse again;
  ASSERT_TRUE(RunDoctor(again).ok());
  EXPECT_EQ(Find(again, "at_port").result(), v1::CHECK_RESULT_PASS);
}

TEST_F(DoctorTest, ASlowModemIsCutAtTheCallersDeadline) {
  // AT+COPS? may take minutes (a network scan); here every one takes 4 s, the poller's
  // too. A caller that gives the doctor 2 s still gets its answer in time, saying what
  // it could not check.
  ASSERT_NO_FATAL_FAILURE(Start("initial: {radio_drift: false}\nlatency: {\"AT+COPS?\": 4s}\n"));
  v1::RunDoctorResponse response;
  const absl::Time start = base::Clock::Real().Now();
  grpc::Status status = RunDoctor(response, absl::Seconds(2));
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_LT(base::Clock::Real().Now() - start, absl::Seconds(2));
  std::string cut;
  for (const v1::DiagnosticCheck& check : response.checks()) {
    if (check.result() == v1::CHECK_RESULT_SKIPPED && check.name() != "usb" &&
        check.name() != "driver" && check.name() != "ports" && check.name() != "route" &&
        check.name() != "dns")
      cut += check.name() + ": " + check.detail() + "\n";
  }
  EXPECT_THAT(cut, HasSubstr("operator")) << response.DebugString();
  EXPECT_NE(Find(response, "agent").result(), v1::CHECK_RESULT_SKIPPED);
}

// A viewer floods the doctor from 12 threads for 8 s: runs past two at a time per client
// are refused, naming the limit, and the poller keeps its share of the AT channel: the
// modem never looks UNRESPONSIVE (which would start the recovery ladder).
TEST_F(DoctorTest, AFloodOfRunsIsLimitedAndThePollerKeepsItsShareOfTheChannel) {
  Start("");
  std::atomic<int> ran{0}, limited{0}, other{0};
  std::atomic<bool> stop{false};
  absl::Mutex reason_mu;
  std::string reason;
  std::vector<std::thread> flood;
  for (int t = 0; t < 12; ++t) {
    flood.emplace_back([&] {
      while (!stop) {
        v1::RunDoctorResponse response;
        const grpc::Status status = RunDoctor(response, absl::Seconds(20));
        if (status.ok()) {
          ++ran;
        } else if (status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
          ++limited;
          absl::MutexLock lock(&reason_mu);
          reason = status.error_message();
        } else {
          ++other;
        }
        absl::SleepFor(absl::Milliseconds(5));
      }
    });
  }
  std::set<int> states;
  for (const absl::Time end = base::Clock::Real().Now() + absl::Seconds(8);
       base::Clock::Real().Now() < end;) {
    grpc::ClientContext context;
    v1::GetStatusResponse response;
    if (agent_.stub().GetStatus(&context, v1::GetStatusRequest(), &response).ok()) {
      states.insert(response.status().modem_state());
    }
    absl::SleepFor(absl::Milliseconds(100));
  }
  stop = true;
  for (std::thread& thread : flood) thread.join();
  EXPECT_GE(ran.load(), 1) << "the doctor still runs, two at a time";
  EXPECT_GE(limited.load(), 50);
  EXPECT_EQ(other.load(), 0);
  EXPECT_THAT(reason, HasSubstr("already has 2 calls on the modem's AT channel, the most one "
                                "client may at once"));
  EXPECT_EQ(states, std::set<int>{v1::MODEM_STATE_READY});
}

}  // namespace
}  // namespace cellfleet::agent
