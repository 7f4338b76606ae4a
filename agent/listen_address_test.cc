#include "agent/listen_address.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "modem/testing/status_matchers.h"

namespace cellfleet::agent {
namespace {

using ::cellfleet::testing::IsOk;
using ::cellfleet::testing::StatusIs;

TEST(ListenAddressTest, TellsLoopbackFromTheRest) {
  EXPECT_TRUE(ParseListenAddress("127.0.0.1:0")->loopback);
  EXPECT_TRUE(ParseListenAddress("127.8.9.10:50051")->loopback);
  EXPECT_TRUE(ParseListenAddress("[::1]:0")->loopback);
  EXPECT_TRUE(ParseListenAddress("localhost:1")->loopback);
  EXPECT_FALSE(ParseListenAddress("0.0.0.0:50051")->loopback);
  EXPECT_FALSE(ParseListenAddress("[::]:50051")->loopback);
  EXPECT_FALSE(ParseListenAddress("10.0.0.5:50051")->loopback);
  EXPECT_EQ(ParseListenAddress("[::1]:7")->ToGrpcAddress(), "[::1]:7");
}

TEST(ListenAddressTest, RejectsMalformedAddresses) {
  for (const char* bad : {"", "127.0.0.1", ":50051", "127.0.0.1:", "127.0.0.1:65536", "host:-1",
                          "::1:50051", "[::1]50051", "a:b"}) {
    EXPECT_THAT(ParseListenAddress(bad), StatusIs(absl::StatusCode::kInvalidArgument)) << bad;
  }
}

}  // namespace
}  // namespace cellfleet::agent
