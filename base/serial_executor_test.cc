#include "base/serial_executor.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <string>
#include <vector>

#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace cellfleet::base {
namespace {

using ::testing::ElementsAre;

TEST(SerialExecutor, RunsPostedTasksInOrderOnItsOwnThread) {
  SerialExecutor executor("test");
  absl::Mutex mu;
  std::vector<int> order;
  std::atomic<bool> on_executor{true};
  absl::Notification done;
  for (int i = 0; i < 100; ++i) {
    executor.Post([&, i](absl::Status status) {
      ASSERT_TRUE(status.ok());
      if (!executor.IsCurrent()) on_executor = false;
      absl::MutexLock lock(&mu);
      order.push_back(i);
      if (i == 99) done.Notify();
    });
  }
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_TRUE(on_executor);
  EXPECT_FALSE(executor.IsCurrent());
  absl::MutexLock lock(&mu);
  for (int i = 0; i < 100; ++i) ASSERT_EQ(order[i], i);
}

TEST(SerialExecutor, TimersWaitForASimulatedClock) {
  SimulatedClock clock;
  SerialExecutor executor("test", clock);
  std::atomic<int> ran{0};
  executor.PostAfter(absl::Seconds(30), [&](absl::Status status) {
    if (status.ok()) ran = 30;
  });
  executor.PostAfter(absl::Seconds(5), [&](absl::Status status) {
    if (status.ok()) ran = 5;
  });
  ASSERT_TRUE(executor.WaitUntilIdle(absl::Seconds(5)));
  EXPECT_EQ(ran, 0);
  clock.Advance(absl::Seconds(5));
  ASSERT_TRUE(executor.WaitUntilIdle(absl::Seconds(5)));
  EXPECT_EQ(ran, 5);
  clock.Advance(absl::Seconds(24));
  ASSERT_TRUE(executor.WaitUntilIdle(absl::Seconds(5)));
  EXPECT_EQ(ran, 5);
  clock.Advance(absl::Seconds(1));
  ASSERT_TRUE(executor.WaitUntilIdle(absl::Seconds(5)));
  EXPECT_EQ(ran, 30);
}

TEST(SerialExecutor, ASoonerTimerPostedWhileWaitingOnALaterOneRunsOnTime) {
  SerialExecutor executor("test");
  absl::Notification soon;
  executor.PostAfter(absl::Hours(1), [](absl::Status) {});
  absl::SleepFor(absl::Milliseconds(20));  // the loop now sleeps until the hour is up
  const absl::Time posted = absl::Now();
  executor.PostAfter(absl::Milliseconds(50), [&](absl::Status status) {
    if (status.ok()) soon.Notify();
  });
  ASSERT_TRUE(soon.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_GE(absl::Now() - posted, absl::Milliseconds(50));
}

TEST(SerialExecutor, StopTellsQueuedTasksCancelledAndLaterPostsAtOnce) {
  SimulatedClock clock;
  auto executor = std::make_unique<SerialExecutor>("test", clock);
  std::vector<std::string> log;  // written on the executor, then on this thread after Stop
  absl::Notification blocker_started, release_blocker;
  executor->Post([&](absl::Status) {
    blocker_started.Notify();
    release_blocker.WaitForNotification();
    log.push_back("blocker");
  });
  executor->Post([&](absl::Status status) { log.push_back(std::string(status.message())); });
  executor->PostAfter(absl::Hours(1), [&](absl::Status status) {
    log.push_back(absl::StatusCodeToString(status.code()));
  });
  ASSERT_TRUE(blocker_started.WaitForNotificationWithTimeout(absl::Seconds(10)));
  std::thread stopper([&] { executor->Stop(); });
  absl::SleepFor(absl::Milliseconds(20));  // Stop waits for the running task
  release_blocker.Notify();
  stopper.join();
  EXPECT_THAT(log, ElementsAre("blocker", "test is stopping", "CANCELLED"));
  bool told = false;
  executor->Post([&](absl::Status status) { told = absl::IsCancelled(status); });
  EXPECT_TRUE(told);  // at once, on this thread
}

TEST(SerialExecutor, ACancelledTimerNeverRuns) {
  SimulatedClock clock;
  SerialExecutor executor("test", clock);
  std::atomic<bool> ran{false};
  const TaskId id = executor.PostAfter(absl::Seconds(1), [&](absl::Status) { ran = true; });
  EXPECT_TRUE(executor.Cancel(id));
  clock.Advance(absl::Seconds(2));
  ASSERT_TRUE(executor.WaitUntilIdle(absl::Seconds(5)));
  executor.Stop();
  EXPECT_FALSE(ran);  // not even told CANCELLED at stop
}

// Voluntary context switches of one thread, from the kernel's count.
int64_t ContextSwitches(pid_t tid) {
  std::ifstream status("/proc/self/task/" + std::to_string(tid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("voluntary_ctxt_switches:", 0) == 0) return std::stoll(line.substr(24));
  }
  return -1;
}

TEST(SerialExecutor, AnIdleExecutorDoesNotWake) {
  SerialExecutor executor("test");
  std::atomic<pid_t> tid{0};
  absl::Notification known;
  executor.Post([&](absl::Status) {
    tid = static_cast<pid_t>(::syscall(SYS_gettid));
    known.Notify();
  });
  ASSERT_TRUE(known.WaitForNotificationWithTimeout(absl::Seconds(10)));
  executor.PostAfter(absl::Hours(1), [](absl::Status) {});
  ASSERT_TRUE(executor.WaitUntilIdle(absl::Seconds(5)));
  absl::SleepFor(absl::Milliseconds(50));
  const int64_t before = ContextSwitches(tid);
  absl::SleepFor(absl::Seconds(1));
  const int64_t after = ContextSwitches(tid);
  ASSERT_GE(before, 0);
  EXPECT_LE(after - before, 1) << "an executor with nothing due for an hour woke up";
}

}  // namespace
}  // namespace cellfleet::base
