#include "modem/ppp/interface_counters.h"

#include <filesystem>
#include <fstream>

#include "gtest/gtest.h"
#include "modem/testing/status_matchers.h"

namespace cellfleet::modem::ppp {
namespace {

using ::cellfleet::testing::IsOk;
using ::cellfleet::testing::StatusIs;

class InterfaceCountersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = ::testing::TempDir() + "/net-" + std::to_string(::getpid());
    std::filesystem::create_directories(root_ + "/ppp0/statistics");
    std::ofstream(root_ + "/ppp0/ifindex") << "7\n";
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(root_ + "/ppp0/statistics/" + name) << text;
  }
  std::string root_;
};

TEST_F(InterfaceCountersTest, ReadsBothCounters) {
  Write("rx_bytes", "123456789012\n");
  Write("tx_bytes", "42\n");
  absl::StatusOr<InterfaceCounters> counters = ReadInterfaceCounters("ppp0", root_);
  ASSERT_THAT(counters, IsOk());
  EXPECT_EQ(counters->ifindex, 7);
  EXPECT_EQ(counters->rx_bytes, 123456789012u);
  EXPECT_EQ(counters->tx_bytes, 42u);
}

TEST_F(InterfaceCountersTest, AGoneInterfaceIsNotFound) {
  EXPECT_THAT(ReadInterfaceCounters("ppp1", root_), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(InterfaceCountersTest, GarbageIsDataLossAndBadNamesAreRefused) {
  Write("rx_bytes", "lots\n");
  Write("tx_bytes", "1\n");
  EXPECT_THAT(ReadInterfaceCounters("ppp0", root_), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(ReadInterfaceCounters("../ppp0", root_),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ReadInterfaceCounters("", root_), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace cellfleet::modem::ppp
