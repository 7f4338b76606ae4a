#include "base/spawn.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace cellfleet::base {
namespace {

int WaitExit(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string ReadAll(int fd) {
  std::string text;
  char buffer[4096];
  ssize_t n;
  while ((n = ::read(fd, buffer, sizeof(buffer))) > 0) text.append(buffer, static_cast<size_t>(n));
  return text;
}

TEST(SpawnTest, WiresStreamsInOrder) {
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  absl::StatusOr<pid_t> pid = Spawn({"/bin/sh", "-c", "cat; echo err >&2"})
                                  .Open(0, "/dev/null")
                                  .Dup(fds[1], 1)
                                  .Dup(1, 2)
                                  .Start();
  ::close(fds[1]);
  ASSERT_TRUE(pid.ok()) << pid.status();
  EXPECT_EQ(ReadAll(fds[0]), "err\n");  // stdin empty; stderr onto stdout's pipe
  ::close(fds[0]);
  EXPECT_EQ(WaitExit(*pid), 0);
}

TEST(SpawnTest, ChildStartsWithNoBlockedSignals) {
  sigset_t blocked, previous;
  sigemptyset(&blocked);
  sigaddset(&blocked, SIGTERM);
  ASSERT_EQ(::pthread_sigmask(SIG_BLOCK, &blocked, &previous), 0);
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  absl::StatusOr<pid_t> pid =
      Spawn({"/bin/sh", "-c", "grep SigBlk /proc/self/status"}).Dup(fds[1], 1).Start();
  ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  ::close(fds[1]);
  ASSERT_TRUE(pid.ok()) << pid.status();
  EXPECT_EQ(ReadAll(fds[0]), "SigBlk:\t0000000000000000\n");
  ::close(fds[0]);
  EXPECT_EQ(WaitExit(*pid), 0);
}

TEST(SpawnTest, AMissingProgramIsAFailedPreconditionNamingIt) {
  absl::StatusOr<pid_t> pid = Spawn({"/nonexistent/pppd", "nodetach"}).Start();
  ASSERT_FALSE(pid.ok());
  EXPECT_EQ(pid.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(pid.status().message(), ::testing::HasSubstr("/nonexistent/pppd"));
}

}  // namespace
}  // namespace cellfleet::base
