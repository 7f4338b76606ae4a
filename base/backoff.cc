#include "base/backoff.h"

#include <algorithm>

namespace cellfleet::base {

absl::Duration Backoff::Next() {
  const double factor =
      absl::Uniform(absl::IntervalClosed, random_, 1 - options_.jitter, 1 + options_.jitter);
  const absl::Duration wait = nominal_ * factor;
  nominal_ = std::min(nominal_ * options_.multiplier, options_.max);
  return wait;
}

}  // namespace cellfleet::base
