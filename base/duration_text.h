// A duration as users read it: absl's "1h2m3.5s", but "0s" for none (absl prints a bare
// "0", which read as "for 0" and "TOOK 0" in the CLI's output). Every duration shown to a
// person goes through here.
#ifndef CELLFLEET_BASE_DURATION_TEXT_H_
#define CELLFLEET_BASE_DURATION_TEXT_H_

#include <string>

#include "absl/time/time.h"

namespace cellfleet::base {

inline std::string DurationText(absl::Duration d) {
  return d == absl::ZeroDuration() ? std::string("0s") : absl::FormatDuration(d);
}

}  // namespace cellfleet::base

#endif  // CELLFLEET_BASE_DURATION_TEXT_H_
