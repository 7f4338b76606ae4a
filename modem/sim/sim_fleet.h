// Many simulated EC25 boards served from one thread: per board an AT port and a modem
// port (pseudo-terminals at <dir>/<board>/at and <dir>/<board>/modem).
#ifndef CELLFLEET_MODEM_SIM_SIM_FLEET_H_
#define CELLFLEET_MODEM_SIM_SIM_FLEET_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "modem/sim/ec25_responder.h"
#include "modem/sim/pty_endpoint.h"
#include "modem/sim/radio_model.h"

namespace cellfleet::modem::sim {

struct SimFleetOptions {
  int boards = 3;
  std::string dir;  // created if missing
  uint64_t seed = 1;
  absl::Duration tick = absl::Seconds(1);  // one radio step per tick
  RadioProfile profile;
};

struct SimBoardInfo {
  std::string name;  // "board-00"
  std::string at_path;
  std::string modem_path;
  SimIdentity identity;
};

class SimFleet {
 public:
  static absl::StatusOr<std::unique_ptr<SimFleet>> Create(const SimFleetOptions& options);
  SimFleet(const SimFleet&) = delete;
  SimFleet& operator=(const SimFleet&) = delete;
  ~SimFleet();

  std::vector<SimBoardInfo> boards() const;

  // Serves the ports on a background thread until Stop() or destruction.
  void Start();
  void Stop();

  // Runs `task` on the fleet's thread (the owner of all board state) before its next poll.
  void Post(std::function<void()> task);
  // Simulates an internal modem reset of board `index`: settings return to factory
  // defaults (echo on) and the AT port prints RDY and the boot URCs.
  void ResetBoard(size_t index);

  // Total AT commands answered across all ports (for load tests).
  uint64_t commands_handled() const { return commands_handled_.load(); }

 private:
  struct Port {
    std::unique_ptr<PtyEndpoint> pty;
    std::unique_ptr<Ec25Responder> responder;
    std::string input;   // bytes since the last CR
    std::string output;  // bytes not yet accepted by the pty
  };
  struct Board {
    std::string name;
    std::unique_ptr<RadioModel> radio;
    Port at;
    Port modem;
  };

  explicit SimFleet(SimFleetOptions options) : options_(std::move(options)) {}
  void Run();
  void OnReadable(Port& port);
  void Flush(Port& port);
  void Queue(Port& port, absl::string_view bytes);
  void Wake();
  void RunTasks();

  SimFleetOptions options_;
  std::vector<Board> boards_;
  int wake_fd_ = -1;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> commands_handled_{0};
  absl::Mutex tasks_mu_;
  std::vector<std::function<void()>> tasks_ ABSL_GUARDED_BY(tasks_mu_);
  std::thread thread_;
};

}  // namespace cellfleet::modem::sim

#endif  // CELLFLEET_MODEM_SIM_SIM_FLEET_H_
