// The Quectel driver against the simulated EC25 on a real pseudo-terminal.
#include "modem/quectel/quectel_modem.h"

#include <filesystem>

#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "modem/sim/sim_fleet.h"
#include "modem/testing/status_matchers.h"

namespace cellfleet::modem {
namespace {

using ::cellfleet::testing::IsOk;

class QuectelModemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/quectel-" + std::to_string(::getpid());
    sim::SimFleetOptions options;
    options.boards = 1;
    options.dir = dir_;
    options.seed = 3;
    auto fleet = sim::SimFleet::Create(options);
    ASSERT_THAT(fleet, IsOk());
    fleet_ = std::move(*fleet);
    fleet_->Start();
    SerialOptions serial;
    serial.lock_dir = dir_;
    auto port = SerialPort::Open(fleet_->boards()[0].at_path, serial);
    ASSERT_THAT(port, IsOk());
    channel_ = std::make_unique<AtChannel>(std::move(*port));
    modem_ = std::make_unique<QuectelModem>(*channel_);
  }
  void TearDown() override {
    modem_.reset();
    channel_.reset();
    fleet_->Stop();
    std::filesystem::remove_all(dir_);
  }

  std::string dir_;
  std::unique_ptr<sim::SimFleet> fleet_;
  std::unique_ptr<AtChannel> channel_;
  std::unique_ptr<QuectelModem> modem_;
};

TEST_F(QuectelModemTest, InitializeReadsIdentity) {
  ASSERT_THAT(modem_->Initialize(), IsOk());
  const sim::SimBoardInfo board = fleet_->boards()[0];
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
