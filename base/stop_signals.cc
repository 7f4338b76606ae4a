#include "base/stop_signals.h"

#include <pthread.h>

namespace cellfleet::base {

StopSignals::StopSignals() {
  sigemptyset(&signals_);
  sigaddset(&signals_, SIGINT);
  sigaddset(&signals_, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals_, nullptr);
}

int StopSignals::Wait() const {
  int signal_number = 0;
  while (sigwait(&signals_, &signal_number) != 0) {
  }
  return signal_number;
}

int StopSignals::WaitFor(absl::Duration timeout) const {
  const timespec limit = absl::ToTimespec(timeout);
  const int signal_number = sigtimedwait(&signals_, nullptr, &limit);
  return signal_number > 0 ? signal_number : 0;  // EAGAIN: none; EINTR: none yet
}

}  // namespace cellfleet::base
