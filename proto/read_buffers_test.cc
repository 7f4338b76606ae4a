#include "proto/read_buffers.h"

#include <cstdlib>

#include "gtest/gtest.h"

namespace cellfleet {
namespace {

// Each test runs in its own process (ctest), so the environment is the test's own.
std::string ExperimentsAfter(const char* set) {
  if (set == nullptr) {
    unsetenv("GRPC_EXPERIMENTS");
  } else {
    setenv("GRPC_EXPERIMENTS", set, 1);
  }
  ReadIntoSizedBuffers();
  const char* now = std::getenv("GRPC_EXPERIMENTS");
  return now == nullptr ? "(unset)" : now;
}

TEST(ReadBuffersTest, SizedReadsTurnOffGrpcsFixedChunksAndKeepTheUsersExperiments) {
  EXPECT_EQ(ExperimentsAfter(nullptr), "-tcp_read_chunks");
  EXPECT_EQ(ExperimentsAfter(""), "-tcp_read_chunks");
  EXPECT_EQ(ExperimentsAfter("tcp_rcv_lowat"), "tcp_rcv_lowat,-tcp_read_chunks");
  // The user's own word on that experiment stands, either way.
  EXPECT_EQ(ExperimentsAfter("tcp_read_chunks"), "tcp_read_chunks");
  EXPECT_EQ(ExperimentsAfter("-tcp_read_chunks,tcp_rcv_lowat"), "-tcp_read_chunks,tcp_rcv_lowat");
}

}  // namespace
}  // namespace cellfleet
