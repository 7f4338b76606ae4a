#include "modem/line_framer.h"

#include <random>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace cellfleet::modem {
namespace {

using ::testing::ElementsAre;

std::vector<std::string> FeedAll(LineFramer& framer, absl::string_view bytes) {
  std::vector<std::string> lines;
  framer.Feed(bytes, [&](absl::string_view line) { lines.emplace_back(line); });
  return lines;
}

TEST(LineFramerTest, SplitsOnCrAndLfAndDropsEmptyLines) {
  LineFramer framer;
  EXPECT_THAT(FeedAll(framer, "\r\n+CSQ: 11,99\r\n\r\nOK\r\n"), ElementsAre("+CSQ: 11,99", "OK"));
}

TEST(LineFramerTest, JoinsLinesSplitAcrossReads) {
  LineFramer framer;
  EXPECT_TRUE(FeedAll(framer, "\r\n+CS").empty());
  EXPECT_THAT(FeedAll(framer, "Q: 1,2\r"), ElementsAre("+CSQ: 1,2"));
}

TEST(LineFramerTest, DropsNulAndControlBytes) {
  LineFramer framer;
  EXPECT_THAT(FeedAll(framer, std::string("O\0K\x01\r", 5)), ElementsAre("OK"));
  EXPECT_EQ(framer.discarded_bytes(), 2u);
}

TEST(LineFramerTest, DiscardsOverlongLinesWithoutGrowing) {
  LineFramer framer(16);
  std::string big(1000, 'x');
  EXPECT_TRUE(FeedAll(framer, big).empty());
  EXPECT_LE(framer.buffered_bytes(), 16u);
  EXPECT_THAT(FeedAll(framer, "tail\r\nOK\r\n"), ElementsAre("OK"));
  EXPECT_EQ(framer.overlong_lines(), 1u);
}

TEST(LineFramerTest, RandomBytesKeepMemoryBounded) {
  LineFramer framer(256);
  std::mt19937 rng(42);
  std::string chunk(4096, '\0');
  size_t lines = 0;
  for (int i = 0; i < 256; ++i) {  // 1 MiB
    for (char& c : chunk) c = static_cast<char>(rng());
    framer.Feed(chunk, [&](absl::string_view line) {
      ++lines;
      EXPECT_LE(line.size(), 256u);
    });
    ASSERT_LE(framer.buffered_bytes(), 256u);
  }
  EXPECT_GT(lines, 0u);
}

}  // namespace
}  // namespace cellfleet::modem
