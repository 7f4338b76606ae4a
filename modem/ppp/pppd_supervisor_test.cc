#include "modem/ppp/pppd_supervisor.h"

#include <signal.h>

#include <vector>

#include "absl/synchronization/mutex.h"
#include "base/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "modem/testing/status_matchers.h"
#include "modem/testing/wait_for.h"

namespace cellfleet::modem::ppp {
namespace {

using ::cellfleet::testing::IsOk;
using ::testing::ElementsAre;

SupervisorOptions Fake(const std::string& mode) {
  SupervisorOptions options;
  options.pppd = CELLFLEET_FAKE_PPPD;
  options.args = {mode};
  options.stop_grace = absl::Milliseconds(500);
  return options;
}

bool Running(pid_t pid) { return ::kill(pid, 0) == 0; }

TEST(LinkFailureTest, MapsPppdAndChatStatuses) {
  EXPECT_EQ(FailureFromExit(8, 3), LinkFailure::kChatTimeout);
  EXPECT_EQ(FailureFromExit(8, 5), LinkFailure::kNoCarrier);
  EXPECT_EQ(FailureFromExit(8, 7), LinkFailure::kModemError);
  EXPECT_EQ(FailureFromExit(8, std::nullopt), LinkFailure::kConnectScriptFailed);
  EXPECT_EQ(FailureFromExit(6, std::nullopt), LinkFailure::kPortLocked);
  EXPECT_EQ(FailureFromExit(15, std::nullopt), LinkFailure::kEchoTimeout);
  EXPECT_EQ(FailureFromExit(16, std::nullopt), LinkFailure::kModemHangup);
  EXPECT_EQ(FailureFromExit(19, std::nullopt), LinkFailure::kAuthRejected);
  EXPECT_EQ(FailureFromExit(4, std::nullopt), LinkFailure::kNoKernelSupport);
  EXPECT_EQ(FailureFromExit(0, std::nullopt), LinkFailure::kNone);
}

TEST(LinkFailureTest, ChatsReportGivesTheReason) {
  // chat -v -s writes its report where pppd (nodetach) passes it on: pppd's output.
  PppdLogParser refused;
  for (const char* line : {"abort on (BUSY)", "abort on (NO CARRIER)", "abort on (NO ANSWER)",
                           "send (ATD*99#^M)", "expect (CONNECT)", "^M", "NO CARRIER", " -- failed",
                           "Failed (NO CARRIER)", "Connect script failed"}) {
    refused.Feed(line);
  }
  EXPECT_EQ(refused.facts().connect_script_status, 5);
  EXPECT_EQ(FailureFromExit(8, refused.facts().connect_script_status), LinkFailure::kNoCarrier);
  EXPECT_EQ(refused.facts().last_problem, "Connect script failed");

  PppdLogParser silent;
  for (const char* line : {"expect (OK)", "alarm", "Failed", "Connect script failed"}) {
    silent.Feed(line);
  }
  EXPECT_EQ(FailureFromExit(8, silent.facts().connect_script_status), LinkFailure::kChatTimeout);

  EXPECT_EQ(ChatStatusForAbort("ERROR"), 7);
  EXPECT_EQ(ChatStatusForAbort("NO CARRTER"), std::nullopt);  // the vendor how-to's typo
}

TEST(PppdSupervisorTest, FollowsTheLinkUpAndHangsUpCleanly) {
  absl::Mutex mu;
  std::vector<LinkState> states;
  PppdSupervisor supervisor(Fake("connect"), [&](const LinkStatus& s) {
    absl::MutexLock lock(&mu);
    states.push_back(s.state);
  });
  ASSERT_THAT(supervisor.Start(), IsOk());
  EXPECT_FALSE(supervisor.Start().ok()) << "one pppd at a time";
  LinkStatus up = supervisor.WaitUntilSettled(absl::Seconds(10));
  ASSERT_EQ(up.state, LinkState::kConnected);
  EXPECT_EQ(up.facts.interface_name, "ppp0");
  EXPECT_EQ(up.facts.local_address, "10.221.128.38");
  EXPECT_TRUE(up.facts.remote_is_placeholder);
  EXPECT_THAT(up.facts.dns_servers, ElementsAre("49.45.0.1"));
  const pid_t pid = supervisor.pid();
  LinkStatus down = supervisor.Stop();
  EXPECT_EQ(down.state, LinkState::kDisconnected);
  EXPECT_EQ(down.exit_code, 5);  // pppd's "terminated by signal"
  EXPECT_EQ(down.facts.bytes_sent, 0u) << "pppd's last lines are read before its exit counts";
  EXPECT_FALSE(Running(pid)) << "reaped, no zombie";
  absl::MutexLock lock(&mu);
  EXPECT_THAT(states, ElementsAre(LinkState::kDialing, LinkState::kConnected,
                                  LinkState::kDisconnecting, LinkState::kDisconnected));
}

TEST(PppdSupervisorTest, ReportsTypedFailures) {
  PppdSupervisor chat(Fake("chat-timeout"));
  ASSERT_THAT(chat.Start(), IsOk());
  LinkStatus failed = chat.WaitUntilSettled(absl::Seconds(10));
  EXPECT_EQ(failed.state, LinkState::kFailed);
  EXPECT_EQ(failed.failure, LinkFailure::kChatTimeout);
  EXPECT_EQ(failed.detail, "Connect script failed");

  PppdSupervisor dead(Fake("echo-timeout"));
  ASSERT_THAT(dead.Start(), IsOk());
  dead.WaitUntilSettled(absl::Seconds(10));  // CONNECTED first, then the link dies
  (void)testing::WaitFor([&] { return dead.status().state != LinkState::kConnected; },
                         absl::Seconds(10));
  EXPECT_EQ(dead.status().state, LinkState::kFailed);
  EXPECT_EQ(dead.status().failure, LinkFailure::kEchoTimeout);

  // The network refuses the credentials and drops the call: the refusal is the reason.
  PppdSupervisor refused(Fake("auth-then-hangup"));
  ASSERT_THAT(refused.Start(), IsOk());
  LinkStatus rejected = refused.WaitUntilSettled(absl::Seconds(10));
  EXPECT_EQ(rejected.exit_code, 16);
  EXPECT_EQ(rejected.failure, LinkFailure::kAuthRejected);
  EXPECT_EQ(rejected.detail, "PAP authentication failed");
}

// Once up, until the link is no longer up (bounded).
void WaitUntilDown(const PppdSupervisor& supervisor) {
  (void)testing::WaitFor([&] { return supervisor.status().state != LinkState::kConnected; },
                         absl::Seconds(10));
}

TEST(PppdSupervisorTest, ALinkTheNetworkEndsIsADrop) {
  // pppd exits 0 after "LCP terminated by peer": nobody asked for it, so it failed.
  PppdSupervisor supervisor(Fake("peer-terminates"));
  ASSERT_THAT(supervisor.Start(), IsOk());
  ASSERT_EQ(supervisor.WaitUntilSettled(absl::Seconds(10)).state, LinkState::kConnected);
  WaitUntilDown(supervisor);
  const LinkStatus down = supervisor.status();
  EXPECT_EQ(down.exit_code, 0);
  EXPECT_EQ(down.state, LinkState::kFailed);
  EXPECT_EQ(down.failure, LinkFailure::kPeerTerminated);
  EXPECT_EQ(down.detail, "LCP terminated by peer");
}

TEST(PppdSupervisorTest, APeerEndFollowedByAHangupIsStillThePeersEnd) {
  PppdSupervisor supervisor(Fake("peer-terminates-then-hangup"));
  ASSERT_THAT(supervisor.Start(), IsOk());
  ASSERT_EQ(supervisor.WaitUntilSettled(absl::Seconds(10)).state, LinkState::kConnected);
  WaitUntilDown(supervisor);
  EXPECT_EQ(supervisor.status().exit_code, 16);
  EXPECT_EQ(supervisor.status().failure, LinkFailure::kPeerTerminated);
  EXPECT_EQ(supervisor.status().detail, "LCP terminated by peer");
}

TEST(PppdLogTest, OneDnsServerGivenTwiceIsOne) {
  PppdLogParser parser;
  for (const char* line : {"local  IP address 10.0.0.2", "primary   DNS address 10.77.0.53",
                           "secondary DNS address 10.77.0.53"}) {
    parser.Feed(line);
  }
  EXPECT_THAT(parser.facts().dns_servers, ElementsAre("10.77.0.53"));
}

TEST(PppdLogTest, TheSessionTotalsAtTheEnd) {
  PppdLogParser parser;
  parser.Feed("Connect time 12.5 minutes.");
  EXPECT_FALSE(parser.facts().bytes_sent.has_value());
  parser.Feed("Sent 4294967295 bytes, received 81920 bytes.");
  EXPECT_EQ(parser.facts().bytes_sent, 4294967295u);
  EXPECT_EQ(parser.facts().bytes_received, 81920u);
  PppdLogParser garbled;
  garbled.Feed("Sent lots of bytes, received some bytes.");
  garbled.Feed("Sent 12 bytes");
  EXPECT_FALSE(garbled.facts().bytes_sent.has_value());
  EXPECT_FALSE(garbled.facts().bytes_received.has_value());
}

TEST(PppdSupervisorTest, KillsAPppdThatIgnoresSigterm) {
  PppdSupervisor supervisor(Fake("ignore-term"));
  ASSERT_THAT(supervisor.Start(), IsOk());
  const pid_t pid = supervisor.pid();
  // Its first line comes after it set the trap: only then is SIGTERM really ignored.
  const absl::Time ready_by = base::Clock::Real().Now() + absl::Seconds(10);
  while (!supervisor.status().facts.interface_name && base::Clock::Real().Now() < ready_by) {
    absl::SleepFor(absl::Milliseconds(10));  // re-check interval of a bounded wait
  }
  ASSERT_TRUE(supervisor.status().facts.interface_name.has_value());
  const absl::Time start = base::Clock::Real().Now();
  LinkStatus down = supervisor.Stop();
  EXPECT_GE(base::Clock::Real().Now() - start, absl::Milliseconds(450))
      << "SIGTERM was given its grace period";
  EXPECT_LT(base::Clock::Real().Now() - start, absl::Seconds(5));
  EXPECT_EQ(down.state, LinkState::kDisconnected);
  EXPECT_EQ(down.exit_code, -1) << "ended by SIGKILL";
  EXPECT_FALSE(Running(pid));
}

TEST(PppdSupervisorTest, MissingPppdIsAClearError) {
  SupervisorOptions options = Fake("connect");
  options.pppd = "/nonexistent/pppd";
  PppdSupervisor supervisor(options);
  EXPECT_THAT(supervisor.Start(),
              ::cellfleet::testing::StatusIs(absl::StatusCode::kFailedPrecondition,
                                             ::testing::HasSubstr("/nonexistent/pppd")));
}

}  // namespace
}  // namespace cellfleet::modem::ppp
