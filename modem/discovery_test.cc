#include "modem/discovery.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "modem/testing/status_matchers.h"

namespace cellfleet::modem {
namespace {

namespace fs = std::filesystem;
using ::cellfleet::testing::IsOk;

// Builds the tree described in a testdata/*.tree file under a fresh temp root.
DiscoveryRoots BuildTree(const std::string& description_file) {
  const fs::path root = fs::path(::testing::TempDir()) /
                        ("sysfs-" + std::to_string(::getpid()) + "-" +
                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
  fs::remove_all(root);
  DiscoveryRoots roots{(root / "sys").string(), (root / "udev").string(), (root / "proc").string(),
                       "/dev"};
  fs::create_directories(root / "sys" / "class" / "tty");
  fs::create_directories(roots.udev_data);
  std::ifstream in(description_file);
  EXPECT_TRUE(in) << description_file;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> w = absl::StrSplit(line, absl::MaxSplits(' ', 3));
    if (w[0] == "attr") {
      fs::path file = fs::path(roots.sysfs) / w[1];
      fs::create_directories(file.parent_path());
      std::ofstream(file) << w[2] << "\n";
    } else if (w[0] == "tty") {
      // <iface>/<tty> is the usb-serial port; <iface>/<tty>/tty/<tty> the tty device.
      fs::path tty_dir = fs::path(roots.sysfs) / w[2] / w[1] / "tty" / w[1];
      fs::create_directories(tty_dir);
      std::ofstream(tty_dir / "dev") << w[3] << "\n";
      fs::create_symlink("../../../" + w[1], tty_dir / "device");
      fs::create_symlink("../../" + w[2] + "/" + w[1] + "/tty/" + w[1],
                         fs::path(roots.sysfs) / "class" / "tty" / w[1]);
    } else if (w[0] == "udev") {
      std::ofstream(fs::path(roots.udev_data) / ("c" + w[1]), std::ios::app) << w[2] << "\n";
    } else if (w[0] == "proc") {
      fs::create_directories(fs::path(roots.proc) / w[1]);
      std::ofstream(fs::path(roots.proc) / w[1] / "comm") << w[2] << "\n";
    }
  }
  return roots;
}

TEST(DiscoveryTest, MapsInterfacesNotTtyNumbers) {
  DiscoveryRoots roots = BuildTree(CELLFLEET_MODEM_TESTDATA "/sysfs-ec25-renumbered.tree");
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
  DiscoveryRoots roots = BuildTree(CELLFLEET_MODEM_TESTDATA "/sysfs-ec25-renumbered.tree");
  EXPECT_TRUE(ModemManagerRunning(roots));
  std::vector<std::string> conflicts = ModemManagerConflicts(*DiscoverModems(roots), roots);
  ASSERT_EQ(conflicts.size(), 1u);
  EXPECT_THAT(conflicts[0], ::testing::HasSubstr("/dev/ttyUSB4"));
}

TEST(DiscoveryTest, EmptyOrMissingTreeFindsNothing) {
  DiscoveryRoots roots{"/nonexistent-sysfs", "/nonexistent", "/nonexistent", "/dev"};
  absl::StatusOr<std::vector<DiscoveredModem>> modems = DiscoverModems(roots);
  ASSERT_THAT(modems, IsOk());
  EXPECT_TRUE(modems->empty());
  EXPECT_FALSE(ModemManagerRunning(roots));
}

}  // namespace
}  // namespace cellfleet::modem
