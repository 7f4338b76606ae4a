// The PPP data link: renders the pppd/chat files for the configured connection,
// supervises one pppd at a time, and answers Dial/HangUp without blocking gRPC
// threads (the work runs on the manager's own thread).
#ifndef CELLFLEET_AGENT_LINK_LINK_MANAGER_H_
#define CELLFLEET_AGENT_LINK_LINK_MANAGER_H_

#include <functional>
#include <memory>
#include <random>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "agent/status/status_part.h"
#include "base/callback_list.h"
#include "base/clock.h"
#include "base/serial_executor.h"
#include "cellfleet/v1/connection.pb.h"
#include "modem/ppp/connection_settings.h"
#include "modem/ppp/ppp_files.h"
#include "modem/ppp/pppd_supervisor.h"

namespace cellfleet::agent {

// Redial a link that drops, with exponential backoff and jitter, up to a limit; a link
// that stayed up for `stable_after` starts the count afresh.
struct KeepUpPolicy {
  bool enabled = false;
  absl::Duration initial_backoff = absl::Seconds(5);
  absl::Duration max_backoff = absl::Minutes(5);
  int max_attempts = 0;  // 0: unlimited
  absl::Duration stable_after = absl::Minutes(2);
  double jitter = 0.2;  // each wait is scaled by a random factor in [1 - jitter, 1 + jitter]
};

struct LinkOptions {
  std::string state_dir = "/var/lib/cellfleet";  // files go to <state_dir>/ppp
  modem::ppp::ConnectionSettings settings;
  std::string pppd = "/usr/sbin/pppd";
  // The root-owned /etc/ppp/peers file that holds the privileged options (the package's).
  std::string peer = modem::ppp::kPeerName;
  absl::Duration stop_grace = absl::Seconds(5);
  KeepUpPolicy keep_up;
  base::Clock* clock = &base::Clock::Real();  // redial times; must outlive the manager
  std::string sysfs_net = "/sys/class/net";   // the interface's counters
};

class LinkManager final : public StatusPart {
 public:
  explicit LinkManager(LinkOptions options);
  LinkManager(const LinkManager&) = delete;
  LinkManager& operator=(const LinkManager&) = delete;
  // Ends a dial in progress, tells queued calls UNAVAILABLE, then hangs up (pppd ends
  // gracefully and is reaped).
  ~LinkManager();

  // Brings the link up by `deadline`, in real time (base::Clock::Real(): pppd and the
  // modem settle in real time, whatever clock times the redials). `done` runs on the manager's
  // thread with the connection, or: INVALID_ARGUMENT (settings), FAILED_PRECONDITION (fix the
  // board: port locked, no kernel PPP, credentials rejected...), UNAVAILABLE (retry: NO CARRIER,
  // timeouts, negotiation), DEADLINE_EXCEEDED, CANCELLED (hung up meanwhile).
  void Dial(absl::Time deadline, std::function<void(absl::StatusOr<v1::ConnectionStatus>)> done);
  void HangUp(std::function<void(v1::ConnectionStatus)> done);

  // Dials with `settings` and `keep_up` from now on; `version` tags the link in status.
  // With `redial`, the link is (re)dialed with them by `deadline` (real time, as Dial's)
  // and `done` gets the
  // outcome; without, `done` gets the current status.
  void Reconfigure(modem::ppp::ConnectionSettings settings, KeepUpPolicy keep_up, uint64_t version,
                   bool redial, absl::Time deadline,
                   std::function<void(absl::StatusOr<v1::ConnectionStatus>)> done);
  // The modem is about to go away (an operator's reboot, radio off or power down): ends
  // pppd now, before the modem drops the carrier under it, and keeps keep-up from
  // redialing before `hold_until`. The operator's wish stands: a link wanted up is
  // redialed after the hold. `done` runs on the manager's thread.
  void PrepareForModemOutage(absl::Time hold_until, std::function<void()> done);

  // With a reason (the SIM's data cap): ends the link and refuses every dial, the
  // operator's and keep-up's, FAILED_PRECONDITION with the reason, until called with an
  // empty reason. The wish to be up stands: a link wanted up is redialed when the block
  // lifts. Status() shows the reason.
  void SetDialBlock(std::string reason);

  // Whether the link is wanted up: an operator's dial (or keep-up) and no hang-up since.
  bool WantsUp() const;
  // Where the rendered pppd and chat files go (a config diff names them so).
  modem::ppp::PppFilePaths FilePaths() const {
    return modem::ppp::PppFilePaths::InDirectory(ppp_dir_);
  }
  // Whether keep-up is on (it redials a dropped link, within its attempts).
  bool KeepUpEnabled() const;

  // The current link, for status samples; never blocks on pppd.
  v1::ConnectionStatus Status() const;
  // status_part.h: the sample's `connection`.
  void FillStatus(v1::ModemStatus& status) const override {
    *status.mutable_connection() = Status();
  }
  // The connection settings the next dial uses.
  modem::ppp::ConnectionSettings Settings() const;

  // `notify` runs after every change of the link (dialing, up, failed, down) so that a
  // status sample is taken at once and streams and the history see even a state shorter
  // than a poll interval. It runs outside the link's lock and must not block. Once
  // SetOnChange returns, the previous one is not running and never runs again (null:
  // none).
  void SetOnChange(std::function<void()> notify);

 private:
  // Runs `task` on the manager's thread; at shutdown `cancelled` runs instead.
  void Post(std::function<void()> task, std::function<void()> cancelled = nullptr);
  void Publish(const modem::ppp::LinkStatus& link);
  // Sets the next keep-up redial time (false: keep-up is off or gave up); the caller
  // arms it with ArmRedial once mu_ is released.
  bool ScheduleRedial(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ArmRedial() ABSL_LOCKS_EXCLUDED(mu_);
  void RedialIfDue();
  absl::Status DialBlocked() const;  // FAILED_PRECONDITION while SetDialBlock holds
  absl::StatusOr<v1::ConnectionStatus> DoDial(absl::Time deadline);
  // A pppd a previous agent run left behind (killed, not stopped) holds the modem port:
  // end it before dialing. Manager thread.
  void EndStalePppd();

  const LinkOptions options_;  // settings and keep_up: the initial ones, see below
  const std::string ppp_dir_;  // <state_dir>/ppp: the one place it is derived
  const std::string pid_file_;
  std::shared_ptr<modem::ppp::PppdSupervisor> supervisor_;  // manager thread only

  mutable absl::Mutex mu_;
  modem::ppp::ConnectionSettings settings_ ABSL_GUARDED_BY(mu_);
  KeepUpPolicy keep_up_ ABSL_GUARDED_BY(mu_);
  uint64_t config_version_ ABSL_GUARDED_BY(mu_) = 0;
  v1::ConnectionStatus status_ ABSL_GUARDED_BY(mu_);
  base::CallbackList<> on_change_;
  int on_change_id_ ABSL_GUARDED_BY(mu_) = 0;
  // The pppd of a dial in progress, so that a hang-up can end it without queueing.
  std::shared_ptr<modem::ppp::PppdSupervisor> dialing_ ABSL_GUARDED_BY(mu_);
  // Keep-up: the operator wants the link up (Dial succeeded, no HangUp since).
  bool want_up_ ABSL_GUARDED_BY(mu_) = false;
  std::string dial_block_ ABSL_GUARDED_BY(mu_);  // why dials are refused; empty: they are not
  absl::Time redial_at_ ABSL_GUARDED_BY(mu_) = absl::InfiniteFuture();
  // No keep-up redial before this (the modem is away on purpose).
  absl::Time hold_redials_until_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  absl::Duration backoff_ ABSL_GUARDED_BY(mu_);
  int redial_attempts_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Time up_since_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  uint64_t failed_dials_ ABSL_GUARDED_BY(mu_) = 0;
  std::mt19937 jitter_rng_ ABSL_GUARDED_BY(mu_){std::random_device{}()};
  // Last: destroyed first, so no task runs once the members above go.
  base::SerialExecutor executor_;
};

// The v1 form of a link (state, failure, interface, addresses, DNS, since).
v1::ConnectionStatus ToProto(const modem::ppp::LinkStatus& link);

}  // namespace cellfleet::agent

#endif  // CELLFLEET_AGENT_LINK_LINK_MANAGER_H_
