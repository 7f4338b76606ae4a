#include "modem/hardware/usb_reset.h"

#include <fcntl.h>
#include <linux/usbdevice_fs.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace cellfleet::modem {
namespace fs = std::filesystem;

absl::StatusOr<std::string> FindModemUsbNode(const std::string& at_port,
                                             const DiscoveryRoots& roots) {
  const std::vector<UsbModem> modems = FindUsbModems(roots);
  if (modems.empty()) {
    return absl::NotFoundError(
        "no known modem on USB: a USB reset cannot reach it (unplugged, or without power)");
  }
  std::error_code ec;
  const std::string tty = fs::weakly_canonical(at_port, ec).filename().string();
  const UsbModem* found = modems.size() == 1 ? &modems.front() : nullptr;
  for (const UsbModem& modem : modems) {
    for (const UsbInterface& interface : modem.interfaces) {
      for (const std::string& name : interface.ttys) {
        if (name == tty) found = &modem;
      }
    }
  }
  if (found == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat(
        modems.size(), " modems on USB and none owns ", at_port, ": not resetting a guess"));
  }
  if (found->busnum <= 0 || found->devnum <= 0) {
    return absl::NotFoundError(
        absl::StrCat("USB device ", found->usb_path, " has no bus or device number in sysfs"));
  }
  return absl::StrFormat("%s/bus/usb/%03d/%03d", roots.dev, found->busnum, found->devnum);
}

absl::Status ResetUsbDevice(const std::string& node) {
  const int fd = ::open(node.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    const int error = errno;
    if (error == ENOENT || error == ENODEV) {
      return absl::NotFoundError(absl::StrCat(node, " is gone: the modem left USB"));
    }
    if (error == EACCES || error == EPERM) {
      return absl::PermissionDeniedError(absl::StrCat(
          "cannot open ", node,
          " for writing: the package's udev rule gives the modem's USB device to group "
          "cellfleet, and the unit allows char-usb_device (is the rule installed?)"));
    }
    return absl::UnavailableError(absl::StrCat("cannot open ", node, ": ", std::strerror(error)));
  }
  const int result = ::ioctl(fd, USBDEVFS_RESET, 0);
  const int error = errno;
  ::close(fd);
  if (result == 0) return absl::OkStatus();
  if (error == ENOTTY || error == EINVAL) {
    return absl::FailedPreconditionError(absl::StrCat(node, " is not a USB device node"));
  }
  if (error == ENODEV) {
    return absl::NotFoundError(absl::StrCat(node, ": the device left USB during the reset"));
  }
  return absl::UnavailableError(
      absl::StrCat("USB reset of ", node, " failed: ", std::strerror(error)));
}

}  // namespace cellfleet::modem
