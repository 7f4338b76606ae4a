#include "fleet/retry_policy.h"

#include "gtest/gtest.h"

namespace cellfleet::fleet {
namespace {

TEST(RetryPolicyTest, OnlyCodesThatAskingAgainCanChangeAreRetried) {
  for (grpc::StatusCode code :
       {grpc::StatusCode::UNAVAILABLE, grpc::StatusCode::DEADLINE_EXCEEDED,
        grpc::StatusCode::RESOURCE_EXHAUSTED, grpc::StatusCode::ABORTED, grpc::StatusCode::INTERNAL,
        grpc::StatusCode::UNKNOWN, grpc::StatusCode::CANCELLED}) {
    EXPECT_TRUE(Retryable(code)) << code;
  }
  for (grpc::StatusCode code :
       {grpc::StatusCode::PERMISSION_DENIED, grpc::StatusCode::UNAUTHENTICATED,
        grpc::StatusCode::INVALID_ARGUMENT, grpc::StatusCode::UNIMPLEMENTED,
        grpc::StatusCode::FAILED_PRECONDITION, grpc::StatusCode::NOT_FOUND}) {
    EXPECT_FALSE(Retryable(code)) << code;
  }
}

TEST(RetryPolicyTest, BackoffGrowsWithJitterUpToItsCapAndResets) {
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

TEST(RetryPolicyTest, JitterSpreadsAFleetThatFailedTogether) {
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
}  // namespace cellfleet::fleet
