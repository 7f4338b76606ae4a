// Many simulated EC25 boards served from one thread: per board an AT port and a modem
// port (pseudo-terminals at <dir>/<board>/at and <dir>/<board>/modem), a radio, and
// the scenario's events, reply overrides, faults and data mode.
#ifndef CELLFLEET_SIMULATOR_SIMULATED_FLEET_H_
#define CELLFLEET_SIMULATOR_SIMULATED_FLEET_H_

#include <sys/types.h>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "base/task_queue.h"
#include "simulator/ec25_responder.h"
#include "simulator/escape_sequence.h"
#include "simulator/network_side.h"
#include "simulator/pty_endpoint.h"
#include "simulator/radio_model.h"
#include "simulator/scenario.h"

namespace cellfleet::simulator {

struct SimulatedFleetOptions {
  int boards = 3;
  std::string dir;  // created if missing
  uint64_t seed = 1;
  absl::Duration tick = absl::Seconds(1);  // one radio step per tick
  RadioProfile profile;
  Scenario scenario;
  int port_group = -1;  // >= 0: the ports' group, mode 0660 (as udev's dialout)
};

struct SimulatedBoard {
  std::string name;  // "board-00"
  std::string at_path;
  std::string modem_path;
  SimulatedIdentity identity;
};

class SimulatedFleet {
 public:
  static absl::StatusOr<std::unique_ptr<SimulatedFleet>> Create(
      const SimulatedFleetOptions& options);
  SimulatedFleet(const SimulatedFleet&) = delete;
  SimulatedFleet& operator=(const SimulatedFleet&) = delete;
  ~SimulatedFleet();

  std::vector<SimulatedBoard> boards() const;

  // Serves the ports on a background thread until Stop() or destruction; the
  // scenario's clock starts here.
  void Start();
  void Stop();

  // Runs `task` on the fleet's thread (the owner of all board state).
  void Post(std::function<void()> task);
  // Simulates an internal modem reset of board `index` (RDY, echo back on).
  void ResetBoard(size_t index);
  // The board's power supply cut (its ports vanish at once) or restored (it boots): what a
  // power line on a GPIO does.
  void SetPower(size_t index, bool on);
  // A USB reset of the board's modem: its ports vanish and return a second later, the
  // modem's state unchanged (a hung firmware stays hung).
  void ResetUsb(size_t index);
  // Applies `event` to board `index` now, as the scenario would at its time.
  void ApplyEventNow(size_t index, ScenarioEvent event);

  // Total AT command lines answered across all ports (for load tests).
  uint64_t commands_handled() const { return commands_handled_.load(); }

 private:
  // The simulator serves real pseudo-terminals and a real pppd: its timeline is real time
  // (its loop waits in poll()).
  absl::Time Now() const { return clock_.Now(); }
  const base::Clock& clock_ = base::Clock::Real();

  struct Port {
    std::string link_path;
    std::unique_ptr<PtyEndpoint> pty;  // null while the port has vanished
    std::unique_ptr<Ec25Responder> responder;
    std::string input;                     // bytes since the last CR
    std::string output;                    // bytes not yet accepted by the pty
    SimulatedModemState* modem = nullptr;  // the board's, shared by both ports
    // A call (after CONNECT on this port): bytes relay to the network side in data mode;
    // after "+++" the call stays up in online command mode until ATO or ATH.
    bool call_active = false;
    bool data_mode = false;
    EscapeSequence escape;                        // "+++" back to command mode
    std::unique_ptr<NetworkSide> network;         // the carrier, while a call is up
    absl::Time reply_due = absl::InfinitePast();  // replies leave in order, each after its latency
  };
  struct Board {
    int index = 0;
    std::string name;
    std::unique_ptr<RadioModel> radio;
    std::unique_ptr<SimulatedModemState> modem;
    Port at;
    Port modem_port;
    bool powered_down = false;  // AT+QPOWD until a power_on event
  };

  explicit SimulatedFleet(SimulatedFleetOptions options)
      : options_(std::move(options)), rng_(options_.seed) {}
  void Run();
  void OnReadable(Board& board, Port& port);
  // Schedules the answer after the command's latency; Answer() runs it then.
  void OnCommandLine(Board& board, Port& port, const std::string& line);
  void Answer(Board& board, Port& port, const std::string& line);
  const Fault* FaultFor(const Board& board, absl::string_view command) const;
  void OnDataBytes(Port& port, absl::string_view bytes);
  void OnNetworkReadable(Port& port);
  // What a command asked of the port beyond its reply.
  void Fulfil(Board& board, Port& port, PortRequest request);
  absl::Duration LatencyOf(absl::string_view command) const;
  void EnterDataMode(Port& port);
  // Ends the call (the network side too) and prints `final_result` if not empty.
  void EndCall(Port& port, absl::string_view final_result);
  // AT+CFUN=1,1 and the modem_reset event: both ports gone for `down`, then a boot.
  void Reboot(Board& board, absl::Duration down);
  void Boot(Board& board);
  void PowerDown(Board& board);
  void Flush(Port& port);
  void Queue(Port& port, absl::string_view bytes);
  // Runs `task` on the fleet's thread at `when` (fleet thread or any other).
  void At(absl::Time when, std::function<void()> task);
  // Runs what is due; returns when the next task is.
  absl::Time RunDueTasks();
  void Fire(const ScenarioEvent& event);
  void ApplyEvent(Board& board, const ScenarioEvent& event);
  void Vanish(Port& port);
  // Hangs the line up under its client and offers a fresh one at the same path.
  void DropCarrier(Port& port);
  void Return(Port& port);
  void Wake();

  SimulatedFleetOptions options_;
  std::vector<Board> boards_;
  int wake_fd_ = -1;
  std::mt19937_64 rng_;  // faults
  Reaper reaper_;        // network commands of ended calls
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> commands_handled_{0};
  absl::Mutex tasks_mu_;
  base::TaskQueue tasks_ ABSL_GUARDED_BY(tasks_mu_);  // timers and posted work, one order
  std::thread thread_;
};

}  // namespace cellfleet::simulator

#endif  // CELLFLEET_SIMULATOR_SIMULATED_FLEET_H_
