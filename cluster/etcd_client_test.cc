// The etcd client against a real etcd (Debian's etcd-server) on loopback ports.
#include "cluster/etcd_client.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "modem/testing/status_matchers.h"
#include "modem/testing/wait_for.h"
#include "tests/support/subprocess.h"

namespace cellfleet::cluster {
namespace {

using ::cellfleet::testing::IsOk;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// A loopback port free now (etcd needs its URLs before it listens: no port 0).
int FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  socklen_t size = sizeof(address);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  ::close(fd);
  return ntohs(address.sin_port);
}

class EtcdClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("cellfleet-etcd");
    const int client = FreePort(), peer = FreePort();
    endpoint_ = absl::StrCat("127.0.0.1:", client);
    const std::string peer_url = absl::StrCat("http://127.0.0.1:", peer);
    absl::StatusOr<testing::Subprocess> etcd = testing::Subprocess::Start(
        {"/usr/bin/etcd", "--name", "m0", "--data-dir", dir_ + "/data", "--listen-client-urls",
         "http://" + endpoint_, "--advertise-client-urls", "http://" + endpoint_,
         "--listen-peer-urls", peer_url, "--initial-advertise-peer-urls", peer_url,
         "--initial-cluster", "m0=" + peer_url},
        dir_ + "/etcd.log");
    ASSERT_THAT(etcd, IsOk());
    etcd_ = std::make_unique<testing::Subprocess>(std::move(*etcd));
    // Until then etcd takes connections but answers none: a client's first connection
    // would wait for its connect timeout.
    ASSERT_TRUE(testing::WaitFor(
        [&] { return Log().find("ready to serve client requests") != std::string::npos; },
        absl::Seconds(20)))
        << "etcd did not start: " << Log();
    client_ = std::make_unique<EtcdClient>(EtcdOptions{{endpoint_}, absl::Seconds(2)});
    ASSERT_TRUE(testing::WaitFor([&] { return client_->GetPrefix("/").ok(); }, absl::Seconds(20)))
        << "etcd did not serve: " << Log();
  }

  void TearDown() override {
    client_.reset();
    if (etcd_) (void)etcd_->Stop();
    std::filesystem::remove_all(dir_);
  }

  std::string Log() const {
    std::ifstream in(dir_ + "/etcd.log");
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }

  std::string dir_, endpoint_;
  std::unique_ptr<testing::Subprocess> etcd_;
  std::unique_ptr<EtcdClient> client_;
};

TEST_F(EtcdClientTest, KeysAreReadByPrefixInKeyOrder) {
  ASSERT_THAT(client_->Put("/cellfleet/boards/rock-002", "gw-b"), IsOk());
  ASSERT_THAT(client_->Put("/cellfleet/boards/rock-001", "gw-a"), IsOk());
  ASSERT_THAT(client_->Put("/cellfleet/boardsX", "not under the prefix"), IsOk());
  absl::StatusOr<std::vector<KeyValue>> boards = client_->GetPrefix("/cellfleet/boards/");
  ASSERT_THAT(boards, IsOk());
  EXPECT_THAT(*boards,
              ElementsAre(Field(&KeyValue::value, "gw-a"), Field(&KeyValue::value, "gw-b")));
  ASSERT_THAT(client_->Delete("/cellfleet/boards/rock-001"), IsOk());
  EXPECT_THAT(*client_->GetPrefix("/cellfleet/boards/"),
              ElementsAre(Field(&KeyValue::key, "/cellfleet/boards/rock-002")));
}

// A gateway's lease: its boards' keys go with it, at once when it is revoked, on their
// own when it is no longer kept alive; a key of another lease stays.
TEST_F(EtcdClientTest, KeysOfALeaseGoWithIt) {
  absl::StatusOr<int64_t> gone = client_->GrantLease(absl::Seconds(30));
  absl::StatusOr<int64_t> kept = client_->GrantLease(absl::Seconds(30));
  ASSERT_THAT(gone, IsOk());
  ASSERT_THAT(kept, IsOk());
  ASSERT_THAT(client_->Put("/b/rock-001", "gw-a", *gone), IsOk());
  ASSERT_THAT(client_->Put("/b/rock-002", "gw-a", *gone), IsOk());
  ASSERT_THAT(client_->Put("/b/rock-003", "gw-b", *kept), IsOk());
  EXPECT_THAT(client_->GetPrefix("/b/")->front().lease, *gone);
  ASSERT_THAT(client_->RevokeLease(*gone), IsOk());
  EXPECT_THAT(*client_->GetPrefix("/b/"), ElementsAre(Field(&KeyValue::key, "/b/rock-003")));
  absl::StatusOr<absl::Duration> renewed = client_->KeepAlive(*kept);
  ASSERT_THAT(renewed, IsOk());
  EXPECT_GT(*renewed, absl::Seconds(20));
  absl::StatusOr<absl::Duration> revoked = client_->KeepAlive(*gone);
  EXPECT_EQ(revoked.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(revoked.status().message(), HasSubstr("has expired or was revoked"));
}

TEST_F(EtcdClientTest, ALeaseNoLongerKeptAliveExpiresWithItsKeys) {
  absl::StatusOr<int64_t> lease = client_->GrantLease(absl::Seconds(3));
  ASSERT_THAT(lease, IsOk());
  ASSERT_THAT(client_->Put("/b/rock-009", "gw-dead", *lease), IsOk());
  // Kept alive past its TTL, it stays (the positive control)...
  for (int i = 0; i < 4; ++i) {
    absl::SleepFor(absl::Seconds(1));
    ASSERT_THAT(client_->KeepAlive(*lease), IsOk());
  }
  EXPECT_THAT(*client_->GetPrefix("/b/"), ::testing::SizeIs(1));
  // ...and without, it goes: bounded by etcd's TTL (raised to its minimum, a few seconds).
  EXPECT_TRUE(
      testing::WaitFor([&] { return client_->GetPrefix("/b/")->empty(); }, absl::Seconds(15)));
  EXPECT_EQ(client_->KeepAlive(*lease).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(EtcdClientTest, AnUnreachableClusterIsAnErrorNamingEtcd) {
  ASSERT_THAT(etcd_->Stop(), IsOk());
  absl::StatusOr<std::vector<KeyValue>> read = client_->GetPrefix("/b/");
  ASSERT_FALSE(read.ok());
  EXPECT_THAT(read.status().code(), ::testing::AnyOf(absl::StatusCode::kUnavailable,
                                                     absl::StatusCode::kDeadlineExceeded));
  EXPECT_THAT(read.status().message(), HasSubstr(absl::StrCat("etcd (", endpoint_, "): range")));
  EXPECT_THAT(client_->Put("/b/x", "y").message(), HasSubstr("etcd ("));
}

}  // namespace
}  // namespace cellfleet::cluster
