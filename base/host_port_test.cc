#include "base/host_port.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace cellfleet::base {
namespace {

using ::testing::HasSubstr;

TEST(HostPortTest, TellsLoopbackFromTheRest) {
  EXPECT_TRUE(ParseHostPort("127.0.0.1:0", "listen address", 0)->loopback);
  EXPECT_TRUE(ParseHostPort("127.8.9.10:50051", "listen address", 0)->loopback);
  EXPECT_TRUE(ParseHostPort("[::1]:0", "listen address", 0)->loopback);
  EXPECT_TRUE(ParseHostPort("localhost:1", "listen address", 0)->loopback);
  EXPECT_FALSE(ParseHostPort("0.0.0.0:50051", "listen address", 0)->loopback);
  EXPECT_FALSE(ParseHostPort("[::]:50051", "listen address", 0)->loopback);
  EXPECT_FALSE(ParseHostPort("10.0.0.5:50051", "listen address", 0)->loopback);
  EXPECT_EQ(ParseHostPort("[::1]:7", "target", 1)->ToString(), "[::1]:7");
  EXPECT_EQ(ParseHostPort("board-7.example:50051", "target", 1)->host, "board-7.example");
}

TEST(HostPortTest, RejectsMalformedAddressesNamingWhatAndWhy) {
  for (const char* bad : {"", "127.0.0.1", ":50051", "127.0.0.1:", "127.0.0.1:65536", "host:-1",
                          "::1:50051", "[::1]50051", "a:b", "bad host:1", "h/x:1"}) {
    absl::StatusOr<HostPort> parsed = ParseHostPort(bad, "listen address", 0);
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(std::string(parsed.status().message()),
                HasSubstr(std::string("listen address \"") + bad + "\""));
  }
  EXPECT_THAT(std::string(ParseHostPort("b:0", "target", 1).status().message()),
              HasSubstr("port must be 1..65535"));
  EXPECT_THAT(std::string(ParseHostPort("[::1]x", "target", 1).status().message()),
              HasSubstr("expected [ipv6]:port"));
}

}  // namespace
}  // namespace cellfleet::base
