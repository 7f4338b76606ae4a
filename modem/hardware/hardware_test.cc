// The USB reset's device lookup against fake sysfs trees and its ioctl against nodes that
// are not USB devices; the power switch's libgpiod errors where no chip is. This kernel
// has no gpio-sim or gpio-mockup (docs/diagnosis-and-recovery.md, "Recovery ladder"): the ladder's
// power-cycle step is tested through a fake switch driving the simulator (recovery_manager_test).
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "modem/hardware/power_switch.h"
#include "modem/hardware/usb_reset.h"
#include "modem/testing/status_matchers.h"
#include "modem/testing/sysfs_tree.h"

namespace cellfleet::modem {
namespace {

using ::cellfleet::testing::BuildSysfsTree;
using ::cellfleet::testing::IsOkAndHolds;
using ::cellfleet::testing::StatusIs;
using ::testing::HasSubstr;

TEST(UsbResetTest, FindsTheNodeOfTheModemThatOwnsTheAtPort) {
  DiscoveryRoots roots = BuildSysfsTree(CELLFLEET_MODEM_TESTDATA "/sysfs-ec25-renumbered.tree");
  // The EC25 on bus 1 as device 4; the FTDI adapter beside it is no modem.
  EXPECT_THAT(FindModemUsbNode("/dev/ttyUSB3", roots), IsOkAndHolds("/dev/bus/usb/001/004"));
  // A port of no known modem (a pty in tests): the only modem on USB.
  EXPECT_THAT(FindModemUsbNode("/dev/pts/9", roots), IsOkAndHolds("/dev/bus/usb/001/004"));
}

TEST(UsbResetTest, NoModemOnUsbOrNoNumbersIsNotFound) {
  DiscoveryRoots empty = BuildSysfsTree("/dev/null");
  EXPECT_THAT(FindModemUsbNode("/dev/ttyUSB2", empty),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("no known modem on USB")));
  DiscoveryRoots no_numbers = BuildSysfsTree(CELLFLEET_MODEM_TESTDATA "/sysfs-ec25-no-driver.tree");
  EXPECT_THAT(FindModemUsbNode("/dev/ttyUSB2", no_numbers),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("no bus or device number")));
}

TEST(UsbResetTest, TwoModemsAndNoneOwnsThePortIsNotGuessed) {
  const std::string file = ::testing::TempDir() + "/two-modems.tree";
  {
    std::ofstream out(file);
    for (const char* device : {"1-1.2", "1-1.3"}) {
      const std::string dir = std::string("devices/pci0000:00/usb1/1-1/") + device;
      out << "attr " << dir << "/idVendor 2c7c\n"
          << "attr " << dir << "/idProduct 0125\n"
          << "attr " << dir << "/busnum 1\n"
          << "attr " << dir << "/devnum 5\n"
          << "usbdev " << dir << "\n";
    }
  }
  EXPECT_THAT(FindModemUsbNode("/dev/ttyUSB2", BuildSysfsTree(file)),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("none owns")));
}

TEST(UsbResetTest, TheIoctlOnlyResetsAUsbDeviceNode) {
  EXPECT_THAT(ResetUsbDevice(::testing::TempDir() + "/no-such-node"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("left USB")));
  const std::string file = ::testing::TempDir() + "/not-a-usb-node";
  std::ofstream(file) << "x";
  EXPECT_THAT(ResetUsbDevice(file),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("not a USB device node")));
  EXPECT_THAT(ResetUsbDevice("/dev/null"),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("not a USB device node")));
}

TEST(PowerSwitchTest, AChipThatIsNotThereIsAClearError) {
  EXPECT_THAT(
      OpenGpioPowerSwitch({"cellfleet-no-such-chip", 3}),
      StatusIs(absl::StatusCode::kNotFound, HasSubstr("no GPIO chip cellfleet-no-such-chip")));
  // A character device that is not a GPIO chip.
  absl::StatusOr<std::unique_ptr<PowerSwitch>> not_gpio = OpenGpioPowerSwitch({"/dev/null", 0});
  ASSERT_FALSE(not_gpio.ok());
  EXPECT_THAT(std::string(not_gpio.status().message()), HasSubstr("/dev/null"));
}

}  // namespace
}  // namespace cellfleet::modem
