// Runs pppd (nodetach, via posix_spawn: never a shell), follows its log to know the
// interface, addresses and DNS, maps its exit to a typed failure, and ends it on
// request: SIGTERM, then SIGKILL after a bound. One instance supervises one pppd run.
#ifndef CELLFLEET_MODEM_PPP_PPPD_SUPERVISOR_H_
#define CELLFLEET_MODEM_PPP_PPPD_SUPERVISOR_H_

#include <sys/types.h>

#include <deque>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "modem/ppp/link_failure.h"
#include "modem/ppp/pppd_log.h"

namespace cellfleet::modem::ppp {

enum class LinkState { kDisconnected, kDialing, kConnected, kDisconnecting, kFailed };

absl::string_view LinkStateName(LinkState state);

struct LinkStatus {
  LinkState state = LinkState::kDisconnected;
  LinkFailure failure = LinkFailure::kNone;
  std::string detail;  // the pppd line that explains a failure
  PppdLinkFacts facts;
  absl::Time connected_since = absl::InfinitePast();
  int exit_code = -1;
};

struct SupervisorOptions {
  std::string pppd = "/usr/sbin/pppd";
  std::vector<std::string> args;  // e.g. {"file", "/var/lib/cellfleet/ppp/options"}
  absl::Duration stop_grace = absl::Seconds(5);
  const base::Clock* clock = &base::Clock::Real();  // stamps connected_since; must outlive it
};

class PppdSupervisor {
 public:
  // `on_change` runs after each state change, in order, one call at a time and outside
  // the supervisor's lock (on whichever thread made the change); must not block.
  explicit PppdSupervisor(SupervisorOptions options,
                          std::function<void(const LinkStatus&)> on_change = nullptr);
  PppdSupervisor(const PppdSupervisor&) = delete;
  PppdSupervisor& operator=(const PppdSupervisor&) = delete;
  ~PppdSupervisor();  // stops pppd if it still runs

  absl::Status Start();
  // Returns once the link is up, or pppd has ended, or `timeout` passed.
  LinkStatus WaitUntilSettled(absl::Duration timeout);
  // Ends pppd and waits for it (bounded by stop_grace plus SIGKILL). Idempotent.
  LinkStatus Stop();
  // Asks pppd to end (SIGTERM) without waiting: a dial in progress settles at once as
  // DISCONNECTING. Any thread; Stop() still reaps it.
  void RequestStop();
  LinkStatus status() const;
  pid_t pid() const;

 private:
  absl::Status Spawn();
  void Follow(int fd);
  void RecordExit(int wait_status);
  // Records the change; DeliverChanges() tells on_change once the lock is released.
  void SetState(LinkState state) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void DeliverChanges() ABSL_LOCKS_EXCLUDED(mu_);

  const SupervisorOptions options_;
  std::function<void(const LinkStatus&)> on_change_;
  mutable absl::Mutex mu_;
  LinkStatus status_ ABSL_GUARDED_BY(mu_);
  PppdLogParser parser_ ABSL_GUARDED_BY(mu_);
  pid_t pid_ ABSL_GUARDED_BY(mu_) = -1;
  bool exited_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::deque<LinkStatus> undelivered_ ABSL_GUARDED_BY(mu_);
  bool delivering_ ABSL_GUARDED_BY(mu_) = false;
  std::thread follower_;
};

}  // namespace cellfleet::modem::ppp

#endif  // CELLFLEET_MODEM_PPP_PPPD_SUPERVISOR_H_
