// The modem's power supply switched through a GPIO line (libgpiod): what a board wires
// to cut and restore a modem that nothing else brings back.
#ifndef CELLFLEET_MODEM_HARDWARE_POWER_SWITCH_H_
#define CELLFLEET_MODEM_HARDWARE_POWER_SWITCH_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace cellfleet::modem {

struct PowerLine {
  std::string chip;         // "gpiochip0", "/dev/gpiochip0", the chip's label or number
  unsigned int offset = 0;  // the line on that chip
  bool active_low = false;  // the modem is powered while the line is low
  absl::Duration off_time = absl::Seconds(10);  // how long the power stays cut
};

class PowerSwitch {
 public:
  virtual ~PowerSwitch() = default;
  virtual absl::Status SetPower(bool on) = 0;
  virtual std::string Describe() const = 0;  // "gpiochip0 line 17"
};

// Takes the line as an output holding the power on, for the switch's life; the power is
// left on when the switch is destroyed. NOT_FOUND: no such chip; PERMISSION_DENIED: the
// chip is not open to this user; INVALID_ARGUMENT: no such line; FAILED_PRECONDITION:
// the line is not a GPIO chip's, or another consumer holds it.
absl::StatusOr<std::unique_ptr<PowerSwitch>> OpenGpioPowerSwitch(const PowerLine& line);

}  // namespace cellfleet::modem

#endif  // CELLFLEET_MODEM_HARDWARE_POWER_SWITCH_H_
