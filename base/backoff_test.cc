#include "base/backoff.h"

#include <algorithm>

#include "gtest/gtest.h"

namespace cellfleet::base {
namespace {

TEST(BackoffTest, BackoffGrowsWithJitterUpToItsCapAndResets) {
  Backoff backoff;
  absl::Duration nominal = absl::Seconds(1);
  for (int i = 0; i < 20; ++i) {
    const absl::Duration wait = backoff.Next();
    EXPECT_GE(wait, nominal * 0.8) << i;
    EXPECT_LE(wait, nominal * 1.2) << i;
    nominal = std::min(nominal * 2, absl::Minutes(5));
  }
  EXPECT_GE(backoff.Next(), absl::Minutes(4));  // capped at 5 min, jittered
  backoff.Reset();
  EXPECT_LE(backoff.Next(), absl::Seconds(1.2));
}

TEST(BackoffTest, JitterSpreadsAFleetThatFailedTogether) {
  // 100 boards dropped at once must not all come back in the same instant.
  absl::Duration earliest = absl::InfiniteDuration(), latest = absl::ZeroDuration();
  for (int board = 0; board < 100; ++board) {
    Backoff backoff;
    for (int i = 0; i < 5; ++i) (void)backoff.Next();
    const absl::Duration wait = backoff.Next();  // nominal 32 s
    earliest = std::min(earliest, wait);
    latest = std::max(latest, wait);
  }
  EXPECT_GT(latest - earliest, absl::Seconds(6));
}

}  // namespace
}  // namespace cellfleet::base
