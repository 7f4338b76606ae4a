#include "base/task_queue.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace cellfleet::base {
namespace {

using ::testing::ElementsAre;

const absl::Time kT0 = absl::FromUnixSeconds(1000);

Task Append(std::vector<std::string>& log, std::string name) {
  return [&log, name](absl::Status status) {
    log.push_back(status.ok() ? name
                              : name + ":" + std::string(absl::StatusCodeToString(status.code())));
  };
}

TEST(TaskQueue, RunsByDueTimeThenInTheOrderAdded) {
  TaskQueue queue;
  std::vector<std::string> log;
  queue.Add(kT0 + absl::Seconds(2), Append(log, "late"));
  queue.Add(kT0 + absl::Seconds(1), Append(log, "early-a"));
  queue.Add(kT0 + absl::Seconds(1), Append(log, "early-b"));
  queue.Add(absl::InfinitePast(), Append(log, "now"));
  EXPECT_EQ(queue.NextDue(), absl::InfinitePast());
  while (auto task = queue.PopDue(kT0 + absl::Seconds(5))) (*task)(absl::OkStatus());
  EXPECT_THAT(log, ElementsAre("now", "early-a", "early-b", "late"));
  EXPECT_TRUE(queue.empty());
  EXPECT_EQ(queue.NextDue(), absl::InfiniteFuture());
}

TEST(TaskQueue, NothingIsPoppedBeforeItIsDue) {
  TaskQueue queue;
  std::vector<std::string> log;
  queue.Add(kT0 + absl::Seconds(1), Append(log, "a"));
  EXPECT_FALSE(queue.PopDue(kT0).has_value());
  EXPECT_EQ(queue.NextDue(), kT0 + absl::Seconds(1));
  EXPECT_TRUE(queue.PopDue(kT0 + absl::Seconds(1)).has_value());
}

TEST(TaskQueue, ACancelledTaskNeverRunsAndCancelsOnce) {
  TaskQueue queue;
  std::vector<std::string> log;
  const TaskId first = queue.Add(kT0, Append(log, "first"));
  queue.Add(kT0, Append(log, "second"));
  EXPECT_TRUE(queue.Cancel(first));
  EXPECT_FALSE(queue.Cancel(first));
  EXPECT_FALSE(queue.Cancel(12345));
  while (auto task = queue.PopDue(kT0)) (*task)(absl::OkStatus());
  EXPECT_THAT(log, ElementsAre("second"));
}

TEST(TaskQueue, TakeAllHandsOverEveryTaskInOrder) {
  TaskQueue queue;
  std::vector<std::string> log;
  queue.Add(kT0 + absl::Hours(1), Append(log, "b"));
  queue.Add(kT0, Append(log, "a"));
  for (Task& task : queue.TakeAll()) task(absl::CancelledError("stop"));
  EXPECT_THAT(log, ElementsAre("a:CANCELLED", "b:CANCELLED"));
  EXPECT_EQ(queue.size(), 0u);
}

}  // namespace
}  // namespace cellfleet::base
