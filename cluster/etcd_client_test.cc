// The etcd client against a real etcd (Debian's etcd-server) on loopback ports.
#include "cluster/etcd_client.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
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

std::string Read(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// A real etcd cluster of `members` on loopback ports, each member its own process.
class EtcdClientTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::MakeTempDir("cellfleet-etcd"); }

  void StartCluster(int members, absl::Duration call_timeout = absl::Seconds(10)) {
    std::vector<std::string> peers;
    std::string initial_cluster;
    for (int i = 0; i < members; ++i) {
      endpoints_.push_back(absl::StrCat("127.0.0.1:", FreePort()));
      peers.push_back(absl::StrCat("http://127.0.0.1:", FreePort()));
      absl::StrAppend(&initial_cluster, i > 0 ? "," : "", "m", i, "=", peers.back());
    }
    for (int i = 0; i < members; ++i) {
      absl::StatusOr<testing::Subprocess> etcd = testing::Subprocess::Start(
          {"/usr/bin/etcd", "--name", absl::StrCat("m", i), "--data-dir",
           absl::StrCat(dir_, "/data", i), "--listen-client-urls", "http://" + endpoints_[i],
           "--advertise-client-urls", "http://" + endpoints_[i], "--listen-peer-urls", peers[i],
           "--initial-advertise-peer-urls", peers[i], "--initial-cluster", initial_cluster,
           "--initial-cluster-state", "new"},
          LogPath(i));
      ASSERT_THAT(etcd, IsOk());
      members_.push_back(std::make_unique<testing::Subprocess>(std::move(*etcd)));
    }
    // Until then a member takes connections but answers none: a client's first
    // connection would wait for its connect timeout.
    for (int i = 0; i < members; ++i) {
      ASSERT_TRUE(testing::WaitFor(
          [&] {
            return Read(LogPath(i)).find("ready to serve client requests") != std::string::npos;
          },
          absl::Seconds(30)))
          << "etcd member " << i << " did not start: " << Read(LogPath(i));
    }
    client_ = std::make_unique<EtcdClient>(EtcdOptions{endpoints_, call_timeout});
    ASSERT_TRUE(testing::WaitFor([&] { return client_->GetPrefix("/").ok(); }, absl::Seconds(20)))
        << "etcd did not serve: " << Read(LogPath(0));
  }

  void TearDown() override {
    client_.reset();
    for (auto& member : members_) (void)member->Stop();
    std::filesystem::remove_all(dir_);
  }

  std::string LogPath(int member) const { return absl::StrCat(dir_, "/etcd", member, ".log"); }

  std::string dir_;
  std::vector<std::string> endpoints_;
  std::vector<std::unique_ptr<testing::Subprocess>> members_;
  std::unique_ptr<EtcdClient> client_;
};

TEST_F(EtcdClientTest, KeysAreReadByPrefixInKeyOrder) {
  StartCluster(1);
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
  StartCluster(1);
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
  StartCluster(1);
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
  StartCluster(1, absl::Seconds(3));
  ASSERT_THAT(members_[0]->Stop(), IsOk());
  absl::StatusOr<std::vector<KeyValue>> read = client_->GetPrefix("/b/");
  ASSERT_FALSE(read.ok());
  EXPECT_THAT(read.status().code(), ::testing::AnyOf(absl::StatusCode::kUnavailable,
                                                     absl::StatusCode::kDeadlineExceeded));
  EXPECT_THAT(read.status().message(),
              HasSubstr(absl::StrCat("etcd (", endpoints_[0], "): range")));
  EXPECT_THAT(client_->Put("/b/x", "y").message(), HasSubstr("etcd ("));
}

// A member killed outright: the client's calls go on through the others, a gateway's
// lease and keys included.
TEST_F(EtcdClientTest, AMemberKilledIsNotSeenByTheClient) {
  StartCluster(3);
  absl::StatusOr<int64_t> lease = client_->GrantLease(absl::Seconds(30));
  ASSERT_THAT(lease, IsOk());
  ASSERT_THAT(client_->Put("/b/rock-001", "gw-a", *lease), IsOk());
  members_[0]->Signal(SIGKILL);
  absl::StatusOr<int> killed = members_[0]->Wait(absl::Seconds(5));
  ASSERT_THAT(killed, IsOk());
  ASSERT_EQ(*killed, -1) << "ended by the signal";
  for (int i = 0; i < 10; ++i) {  // round-robin: every member's turn comes
    ASSERT_THAT(client_->Put(absl::StrCat("/b/rock-1", i), "gw-a", *lease), IsOk()) << i;
    ASSERT_THAT(client_->KeepAlive(*lease), IsOk()) << i;
  }
  absl::StatusOr<std::vector<KeyValue>> boards = client_->GetPrefix("/b/");
  ASSERT_THAT(boards, IsOk());
  EXPECT_EQ(boards->size(), 11u);
}

}  // namespace
}  // namespace cellfleet::cluster
