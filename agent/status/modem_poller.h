// The single owner of the modem's AT port: opens it (and reopens it when the device
// returns), initialises the modem, polls status on its own schedule and publishes
// each sample to the hub. Nothing else talks to the port.
#ifndef CELLFLEET_AGENT_STATUS_MODEM_POLLER_H_
#define CELLFLEET_AGENT_STATUS_MODEM_POLLER_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "agent/status/status_hub.h"
#include "agent/status/status_part.h"
#include "base/clock.h"
#include "modem/at_channel.h"
#include "modem/discovery.h"
#include "modem/quectel/quectel_modem.h"
#include "modem/serial_port.h"

namespace cellfleet::agent {

struct PollerOptions {
  // A device path, or "auto": find a Quectel modem's AT interface in sysfs at every
  // attach, so the agent follows ttyUSB renumbering.
  std::string at_port;
  modem::DiscoveryRoots discovery_roots;
  absl::Duration poll_interval = absl::Seconds(10);
  absl::Duration reattach_interval = absl::Seconds(2);
  modem::SerialOptions serial;
  modem::AtChannelOptions channel;
  // Called once per loop turn (at least every poll or reattach interval): the
  // systemd watchdog ping, so a hung poller gets the agent restarted.
  std::function<void()> on_cycle;
  // Stamps samples and times expected outages; the polls' pacing is real time (the serial
  // port's). Must outlive the poller.
  const base::Clock* clock = &base::Clock::Real();
};

class ModemPoller {
 public:
  ModemPoller(PollerOptions options, StatusHub* hub);
  ModemPoller(const ModemPoller&) = delete;
  ModemPoller& operator=(const ModemPoller&) = delete;
  ~ModemPoller();

  // Each sample gets `part` stamped in (status_part.h). Before Start(); `part` must
  // outlive the poller.
  void AddStatusPart(const StatusPart* part);

  void Start();
  // Returns once the port is closed; a command in flight is cancelled, not waited for.
  void Stop();
  // A link or config change happened: the poller publishes it at once with the modem
  // part of its last sample (no AT traffic; during an AT read, right after it), so that
  // streams and the history see a state shorter than a poll interval.
  void RequestSample();

  // Queues an operator's command on the channel, behind the poller's own; `done` runs
  // on the channel's thread (or here, with UNAVAILABLE, while no modem is attached) and
  // must not block.
  void Submit(modem::AtCommand command, modem::AtChannel::Callback done);
  // The modem is going away on purpose (`why`, e.g. an operator's AT+CFUN=1,1): until it
  // is attached again, or `until`, samples say RESETTING with `why` instead of ABSENT or
  // UNRESPONSIVE.
  void ExpectOutage(std::string why, absl::Time until);

  const PollerOptions& options() const { return options_; }

 private:
  void AddParts(v1::ModemStatus& status) const;
  void Run();
  // Opens the port and initialises the modem; false (after publishing why) on failure.
  bool Attach();
  // The AT port to open now: the configured path, or the discovered one.
  absl::StatusOr<std::string> ResolvePort() const;
  void Detach();
  void PublishState(v1::ModemState state, const std::string& detail);
  // The reason of an outage expected now, else empty.
  std::string ExpectedOutage();
  void EndExpectedOutage();
  void Publish(std::shared_ptr<v1::ModemStatus> status);
  // The last published status again, with the local state (link, config) read anew.
  void PublishLocalChange();

  PollerOptions options_;
  std::vector<const StatusPart*> parts_;  // fixed before Start()
  StatusHub* hub_;
  enum class Wake { kStop, kTime, kRequest, kModemChange };
  // Waits until `deadline`, Stop(), RequestSample() or a URC that announces a change.
  Wake WaitUntil(absl::Time deadline);
  // Until the next sample is due (publishing link and config changes meanwhile); false
  // when stopping.
  bool WaitForNextSample(absl::Time started);

  absl::Mutex wake_mu_;
  bool stopping_ ABSL_GUARDED_BY(wake_mu_) = false;
  bool sample_requested_ ABSL_GUARDED_BY(wake_mu_) = false;
  bool modem_changed_ ABSL_GUARDED_BY(wake_mu_) = false;
  std::string outage_reason_ ABSL_GUARDED_BY(wake_mu_);
  absl::Time outage_until_ ABSL_GUARDED_BY(wake_mu_) = absl::InfinitePast();
  std::thread thread_;
  // Only the poller thread sets channel_, under channel_mu_, so that Stop() can close it
  // from its own thread; the poller thread reads it without the lock.
  absl::Mutex channel_mu_;
  std::unique_ptr<modem::AtChannel> channel_;
  std::atomic<bool> operator_command_sent_{false};
  // Poller thread only.
  std::unique_ptr<modem::QuectelModem> modem_;
  modem::ModemIdentity last_identity_;
  std::shared_ptr<const v1::ModemStatus> last_published_;
  std::string attached_port_;
};

}  // namespace cellfleet::agent

#endif  // CELLFLEET_AGENT_STATUS_MODEM_POLLER_H_
