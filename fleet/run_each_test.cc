#include "fleet/run_each.h"

#include <atomic>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace cellfleet::fleet {
namespace {

// With more boards than the concurrency, a task is started from the `done` of another,
// on that task's thread. If every task finishes before that start returns, the run must
// still wait for it: it takes the run's lock afterwards, and the run lives on the
// caller's stack. (CI saw the CLI abort on a corrupt mutex; this was one way to get one.)
TEST(RunEachTest, DoesNotReturnWhileATaskStartedFromAnotherIsStillStarting) {
  std::atomic<bool> last_start_returned{false};
  absl::Mutex threads_mu;
  std::vector<std::thread> threads;
  RunEach(3, /*concurrency=*/1, nullptr, [&](size_t index, std::function<void()> done) {
    if (index < 2) {  // finishes on a thread of its own, as a gRPC callback does
      absl::MutexLock lock(&threads_mu);
      threads.emplace_back([done = std::move(done)] { done(); });
      return;
    }
    // The last task, started from task 1's `done`: it finishes at once elsewhere, and
    // this start returns only later.
    std::thread finisher([done = std::move(done)] { done(); });
    finisher.join();
    absl::SleepFor(absl::Milliseconds(100));
    last_start_returned = true;
  });
  EXPECT_TRUE(last_start_returned.load());
  absl::MutexLock lock(&threads_mu);
  for (std::thread& thread : threads) thread.join();
}

TEST(RunEachTest, EveryTaskRunsOnceWithinTheConcurrency) {
  constexpr size_t kTasks = 200;
  std::atomic<int> running{0}, most{0};
  std::vector<std::atomic<int>> started(kTasks);
  absl::Mutex threads_mu;
  std::vector<std::thread> threads;
  RunEach(kTasks, 8, nullptr, [&](size_t index, std::function<void()> done) {
    ++started[index];
    const int now = ++running;
    for (int seen = most.load(); now > seen && !most.compare_exchange_weak(seen, now);) {
    }
    absl::MutexLock lock(&threads_mu);
    threads.emplace_back([&running, done = std::move(done)] {
      --running;
      done();
    });
  });
  for (size_t i = 0; i < kTasks; ++i) EXPECT_EQ(started[i].load(), 1) << i;
  EXPECT_LE(most.load(), 8);
  EXPECT_GE(most.load(), 2) << "tasks did overlap";
  absl::MutexLock lock(&threads_mu);
  for (std::thread& thread : threads) thread.join();
}

}  // namespace
}  // namespace cellfleet::fleet
