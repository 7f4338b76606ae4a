// The Quectel driver against the simulated EC25 on a real pseudo-terminal.
#include "modem/quectel/quectel_modem.h"

#include <filesystem>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "modem/testing/status_matchers.h"
#include "modem/testing/wait_for.h"
#include "simulator/simulated_fleet.h"

namespace cellfleet::modem {
namespace {

using ::cellfleet::testing::IsOk;

class QuectelModemTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(""); }
  // A fresh simulated modem with `scenario_yaml`.
  void Open(const std::string& scenario_yaml) {
    dir_ = ::testing::TempDir() + "/quectel-" + std::to_string(::getpid());
    simulator::SimulatedFleetOptions options;
    options.boards = 1;
    options.dir = dir_;
    options.seed = 3;
    absl::StatusOr<simulator::Scenario> scenario = simulator::ParseScenario(scenario_yaml, "test");
    ASSERT_THAT(scenario, IsOk());
    options.scenario = *scenario;
    auto fleet = simulator::SimulatedFleet::Create(options);
    ASSERT_THAT(fleet, IsOk());
    fleet_ = std::move(*fleet);
    fleet_->Start();
    SerialOptions serial;
    serial.lock_dir = dir_;
    auto port = SerialPort::Open(fleet_->boards()[0].at_path, serial);
    ASSERT_THAT(port, IsOk());
    channel_ = std::make_unique<AtChannel>(std::move(*port));
    QuectelOptions modem_options;
    modem_options.clock = &clock_;
    modem_ = std::make_unique<QuectelModem>(*channel_, modem_options);
  }
  // Commands the next ReadStatus sends.
  uint64_t CommandsOfOneSample() {
    const uint64_t before = channel_->stats().commands_sent;
    absl::StatusOr<ModemSnapshot> snapshot = modem_->ReadStatus();
    EXPECT_THAT(snapshot, IsOk());
    return channel_->stats().commands_sent - before;
  }
  // A fresh modem with `scenario_yaml`, initialised: its first snapshot, which must have
  // no problem lines.
  absl::StatusOr<ModemSnapshot> CleanSnapshotWith(const std::string& scenario_yaml) {
    TearDown();
    Open(scenario_yaml);
    if (absl::Status init = modem_->Initialize(); !init.ok()) return init;
    absl::StatusOr<ModemSnapshot> snapshot = modem_->ReadStatus();
    if (snapshot.ok() && !snapshot->problems.empty()) {
      return absl::InternalError(snapshot->problems.front());
    }
    return snapshot;
  }

  void TearDown() override {
    modem_.reset();
    channel_.reset();
    if (fleet_) fleet_->Stop();
    fleet_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::string dir_;
  base::SimulatedClock clock_;
  std::unique_ptr<simulator::SimulatedFleet> fleet_;
  std::unique_ptr<AtChannel> channel_;
  std::unique_ptr<QuectelModem> modem_;
};

TEST_F(QuectelModemTest, InitializeReadsIdentity) {
  ASSERT_THAT(modem_->Initialize(), IsOk());
  const simulator::SimulatedBoard board = fleet_->boards()[0];
  EXPECT_EQ(modem_->identity().manufacturer, "Quectel");
  EXPECT_EQ(modem_->identity().model, "EC25");
  EXPECT_EQ(modem_->identity().imei, board.identity.imei);
  EXPECT_EQ(modem_->identity().imsi, board.identity.imsi);
  EXPECT_EQ(modem_->identity().iccid, board.identity.iccid);
  EXPECT_EQ(modem_->identity().firmware_revision, board.identity.firmware);
}

TEST_F(QuectelModemTest, ReadStatusAssemblesAFullSnapshot) {
  ASSERT_THAT(modem_->Initialize(), IsOk());
  absl::StatusOr<ModemSnapshot> snapshot = modem_->ReadStatus();
  ASSERT_THAT(snapshot, IsOk());
  EXPECT_TRUE(snapshot->problems.empty()) << snapshot->problems.front();
  EXPECT_EQ(snapshot->sim_state, SimState::kReady);
  ASSERT_TRUE(snapshot->cs_registration.has_value());
  EXPECT_EQ(snapshot->cs_registration->n, 2);  // Initialize turned location URCs on
  EXPECT_TRUE(snapshot->cs_registration->cell_id.has_value());
  ASSERT_TRUE(snapshot->eps_registration.has_value());
  EXPECT_TRUE(snapshot->eps_registration->registered());
  ASSERT_TRUE(snapshot->operator_selection.has_value());
  EXPECT_EQ(snapshot->operator_selection->act, 7);
  ASSERT_TRUE(snapshot->signal.has_value());
  EXPECT_TRUE(snapshot->signal->rssi_dbm.has_value());
  ASSERT_TRUE(snapshot->serving_cell.has_value());
  ASSERT_TRUE(snapshot->serving_cell->lte.has_value());
  EXPECT_EQ(snapshot->serving_cell->lte->cell_id, *snapshot->eps_registration->cell_id);
}

TEST_F(QuectelModemTest, ASettledModemIsAskedOnlyForItsSignalUntilTheMinuteIsUp) {
  ASSERT_THAT(modem_->Initialize(), IsOk());
  EXPECT_EQ(CommandsOfOneSample(), 6u);  // the first sample reads everything
  absl::StatusOr<ModemSnapshot> full = modem_->ReadStatus();
  const uint64_t before = channel_->stats().commands_sent;
  absl::StatusOr<ModemSnapshot> light = modem_->ReadStatus();
  EXPECT_EQ(channel_->stats().commands_sent - before, 2u);  // AT+CSQ, AT+QENG
  ASSERT_THAT(full, IsOk());
  ASSERT_THAT(light, IsOk());
  // What was not read again is the last read's, whole.
  EXPECT_EQ(light->sim_state, SimState::kReady);
  ASSERT_TRUE(light->eps_registration.has_value());
  EXPECT_EQ(light->eps_registration->cell_id, full->eps_registration->cell_id);
  ASSERT_TRUE(light->operator_selection.has_value());
  EXPECT_EQ(light->operator_selection->oper, full->operator_selection->oper);
  ASSERT_TRUE(light->signal.has_value());
  ASSERT_TRUE(light->serving_cell.has_value());
  clock_.Advance(absl::Seconds(59));
  EXPECT_EQ(CommandsOfOneSample(), 2u);
  clock_.Advance(absl::Seconds(1));
  EXPECT_EQ(CommandsOfOneSample(), 6u);  // a minute after the last full read
  EXPECT_EQ(CommandsOfOneSample(), 2u);
  modem_->ForgetNetworkState();  // e.g. an operator's command went to the modem
  EXPECT_EQ(CommandsOfOneSample(), 6u);
}

TEST_F(QuectelModemTest, ARegistrationUrcHasTheNextSampleReadEverything) {
  ASSERT_THAT(modem_->Initialize(), IsOk());
  EXPECT_EQ(CommandsOfOneSample(), 6u);
  EXPECT_EQ(CommandsOfOneSample(), 2u);
  // Radio off: the modem prints +CREG: 0 / +CEREG: 0 (URCs are on since Initialize).
  const uint64_t urcs_before = channel_->stats().urcs;
  ASSERT_THAT(channel_->Execute(AtCommand::Action("AT+CFUN=4")), IsOk());
  ASSERT_TRUE(testing::WaitFor([&] { return channel_->stats().urcs > urcs_before; },
                               absl::Seconds(5), absl::Milliseconds(10)));
  const uint64_t before = channel_->stats().commands_sent;
  absl::StatusOr<ModemSnapshot> snapshot = modem_->ReadStatus();
  ASSERT_THAT(snapshot, IsOk());
  EXPECT_EQ(channel_->stats().commands_sent - before, 6u);
  ASSERT_TRUE(snapshot->eps_registration.has_value());
  EXPECT_FALSE(snapshot->eps_registration->registered());
  // Not registered is not settled: everything is read again until it is.
  EXPECT_EQ(CommandsOfOneSample(), 6u);
}

TEST_F(QuectelModemTest, ARegistrationUrcJustBeforeTheReplyKeepsTheRegistration) {
  // With AT+CEREG=2 a cell change prints a URC; here one lands right before the reply.
  TearDown();
  Open(R"(replies:
  - command: AT+CEREG?
    raw: "\r\n+CEREG: 1,\"2E1F\",\"A1B2C03\",7\r\n\r\n+CEREG: 2,1,\"2E1F\",\"A1B2C03\",7\r\n\r\nOK\r\n"
)");
  std::vector<std::string> urcs;
  absl::Mutex mu;
  channel_->AddUrcHandler([&](absl::string_view line) {
    absl::MutexLock lock(&mu);
    urcs.emplace_back(line);
  });
  ASSERT_THAT(modem_->Initialize(), IsOk());
  absl::StatusOr<ModemSnapshot> snapshot = modem_->ReadStatus();
  ASSERT_THAT(snapshot, IsOk());
  EXPECT_TRUE(snapshot->problems.empty()) << snapshot->problems.front();
  ASSERT_TRUE(snapshot->eps_registration.has_value());
  EXPECT_EQ(snapshot->eps_registration->n, 2);
  EXPECT_EQ(snapshot->eps_registration->stat, 1);
  EXPECT_EQ(snapshot->eps_registration->cell_id, 0xA1B2C03u);
  absl::MutexLock lock(&mu);
  EXPECT_THAT(urcs, ::testing::Contains("+CEREG: 1,\"2E1F\",\"A1B2C03\",7"));
}

TEST_F(QuectelModemTest, AWcdmaFallbackReadsAsWcdma) {
  absl::StatusOr<ModemSnapshot> snapshot =
      CleanSnapshotWith("initial: {rat: WCDMA, radio_drift: false}\n");
  ASSERT_THAT(snapshot, IsOk());
  ASSERT_TRUE(snapshot->serving_cell.has_value());
  EXPECT_EQ(snapshot->serving_cell->rat, RadioTech::kWcdma);
  ASSERT_TRUE(snapshot->serving_cell->wcdma.has_value());
  EXPECT_TRUE(snapshot->serving_cell->wcdma->rscp_dbm.has_value());
  ASSERT_TRUE(snapshot->cs_registration.has_value());
  EXPECT_TRUE(snapshot->cs_registration->registered());
  EXPECT_EQ(snapshot->cs_registration->act, 2);
  ASSERT_TRUE(snapshot->eps_registration.has_value());
  EXPECT_FALSE(snapshot->eps_registration->registered());
}

TEST_F(QuectelModemTest, AGsmFallbackReadsAsGsm) {
  absl::StatusOr<ModemSnapshot> snapshot =
      CleanSnapshotWith("initial: {rat: GSM, radio_drift: false}\n");
  ASSERT_THAT(snapshot, IsOk());
  ASSERT_TRUE(snapshot->serving_cell.has_value());
  EXPECT_EQ(snapshot->serving_cell->rat, RadioTech::kGsm);
  ASSERT_TRUE(snapshot->serving_cell->gsm.has_value());
  EXPECT_EQ(snapshot->serving_cell->gsm->band, 0);  // DCS1800
  EXPECT_TRUE(snapshot->serving_cell->gsm->rxlev_dbm.has_value());
  ASSERT_TRUE(snapshot->operator_selection.has_value());
  EXPECT_EQ(snapshot->operator_selection->act, 0);
  EXPECT_EQ(snapshot->cs_registration->act, 0);
}

TEST_F(QuectelModemTest, RadioOffReadsAsNoServiceAndComesBack) {
  ASSERT_THAT(modem_->Initialize(), IsOk());
  absl::StatusOr<AtResponse> off = channel_->Execute(AtCommand::Action("AT+CFUN=4"));
  ASSERT_THAT(off, IsOk());
  ASSERT_TRUE(off->final.success());
  absl::StatusOr<ModemSnapshot> snapshot = modem_->ReadStatus();
  ASSERT_THAT(snapshot, IsOk());
  ASSERT_TRUE(snapshot->eps_registration.has_value());
  EXPECT_FALSE(snapshot->eps_registration->registered());
  ASSERT_TRUE(snapshot->signal.has_value());
  EXPECT_EQ(snapshot->signal->rssi_dbm, std::nullopt);  // +CSQ: 99,99
  ASSERT_TRUE(snapshot->serving_cell.has_value());
  EXPECT_EQ(snapshot->serving_cell->state, ServingState::kSearch);
  ASSERT_THAT(channel_->Execute(AtCommand::Action("AT+CFUN=1")), IsOk());
  snapshot = modem_->ReadStatus();
  ASSERT_THAT(snapshot, IsOk());
  EXPECT_TRUE(snapshot->eps_registration->registered());
}

TEST_F(QuectelModemTest, APowerDownSaysSoAndTakesThePortAway) {
  ASSERT_THAT(modem_->Initialize(), IsOk());
  absl::Notification powered_down;
  channel_->AddUrcHandler([&](absl::string_view line) {
    if (line == "POWERED DOWN" && !powered_down.HasBeenNotified()) powered_down.Notify();
  });
  absl::StatusOr<AtResponse> qpowd = channel_->Execute(AtCommand::Action("AT+QPOWD"));
  ASSERT_THAT(qpowd, IsOk());
  EXPECT_TRUE(qpowd->final.success());
  ASSERT_TRUE(powered_down.WaitForNotificationWithTimeout(absl::Seconds(5)));
  // The port is gone: the next command fails as the poller expects, UNAVAILABLE.
  absl::StatusOr<AtResponse> after = absl::UnknownError("not run");
  (void)testing::WaitFor(
      [&] {
        after = channel_->Execute(AtCommand::Action("AT"));
        return !after.ok();
      },
      absl::Seconds(5), absl::ZeroDuration());
  EXPECT_TRUE(absl::IsUnavailable(after.status())) << after.status();
}

TEST_F(QuectelModemTest, ACampedButRefusedModemReadsAsLimitedService) {
  absl::StatusOr<ModemSnapshot> snapshot =
      CleanSnapshotWith("initial: {registration: denied, radio_drift: false}\n");
  ASSERT_THAT(snapshot, IsOk());
  ASSERT_TRUE(snapshot->serving_cell.has_value());
  EXPECT_EQ(snapshot->serving_cell->state, ServingState::kLimitedService);
  ASSERT_TRUE(snapshot->serving_cell->lte.has_value());
  EXPECT_EQ(snapshot->serving_cell->lte->sinr_db, std::nullopt);  // "-": left empty
  EXPECT_EQ(snapshot->eps_registration->stat, 3);
}

TEST_F(QuectelModemTest, ReinitialisesAfterRdyWhenEchoCameBack) {
  ASSERT_THAT(modem_->Initialize(), IsOk());
  absl::Notification rdy;
  channel_->AddUrcHandler([&](absl::string_view line) {
    if (line == "RDY" && !rdy.HasBeenNotified()) rdy.Notify();
  });
  fleet_->ResetBoard(0);
  ASSERT_TRUE(rdy.WaitForNotificationWithTimeout(absl::Seconds(5)));
  EXPECT_TRUE(modem_->ConsumeResetEvent());
  EXPECT_FALSE(modem_->ConsumeResetEvent());  // once per reset
  // Echo is on again and +CREG is back to n=0; the driver re-inits before reading.
  absl::StatusOr<ModemSnapshot> snapshot = modem_->ReadStatus();
  ASSERT_THAT(snapshot, IsOk());
  EXPECT_TRUE(snapshot->problems.empty()) << snapshot->problems.front();
  ASSERT_TRUE(snapshot->cs_registration.has_value());
  EXPECT_EQ(snapshot->cs_registration->n, 2);
  ASSERT_TRUE(snapshot->serving_cell.has_value());
}

}  // namespace
}  // namespace cellfleet::modem
