#include "agent/dialout/keepalive_learner.h"

#include "gtest/gtest.h"

namespace cellfleet::agent {
namespace {

// A carrier whose NAT keeps an idle TCP mapping for `keeps`: the learner is fed what
// each ping after its interval would see.
absl::Duration Learn(KeepaliveLearner& learner, absl::Duration keeps, int pings) {
  for (int i = 0; i < pings; ++i) {
    const absl::Duration idle = learner.interval();
    if (idle < keeps) {
      learner.Survived(idle);
    } else {
      learner.Dropped(idle);
    }
  }
  return learner.interval();
}

TEST(KeepaliveLearnerTest, SettlesJustBelowWhatTheCarrierKeeps) {
  for (absl::Duration keeps : {absl::Minutes(5), absl::Minutes(30), absl::Minutes(7)}) {
    KeepaliveLearner learner(KeepaliveBounds{});
    const absl::Duration settled = Learn(learner, keeps, 40);
    EXPECT_LT(settled, keeps) << keeps;
    EXPECT_GE(settled, keeps * 0.8) << keeps;  // close: few bytes wasted on pings
    // And it stays there: no more drops once settled.
    const absl::Duration dropped = learner.shortest_dropped();
    Learn(learner, keeps, 20);
    EXPECT_EQ(learner.shortest_dropped(), dropped) << keeps;
  }
}

TEST(KeepaliveLearnerTest, ACarrierThatKeepsLongerThanTheCeilingGetsTheCeiling) {
  KeepaliveLearner learner(KeepaliveBounds{});
  EXPECT_EQ(Learn(learner, absl::Hours(6), 20), absl::Hours(1));
  EXPECT_EQ(learner.shortest_dropped(), absl::InfiniteDuration());
}

TEST(KeepaliveLearnerTest, ACarrierThatTightensIsFollowedDown) {
  KeepaliveLearner learner(KeepaliveBounds{});
  Learn(learner, absl::Minutes(30), 40);
  ASSERT_GT(learner.interval(), absl::Minutes(20));
  EXPECT_LT(Learn(learner, absl::Minutes(5), 40), absl::Minutes(5));
}

TEST(KeepaliveLearnerTest, NeverBelowTheFloorNorAboveTheCeiling) {
  KeepaliveLearner learner(KeepaliveBounds{absl::Seconds(30), absl::Seconds(20), absl::Minutes(2)});
  EXPECT_EQ(Learn(learner, absl::Seconds(5), 10), absl::Seconds(20));
  KeepaliveLearner up(KeepaliveBounds{absl::Seconds(30), absl::Seconds(20), absl::Minutes(2)});
  EXPECT_EQ(Learn(up, absl::Hours(1), 10), absl::Minutes(2));
}

TEST(KeepaliveLearnerTest, WhatWasLearnedSurvivesARestartAndBadTextStartsAfresh) {
  KeepaliveLearner learner(KeepaliveBounds{});
  Learn(learner, absl::Minutes(7), 40);
  absl::StatusOr<KeepaliveLearner> back =
      KeepaliveLearner::Restore(learner.Save(), KeepaliveBounds{});
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->interval(), absl::Seconds(absl::ToInt64Seconds(learner.interval())));
  EXPECT_EQ(back->shortest_dropped(),
            absl::Seconds(absl::ToInt64Seconds(learner.shortest_dropped())));
  for (const char* bad : {"", "interval=4m", "interval=x survived=0s dropped=inf",
                          "interval=60s survived=-5s dropped=inf", "garbage garbage garbage"}) {
    EXPECT_FALSE(KeepaliveLearner::Restore(bad, KeepaliveBounds{}).ok()) << bad;
  }
  absl::StatusOr<KeepaliveLearner> fresh =
      KeepaliveLearner::Restore("interval=240s survived=0s dropped=inf", KeepaliveBounds{});
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(fresh->shortest_dropped(), absl::InfiniteDuration());
}

}  // namespace
}  // namespace cellfleet::agent
