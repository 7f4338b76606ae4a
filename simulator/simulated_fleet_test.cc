// The simulator through its pseudo-terminals, as a serial client sees it.
#include "simulator/simulated_fleet.h"

#include <filesystem>

#include "absl/strings/match.h"
#include "base/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "modem/at_channel.h"
#include "modem/serial_port.h"
#include "modem/testing/status_matchers.h"
#include "modem/testing/wait_for.h"

namespace cellfleet::simulator {
namespace {

using ::cellfleet::modem::AtChannel;
using ::cellfleet::modem::AtCommand;
using ::cellfleet::modem::AtResponse;
using ::cellfleet::modem::FinalResultKind;
using ::cellfleet::modem::SerialOptions;
using ::cellfleet::modem::SerialPort;
using ::cellfleet::testing::IsOk;
using ::cellfleet::testing::StatusIs;
using ::testing::HasSubstr;

class SimulatedFleetTest : public ::testing::Test {
 protected:
  void TearDown() override {
    port_.reset();
    if (fleet_) fleet_->Stop();
    std::filesystem::remove_all(dir_);
  }

  void StartFleet(const std::string& scenario_yaml = "", int boards = 1) {
    dir_ = ::testing::TempDir() + "/simfleet-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    SimulatedFleetOptions options;
    options.boards = boards;
    options.dir = dir_;
    options.seed = 5;
    options.tick = absl::Milliseconds(50);
    options.profile = profile_;
    auto scenario = ParseScenario(scenario_yaml, "test");
    ASSERT_THAT(scenario, IsOk());
    options.scenario = *scenario;
    auto fleet = SimulatedFleet::Create(options);
    ASSERT_THAT(fleet, IsOk());
    fleet_ = std::move(*fleet);
    fleet_->Start();
  }

  void OpenPort(const std::string& path) {
    SerialOptions options;
    options.lock_dir = dir_;
    auto port = SerialPort::Open(path, options);
    ASSERT_THAT(port, IsOk());
    port_ = std::move(*port);
  }

  // Writes `command` + CR and reads until `until` arrives (or the deadline).
  std::string Exchange(const std::string& command, absl::string_view until = "\r\nOK\r\n",
                       absl::Duration timeout = absl::Seconds(3)) {
    EXPECT_THAT(port_->WriteAll(command + "\r", absl::Seconds(1)), IsOk());
    return ReadUntil(until, timeout);
  }

  std::string ReadUntil(absl::string_view until, absl::Duration timeout = absl::Seconds(3)) {
    std::string got;
    const absl::Time deadline = base::Clock::Real().Now() + timeout;
    while (!absl::StrContains(got, until) && base::Clock::Real().Now() < deadline) {
      absl::StatusOr<bool> readable = port_->WaitReadable(deadline - base::Clock::Real().Now());
      if (!readable.ok()) break;
      char buffer[1024];
      absl::StatusOr<size_t> n = port_->ReadSome(buffer, sizeof(buffer));
      if (!n.ok()) break;
      got.append(buffer, *n);
    }
    return got;
  }

  RadioProfile profile_;
  std::string dir_;
  std::unique_ptr<SimulatedFleet> fleet_;
  std::unique_ptr<SerialPort> port_;
};

TEST_F(SimulatedFleetTest, AnswersLikeAnEc25WithEchoOn) {
  StartFleet();
  OpenPort(fleet_->boards()[0].at_path);
  const SimulatedIdentity id = fleet_->boards()[0].identity;
  EXPECT_EQ(Exchange("AT"), "AT\r\r\nOK\r\n");
  EXPECT_EQ(Exchange("ATI"),
            "ATI\r\r\nQuectel\r\nEC25\r\nRevision: EC25EFAR06A06M4G\r\n\r\nOK\r\n");
  EXPECT_EQ(Exchange("AT+CGSN"), "AT+CGSN\r\r\n" + id.imei + "\r\n\r\nOK\r\n");
  EXPECT_EQ(Exchange("ATE0"), "ATE0\r\r\nOK\r\n");
  EXPECT_EQ(Exchange("AT+CIMI"), "\r\n" + id.imsi + "\r\n\r\nOK\r\n");
  EXPECT_EQ(Exchange("AT+QCCID"), "\r\n+QCCID: " + id.iccid + "\r\n\r\nOK\r\n");
  EXPECT_EQ(Exchange("AT+CPIN?"), "\r\n+CPIN: READY\r\n\r\nOK\r\n");
  EXPECT_THAT(Exchange("AT+CSQ"), ::testing::MatchesRegex("\r\n\\+CSQ: [0-9]+,99\r\n\r\nOK\r\n"));
  EXPECT_THAT(
      Exchange("AT+QCSQ"),
      ::testing::MatchesRegex("\r\n\\+QCSQ: \"LTE\",-[0-9]+,-[0-9]+,[0-9]+,-[0-9]+\r\n\r\nOK\r\n"));
  EXPECT_EQ(Exchange("AT+COPS?"), "\r\n+COPS: 0,0,\"Telekom.de\",7\r\n\r\nOK\r\n");
  EXPECT_EQ(Exchange("AT+COPS=3,2"), "\r\nOK\r\n");
  EXPECT_EQ(Exchange("AT+COPS?"), "\r\n+COPS: 0,2,\"26201\",7\r\n\r\nOK\r\n");
  EXPECT_EQ(Exchange("AT+CREG?"), "\r\n+CREG: 0,1\r\n\r\nOK\r\n");
  EXPECT_EQ(Exchange("AT+CEREG=2"), "\r\nOK\r\n");
  EXPECT_THAT(
      Exchange("AT+CEREG?"),
      ::testing::MatchesRegex("\r\n\\+CEREG: 2,1,\"[0-9A-F]+\",\"[0-9A-F]+\",7\r\n\r\nOK\r\n"));
  EXPECT_EQ(Exchange("AT+CGREG?"), "\r\n+CGREG: 0,1\r\n\r\nOK\r\n");
  EXPECT_THAT(
      Exchange("AT+QENG=\"servingcell\""),
      ::testing::StartsWith("\r\n+QENG: \"servingcell\",\"NOCONN\",\"LTE\",\"FDD\",262,01,"));
  EXPECT_THAT(Exchange("AT+QENG=\"neighbourcell\""), HasSubstr("+QENG: \"neighbourcell"));
  EXPECT_EQ(Exchange("AT+CGDCONT=1,\"IP\",\"internet.example\""), "\r\nOK\r\n");
  EXPECT_EQ(Exchange("AT+CGDCONT?"),
            "\r\n+CGDCONT: 1,\"IP\",\"internet.example\",\"0.0.0.0\",0,0,0,0\r\n\r\nOK\r\n");
  EXPECT_EQ(Exchange("AT+CFUN?"), "\r\n+CFUN: 1\r\n\r\nOK\r\n");
  EXPECT_THAT(Exchange("AT+CSQ;+CPIN?"),
              ::testing::MatchesRegex("\r\n\\+CSQ: [0-9]+,99\r\n\\+CPIN: READY\r\n\r\nOK\r\n"));
  // Unknown commands: ERROR; bad arguments: +CME ERROR per AT+CMEE.
  EXPECT_EQ(Exchange("AT+FOO", "ERROR\r\n"), "\r\nERROR\r\n");
  EXPECT_EQ(Exchange("AT+CMEE=2"), "\r\nOK\r\n");
  EXPECT_EQ(Exchange("AT+CFUN=7", "\r\n"), "\r\n+CME ERROR: operation not allowed\r\n");
  EXPECT_EQ(Exchange("AT+CMEE=1"), "\r\nOK\r\n");
  EXPECT_EQ(Exchange("AT+CFUN=7", "3\r\n"), "\r\n+CME ERROR: 3\r\n");
  EXPECT_EQ(Exchange("ATZ"), "\r\nOK\r\n");
  EXPECT_EQ(Exchange("AT"), "AT\r\r\nOK\r\n");  // ATZ restored echo
}

TEST_F(SimulatedFleetTest, ReplaysACapturedTranscriptByteForByte) {
  StartFleet(R"(replies:
  - command: AT+QENG="servingcell"
    raw: "\r\n+QENG: \"servingcell\",\"NOCONN\",\"LTE\",\"FDD\",405,854,49E31,91,2450,5,3,3,74,-124,-16,-91,-5,3\r\n\r\nOK\r\n"
)");
  OpenPort(fleet_->boards()[0].at_path);
  EXPECT_EQ(Exchange("ATE0"), "ATE0\r\r\nOK\r\n");
  EXPECT_EQ(Exchange("AT+QENG=\"servingcell\""),
            "\r\n+QENG: "
            "\"servingcell\",\"NOCONN\",\"LTE\",\"FDD\",405,854,49E31,91,2450,5,3,3,74,-124,-16,-"
            "91,-5,3\r\n\r\nOK\r\n");
}

TEST_F(SimulatedFleetTest, FaultsDelaySilenceAndGarble) {
  StartFleet(R"(faults:
  - {command: AT+CSQ, delay: 300ms}
  - {command: AT+QCCID, no_reply: true}
  - {command: "AT+COPS?", garbage_bytes: 64}
)");
  OpenPort(fleet_->boards()[0].at_path);
  Exchange("ATE0");
  absl::Time start = base::Clock::Real().Now();
  EXPECT_THAT(Exchange("AT+CSQ"), HasSubstr("+CSQ:"));
  EXPECT_GE(base::Clock::Real().Now() - start, absl::Milliseconds(290));
  EXPECT_EQ(Exchange("AT+QCCID", "OK", absl::Milliseconds(500)), "");
  // The AT channel copes with garbage before the reply.
  port_.reset();
  SerialOptions serial;
  serial.lock_dir = dir_;
  auto port = SerialPort::Open(fleet_->boards()[0].at_path, serial);
  ASSERT_THAT(port, IsOk());
  AtChannel channel(std::move(*port));
  absl::StatusOr<AtResponse> cops = channel.Execute(AtCommand::Query("AT+COPS?", {"+COPS:"}));
  ASSERT_THAT(cops, IsOk());
  EXPECT_EQ(cops->final.kind, FinalResultKind::kOk);
  ASSERT_FALSE(cops->lines.empty());
  EXPECT_THAT(cops->lines.back(), HasSubstr("+COPS: 0,0,\"Telekom.de\",7"));
}

TEST_F(SimulatedFleetTest, SimRemovedAndPortVanishEvents) {
  StartFleet(R"(events:
  - {at: 200ms, action: sim_removed}
  - {at: 400ms, action: port_vanish, duration: 600ms}
)");
  const std::string path = fleet_->boards()[0].at_path;
  OpenPort(path);
  Exchange("ATE0");
  EXPECT_EQ(ReadUntil("never", absl::Milliseconds(250)), "");  // let the first event fire
  EXPECT_EQ(Exchange("AT+CPIN?", "\r\n"), "\r\n+CME ERROR: 10\r\n");
  // The port vanishes: reads fail, the path is gone, then it returns.
  absl::StatusOr<bool> readable = port_->WaitReadable(absl::Seconds(2));
  char buffer[64];
  if (readable.ok() && *readable) {
    EXPECT_THAT(port_->ReadSome(buffer, sizeof(buffer)), StatusIs(absl::StatusCode::kUnavailable));
  }
  port_.reset();
  EXPECT_FALSE(std::filesystem::exists(path));
  (void)testing::WaitFor([&] { return std::filesystem::exists(path); }, absl::Seconds(3));
  ASSERT_TRUE(std::filesystem::exists(path));
  OpenPort(path);
  EXPECT_EQ(Exchange("AT"), "AT\r\r\nOK\r\n");  // back with factory defaults
}

// A modem without a SIM never registers, however its radio wanders: a network drop and
// its return, and cell changes, used to bring back +CREG: 1 with no SIM in it.
TEST_F(SimulatedFleetTest, AModemWithoutASimNeverRegisters) {
  profile_.deregister_per_second = 1.0;  // a drop every tick, each followed by a return
  profile_.searching_seconds = 1;
  profile_.handover_per_second = 1.0;
  StartFleet(R"(events:
  - {at: 0s, action: sim_removed}
)");
  OpenPort(fleet_->boards()[0].at_path);
  Exchange("ATE0");
  for (int sample = 0; sample < 12; ++sample) {  // 12 x 100 ms: 24 ticks of the radio
    EXPECT_EQ(Exchange("AT+CREG?"), "\r\n+CREG: 0,0\r\n\r\nOK\r\n");
    EXPECT_EQ(Exchange("AT+CEREG?"), "\r\n+CEREG: 0,0\r\n\r\nOK\r\n");
    EXPECT_EQ(Exchange("AT+COPS?"), "\r\n+COPS: 0\r\n\r\nOK\r\n");
    EXPECT_EQ(ReadUntil("never", absl::Milliseconds(100)), "");
  }
  // Positive control: the same radio with the SIM back registers.
  ScenarioEvent inserted;
  inserted.action = EventAction::kSimInserted;
  fleet_->ApplyEventNow(0, inserted);
  EXPECT_TRUE(testing::WaitFor(
      [&] { return absl::StrContains(Exchange("AT+CREG?"), "+CREG: 0,1"); }, absl::Seconds(3)));
}

TEST_F(SimulatedFleetTest, DataModeRelaysToTheNetworkCommandUntilItExits) {
  // `head -c 5` plays the network: it echoes nothing back but ends after 5 bytes.
  StartFleet(R"(data:
  network_command: [/usr/bin/head, -c, "5"]
)");
  OpenPort(fleet_->boards()[0].modem_path);
  Exchange("ATE0");
  EXPECT_EQ(Exchange("ATD*99#", "CONNECT 150000000\r\n"), "\r\nCONNECT 150000000\r\n");
  ASSERT_THAT(port_->WriteAll("hello", absl::Seconds(1)), IsOk());
  EXPECT_EQ(ReadUntil("NO CARRIER\r\n"), "hello\r\nNO CARRIER\r\n");
  EXPECT_EQ(Exchange("AT"), "\r\nOK\r\n");  // command mode again
}

TEST_F(SimulatedFleetTest, CarrierLossCanHangUpTheLine) {
  StartFleet(R"(data:
  network_command: [/usr/bin/head, -c, "5"]
  hangup_on_carrier_loss: true
)");
  const std::string path = fleet_->boards()[0].modem_path;
  OpenPort(path);
  Exchange("ATE0");
  EXPECT_THAT(Exchange("ATD*99#", "150000000\r\n"), HasSubstr("CONNECT"));
  ASSERT_THAT(port_->WriteAll("hello", absl::Seconds(1)), IsOk());
  EXPECT_EQ(ReadUntil("NO CARRIER\r\n"), "hello\r\nNO CARRIER\r\n");
  // Then the line hangs up under the client, as pppd sees a modem dropping carrier.
  absl::StatusOr<bool> readable = port_->WaitReadable(absl::Seconds(2));
  ASSERT_THAT(readable, IsOk());
  ASSERT_TRUE(*readable);
  char buffer[64];
  EXPECT_THAT(port_->ReadSome(buffer, sizeof(buffer)), StatusIs(absl::StatusCode::kUnavailable));
  port_.reset();
  // A fresh line at the same path (after a moment: the old one goes first), same modem.
  (void)testing::WaitFor([&] { return std::filesystem::exists(path); }, absl::Seconds(3));
  OpenPort(path);
  EXPECT_EQ(Exchange("AT"), "\r\nOK\r\n");
}

TEST_F(SimulatedFleetTest, EscapeSequenceKeepsTheCallUntilAth) {
  StartFleet("latency: {default: 0s}\n");
  OpenPort(fleet_->boards()[0].modem_path);
  Exchange("ATE0");
  EXPECT_THAT(Exchange("ATD*99***1#", "150000000\r\n"), HasSubstr("CONNECT"));
  EXPECT_EQ(ReadUntil("never", absl::Milliseconds(1100)), "");  // guard time before
  ASSERT_THAT(port_->WriteAll("+++", absl::Seconds(1)), IsOk());
  // Nothing until a second of silence after it too, then OK: online command mode.
  EXPECT_EQ(ReadUntil("OK", absl::Milliseconds(700)), "");
  EXPECT_EQ(ReadUntil("OK\r\n"), "\r\nOK\r\n");
  EXPECT_EQ(Exchange("AT"), "\r\nOK\r\n");
  // ATO resumes the same call; the escape works again; ATH ends it.
  EXPECT_EQ(Exchange("ATO", "150000000\r\n"), "\r\nCONNECT 150000000\r\n");
  EXPECT_EQ(ReadUntil("never", absl::Milliseconds(1100)), "");
  ASSERT_THAT(port_->WriteAll("+++", absl::Seconds(1)), IsOk());
  EXPECT_EQ(ReadUntil("OK\r\n", absl::Seconds(3)), "\r\nOK\r\n");
  EXPECT_EQ(Exchange("ATH"), "\r\nOK\r\n");
  EXPECT_EQ(Exchange("ATO", "NO CARRIER\r\n"), "\r\nNO CARRIER\r\n");
}

TEST_F(SimulatedFleetTest, PlusesFollowedByDataAreData) {
  // "+++" with bytes after it inside the guard time is payload, not an escape.
  StartFleet(R"(latency: {default: 0s}
data:
  network_command: [/usr/bin/head, -c, "8"]
)");
  OpenPort(fleet_->boards()[0].modem_path);
  Exchange("ATE0");
  EXPECT_THAT(Exchange("ATD*99#", "150000000\r\n"), HasSubstr("CONNECT"));
  EXPECT_EQ(ReadUntil("never", absl::Milliseconds(1100)), "");
  ASSERT_THAT(port_->WriteAll("+++", absl::Seconds(1)), IsOk());
  absl::SleepFor(absl::Milliseconds(200));  // inside the guard time, by construction
  ASSERT_THAT(port_->WriteAll("abcde", absl::Seconds(1)), IsOk());
  // The network got all 8 bytes (head passes them back, then exits): no escape.
  EXPECT_EQ(ReadUntil("NO CARRIER\r\n"), "+++abcde\r\nNO CARRIER\r\n");
}

TEST_F(SimulatedFleetTest, DtrDropEndsTheCall) {
  StartFleet("latency: {default: 0s}\n");
  const std::string path = fleet_->boards()[0].modem_path;
  OpenPort(path);
  Exchange("ATE0");
  EXPECT_THAT(Exchange("ATD*99#", "150000000\r\n"), HasSubstr("CONNECT"));
  // The AT port shows the call, until the last close of the modem port drops DTR.
  std::unique_ptr<SerialPort> modem_port = std::move(port_);
  OpenPort(fleet_->boards()[0].at_path);
  Exchange("ATE0");
  EXPECT_THAT(Exchange("AT+QENG=\"servingcell\""), HasSubstr("\"CONNECT\""));
  modem_port.reset();
  std::string cell;
  (void)testing::WaitFor(
      [&] {
        cell = Exchange("AT+QENG=\"servingcell\"");
        return absl::StrContains(cell, "\"NOCONN\"");
      },
      absl::Seconds(5), absl::ZeroDuration());
  EXPECT_THAT(cell, HasSubstr("\"NOCONN\""));
  port_.reset();
  OpenPort(path);
  EXPECT_EQ(Exchange("ATO", "NO CARRIER\r\n"), "\r\nNO CARRIER\r\n");
}

TEST_F(SimulatedFleetTest, RebootTakesThePortsAwayAndBootsWithSimBusy) {
  StartFleet("latency: {default: 0s}\n");
  const std::string path = fleet_->boards()[0].at_path;
  OpenPort(path);
  EXPECT_EQ(Exchange("AT+CFUN=1,1"), "AT+CFUN=1,1\r\r\nOK\r\n");
  // USB re-enumeration: the port ends under the client and its path goes away.
  absl::StatusOr<bool> readable = port_->WaitReadable(absl::Seconds(2));
  ASSERT_THAT(readable, IsOk());
  char buffer[64];
  EXPECT_THAT(port_->ReadSome(buffer, sizeof(buffer)), StatusIs(absl::StatusCode::kUnavailable));
  port_.reset();
  EXPECT_FALSE(std::filesystem::exists(path));
  (void)testing::WaitFor([&] { return std::filesystem::exists(path); }, absl::Seconds(10));
  OpenPort(path);
  const std::string boot = ReadUntil("+CPIN: READY\r\n");
  EXPECT_THAT(boot, ::testing::StartsWith("\r\nRDY\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n"));
  // For a moment the SIM is busy; then it answers.
  EXPECT_EQ(Exchange("AT+CPIN?", "\r\n\r\n"), "AT+CPIN?\r\r\n+CME ERROR: 14\r\n");
  std::string cpin;
  (void)testing::WaitFor(
      [&] {
        cpin = Exchange("AT+CPIN?", "\r\n\r\n");
        return absl::StrContains(cpin, "READY");
      },
      absl::Seconds(5), absl::Milliseconds(100));
  EXPECT_THAT(cpin, HasSubstr("+CPIN: READY"));
}

TEST_F(SimulatedFleetTest, RadioOffDeregistersAndPowerDownLastsUntilPowerOn) {
  StartFleet(R"(latency: {default: 0s}
events:
  - {at: 2s, action: power_on}
)");
  OpenPort(fleet_->boards()[0].at_path);
  Exchange("ATE0");
  EXPECT_EQ(Exchange("AT+CFUN=4"), "\r\nOK\r\n");
  EXPECT_EQ(Exchange("AT+CSQ"), "\r\n+CSQ: 99,99\r\n\r\nOK\r\n");
  EXPECT_EQ(Exchange("AT+CEREG?"), "\r\n+CEREG: 0,0\r\n\r\nOK\r\n");
  EXPECT_EQ(Exchange("AT+COPS?"), "\r\n+COPS: 0\r\n\r\nOK\r\n");
  EXPECT_EQ(Exchange("AT+QENG=\"servingcell\""),
            "\r\n+QENG: \"servingcell\",\"SEARCH\"\r\n\r\nOK\r\n");
  EXPECT_EQ(Exchange("AT+CFUN=1"), "\r\nOK\r\n");
  EXPECT_THAT(Exchange("AT+CSQ"), ::testing::Not(HasSubstr("99,99")));
  // AT+QPOWD: OK, POWERED DOWN, and the ports stay away until the power_on event.
  const std::string path = fleet_->boards()[0].at_path;
  EXPECT_THAT(Exchange("AT+QPOWD", "POWERED DOWN\r\n"),
              HasSubstr("\r\nOK\r\n\r\nPOWERED DOWN\r\n"));
  port_.reset();
  (void)testing::WaitFor([&] { return !std::filesystem::exists(path); }, absl::Seconds(2));
  EXPECT_FALSE(std::filesystem::exists(path));
  (void)testing::WaitFor([&] { return std::filesystem::exists(path); }, absl::Seconds(10));
  OpenPort(path);
  EXPECT_THAT(ReadUntil("RDY\r\n"), HasSubstr("RDY"));
}

TEST_F(SimulatedFleetTest, UrcsComeBetweenEchoAndReply) {
  // The registration drops while AT+CEREG? is being answered (its reply takes 1 s here).
  StartFleet(R"(initial: {radio_drift: false}
latency: {default: 0s, "AT+CEREG?": 1s}
events:
  - {at: 1s, action: deregister, duration: 30s}
)");
  OpenPort(fleet_->boards()[0].at_path);
  EXPECT_EQ(Exchange("AT+CGREG=1"), "AT+CGREG=1\r\r\nOK\r\n");
  EXPECT_EQ(Exchange("AT+CEREG=1"), "AT+CEREG=1\r\r\nOK\r\n");
  EXPECT_EQ(Exchange("AT+CEREG?", "OK\r\n", absl::Seconds(5)),
            "AT+CEREG?\r\r\n+CGREG: 2\r\n\r\n+CEREG: 2\r\n\r\n+CEREG: 1,2\r\n\r\nOK\r\n");
}

TEST_F(SimulatedFleetTest, RepliesTakeTheirLatency) {
  StartFleet("latency: {default: 0s, \"AT+CSQ\": 400ms}\n");
  OpenPort(fleet_->boards()[0].at_path);
  Exchange("ATE0");
  const absl::Time start = base::Clock::Real().Now();
  EXPECT_EQ(Exchange("AT"), "\r\nOK\r\n");
  const absl::Duration quick = base::Clock::Real().Now() - start;
  const absl::Time sent = base::Clock::Real().Now();
  EXPECT_THAT(Exchange("AT+CSQ"), HasSubstr("+CSQ:"));
  EXPECT_GE(base::Clock::Real().Now() - sent, absl::Milliseconds(400));  // the configured latency
  EXPECT_LT(quick, absl::Milliseconds(400));
}

TEST_F(SimulatedFleetTest, ServingCellFollowsTheCallAndTheFallback) {
  StartFleet(R"(initial: {radio_drift: false}
latency: {default: 0s}
events:
  - {at: 1s, action: rat_change, rat: WCDMA}
)");
  OpenPort(fleet_->boards()[0].modem_path);
  Exchange("ATE0");
  EXPECT_THAT(Exchange("ATD*99#", "150000000\r\n"), HasSubstr("CONNECT"));
  std::unique_ptr<SerialPort> modem_port = std::move(port_);  // the call stays up
  OpenPort(fleet_->boards()[0].at_path);
  Exchange("ATE0");
  EXPECT_THAT(Exchange("AT+QENG=\"servingcell\""),
              HasSubstr("\"servingcell\",\"CONNECT\",\"LTE\""));
  std::string cell;  // the rat_change event comes at 1 s
  (void)testing::WaitFor(
      [&] {
        cell = Exchange("AT+QENG=\"servingcell\"");
        return absl::StrContains(cell, "WCDMA");
      },
      absl::Seconds(5), absl::ZeroDuration());
  EXPECT_THAT(cell, HasSubstr("\"CONNECT\",\"WCDMA\",262,01,"));
  EXPECT_THAT(Exchange("AT+COPS?"), HasSubstr(",2\r\n"));  // AcT 2: UTRAN
  EXPECT_EQ(Exchange("AT+CEREG?"), "\r\n+CEREG: 0,0\r\n\r\nOK\r\n");
  EXPECT_EQ(Exchange("AT+CREG?"), "\r\n+CREG: 0,1\r\n\r\nOK\r\n");
  modem_port.reset();
}

TEST_F(SimulatedFleetTest, RefusesWrongApnAndHonoursConnectMode) {
  StartFleet("data:\n  require_apn: internet.example\n");
  OpenPort(fleet_->boards()[0].modem_path);
  Exchange("ATE0");
  EXPECT_EQ(Exchange("AT+CGDCONT=1,\"IP\",\"wrong.apn\""), "\r\nOK\r\n");
  EXPECT_EQ(Exchange("ATD*99#", "NO CARRIER\r\n"), "\r\nNO CARRIER\r\n");
  // *99***N# dials context N: the APN the network sees is context 3's, not context 1's.
  EXPECT_EQ(Exchange("AT+CGDCONT=3,\"IP\",\"internet.example\""), "\r\nOK\r\n");
  EXPECT_EQ(Exchange("ATD*99#", "NO CARRIER\r\n"), "\r\nNO CARRIER\r\n");
  EXPECT_EQ(Exchange("ATD*99***2#", "NO CARRIER\r\n"), "\r\nNO CARRIER\r\n");  // undefined
  EXPECT_THAT(Exchange("ATD*99***3#", "150000000\r\n"), HasSubstr("CONNECT"));
}

}  // namespace
}  // namespace cellfleet::simulator
