// The carrier behind a simulated data call: a program (for example a network-side pppd)
// whose standard input and output are a socket the simulator relays the call's bytes to.
// Ending the call sends it SIGTERM; the Reaper collects it within a bounded grace.
#ifndef CELLFLEET_SIMULATOR_NETWORK_SIDE_H_
#define CELLFLEET_SIMULATOR_NETWORK_SIDE_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace cellfleet::simulator {

// Children told to stop, waited for without blocking; SIGKILL after the grace.
class Reaper {
 public:
  explicit Reaper(absl::Duration grace = absl::Seconds(5)) : grace_(grace) {}
  ~Reaper();  // SIGKILL and reap what is left

  void Add(pid_t pid, absl::Time now) { dying_.emplace_back(pid, now); }
  void Reap(absl::Time now);
  bool empty() const { return dying_.empty(); }

 private:
  const absl::Duration grace_;
  std::vector<std::pair<pid_t, absl::Time>> dying_;
};

class NetworkSide {
 public:
  static absl::StatusOr<std::unique_ptr<NetworkSide>> Start(
      const std::vector<std::string>& command);
  NetworkSide(const NetworkSide&) = delete;
  NetworkSide& operator=(const NetworkSide&) = delete;
  ~NetworkSide();  // closes the socket; the caller hands pid() to a Reaper after Stop()

  int fd() const { return fd_; }
  pid_t pid() const { return pid_; }
  // A full socket drops the frame; PPP retransmits, as over a lossy radio link.
  void Send(absl::string_view data);
  // Sends SIGTERM (the carrier hangs up its end).
  void Stop();

 private:
  NetworkSide(int fd, pid_t pid) : fd_(fd), pid_(pid) {}
  int fd_;
  pid_t pid_;
};

}  // namespace cellfleet::simulator

#endif  // CELLFLEET_SIMULATOR_NETWORK_SIDE_H_
