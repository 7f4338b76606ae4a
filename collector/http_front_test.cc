// The collector's HTTP listener is its own: cpp-httplib's SO_REUSEPORT would let a second
// collector on the same port start and take half the scrapes.
#include "collector/http_front.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace cellfleet::collector {
namespace {

using ::testing::HasSubstr;

TEST(HttpFrontTest, ASecondCollectorOnAUsedPortIsRefusedNamingThePort) {
  FleetState fleet({}, absl::Seconds(30));
  absl::StatusOr<std::unique_ptr<HttpFront>> first = HttpFront::Start("127.0.0.1:0", "", &fleet);
  ASSERT_TRUE(first.ok()) << first.status();
  const std::string address = (*first)->address();

  absl::StatusOr<std::unique_ptr<HttpFront>> second = HttpFront::Start(address, "", &fleet);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(second.status().message(),
              HasSubstr("cannot listen on " + address + ": Address already in use"));

  (*first)->Stop();  // positive control: once the first has gone, the port is free
  first->reset();
  absl::StatusOr<std::unique_ptr<HttpFront>> again = HttpFront::Start(address, "", &fleet);
  EXPECT_TRUE(again.ok()) << again.status();
}

}  // namespace
}  // namespace cellfleet::collector
