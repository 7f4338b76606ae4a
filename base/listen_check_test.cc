#include "base/listen_check.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace cellfleet::base {
namespace {

using ::testing::HasSubstr;

TEST(ListenCheckTest, APortSomeoneListensOnIsRefusedNamingItAndAFreeOneIsNot) {
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(::listen(listener, 1), 0);
  socklen_t length = sizeof(address);
  ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length), 0);
  const HostPort used{"127.0.0.1", ntohs(address.sin_port), true};

  const absl::Status refused = CheckCanListen(used);
  EXPECT_EQ(refused.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(refused.message(), HasSubstr("cannot listen on " + used.ToString()));
  EXPECT_THAT(refused.message(), HasSubstr("Address already in use"));
  EXPECT_EQ(ListenFailure(used), refused);

  ::close(listener);  // positive control: the same port, free again
  EXPECT_TRUE(CheckCanListen(used).ok());
  EXPECT_TRUE(CheckCanListen(HostPort{"127.0.0.1", 0, true}).ok());
}

}  // namespace
}  // namespace cellfleet::base
