#include "base/callback_list.h"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace cellfleet::base {
namespace {

using ::testing::ElementsAre;

TEST(CallbackList, CallsEachInOrderAndNotAfterRemove) {
  CallbackList<int> list;
  std::vector<std::string> log;
  const int a = list.Add([&](int v) { log.push_back("a" + std::to_string(v)); });
  list.Add([&](int v) { log.push_back("b" + std::to_string(v)); });
  list.Notify(1);
  list.Remove(a);
  list.Notify(2);
  EXPECT_THAT(log, ElementsAre("a1", "b1", "b2"));
}

TEST(CallbackList, RemoveWaitsForACallInProgressOnAnotherThread) {
  CallbackList<> list;
  absl::Notification inside, release;
  std::atomic<bool> finished{false};
  const int id = list.Add([&] {
    inside.Notify();
    release.WaitForNotification();
    absl::SleepFor(absl::Milliseconds(20));
    finished = true;
  });
  std::thread notifier([&] { list.Notify(); });
  ASSERT_TRUE(inside.WaitForNotificationWithTimeout(absl::Seconds(10)));
  std::thread remover([&] {
    list.Remove(id);
    EXPECT_TRUE(finished) << "Remove returned while the callback still ran";
  });
  absl::SleepFor(absl::Milliseconds(20));
  release.Notify();
  remover.join();
  notifier.join();
}

TEST(CallbackList, ACallbackMayRemoveItselfOrALaterOne) {
  CallbackList<> list;
  std::vector<std::string> log;
  int second = 0;
  int first = 0;
  first = list.Add([&] {
    log.push_back("first");
    list.Remove(first);
    list.Remove(second);
  });
  second = list.Add([&] { log.push_back("second"); });
  list.Notify();
  list.Notify();
  EXPECT_THAT(log, ElementsAre("first"));
}

TEST(CallbackList, CloseCallsEachOnceMoreThenNothing) {
  CallbackList<int> list;
  std::vector<int> got;
  list.Add([&](int v) { got.push_back(v); });
  list.Notify(1);
  list.Close(0);
  list.Close(0);
  list.Notify(2);
  EXPECT_EQ(list.Add([&](int v) { got.push_back(100 + v); }), 0);
  EXPECT_THAT(got, ElementsAre(1, 0));
  EXPECT_EQ(list.size(), 0u);
}

}  // namespace
}  // namespace cellfleet::base
