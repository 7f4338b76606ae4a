// What one client may hold at once, so that no caller can crowd out the others or the
// poller: streams per client, and calls that put commands on the modem's AT channel (the
// doctor, AT commands) two at a time per client (one may be a command its caller gave up
// on, which the modem still runs), so many a minute, and few at once in all, so the
// poller's own commands always keep their share of the channel.
#ifndef CELLFLEET_AGENT_SECURITY_CALL_LIMITS_H_
#define CELLFLEET_AGENT_SECURITY_CALL_LIMITS_H_

#include <deque>
#include <map>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "agent/security/authorizer.h"
#include "base/clock.h"

namespace cellfleet::agent {

struct CallLimitSettings {
  int streams_per_client = 8;
  int modem_calls_per_client = 2;   // at once
  int modem_calls_per_minute = 30;  // per client: doctor runs and AT commands
  // In all, from every client: each is queued behind the poller's commands, so the
  // poller keeps at least 1 / (1 + this) of the channel.
  int modem_calls_at_once = 3;
  int clients = 1024;  // tracked at once; more are refused rather than remembered
};

class CallLimits {
 public:
  // Held while the call or stream runs; the last copy gives the place back.
  using Slot = std::shared_ptr<void>;

  explicit CallLimits(CallLimitSettings settings, const base::Clock& clock = base::Clock::Real())
      : settings_(settings), clock_(clock) {}

  // RESOURCE_EXHAUSTED saying which limit, or the slot.
  absl::StatusOr<Slot> OpenStream(const Caller& caller);
  absl::StatusOr<Slot> UseModem(const Caller& caller, absl::string_view method);

  // Whom a limit counts: the certificate's name, else the caller's host (its port
  // changes with every connection).
  static std::string ClientOf(const Caller& caller);

 private:
  struct Client {
    int streams = 0;
    int on_modem = 0;                     // modem calls running
    std::deque<absl::Time> modem_starts;  // within the last minute
  };

  enum class Held { kStream, kModemCall };

  absl::StatusOr<Client*> Find(const std::string& key) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Drops a client that holds nothing and made no modem call in the last minute.
  void Forget(const std::string& key) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Slot Hold(std::string key, Held what);
  void Release(const std::string& key, Held what) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const CallLimitSettings settings_;
  const base::Clock& clock_;
  absl::Mutex mu_;
  std::map<std::string, Client> clients_ ABSL_GUARDED_BY(mu_);
  int modem_calls_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace cellfleet::agent

#endif  // CELLFLEET_AGENT_SECURITY_CALL_LIMITS_H_
