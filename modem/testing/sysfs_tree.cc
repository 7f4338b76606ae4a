#include "modem/testing/sysfs_tree.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include "absl/strings/str_split.h"
#include "gtest/gtest.h"

namespace cellfleet::testing {

namespace fs = std::filesystem;

modem::DiscoveryRoots BuildSysfsTree(const std::string& description_file) {
  const fs::path root = fs::path(::testing::TempDir()) /
                        ("sysfs-" + std::to_string(::getpid()) + "-" +
                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
  fs::remove_all(root);
  modem::DiscoveryRoots roots{(root / "sys").string(), (root / "udev").string(),
                              (root / "proc").string(), "/dev"};
  const fs::path sys(roots.sysfs);
  fs::create_directories(sys / "class" / "tty");
  fs::create_directories(sys / "bus" / "usb" / "devices");
  fs::create_directories(roots.udev_data);
  std::ifstream in(description_file);
  EXPECT_TRUE(in) << description_file;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> w = absl::StrSplit(line, absl::MaxSplits(' ', 3));
    if (w[0] == "attr") {
      fs::path file = sys / w[1];
      fs::create_directories(file.parent_path());
      std::ofstream(file) << w[2] << "\n";
    } else if (w[0] == "usbdev") {
      // bus/usb/devices/<name> -> the device's directory, as Linux links it.
      fs::create_symlink("../../../" + w[1],
                         sys / "bus" / "usb" / "devices" / fs::path(w[1]).filename());
    } else if (w[0] == "driver") {
      // <interface>/driver -> bus/usb/drivers/<name>
      fs::create_directories(sys / "bus" / "usb" / "drivers" / w[2]);
      const fs::path interface(w[1]);
      std::string up;
      for (auto part = interface.begin(); part != interface.end(); ++part) up += "../";
      fs::create_symlink(up + "bus/usb/drivers/" + w[2], sys / w[1] / "driver");
    } else if (w[0] == "tty") {
      // <iface>/<tty> is the usb-serial port; <iface>/<tty>/tty/<tty> the tty device.
      fs::path tty_dir = sys / w[2] / w[1] / "tty" / w[1];
      fs::create_directories(tty_dir);
      std::ofstream(tty_dir / "dev") << w[3] << "\n";
      fs::create_symlink("../../../" + w[1], tty_dir / "device");
      fs::create_symlink("../../" + w[2] + "/" + w[1] + "/tty/" + w[1],
                         sys / "class" / "tty" / w[1]);
    } else if (w[0] == "udev") {
      std::ofstream(fs::path(roots.udev_data) / ("c" + w[1]), std::ios::app) << w[2] << "\n";
    } else if (w[0] == "proc") {
      fs::create_directories(fs::path(roots.proc) / w[1]);
      std::ofstream(fs::path(roots.proc) / w[1] / "comm") << w[2] << "\n";
    } else {
      ADD_FAILURE() << description_file << ": unknown directive " << w[0];
    }
  }
  return roots;
}

}  // namespace cellfleet::testing
