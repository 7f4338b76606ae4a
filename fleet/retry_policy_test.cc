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

}  // namespace
}  // namespace cellfleet::fleet
