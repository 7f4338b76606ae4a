#include "simulator/escape_sequence.h"

#include "gtest/gtest.h"

namespace cellfleet::simulator {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1000);

TEST(EscapeSequenceTest, PlusesAfterSilenceAreHeldAndCompleteOnlyIfSilenceFollows) {
  EscapeSequence escape;
  escape.Restart(kStart);
  EXPECT_EQ(escape.Feed("abc", kStart + absl::Milliseconds(10)), "abc");
  const absl::Time at = kStart + absl::Seconds(2);
  EXPECT_EQ(escape.Feed("+", at - absl::Milliseconds(20)), "");  // a byte at a time, as chat
  EXPECT_EQ(escape.Feed("+", at - absl::Milliseconds(10)), "");
  EXPECT_EQ(escape.Feed("+", at), "");
  EXPECT_TRUE(escape.Pending());
  EXPECT_TRUE(escape.CompletedAfter(at));
}

TEST(EscapeSequenceTest, PlusesWithoutTheGuardTimeBeforeAreData) {
  EscapeSequence escape;
  escape.Restart(kStart);
  EXPECT_EQ(escape.Feed("x+++", kStart + absl::Milliseconds(100)), "x+++");
  EXPECT_FALSE(escape.Pending());
}

TEST(EscapeSequenceTest, DataAfterThePlusesReleasesThem) {
  EscapeSequence escape;
  escape.Restart(kStart);
  const absl::Time at = kStart + absl::Seconds(2);
  EXPECT_EQ(escape.Feed("++", at), "");
  EXPECT_EQ(escape.Feed("+y", at + absl::Milliseconds(5)), "+++y");
  EXPECT_FALSE(escape.Pending());
  EXPECT_EQ(escape.Feed("+++", at + absl::Milliseconds(10)), "+++");  // no silence before
  EXPECT_FALSE(escape.CompletedAfter(at + absl::Milliseconds(10)));
}

TEST(EscapeSequenceTest, InputAfterThePlusesCancelsTheEscape) {
  EscapeSequence escape;
  escape.Restart(kStart);
  const absl::Time at = kStart + absl::Seconds(2);
  EXPECT_EQ(escape.Feed("+++", at), "");
  EXPECT_EQ(escape.Feed("z", at + absl::Milliseconds(500)), "+++z");
  EXPECT_FALSE(escape.CompletedAfter(at));
}

}  // namespace
}  // namespace cellfleet::simulator
