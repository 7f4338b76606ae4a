// The doctor: the vendor how-to's hand checklist (lsusb, the driver, which ttyUSB is
// which, AT, AT+CPIN?, AT+CSQ, AT+QENG, AT+COPS?, AT+CREG?, AT+CGDCONT?, ModemManager,
// ip route, resolv.conf) run live on the board in one call. Its AT queries go through
// the poller's channel (one owner of the port); its file reads run on its own thread,
// never on a gRPC thread.
#ifndef CELLFLEET_AGENT_CHECKS_DOCTOR_H_
#define CELLFLEET_AGENT_CHECKS_DOCTOR_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "agent/link/link_manager.h"
#include "agent/status/modem_poller.h"
#include "agent/status/status_hub.h"
#include "base/clock.h"
#include "base/serial_executor.h"
#include "cellfleet/v1/agent_service.pb.h"
#include "modem/discovery.h"

namespace cellfleet::agent {

// Where the board's own state is read; tests point these at fakes.
struct HostPaths {
  modem::DiscoveryRoots roots;  // sysfs, the udev database, /proc
  std::string route_table = "/proc/net/route";
  std::string ppp_resolv_conf = "/etc/ppp/resolv.conf";  // where usepeerdns writes
};

struct DoctorOptions {
  HostPaths host;
  std::string at_port;  // as configured: a path or "auto"
  std::string version;
  absl::Duration poll_interval = absl::Seconds(10);
  const base::Clock* clock = &base::Clock::Real();  // must outlive the doctor
  absl::Time started;                               // the agent's start, for its uptime
  bool config_push = false;
};

class Doctor {
 public:
  // The longest a run takes, whatever the caller's deadline.
  static constexpr absl::Duration kTimeLimit = absl::Seconds(60);

  // `link` may be null (no PPP link on this agent). All must outlive the doctor.
  Doctor(DoctorOptions options, ModemPoller* poller, LinkManager* link, StatusHub* hub);
  Doctor(const Doctor&) = delete;
  Doctor& operator=(const Doctor&) = delete;
  ~Doctor();  // Stop()

  using Done = std::function<void(v1::RunDoctorResponse)>;
  // Never blocks; `done` runs once, on the doctor's thread. A run still going at Stop
  // ends with its remaining checks SKIPPED.
  void Run(absl::Time deadline, Done done);

  // Before the poller and the link stop.
  void Stop();

 private:
  struct RunState;
  void ReadHost(const std::shared_ptr<RunState>& run);
  void QueryNext(const std::shared_ptr<RunState>& run);
  void Finish(const std::shared_ptr<RunState>& run, const std::string& cut_short);

  const DoctorOptions options_;
  ModemPoller* const poller_;
  LinkManager* const link_;
  StatusHub* const hub_;
  base::SerialExecutor executor_;
};

}  // namespace cellfleet::agent

#endif  // CELLFLEET_AGENT_CHECKS_DOCTOR_H_
