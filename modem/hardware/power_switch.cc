#include "modem/hardware/power_switch.h"

#include <gpiod.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "spdlog/spdlog.h"

namespace cellfleet::modem {
namespace {

constexpr char kConsumer[] = "cellfleet-modem-power";

class GpioPowerSwitch : public PowerSwitch {
 public:
  GpioPowerSwitch(gpiod_chip* chip, gpiod_line* line, std::string name)
      : chip_(chip), line_(line), name_(std::move(name)) {}
  ~GpioPowerSwitch() override {
    // Whatever happened, the modem keeps its power when the agent lets the line go.
    if (absl::Status on = SetPower(true); !on.ok()) spdlog::error("{}", on.ToString());
    gpiod_line_release(line_);
    gpiod_chip_close(chip_);
  }

  absl::Status SetPower(bool on) override {
    if (gpiod_line_set_value(line_, on ? 1 : 0) != 0) {
      return absl::UnavailableError(absl::StrCat("cannot switch the modem's power ",
                                                 on ? "on" : "off", " on ", name_, ": ",
                                                 std::strerror(errno)));
    }
    return absl::OkStatus();
  }
  std::string Describe() const override { return name_; }

 private:
  gpiod_chip* const chip_;
  gpiod_line* const line_;
  const std::string name_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<PowerSwitch>> OpenGpioPowerSwitch(const PowerLine& power) {
  const std::string name = absl::StrCat(power.chip, " line ", power.offset);
  errno = 0;
  gpiod_chip* chip = gpiod_chip_open_lookup(power.chip.c_str());
  if (chip == nullptr) {
    const int error = errno;
    if (error == EACCES || error == EPERM) {
      return absl::PermissionDeniedError(absl::StrCat(
          "cannot open GPIO chip ", power.chip,
          ": permission denied (give the chip to group cellfleet with a udev rule: "
          "/usr/share/doc/cellfleet-agent/docs/diagnosis-and-recovery.md, \"Recovery ladder\")"));
    }
    if (error == ENOENT || error == 0) {
      return absl::NotFoundError(absl::StrCat("no GPIO chip ", power.chip));
    }
    return absl::FailedPreconditionError(
        absl::StrCat("cannot open GPIO chip ", power.chip, ": ", std::strerror(error)));
  }
  gpiod_line* line = gpiod_chip_get_line(chip, power.offset);
  if (line == nullptr) {
    const unsigned int lines = gpiod_chip_num_lines(chip);
    gpiod_chip_close(chip);
    return absl::InvalidArgumentError(absl::StrCat("GPIO chip ", power.chip, " has ", lines,
                                                   " lines (0..", lines == 0 ? 0 : lines - 1,
                                                   "): no line ", power.offset));
  }
  const int flags = power.active_low ? GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW : 0;
  if (gpiod_line_request_output_flags(line, kConsumer, flags, 1) != 0) {
    const int error = errno;
    const char* holder = gpiod_line_consumer(line);
    gpiod_chip_close(chip);
    if (error == EBUSY) {
      return absl::FailedPreconditionError(
          absl::StrCat(name, " is held by ", holder != nullptr ? holder : "another consumer"));
    }
    return absl::FailedPreconditionError(
        absl::StrCat("cannot take ", name, " as an output: ", std::strerror(error)));
  }
  return std::make_unique<GpioPowerSwitch>(chip, line, name);
}

}  // namespace cellfleet::modem
