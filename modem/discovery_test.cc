#include "modem/discovery.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "modem/testing/status_matchers.h"
#include "modem/testing/sysfs_tree.h"

namespace cellfleet::modem {
namespace {

using ::cellfleet::testing::BuildSysfsTree;
using ::cellfleet::testing::IsOk;

TEST(DiscoveryTest, MapsInterfacesNotTtyNumbers) {
  DiscoveryRoots roots = BuildSysfsTree(CELLFLEET_MODEM_TESTDATA "/sysfs-ec25-renumbered.tree");
  absl::StatusOr<std::vector<DiscoveredModem>> modems = DiscoverModems(roots);
  ASSERT_THAT(modems, IsOk());
  ASSERT_EQ(modems->size(), 1u) << "the FTDI adapter is not a modem";
  const DiscoveredModem& ec25 = (*modems)[0];
  EXPECT_EQ(ec25.usb_path, "1-1.2");
  EXPECT_EQ(ec25.vendor_id, "2c7c");
  EXPECT_EQ(ec25.product_id, "0125");
  EXPECT_EQ(ec25.serial, "0123456789ABCDEF");
  ASSERT_EQ(ec25.ports.size(), 4u);
  ASSERT_TRUE(ec25.at_port.has_value());
  EXPECT_EQ(ec25.at_port->tty, "ttyUSB3");
  EXPECT_EQ(ec25.at_port->device_path, "/dev/ttyUSB3");
  EXPECT_EQ(ec25.at_port->interface_number, 2);
  ASSERT_TRUE(ec25.modem_port.has_value());
  EXPECT_EQ(ec25.modem_port->tty, "ttyUSB4");
  EXPECT_EQ(ec25.at_port->modemmanager_ignored, true);
  EXPECT_EQ(ec25.modem_port->modemmanager_ignored, false);
}

TEST(DiscoveryTest, WarnsWhenModemManagerWouldProbeAPort) {
  DiscoveryRoots roots = BuildSysfsTree(CELLFLEET_MODEM_TESTDATA "/sysfs-ec25-renumbered.tree");
  EXPECT_TRUE(ModemManagerRunning(roots));
  std::vector<std::string> conflicts = ModemManagerConflicts(*DiscoverModems(roots), roots);
  ASSERT_EQ(conflicts.size(), 1u);
  EXPECT_THAT(conflicts[0], ::testing::HasSubstr("/dev/ttyUSB4"));
}

TEST(DiscoveryTest, FindsTheUsbDeviceWithItsDriversAndPorts) {
  DiscoveryRoots roots = BuildSysfsTree(CELLFLEET_MODEM_TESTDATA "/sysfs-ec25-renumbered.tree");
  std::vector<UsbModem> modems = FindUsbModems(roots);
  ASSERT_EQ(modems.size(), 1u) << "the FTDI adapter is not a modem";
  const UsbModem& ec25 = modems[0];
  EXPECT_EQ(ec25.usb_path, "1-1.2");
  EXPECT_EQ(ec25.product_id, "0125");
  EXPECT_EQ(ec25.at_interface, 2);
  EXPECT_EQ(ec25.modem_interface, 3);
  ASSERT_EQ(ec25.interfaces.size(), 5u);
  EXPECT_EQ(ec25.interfaces[2].number, 2);
  EXPECT_EQ(ec25.interfaces[2].driver, "option");
  EXPECT_THAT(ec25.interfaces[2].ttys, ::testing::ElementsAre("ttyUSB3"));
  EXPECT_EQ(ec25.interfaces[4].driver, "qmi_wwan");
  EXPECT_TRUE(ec25.interfaces[4].ttys.empty());
}

TEST(DiscoveryTest, AModemWithoutItsSerialDriverHasNoPorts) {
  DiscoveryRoots roots = BuildSysfsTree(CELLFLEET_MODEM_TESTDATA "/sysfs-ec25-no-driver.tree");
  std::vector<UsbModem> modems = FindUsbModems(roots);
  ASSERT_EQ(modems.size(), 1u);
  EXPECT_EQ(modems[0].interfaces[2].driver, "");
  EXPECT_TRUE(modems[0].interfaces[2].ttys.empty());
  absl::StatusOr<std::vector<DiscoveredModem>> discovered = DiscoverModems(roots);
  ASSERT_THAT(discovered, IsOk());
  EXPECT_TRUE(discovered->empty()) << "no tty: nothing to open";
}

TEST(DiscoveryTest, EmptyOrMissingTreeFindsNothing) {
  DiscoveryRoots roots{"/nonexistent-sysfs", "/nonexistent", "/nonexistent", "/dev"};
  absl::StatusOr<std::vector<DiscoveredModem>> modems = DiscoverModems(roots);
  ASSERT_THAT(modems, IsOk());
  EXPECT_TRUE(modems->empty());
  EXPECT_FALSE(ModemManagerRunning(roots));
  EXPECT_TRUE(FindUsbModems(roots).empty());
}

}  // namespace
}  // namespace cellfleet::modem
