// One pseudo-terminal standing in for a USB serial port: the simulator holds the master,
// clients open the slave through a stable symlink (like /dev/ttyUSB2).
#ifndef CELLFLEET_SIMULATOR_PTY_ENDPOINT_H_
#define CELLFLEET_SIMULATOR_PTY_ENDPOINT_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace cellfleet::simulator {

class PtyEndpoint {
 public:
  // Creates the pty in raw mode and points `link_path` at its slave (replacing a stale link).
  // With `group` (>= 0) the slave gets that group and mode 0660, as udev gives a ttyUSB
  // port to dialout, so an unprivileged agent opens it as on a board.
  static absl::StatusOr<std::unique_ptr<PtyEndpoint>> Create(std::string link_path, int group = -1);

  PtyEndpoint(const PtyEndpoint&) = delete;
  PtyEndpoint& operator=(const PtyEndpoint&) = delete;
  // Removes the link and closes both sides: clients see the device vanish (EIO / HUP).
  ~PtyEndpoint();

  int master_fd() const { return master_fd_; }
  // Stops holding the slave open, so the last client's close shows on the master as a
  // hang-up (how a modem sees DTR drop when pppd closes the port).
  void ReleaseHold();
  // Holds the slave open again.
  void Hold();
  const std::string& slave_path() const { return slave_path_; }
  const std::string& link_path() const { return link_path_; }

 private:
  PtyEndpoint(int master, int slave, std::string slave_path, std::string link_path)
      : master_fd_(master),
        slave_fd_(slave),
        slave_path_(std::move(slave_path)),
        link_path_(std::move(link_path)) {}

  int master_fd_;
  // Held open so the master never sees a hang-up while no client is attached.
  int slave_fd_;
  std::string slave_path_;
  std::string link_path_;
};

}  // namespace cellfleet::simulator

#endif  // CELLFLEET_SIMULATOR_PTY_ENDPOINT_H_
