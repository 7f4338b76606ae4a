// The config file is replaced atomically: a writer killed at any moment leaves the old
// or the new config, whole.
#include "agent/config/config_store.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "gtest/gtest.h"
#include "modem/testing/status_matchers.h"

namespace cellfleet::agent {
namespace {

using ::cellfleet::testing::IsOk;
using ::cellfleet::testing::StatusIs;

// A config whose every field says which version it is, so a mix would show.
StoredConfig Version(uint64_t n) {
  StoredConfig config;
  config.mutable_current()->set_version(n);
  config.mutable_current()->mutable_config()->set_apn("apn" + std::to_string(n) + ".example");
  config.mutable_current()->set_applied_by(std::string(4096, static_cast<char>('a' + n % 26)));
  config.set_last_version(n);
  return config;
}

class ConfigStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/store-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(ConfigStoreTest, RoundTripsAndTellsAbsentFromDamaged) {
  ConfigStore store(dir_ + "/config.json");
  absl::StatusOr<std::optional<StoredConfig>> none = store.Load();
  ASSERT_THAT(none, IsOk());
  EXPECT_FALSE(none->has_value());
  ASSERT_THAT(store.Save(Version(7)), IsOk());
  absl::StatusOr<std::optional<StoredConfig>> loaded = store.Load();
  ASSERT_THAT(loaded, IsOk());
  ASSERT_TRUE(loaded->has_value());
  EXPECT_EQ((*loaded)->current().config().apn(), "apn7.example");
  std::ofstream(dir_ + "/config.json") << "{\"format\": 1, \"current\": {\"vers";
  EXPECT_THAT(store.Load(), StatusIs(absl::StatusCode::kDataLoss));
  std::ofstream(dir_ + "/config.json") << "{\"format\": 1, \"surprise\": true}";
  EXPECT_THAT(store.Load(), StatusIs(absl::StatusCode::kDataLoss));
}

TEST_F(ConfigStoreTest, AWriterKilledAtAnyMomentLeavesOneWholeVersion) {
  const std::string path = dir_ + "/config.json";
  ASSERT_THAT(ConfigStore(path).Save(Version(1)), IsOk());
  std::mt19937 rng(42);
  std::uniform_int_distribution<int> delay_us(0, 20000);
  uint64_t newest_seen = 1;
  for (int round = 0; round < 40; ++round) {  // bounded: 40 kills
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      // Saves newer and newer versions until killed.
      for (uint64_t n = newest_seen + 1; n < newest_seen + 100000; ++n) {
        if (!ConfigStore(path).Save(Version(n)).ok()) ::_exit(3);
      }
      ::_exit(0);
    }
    absl::SleepFor(absl::Microseconds(delay_us(rng)));  // a random moment to kill the writer
    ::kill(child, SIGKILL);
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    absl::StatusOr<std::optional<StoredConfig>> loaded = ConfigStore(path).Load();
    ASSERT_THAT(loaded, IsOk()) << "round " << round;
    ASSERT_TRUE(loaded->has_value());
    const StoredConfig& config = **loaded;
    const uint64_t n = config.current().version();
    EXPECT_GE(n, newest_seen) << "never older than what was last complete";
    EXPECT_EQ(config.current().config().apn(), "apn" + std::to_string(n) + ".example");
    EXPECT_EQ(config.current().applied_by(), std::string(4096, static_cast<char>('a' + n % 26)));
    newest_seen = n;
  }
  // Killed writers leave temp files at worst; they are cleaned up, and saving still works.
  ConfigStore(path).RemoveLeftovers();
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_),
                          std::filesystem::directory_iterator()),
            1);
  ASSERT_THAT(ConfigStore(path).Save(Version(newest_seen + 1)), IsOk());
}

}  // namespace
}  // namespace cellfleet::agent
