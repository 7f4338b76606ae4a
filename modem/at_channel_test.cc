// The AT channel against a scripted modem on a real pseudo-terminal.
#include "modem/at_channel.h"

#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "base/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "modem/operator_command.h"
#include "modem/replies/registration.h"
#include "modem/testing/process_stats.h"
#include "modem/testing/pty_peer.h"
#include "modem/testing/status_matchers.h"
#include "modem/testing/wait_for.h"

namespace cellfleet::modem {
namespace {

using ::cellfleet::testing::IsOk;
using ::cellfleet::testing::PtyPeer;
using ::cellfleet::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Holds the outcome of a Submit() for the test thread to wait on.
struct Outcome {
  absl::Notification done;
  absl::StatusOr<AtResponse> result = absl::UnknownError("not run");

  AtChannel::Callback Callback() {
    return [this](absl::StatusOr<AtResponse> r) {
      result = std::move(r);
      done.Notify();
    };
  }
  bool Wait(absl::Duration timeout = absl::Seconds(5)) {
    return done.WaitForNotificationWithTimeout(timeout);
  }
};

class AtChannelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto port = SerialPort::FromFd(peer_.TakeSlaveFd(), "pty-modem");
    ASSERT_THAT(port, IsOk());
    AtChannelOptions options;
    options.timeout_margin = absl::Milliseconds(300);
    channel_ = std::make_unique<AtChannel>(std::move(*port), options);
    channel_->AddUrcHandler([this](absl::string_view line) {
      absl::MutexLock lock(&mu_);
      if (urcs_.size() < 100) urcs_.emplace_back(line);  // bounded: the 10 MiB test floods
    });
  }

  std::vector<std::string> Urcs() {
    absl::MutexLock lock(&mu_);
    return urcs_;
  }

  PtyPeer peer_;
  std::unique_ptr<AtChannel> channel_;
  absl::Mutex mu_;
  std::vector<std::string> urcs_ ABSL_GUARDED_BY(mu_);
};

TEST_F(AtChannelTest, CollectsReplyLinesByPrefix) {
  Outcome outcome;
  channel_->Submit(AtCommand::Query("AT+CSQ", {"+CSQ:"}), outcome.Callback());
  ASSERT_THAT(peer_.ReadUntil("AT+CSQ\r"), IsOk());
  peer_.Write("\r\n+CSQ: 11,99\r\n\r\nOK\r\n");
  ASSERT_TRUE(outcome.Wait());
  ASSERT_THAT(outcome.result, IsOk());
  EXPECT_THAT(outcome.result->lines, ElementsAre("+CSQ: 11,99"));
  EXPECT_EQ(outcome.result->final.kind, FinalResultKind::kOk);
}

TEST_F(AtChannelTest, DropsEchoOfTheCommand) {
  Outcome outcome;
  channel_->Submit(AtCommand::Bare("AT+CGSN"), outcome.Callback());
  ASSERT_THAT(peer_.ReadUntil("AT+CGSN\r"), IsOk());
  peer_.Write("AT+CGSN\r\r\n867695041234567\r\n\r\nOK\r\n");
  ASSERT_TRUE(outcome.Wait());
  ASSERT_THAT(outcome.result, IsOk());
  EXPECT_THAT(outcome.result->lines, ElementsAre("867695041234567"));
}

TEST_F(AtChannelTest, RoutesUrcsInsideAReplyToSubscribers) {
  Outcome outcome;
  channel_->Submit(AtCommand::Query("AT+CSQ", {"+CSQ:"}), outcome.Callback());
  ASSERT_THAT(peer_.ReadUntil("AT+CSQ\r"), IsOk());
  peer_.Write(
      "\r\n+QIND: SMS DONE\r\n\r\n+CSQ: 20,99\r\n\r\nRDY\r\n+CREG: "
      "1,\"D509\",\"80D413D\",7\r\n\r\nOK\r\n");
  ASSERT_TRUE(outcome.Wait());
  ASSERT_THAT(outcome.result, IsOk());
  EXPECT_THAT(outcome.result->lines, ElementsAre("+CSQ: 20,99"));
  EXPECT_THAT(Urcs(), ElementsAre("+QIND: SMS DONE", "RDY", "+CREG: 1,\"D509\",\"80D413D\",7"));
}

TEST_F(AtChannelTest, ARegistrationUrcNeverPassesForTheReadReply) {
  // With AT+CEREG=2 the modem prints "+CEREG: <stat>,<tac>,<ci>,<act>" whenever the cell
  // changes: before the command's echo, between echo and reply, and after the reply.
  for (const char* urc : {"+CEREG: 1,\"1A2B\",\"01A2B3C4\",7", "+CEREG: 2", "+CEREG: 0,,,,0,15"}) {
    SCOPED_TRACE(urc);
    {
      absl::MutexLock lock(&mu_);
      urcs_.clear();
    }
    Outcome outcome;
    AtCommand query = AtCommand::Query("AT+CEREG?", {"+CEREG:"});
    query.is_reply = IsRegistrationReadReply;
    channel_->Submit(std::move(query), outcome.Callback());
    ASSERT_THAT(peer_.ReadUntil("AT+CEREG?\r"), IsOk());
    peer_.Write(absl::StrCat("\r\n", urc, "\r\nAT+CEREG?\r\r\n", urc,
                             "\r\n+CEREG: 2,1,\"1A2B\",\"01A2B3C4\",7\r\n", urc, "\r\n\r\nOK\r\n"));
    ASSERT_TRUE(outcome.Wait());
    ASSERT_THAT(outcome.result, IsOk());
    EXPECT_THAT(outcome.result->lines, ElementsAre("+CEREG: 2,1,\"1A2B\",\"01A2B3C4\",7"));
    EXPECT_THAT(Urcs(), ElementsAre(urc, urc, urc));
  }
  // And after the command, a URC goes to the subscribers as always.
  peer_.Write("\r\n+CREG: 5\r\n");
  (void)testing::WaitFor([&] { return Urcs().size() >= 4; }, absl::Seconds(5));
  EXPECT_THAT(Urcs(), ::testing::Contains("+CREG: 5"));
}

TEST(RegistrationFormTest, TellsReadRepliesFromUrcs) {
  for (const char* reply :
       {"+CREG: 0,1", "+CREG: 2,5,\"D509\",\"80D413D\",7", "+CEREG: 3,3,,,,0,15", "+CGREG: 1,0",
        "+C5GREG: 2,1,\"0001\",\"1\",11"}) {
    EXPECT_TRUE(IsRegistrationReadReply(reply)) << reply;
  }
  for (const char* urc : {"+CREG: 1", "+CEREG: 1,\"1A2B\",\"01A2B3C4\",7", "+CGREG: 0,,,,0,11",
                          "+CEREG:", "+CSQ: 20,99"}) {
    EXPECT_FALSE(IsRegistrationReadReply(urc)) << urc;
  }
}

TEST_F(AtChannelTest, BareReplyStillSeparatesKnownUrcs) {
  Outcome outcome;
  channel_->Submit(AtCommand::Bare("ATI"), outcome.Callback());
  ASSERT_THAT(peer_.ReadUntil("ATI\r"), IsOk());
  peer_.Write("\r\nQuectel\r\n+CPIN: READY\r\nEC25\r\nRevision: EC25EFAR06A06M4G\r\n\r\nOK\r\n");
  ASSERT_TRUE(outcome.Wait());
  ASSERT_THAT(outcome.result, IsOk());
  EXPECT_THAT(outcome.result->lines, ElementsAre("Quectel", "EC25", "Revision: EC25EFAR06A06M4G"));
  EXPECT_THAT(Urcs(), ElementsAre("+CPIN: READY"));
}

TEST_F(AtChannelTest, ReportsCmeErrorsVerboseAndNumeric) {
  Outcome numeric;
  channel_->Submit(AtCommand::Query("AT+CPIN?", {"+CPIN:"}), numeric.Callback());
  ASSERT_THAT(peer_.ReadUntil("AT+CPIN?\r"), IsOk());
  peer_.Write("\r\n+CME ERROR: 10\r\n");
  ASSERT_TRUE(numeric.Wait());
  ASSERT_THAT(numeric.result, IsOk());
  EXPECT_EQ(numeric.result->final.kind, FinalResultKind::kCmeError);
  EXPECT_EQ(numeric.result->final.code, 10);
  EXPECT_EQ(numeric.result->final.text, "SIM not inserted");

  Outcome verbose;
  channel_->Submit(AtCommand::Query("AT+CPIN?", {"+CPIN:"}), verbose.Callback());
  ASSERT_THAT(peer_.ReadUntil("AT+CPIN?\r"), IsOk());
  peer_.Write("\r\n+CME ERROR: SIM busy\r\n");
  ASSERT_TRUE(verbose.Wait());
  ASSERT_THAT(verbose.result, IsOk());
  EXPECT_EQ(verbose.result->final.text, "SIM busy");
  EXPECT_EQ(CmeCode(verbose.result->final), 14);
  EXPECT_THAT(FinalResultStatus(verbose.result->final, "AT+CPIN?", channel_->port_name()),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("pty-modem")));
}

TEST_F(AtChannelTest, TimesOutThenResynchronisesBeforeTheNextCommand) {
  AtCommand silent = AtCommand::Query("AT+QENG=\"servingcell\"", {"+QENG:"});
  silent.timeout = absl::Milliseconds(200);
  Outcome first;
  channel_->Submit(silent, first.Callback());
  ASSERT_THAT(peer_.ReadUntil("AT+QENG=\"servingcell\"\r"), IsOk());
  ASSERT_TRUE(first.Wait());
  EXPECT_THAT(first.result, StatusIs(absl::StatusCode::kDeadlineExceeded, HasSubstr("AT+QENG")));

  // A late reply to the timed-out command must not be taken for the next one. (Wait until
  // the channel has it: the pty hands bytes over asynchronously, and a reply still in
  // flight when the next command goes out is ambiguous on a real modem too.)
  peer_.Write("\r\n+QENG: \"servingcell\",\"SEARCH\"\r\n\r\nOK\r\n");
  (void)testing::WaitFor([&] { return Urcs().size() >= 2; }, absl::Seconds(2),
                         absl::Milliseconds(5));
  // Lines that belong to no command go to the URC handlers, the stale OK included.
  EXPECT_THAT(Urcs(), ElementsAre("+QENG: \"servingcell\",\"SEARCH\"", "OK"));
  Outcome second;
  channel_->Submit(AtCommand::Query("AT+CSQ", {"+CSQ:"}), second.Callback());
  absl::StatusOr<std::string> resync = peer_.ReadUntil("AT\r");
  ASSERT_THAT(resync, IsOk());
  EXPECT_THAT(*resync, ::testing::Not(HasSubstr("AT+CSQ")));
  peer_.Write("\r\nOK\r\n");
  ASSERT_THAT(peer_.ReadUntil("AT+CSQ\r"), IsOk());
  peer_.Write("\r\n+CSQ: 7,99\r\n\r\nOK\r\n");
  ASSERT_TRUE(second.Wait());
  ASSERT_THAT(second.result, IsOk());
  EXPECT_THAT(second.result->lines, ElementsAre("+CSQ: 7,99"));
  EXPECT_EQ(channel_->stats().timeouts, 1u);
}

// An operator's command line: every line is its reply but URCs, the registration URC
// that shares +CREG's prefix included; bytes that are not text reach the caller as they
// came (the agent escapes them); the poller's next command is answered as usual.
TEST_F(AtChannelTest, OperatorCommandKeepsUrcsAndBinaryBytesApartFromThePoller) {
  absl::StatusOr<CommandLine> creg = ParseCommandLine("AT+CREG?");
  ASSERT_THAT(creg, IsOk());
  Outcome first;
  channel_->Submit(OperatorCommand(*creg, std::nullopt), first.Callback());
  ASSERT_THAT(peer_.ReadUntil("AT+CREG?\r"), IsOk());
  peer_.Write("\r\n+CREG: 5\r\n+CREG: 2,1\r\nRING\r\n\r\nOK\r\n");
  ASSERT_TRUE(first.Wait());
  ASSERT_THAT(first.result, IsOk());
  EXPECT_THAT(first.result->lines, ElementsAre("+CREG: 2,1"));
  EXPECT_LT(first.result->elapsed, absl::Seconds(1));
  (void)testing::WaitFor([&] { return Urcs().size() >= 2; }, absl::Seconds(2));
  EXPECT_THAT(Urcs(), ElementsAre("+CREG: 5", "RING"));

  absl::StatusOr<CommandLine> vendor = ParseCommandLine("AT+QDUMP");
  ASSERT_THAT(vendor, IsOk());
  Outcome second;
  channel_->Submit(OperatorCommand(*vendor, absl::Milliseconds(500)), second.Callback());
  ASSERT_THAT(peer_.ReadUntil("AT+QDUMP\r"), IsOk());
  peer_.Write(std::string("\r\nab\xff\xfe\x01z\r\n\r\nOK\r\n"));
  ASSERT_TRUE(second.Wait());
  ASSERT_THAT(second.result, IsOk());
  EXPECT_THAT(second.result->lines, ElementsAre("ab\xff\xfez"));  // the framer drops 0x01

  Outcome poll;
  channel_->Submit(AtCommand::Query("AT+CSQ", {"+CSQ:"}), poll.Callback());
  ASSERT_THAT(peer_.ReadUntil("AT+CSQ\r"), IsOk());
  peer_.Write("\r\n+CSQ: 7,99\r\n\r\nOK\r\n");
  ASSERT_TRUE(poll.Wait());
  ASSERT_THAT(poll.result, IsOk());
  EXPECT_THAT(poll.result->lines, ElementsAre("+CSQ: 7,99"));
}

TEST_F(AtChannelTest, GivesUpOnAModemThatNeverAnswersAt) {
  AtCommand silent = AtCommand::Action("AT");
  silent.timeout = absl::Milliseconds(100);
  Outcome first;
  channel_->Submit(silent, first.Callback());
  ASSERT_TRUE(first.Wait());
  EXPECT_THAT(first.result, StatusIs(absl::StatusCode::kDeadlineExceeded));
  Outcome second;
  channel_->Submit(AtCommand::Query("AT+CSQ", {"+CSQ:"}), second.Callback());
  ASSERT_TRUE(second.Wait(absl::Seconds(10)));
  EXPECT_THAT(second.result,
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("does not answer AT")));
}

TEST_F(AtChannelTest, PeerClosingMidCommandFailsCleanly) {
  Outcome pending;
  Outcome queued;
  channel_->Submit(AtCommand::Query("AT+COPS?", {"+COPS:"}), pending.Callback());
  channel_->Submit(AtCommand::Query("AT+CSQ", {"+CSQ:"}), queued.Callback());
  ASSERT_THAT(peer_.ReadUntil("AT+COPS?\r"), IsOk());
  peer_.Write("\r\n+COPS: 0,0,\"Tel");  // half a reply, then the device is gone
  peer_.Close();
  ASSERT_TRUE(pending.Wait());
  EXPECT_THAT(pending.result, StatusIs(absl::StatusCode::kUnavailable, HasSubstr("AT+COPS?")));
  ASSERT_TRUE(queued.Wait());
  EXPECT_THAT(queued.result, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(channel_->health(), StatusIs(absl::StatusCode::kUnavailable));
  Outcome after;
  channel_->Submit(AtCommand::Action("AT"), after.Callback());
  ASSERT_TRUE(after.Wait(absl::Milliseconds(100)));  // refused at once
  EXPECT_THAT(after.result, StatusIs(absl::StatusCode::kUnavailable));
}

TEST_F(AtChannelTest, CloseCancelsACommandInFlightWithoutWaitingForItsLimit) {
  Outcome pending;
  Outcome queued;
  // AT+COPS=? may take 180 s on an EC25: the channel must not make its owner wait that.
  channel_->Submit(AtCommand::Query("AT+COPS=?", {"+COPS:"}), pending.Callback());
  channel_->Submit(AtCommand::Query("AT+CSQ", {"+CSQ:"}), queued.Callback());
  ASSERT_THAT(peer_.ReadUntil("AT+COPS=?\r"), IsOk());
  const absl::Time closed_at = base::Clock::Real().Now();
  channel_->Close();
  ASSERT_TRUE(pending.Wait(absl::Seconds(2)));
  EXPECT_LT(base::Clock::Real().Now() - closed_at, absl::Seconds(1));
  EXPECT_THAT(pending.result, StatusIs(absl::StatusCode::kCancelled, HasSubstr("AT+COPS=?")));
  ASSERT_TRUE(queued.Wait(absl::Seconds(1)));
  EXPECT_THAT(queued.result, StatusIs(absl::StatusCode::kCancelled));
  EXPECT_EQ(peer_.ReadFor(absl::Milliseconds(100)), "") << "nothing sent after Close";
  Outcome after;
  channel_->Submit(AtCommand::Action("AT"), after.Callback());
  ASSERT_TRUE(after.Wait(absl::Milliseconds(100)));  // refused at once
  EXPECT_THAT(after.result, StatusIs(absl::StatusCode::kCancelled));
}

TEST_F(AtChannelTest, QueuedCommandsRunOneAtATime) {
  Outcome a, b, c;
  channel_->Submit(AtCommand::Query("AT+CSQ", {"+CSQ:"}), a.Callback());
  channel_->Submit(AtCommand::Query("AT+CREG?", {"+CREG:"}), b.Callback());
  channel_->Submit(AtCommand::Query("AT+COPS?", {"+COPS:"}), c.Callback());
  absl::StatusOr<std::string> seen = peer_.ReadUntil("AT+CSQ\r");
  ASSERT_THAT(seen, IsOk());
  EXPECT_EQ(peer_.ReadFor(absl::Milliseconds(100)), "");  // nothing more until answered
  peer_.Write("\r\n+CSQ: 1,99\r\n\r\nOK\r\n");
  ASSERT_THAT(peer_.ReadUntil("AT+CREG?\r"), IsOk());
  peer_.Write("\r\n+CREG: 0,1\r\n\r\nOK\r\n");
  ASSERT_THAT(peer_.ReadUntil("AT+COPS?\r"), IsOk());
  peer_.Write("\r\n+COPS: 0\r\n\r\nOK\r\n");
  ASSERT_TRUE(a.Wait() && b.Wait() && c.Wait());
  EXPECT_THAT(a.result->lines, ElementsAre("+CSQ: 1,99"));
  EXPECT_THAT(b.result->lines, ElementsAre("+CREG: 0,1"));
  EXPECT_THAT(c.result->lines, ElementsAre("+COPS: 0"));
}

TEST_F(AtChannelTest, SurvivesTenMegabytesOfRandomBytes) {
  const long before = ::cellfleet::testing::ResidentKib();
  std::mt19937 rng(20261125);
  std::string chunk(64 * 1024, '\0');
  for (int i = 0; i < 160; ++i) {  // 10 MiB
    for (char& c : chunk) c = static_cast<char>(rng());
    peer_.Write(chunk);
  }
  peer_.Write("\r\n");
  // The channel still works afterwards.
  Outcome outcome;
  channel_->Submit(AtCommand::Query("AT+CSQ", {"+CSQ:"}), outcome.Callback());
  ASSERT_THAT(peer_.ReadUntil("AT+CSQ\r", absl::Seconds(20)), IsOk());
  peer_.Write("\r\n+CSQ: 12,99\r\n\r\nOK\r\n");
  ASSERT_TRUE(outcome.Wait(absl::Seconds(20)));
  ASSERT_THAT(outcome.result, IsOk());
  EXPECT_THAT(outcome.result->lines, ElementsAre("+CSQ: 12,99"));
  EXPECT_GT(channel_->stats().discarded_bytes, 0u);
  const long after = ::cellfleet::testing::ResidentKib();
  // URC lines are dispatched and dropped, never accumulated: growth stays far below 10 MiB.
  EXPECT_LT(after - before, 8 * 1024) << "RSS grew from " << before << " to " << after << " KiB";
}

// A batch goes out one command at a time, each once the one before is answered, and
// comes back in order; the modem never sees two commands in flight.
TEST_F(AtChannelTest, ABatchIsSentOneAfterAnotherAndAnsweredInOrder) {
  std::vector<absl::StatusOr<AtResponse>> results;
  std::thread caller([&] {
    results = channel_->ExecuteAll({AtCommand::Query("AT+CSQ", {"+CSQ:"}),
                                    AtCommand::Query("AT+COPS?", {"+COPS:"}),
                                    AtCommand::Action("AT+CFUN=1")});
  });
  ASSERT_THAT(peer_.ReadUntil("AT+CSQ\r"), IsOk());
  EXPECT_EQ(peer_.ReadFor(absl::Milliseconds(100)), "") << "sent before the first reply";
  peer_.Write("\r\n+CSQ: 11,99\r\n\r\nOK\r\n");
  ASSERT_THAT(peer_.ReadUntil("AT+COPS?\r"), IsOk());
  peer_.Write("\r\n+CME ERROR: 30\r\n");
  ASSERT_THAT(peer_.ReadUntil("AT+CFUN=1\r"), IsOk());
  peer_.Write("\r\nOK\r\n");
  caller.join();
  ASSERT_EQ(results.size(), 3u);
  ASSERT_THAT(results[0], IsOk());
  EXPECT_THAT(results[0]->lines, ElementsAre("+CSQ: 11,99"));
  ASSERT_THAT(results[1], IsOk());
  EXPECT_FALSE(results[1]->final.success());  // a modem error is an answer
  ASSERT_THAT(results[2], IsOk());
  EXPECT_TRUE(results[2]->final.success());
}

TEST_F(AtChannelTest, ABatchOnAClosedChannelFailsEveryCommand) {
  channel_->Close();
  std::vector<absl::StatusOr<AtResponse>> results = channel_->ExecuteAll(
      {AtCommand::Query("AT+CSQ", {"+CSQ:"}), AtCommand::Query("AT+COPS?", {"+COPS:"})});
  ASSERT_EQ(results.size(), 2u);
  for (const auto& result : results) EXPECT_FALSE(result.ok());
}

}  // namespace
}  // namespace cellfleet::modem
