// The far end of a pseudo-terminal for serial tests: the test plays the modem on the
// master side while the code under test owns the slave like a real /dev/ttyUSB2.
#ifndef CELLFLEET_MODEM_TESTING_PTY_PEER_H_
#define CELLFLEET_MODEM_TESTING_PTY_PEER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace cellfleet::testing {

class PtyPeer {
 public:
  PtyPeer();
  PtyPeer(const PtyPeer&) = delete;
  PtyPeer& operator=(const PtyPeer&) = delete;
  ~PtyPeer();

  // The slave side, opened raw; ownership passes to the caller.
  int TakeSlaveFd();
  const std::string& slave_path() const { return slave_path_; }

  void Write(absl::string_view bytes);
  // Reads from the code under test until `needle` has been seen; returns everything read.
  absl::StatusOr<std::string> ReadUntil(absl::string_view needle,
                                        absl::Duration timeout = absl::Seconds(5));
  // Reads whatever arrives within `window` (for "nothing was sent" checks).
  std::string ReadFor(absl::Duration window);
  // Closes the master: the slave sees the device vanish.
  void Close();

 private:
  int master_fd_ = -1;
  int slave_fd_ = -1;
  std::string slave_path_;
  std::string pending_;  // read but not yet returned
};

}  // namespace cellfleet::testing

#endif  // CELLFLEET_MODEM_TESTING_PTY_PEER_H_
