// Proves the Abseil annotations (absl_sync_annotations.cc) neither hide a real race nor
// report an ordered hand-off: `racy` must make TSan fail the program, `guarded` must not.
#include <cstring>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"

namespace {

int counter = 0;
absl::Mutex mu;

int Racy() {
  auto work = [] {
    for (int i = 0; i < 1000; ++i) ++counter;  // no lock: a real race
  };
  std::thread a(work), b(work);
  a.join();
  b.join();
  return 0;
}

int Guarded() {
  auto work = [] {
    for (int i = 0; i < 1000; ++i) {
      absl::MutexLock lock(&mu);
      ++counter;
    }
  };
  std::thread a(work), b(work);
  a.join();
  b.join();
  // Hand-offs through a condition, a CondVar and a Notification.
  int by_condition = 0;
  bool ready = false;
  std::thread c([&] {
    by_condition = 1;
    absl::MutexLock lock(&mu);
    ready = true;
  });
  {
    absl::MutexLock lock(&mu);
    mu.Await(absl::Condition(&ready));
  }
  c.join();
  int by_notification = 0;
  absl::Notification done;
  std::thread d([&] {
    by_notification = 1;
    done.Notify();
  });
  done.WaitForNotification();
  const int seen = by_condition + by_notification;
  d.join();
  return counter == 2000 && seen == 2 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::strcmp(argv[1], "racy") == 0) return Racy();
  if (argc == 2 && std::strcmp(argv[1], "guarded") == 0) return Guarded();
  return 2;
}
