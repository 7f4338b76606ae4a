// Dial and hang-up through gRPC with a stand-in pppd (modem/ppp/testdata/fake-pppd.sh
// prints pppd's real log lines): connection details, state in the status, typed failures.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>

#include "absl/synchronization/notification.h"
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

class LinkTest : public ::testing::Test {
 protected:
  void Start(const char* mode, absl::Duration poll_interval = absl::Milliseconds(200)) {
    ::setenv("FAKE_PPPD_MODE", mode, 1);
    agent_.set_pppd(CELLFLEET_FAKE_PPPD);
    agent_.set_customize([this](AgentOptions& options) {
      if (clock_) options.clock = clock_.get();
    });
    ASSERT_THAT(agent_.Start(::testing::TempDir() + "/link-" + std::to_string(::getpid()) + "-" +
                                 ::testing::UnitTest::GetInstance()->current_test_info()->name(),
                             "", poll_interval),
                IsOk());
  }
  void TearDown() override {
    agent_.Stop();
    ::unsetenv("FAKE_PPPD_MODE");
  }

  grpc::Status Dial(v1::DialResponse& response) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    return agent_.stub().Dial(&context, v1::DialRequest(), &response);
  }

  v1::ConnectionStatus StatusConnection() {
    grpc::ClientContext context;
    v1::GetStatusResponse response;
    (void)agent_.stub().GetStatus(&context, v1::GetStatusRequest(), &response);
    return response.status().connection();
  }

  // Set before Start to run the agent's timers (keep-up backoffs) on a simulated clock;
  // declared before agent_, so it outlives it.
  std::unique_ptr<base::SimulatedClock> clock_;
  InProcessAgent agent_;
};

TEST_F(LinkTest, DialReturnsTheLinkAndHangUpEndsIt) {
  Start("connect");
  v1::DialResponse dialed;
  grpc::Status status = Dial(dialed);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(dialed.connection().state(), v1::CONNECTION_STATE_CONNECTED);
  EXPECT_EQ(dialed.connection().interface_name(), "ppp0");
  EXPECT_EQ(dialed.connection().local_address(), "10.221.128.38");
  EXPECT_THAT(dialed.connection().dns_servers(), ::testing::ElementsAre("49.45.0.1"));
  EXPECT_TRUE(dialed.connection().has_connected_since());
  // The status samples carry the link too.
  cellfleet::testing::WaitFor(
      [&] { return StatusConnection().state() == v1::CONNECTION_STATE_CONNECTED; },
      absl::Seconds(5));
  EXPECT_EQ(StatusConnection().state(), v1::CONNECTION_STATE_CONNECTED);

  grpc::ClientContext context;
  v1::HangUpResponse hung_up;
  ASSERT_TRUE(agent_.stub().HangUp(&context, v1::HangUpRequest(), &hung_up).ok());
  EXPECT_EQ(hung_up.connection().state(), v1::CONNECTION_STATE_DISCONNECTED);
}

TEST_F(LinkTest, ChatTimeoutIsUnavailableWithTheReason) {
  Start("chat-timeout");
  v1::DialResponse dialed;
  grpc::Status status = Dial(dialed);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(status.error_message(), ::testing::HasSubstr("did not answer the connect script"));
  cellfleet::testing::WaitFor(
      [&] { return StatusConnection().state() == v1::CONNECTION_STATE_FAILED; }, absl::Seconds(5));
  EXPECT_EQ(StatusConnection().state(), v1::CONNECTION_STATE_FAILED);
  EXPECT_EQ(StatusConnection().failure(), v1::CONNECTION_FAILURE_CHAT_TIMEOUT);
}

// Each failed dial is counted (history records each), and hanging up a failed link leaves
// it down, the last dial's failure kept as what it met (it used to stay FAILED).
TEST_F(LinkTest, FailedDialsAreCountedAndAHangUpLeavesAFailedLinkDown) {
  Start("chat-timeout");
  for (uint64_t attempt = 1; attempt <= 2; ++attempt) {
    v1::DialResponse dialed;
    EXPECT_EQ(Dial(dialed).error_code(), grpc::StatusCode::UNAVAILABLE);
    EXPECT_TRUE(cellfleet::testing::WaitFor(
        [&] { return StatusConnection().failed_dials() == attempt; }, absl::Seconds(5)))
        << StatusConnection().DebugString();
  }
  grpc::ClientContext context;
  v1::HangUpResponse hung_up;
  ASSERT_TRUE(agent_.stub().HangUp(&context, v1::HangUpRequest(), &hung_up).ok());
  EXPECT_EQ(hung_up.connection().state(), v1::CONNECTION_STATE_DISCONNECTED);
  EXPECT_EQ(hung_up.connection().failure(), v1::CONNECTION_FAILURE_CHAT_TIMEOUT);
  EXPECT_EQ(hung_up.connection().failed_dials(), 2u);

  grpc::ClientContext history_context;
  v1::GetHistoryRequest request;
  request.set_events_only(true);
  v1::GetHistoryResponse history;
  ASSERT_TRUE(agent_.stub().GetHistory(&history_context, request, &history).ok());
  int failed = 0;
  for (const v1::HistoryEntry& entry : history.entries()) {
    if (entry.event().kind() != v1::EVENT_KIND_LINK_FAILED) continue;
    EXPECT_THAT(entry.event().detail(), ::testing::HasSubstr("CHAT_TIMEOUT"));
    ++failed;
  }
  EXPECT_GE(failed, 1) << history.DebugString();
}

TEST_F(LinkTest, KeepUpRedialsWithBackoffUpToItsLimit) {
  KeepUpPolicy policy;
  policy.enabled = true;
  policy.initial_backoff = absl::Milliseconds(100);
  policy.max_attempts = 3;
  policy.stable_after = absl::Minutes(10);
  agent_.set_keep_up(policy);
  Start("flaky");  // every pppd run comes up and then loses the link
  v1::DialResponse dialed;
  ASSERT_TRUE(Dial(dialed).ok());
  const absl::Time start = base::Clock::Real().Now();
  v1::ConnectionStatus link;
  cellfleet::testing::WaitFor(
      [&] {
        link = StatusConnection();
        return link.redial_attempts() == 3 && link.state() == v1::CONNECTION_STATE_FAILED;
      },
      absl::Seconds(15));
  EXPECT_EQ(link.redial_attempts(), 3u);
  EXPECT_EQ(link.state(), v1::CONNECTION_STATE_FAILED);
  EXPECT_EQ(link.failure(), v1::CONNECTION_FAILURE_ECHO_TIMEOUT);
  // Backoff 100 + 200 + 400 ms (jitter 20 %) plus 0.3 s up each time: at least 1.4 s.
  EXPECT_GE(base::Clock::Real().Now() - start, absl::Milliseconds(1400));
  // Then it gives up: no fourth attempt is scheduled.
  EXPECT_FALSE(link.has_next_redial_at());
  EXPECT_EQ(StatusConnection().redial_attempts(), 3u);
}

TEST_F(LinkTest, EveryLinkChangeIsSampledAtOnceSoTheHistoryHasDropsShorterThanAPoll) {
  KeepUpPolicy policy;
  policy.enabled = true;
  policy.initial_backoff = absl::Milliseconds(300);
  policy.max_attempts = 1;
  agent_.set_keep_up(policy);
  Start("flaky", /*poll_interval=*/absl::Seconds(30));  // up 0.3 s, then the link dies
  // Once the modem is initialised (its first sample taken), every change is a sample.
  cellfleet::testing::WaitFor(
      [&] {
        grpc::ClientContext context;
        v1::GetStatusResponse response;
        return agent_.stub().GetStatus(&context, v1::GetStatusRequest(), &response).ok() &&
               response.status().modem_state() == v1::MODEM_STATE_READY;
      },
      absl::Seconds(10));
  v1::DialResponse dialed;
  ASSERT_TRUE(Dial(dialed).ok());
  // Up, down, redialed once, down again: four changes within about 1.5 s, far inside one
  // poll interval; each one is in the history with why the link went down.
  std::vector<std::string> link_events;
  cellfleet::testing::WaitFor(
      [&] {
        grpc::ClientContext context;
        v1::GetHistoryRequest request;
        request.set_events_only(true);
        v1::GetHistoryResponse history;
        EXPECT_TRUE(agent_.stub().GetHistory(&context, request, &history).ok());
        link_events.clear();
        for (const v1::HistoryEntry& entry : history.entries()) {
          const v1::ModemEvent& event = entry.event();
          if (event.kind() == v1::EVENT_KIND_LINK_UP) link_events.push_back("up");
          if (event.kind() == v1::EVENT_KIND_LINK_DOWN)
            link_events.push_back("down " + event.detail());
        }
        return link_events.size() >= 4;
      },
      absl::Seconds(10));
  const std::string down =
      "down CONNECTION_FAILURE_ECHO_TIMEOUT: Serial link appears to be disconnected.";
  EXPECT_THAT(link_events, ::testing::ElementsAre("up", down, "up", down));
}

TEST_F(LinkTest, HangUpEndsADialInProgressAtOnce) {
  Start("slow-dial");  // chat would wait up to its 30 s TIMEOUT for CONNECT
  grpc::ClientContext dial_context;
  dial_context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  const v1::DialRequest dial_request;
  v1::DialResponse dialed;
  absl::Notification dial_done;
  grpc::Status dial_status;
  agent_.stub().async()->Dial(&dial_context, &dial_request, &dialed, [&](grpc::Status s) {
    dial_status = std::move(s);
    dial_done.Notify();
  });
  cellfleet::testing::WaitFor(
      [&] { return StatusConnection().state() == v1::CONNECTION_STATE_DIALING; }, absl::Seconds(5));
  ASSERT_EQ(StatusConnection().state(), v1::CONNECTION_STATE_DIALING);
  const absl::Time hangup_at = base::Clock::Real().Now();
  grpc::ClientContext context;
  v1::HangUpResponse hung_up;
  ASSERT_TRUE(agent_.stub().HangUp(&context, v1::HangUpRequest(), &hung_up).ok());
  EXPECT_LT(base::Clock::Real().Now() - hangup_at, absl::Seconds(5))
      << "not queued behind the dial";
  ASSERT_TRUE(dial_done.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_EQ(dial_status.error_code(), grpc::StatusCode::CANCELLED) << dial_status.error_message();
  EXPECT_EQ(hung_up.connection().state(), v1::CONNECTION_STATE_DISCONNECTED);
}

TEST_F(LinkTest, ALinkTheNetworkEndsCleanlyIsRedialed) {
  KeepUpPolicy policy;
  policy.enabled = true;
  policy.initial_backoff = absl::Milliseconds(100);
  policy.max_attempts = 1;
  agent_.set_keep_up(policy);
  Start("peer-terminates");  // up 0.3 s, then LCP terminated by peer and pppd exits 0
  v1::DialResponse dialed;
  ASSERT_TRUE(Dial(dialed).ok());
  v1::ConnectionStatus link;
  cellfleet::testing::WaitFor(
      [&] {
        link = StatusConnection();
        return link.redial_attempts() == 1 && link.state() == v1::CONNECTION_STATE_FAILED;
      },
      absl::Seconds(10));
  EXPECT_EQ(link.redial_attempts(), 1u) << "keep-up redialed the clean end";
  EXPECT_EQ(link.failure(), v1::CONNECTION_FAILURE_PEER_TERMINATED);
  EXPECT_EQ(link.failure_detail(), "LCP terminated by peer");
}

// On a simulated clock: the backoff is a timer on the link's clock, so the test passes
// the moment the redial was due without waiting for it.
TEST_F(LinkTest, HangUpDuringABackoffStopsKeepUp) {
  const std::string starts = ::testing::TempDir() + "/pppd-starts-" + std::to_string(::getpid());
  std::filesystem::remove(starts);
  ::setenv("FAKE_PPPD_STARTS", starts.c_str(), 1);
  clock_ = std::make_unique<base::SimulatedClock>(base::Clock::Real().Now());
  KeepUpPolicy policy;
  policy.enabled = true;
  policy.initial_backoff = absl::Minutes(1);
  agent_.set_keep_up(policy);
  Start("flaky");  // up 0.3 s, then the link dies
  v1::DialResponse dialed;
  ASSERT_TRUE(Dial(dialed).ok());
  // The drop schedules a redial one backoff later: hang up inside that wait.
  v1::ConnectionStatus waiting;
  cellfleet::testing::WaitFor(
      [&] {
        waiting = StatusConnection();
        return waiting.has_next_redial_at();
      },
      absl::Seconds(10));
  ASSERT_TRUE(waiting.has_next_redial_at()) << "no redial was scheduled";
  // One backoff on the link's clock, with the default 20 % jitter (the connection config
  // version in force carries no jitter of its own).
  const absl::Duration backoff = FromProtoTime(waiting.next_redial_at()) - clock_->Now();
  EXPECT_GE(backoff, absl::Seconds(48));
  EXPECT_LE(backoff, absl::Seconds(72));
  grpc::ClientContext context;
  v1::HangUpResponse hung_up;
  ASSERT_TRUE(agent_.stub().HangUp(&context, v1::HangUpRequest(), &hung_up).ok());
  EXPECT_FALSE(hung_up.connection().has_next_redial_at());
  // Past the moment the redial was due: still one pppd run.
  clock_->Advance(absl::Minutes(2));
  absl::SleepFor(absl::Milliseconds(300));  // a wrongly armed redial would start pppd now
  std::ifstream runs(starts);
  int count = 0;
  for (std::string line; std::getline(runs, line);) ++count;
  EXPECT_EQ(count, 1) << "a redial started after the hang-up";
  EXPECT_EQ(StatusConnection().redial_attempts(), 0u);
  ::unsetenv("FAKE_PPPD_STARTS");
}

}  // namespace
}  // namespace cellfleet::agent
