#include "modem/serial_port.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "modem/testing/pty_peer.h"
#include "modem/testing/status_matchers.h"
#include "modem/uucp_lock.h"

namespace cellfleet::modem {
namespace {

using ::cellfleet::testing::IsOk;
using ::cellfleet::testing::PtyPeer;
using ::cellfleet::testing::StatusIs;
using ::testing::HasSubstr;

class SerialPortTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/cellfleet-lock-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    lock_dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(lock_dir_); }

  SerialOptions Options() const {
    SerialOptions options;
    options.lock_dir = lock_dir_;
    return options;
  }

  std::string lock_dir_;
};

TEST_F(SerialPortTest, LockFileNameFollowsPppd) {
  EXPECT_EQ(UucpLock::LockFilePath("/dev/ttyUSB2", "/var/lock"), "/var/lock/LCK..ttyUSB2");
  PtyPeer peer;
  // /dev/pts/N -> LCK..pts_N, as pppd 2.4.9 names it.
  std::string expected = absl::StrCat("/x/LCK..", peer.slave_path().substr(5));
  std::replace(expected.begin() + 8, expected.end(), '/', '_');
  EXPECT_EQ(UucpLock::LockFilePath(peer.slave_path(), "/x"), expected);
}

TEST_F(SerialPortTest, SecondOpenIsRefusedNamingTheHolder) {
  PtyPeer peer;
  auto first = SerialPort::Open(peer.slave_path(), Options());
  ASSERT_THAT(first, IsOk());
  std::string lock = UucpLock::LockFilePath(peer.slave_path(), lock_dir_);
  std::ifstream in(lock);
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(content, absl::StrCat(std::string(10 - std::to_string(::getpid()).size(), ' '),
                                  ::getpid(), "\n"));
  EXPECT_THAT(
      SerialPort::Open(peer.slave_path(), Options()),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("already locked by this process")));
  first->reset();
  EXPECT_FALSE(std::filesystem::exists(lock)) << "lock must be released on close";
  EXPECT_THAT(SerialPort::Open(peer.slave_path(), Options()), IsOk());
}

TEST_F(SerialPortTest, LockHeldByAnotherLiveProcessIsReported) {
  PtyPeer peer;
  pid_t child = ::fork();
  if (child == 0) {
    ::pause();
    ::_exit(0);
  }
  std::string lock = UucpLock::LockFilePath(peer.slave_path(), lock_dir_);
  std::ofstream(lock) << absl::StrFormat("%10d\n", child);
  EXPECT_THAT(SerialPort::Open(peer.slave_path(), Options()),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr(absl::StrCat("locked by pid ", child))));
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  // Now stale: removed and taken over.
  EXPECT_THAT(SerialPort::Open(peer.slave_path(), Options()), IsOk());
}

TEST_F(SerialPortTest, MissingDeviceIsUnavailable) {
  EXPECT_THAT(SerialPort::Open("/dev/ttyUSB-cellfleet-none", Options()),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("no such device")));
  EXPECT_FALSE(
      std::filesystem::exists(UucpLock::LockFilePath("/dev/ttyUSB-cellfleet-none", lock_dir_)));
}

TEST_F(SerialPortTest, RegularFileIsNotATerminal) {
  std::string path = absl::StrCat(lock_dir_, "/plain");
  std::ofstream(path) << "x";
  EXPECT_THAT(SerialPort::Open(path, Options()), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(SerialPortTest, VanishedDeviceIsReportedNotSpun) {
  PtyPeer peer;
  auto port = SerialPort::Open(peer.slave_path(), Options());
  ASSERT_THAT(port, IsOk());
  peer.Close();
  char buffer[16];
  absl::StatusOr<bool> readable = (*port)->WaitReadable(absl::Seconds(2));
  if (readable.ok()) {
    EXPECT_TRUE(*readable);
    EXPECT_THAT((*port)->ReadSome(buffer, sizeof(buffer)),
                StatusIs(absl::StatusCode::kUnavailable));
  } else {
    EXPECT_THAT(readable, StatusIs(absl::StatusCode::kUnavailable));
  }
}

}  // namespace
}  // namespace cellfleet::modem
