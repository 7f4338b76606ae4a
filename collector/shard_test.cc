#include "collector/shard.h"

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace cellfleet::collector {
namespace {

TEST(ShardTest, ParsesAndRefuses) {
  absl::StatusOr<Shard> shard = ParseShard("2/4");
  ASSERT_TRUE(shard.ok());
  EXPECT_EQ(shard->index, 2u);
  EXPECT_EQ(shard->count, 4u);
  for (const char* bad : {"4/4", "1", "a/b", "0/0", "-1/2", "0/5000", ""}) {
    EXPECT_FALSE(ParseShard(bad).ok()) << bad;
  }
}

// n collectors split a fleet: every board in exactly one shard, roughly evenly, and the
// split is the same on every machine and run (a fixed hash, not std::hash).
TEST(ShardTest, EveryBoardInExactlyOneShardStablyAndEvenly) {
  EXPECT_EQ(StableHash(""), 14695981039346656037ull);
  EXPECT_EQ(StableHash("a"), 0xaf63dc4c8601ec8cull);  // FNV-1a 64 of "a"
  std::vector<fleet::Board> boards;
  for (int i = 0; i < 1000; ++i) boards.push_back({absl::StrCat("board-", i), "127.0.0.1:1", {}});
  size_t total = 0;
  for (uint32_t i = 0; i < 4; ++i) {
    const size_t n = BoardsOfShard(boards, Shard{i, 4}).size();
    EXPECT_GT(n, 200u);
    EXPECT_LT(n, 300u);
    total += n;
  }
  EXPECT_EQ(total, boards.size());
}

}  // namespace
}  // namespace cellfleet::collector
