#include "fleet/board.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "modem/testing/status_matchers.h"

namespace cellfleet::fleet {
namespace {

using ::cellfleet::testing::IsOk;
using ::cellfleet::testing::StatusIs;
using ::testing::HasSubstr;

TEST(TargetsTest, ParsesListsOfAddresses) {
  absl::StatusOr<std::vector<Board>> boards =
      ParseTargets("127.0.0.1:50051, [::1]:7,board.example:1");
  ASSERT_THAT(boards, IsOk());
  ASSERT_EQ(boards->size(), 3u);
  EXPECT_EQ((*boards)[1].address, "[::1]:7");
  EXPECT_EQ((*boards)[2].name, "board.example:1");
}

TEST(TargetsTest, BoardsBehindAGatewayAreNamesReachedThroughIt) {
  absl::StatusOr<std::vector<Board>> boards = BoardsVia("rock-001,rock-002,rock-001", "gw:8444");
  ASSERT_TRUE(boards.ok()) << boards.status();
  ASSERT_EQ(boards->size(), 2u);
  EXPECT_EQ((*boards)[1].name, "rock-002");
  EXPECT_EQ((*boards)[1].via, "gw:8444");
  EXPECT_EQ((*boards)[1].address, "rock-002 via gw:8444");
  EXPECT_THAT(BoardsVia("10.0.0.1:50051", "gw:8444").status().message(), HasSubstr("board names"));
  EXPECT_THAT(BoardsVia("rock-001", "gw").status().message(), HasSubstr("--gateway"));
}

TEST(TargetsTest, MalformedTargetsNameTheCulprit) {
  EXPECT_THAT(ParseTargets("127.0.0.1"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("\"127.0.0.1\"")));
  EXPECT_THAT(ParseTargets("a:1,,b:2"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty entry")));
  EXPECT_THAT(ParseTargets("host:0"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("1..65535")));
  EXPECT_THAT(ParseTargets("host:99999"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseTargets("ho st:1"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("invalid character")));
  EXPECT_THAT(ParseTargets("a:1,a:1"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("twice")));
  EXPECT_THAT(ParseTargets(":80"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty host")));
}

class InventoryTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& text) {
    // Each test's own files: ctest runs the tests of this binary in parallel processes.
    std::string path = ::testing::TempDir() + "/inventory-" + std::to_string(::getpid()) + "-" +
                       std::to_string(counter_++) + ".yaml";
    std::ofstream(path) << text;
    return path;
  }
  int counter_ = 0;
};

TEST_F(InventoryTest, LoadsAndSelectsByLabels) {
  std::string path = Write(R"(boards:
  - name: rock-001
    address: 10.8.0.11:50051
    labels: {region: north, site: depot-3}
  - name: rock-002
    address: 10.8.0.12:50051
    labels: {region: south}
  - name: rock-003
    address: "[fd00::3]:50051"
    labels:
      region: north
)");
  absl::StatusOr<std::vector<Board>> boards = LoadInventory(path);
  ASSERT_THAT(boards, IsOk());
  ASSERT_EQ(boards->size(), 3u);
  auto selectors = ParseSelectors({"region=north"});
  ASSERT_THAT(selectors, IsOk());
  std::vector<Board> north = SelectBoards(*boards, *selectors);
  ASSERT_EQ(north.size(), 2u);
  EXPECT_EQ(north[0].name, "rock-001");
  EXPECT_EQ(north[1].name, "rock-003");
  EXPECT_TRUE(SelectBoards(*boards, *ParseSelectors({"region=north", "site=depot-3"})).size() == 1);
  // A board by its inventory name, alone or with labels.
  std::vector<Board> by_name = SelectBoards(*boards, *ParseSelectors({"name=rock-003"}));
  ASSERT_EQ(by_name.size(), 1u);
  EXPECT_EQ(by_name[0].name, "rock-003");
  EXPECT_TRUE(SelectBoards(*boards, *ParseSelectors({"name=rock-003", "region=south"})).empty());
  EXPECT_TRUE(SelectBoards(*boards, *ParseSelectors({"name=rock-999"})).empty());
}

TEST_F(InventoryTest, ABoardBehindAGatewayIsListedByNameAndVia) {
  absl::StatusOr<std::vector<Board>> boards = LoadInventory(Write(R"(boards:
  - name: rock-001
    address: 10.8.0.11:50051
  - name: rock-002
    via: gw.example:8444
)"));
  ASSERT_THAT(boards, IsOk());
  ASSERT_EQ(boards->size(), 2u);
  EXPECT_EQ((*boards)[0].via, "");
  EXPECT_EQ((*boards)[1].via, "gw.example:8444");
  EXPECT_EQ((*boards)[1].address, "rock-002 via gw.example:8444");
  EXPECT_THAT(LoadInventory(Write("boards:\n  - name: a\n")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("\"via\"")));
  EXPECT_THAT(LoadInventory(Write("boards:\n  - name: a\n    via: gw\n")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(":3:")));
}

TEST_F(InventoryTest, ErrorsCarryFileAndLine) {
  std::string bad_address = Write("boards:\n  - name: a\n    address: nope\n");
  EXPECT_THAT(LoadInventory(bad_address),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(bad_address + ":3:")));
  std::string unknown_key = Write("boards:\n  - name: a\n    adress: h:1\n");
  EXPECT_THAT(LoadInventory(unknown_key), StatusIs(absl::StatusCode::kInvalidArgument,
                                                   HasSubstr(":3: unknown key \"adress\"")));
  std::string broken_yaml = Write("boards:\n  - name: [unclosed\n");
  EXPECT_THAT(LoadInventory(broken_yaml),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(broken_yaml + ":")));
  std::string duplicate =
      Write("boards:\n  - {name: a, address: 'h:1'}\n  - {name: a, address: 'h:2'}\n");
  EXPECT_THAT(LoadInventory(duplicate), StatusIs(absl::StatusCode::kInvalidArgument,
                                                 HasSubstr(":3: board name \"a\" is used twice")));
  EXPECT_THAT(LoadInventory(Write("hello: 1\n")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("boards")));
  EXPECT_THAT(LoadInventory("/nonexistent/inventory.yaml"),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr("/nonexistent/inventory.yaml: No such file or directory")));
  EXPECT_THAT(ParseSelectors({"region"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("key=value")));
}

}  // namespace
}  // namespace cellfleet::fleet
