#include "simulator/simulated_fleet.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/spawn.h"
#include "modem/log_format.h"
#include "spdlog/spdlog.h"

namespace cellfleet::simulator {
namespace {

constexpr size_t kMaxInputLine = 4096;  // a real EC25 accepts lines up to ~4 KB
constexpr size_t kMaxPendingOutput = 256 * 1024;
constexpr absl::Duration kCarrierDropDelay = absl::Milliseconds(200);
constexpr absl::Duration kRebootTime = absl::Seconds(3);        // USB gone after AT+CFUN=1,1
constexpr absl::Duration kBootUrcDelay = absl::Seconds(1);      // ports up, then RDY
constexpr absl::Duration kSimBusyAfterBoot = absl::Seconds(1);  // after RDY: +CME ERROR: 14
constexpr absl::Duration kSearchAfterBoot = absl::Seconds(2);
constexpr absl::Duration kUsbResetTime = absl::Seconds(1);  // ports gone, then back

// Response times of a real EC25 on USB: tens of milliseconds, more for the network ones.
absl::Duration Ec25Latency(absl::string_view command) {
  if (absl::EqualsIgnoreCase(command, "AT+COPS?")) return absl::Milliseconds(120);
  // A network scan: tens of seconds on a real modem (180 s at most by the manual); 3 s
  // here, long enough to be cancelled by hand, short enough for tests.
  if (absl::EqualsIgnoreCase(command, "AT+COPS=?")) return absl::Seconds(3);
  if (absl::StartsWithIgnoreCase(command, "AT+QENG")) return absl::Milliseconds(50);
  if (absl::StartsWithIgnoreCase(command, "AT+CFUN=")) return absl::Milliseconds(250);
  if (absl::StartsWithIgnoreCase(command, "ATD")) return absl::Milliseconds(300);
  return absl::Milliseconds(20);
}

bool AppliesTo(const std::optional<int>& board, int index) { return !board || *board == index; }

}  // namespace

absl::StatusOr<std::unique_ptr<SimulatedFleet>> SimulatedFleet::Create(
    const SimulatedFleetOptions& options) {
  if (options.boards < 1 || options.boards > 1000) {
    return absl::InvalidArgumentError(
        absl::StrCat("--boards must be 1..1000, got ", options.boards));
  }
  if (options.dir.empty())
    return absl::InvalidArgumentError("a directory for the port links is required");
  std::unique_ptr<SimulatedFleet> fleet(new SimulatedFleet(options));
  const ScenarioInitial& initial = options.scenario.initial;
  RadioProfile profile = options.profile;
  if (initial.operator_name) profile.operator_name = *initial.operator_name;
  if (initial.mcc) profile.mcc = *initial.mcc;
  if (initial.mnc) profile.mnc = *initial.mnc;
  if (initial.rsrp_dbm) profile.base_rsrp_dbm = *initial.rsrp_dbm;
  if (initial.registration_stat == 5) profile.roaming = true;
  if (initial.radio_drift) profile.drift = *initial.radio_drift;

  fleet->boards_.resize(static_cast<size_t>(options.boards));
  std::error_code ec;
  for (int i = 0; i < options.boards; ++i) {
    Board& board = fleet->boards_[static_cast<size_t>(i)];
    board.index = i;
    board.name = absl::StrFormat("board-%02d", i);
    const std::string board_dir = absl::StrCat(options.dir, "/", board.name);
    std::filesystem::create_directories(board_dir, ec);
    if (ec) return absl::UnavailableError(absl::StrCat("mkdir ", board_dir, ": ", ec.message()));
    board.radio =
        std::make_unique<RadioModel>(options.seed * 7919u + static_cast<uint64_t>(i), profile);
    if (initial.registration_stat) board.radio->SetRegistration(*initial.registration_stat);
    board.modem = std::make_unique<SimulatedModemState>();
    board.modem->identity = MakeIdentity(options.seed, i, profile);
    board.modem->radio = board.radio.get();
    if (initial.sim) board.modem->sim = *initial.sim;
    if (initial.rat) board.modem->rat = *initial.rat;
    board.modem->data = options.scenario.data;
    for (Port* port : {&board.at, &board.modem_port}) {
      port->link_path = absl::StrCat(board_dir, port == &board.at ? "/at" : "/modem");
      auto pty = PtyEndpoint::Create(port->link_path, options.port_group);
      if (!pty.ok()) return pty.status();
      port->pty = std::move(*pty);
      port->responder = std::make_unique<Ec25Responder>(board.modem.get(), fleet->clock_);
      port->modem = board.modem.get();
    }
  }
  fleet->wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (fleet->wake_fd_ < 0)
    return absl::InternalError(absl::StrCat("eventfd: ", std::strerror(errno)));
  return fleet;
}

SimulatedFleet::~SimulatedFleet() {
  Stop();
  for (Board& board : boards_) {
    for (Port* port : {&board.at, &board.modem_port}) {
      if (port->call_active) EndCall(*port, "");
    }
  }
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

std::vector<SimulatedBoard> SimulatedFleet::boards() const {
  std::vector<SimulatedBoard> info;
  for (const Board& board : boards_) {
    info.push_back(SimulatedBoard{board.name, board.at.link_path, board.modem_port.link_path,
                                  board.modem->identity});
  }
  return info;
}

void SimulatedFleet::Start() {
  if (thread_.joinable()) return;
  stop_ = false;
  const absl::Time start = Now();
  for (const ScenarioEvent& event : options_.scenario.events) {
    At(start + event.at, [this, event] { Fire(event); });
  }
  thread_ = std::thread([this] { Run(); });
}

void SimulatedFleet::Stop() {
  stop_ = true;
  Wake();
  if (thread_.joinable()) thread_.join();
  std::vector<base::Task> left;
  {
    absl::MutexLock lock(&tasks_mu_);
    left = tasks_.TakeAll();
  }
  for (base::Task& task : left) task(absl::CancelledError("simulator stopped"));
}

void SimulatedFleet::Wake() {
  if (wake_fd_ < 0) return;
  uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof(one));
}

void SimulatedFleet::Post(std::function<void()> task) {
  At(absl::InfinitePast(), std::move(task));
  Wake();  // from another thread: the loop may be in poll()
}

void SimulatedFleet::At(absl::Time when, std::function<void()> task) {
  absl::MutexLock lock(&tasks_mu_);
  tasks_.Add(when, [task = std::move(task)](absl::Status status) {
    if (status.ok()) task();
  });
}

absl::Time SimulatedFleet::RunDueTasks() {
  while (true) {
    std::optional<base::Task> task;
    {
      absl::MutexLock lock(&tasks_mu_);
      task = tasks_.PopDue(Now());
      if (!task) return tasks_.NextDue();
    }
    (*task)(absl::OkStatus());
  }
}

void SimulatedFleet::ResetBoard(size_t index) {
  Post([this, index] {
    if (index >= boards_.size()) return;
    Board& board = boards_[index];  // an internal restart: RDY without re-enumeration
    if (board.modem_port.call_active) EndCall(board.modem_port, "\r\nNO CARRIER\r\n");
    board.modem_port.responder->Reset();
    if (board.at.pty) Queue(board.at, board.at.responder->Reset());
  });
}

void SimulatedFleet::Reboot(Board& board, absl::Duration down) {
  if (board.modem_port.call_active) EndCall(board.modem_port, "");
  // The OK already queued goes out before USB goes away.
  At(Now() + absl::Milliseconds(100), [this, &board, down] {
    Vanish(board.at);
    Vanish(board.modem_port);
    At(Now() + down, [this, &board] { Boot(board); });
  });
}

void SimulatedFleet::Boot(Board& board) {
  board.powered_down = false;
  board.modem->hung = false;
  board.modem->wedged = false;
  board.modem->sim_failed = false;
  board.modem->sim_busy_until = Now() + kBootUrcDelay + kSimBusyAfterBoot;
  RadioModel& radio = *board.radio;
  radio.SetRegistration(2);  // searching, then registered as before
  At(Now() + kBootUrcDelay + kSearchAfterBoot,
     [&radio] { radio.SetRegistration(radio.home_stat()); });
  Return(board.at);
  Return(board.modem_port);
}

void SimulatedFleet::SetPower(size_t index, bool on) {
  Post([this, index, on] {
    if (index >= boards_.size()) return;
    Board& board = boards_[index];
    if (on) {
      if (board.powered_down) Boot(board);
      return;
    }
    board.powered_down = true;  // no words: the supply is cut under it
    Vanish(board.at);
    Vanish(board.modem_port);
  });
}

void SimulatedFleet::ResetUsb(size_t index) {
  Post([this, index] {
    if (index >= boards_.size() || boards_[index].powered_down) return;
    Board& board = boards_[index];
    Vanish(board.at);
    Vanish(board.modem_port);
    At(Now() + kUsbResetTime, [this, &board] {
      if (board.powered_down) return;
      Return(board.at);
      Return(board.modem_port);
    });
  });
}

void SimulatedFleet::ApplyEventNow(size_t index, ScenarioEvent event) {
  Post([this, index, event] {
    if (index < boards_.size()) ApplyEvent(boards_[index], event);
  });
}

void SimulatedFleet::PowerDown(Board& board) {
  if (board.modem_port.call_active) EndCall(board.modem_port, "");
  board.powered_down = true;
  At(Now() + absl::Milliseconds(200), [this, &board] {
    if (board.at.pty) Queue(board.at, "\r\nPOWERED DOWN\r\n");
    At(Now() + absl::Milliseconds(100), [this, &board] {
      Vanish(board.at);
      Vanish(board.modem_port);
    });
  });
}

void SimulatedFleet::Fire(const ScenarioEvent& event) {
  for (Board& board : boards_) {
    if (AppliesTo(event.board, board.index)) ApplyEvent(board, event);
  }
}

void SimulatedFleet::ApplyEvent(Board& board, const ScenarioEvent& event) {
  RadioModel& radio = *board.radio;
  switch (event.action) {
    case EventAction::kSignalFade:
      radio.ShiftSignal(event.rsrp_delta_db);
      break;
    case EventAction::kDeregister:
      radio.SetRegistration(2);
      At(Now() + event.duration, [&radio] { radio.SetRegistration(radio.home_stat()); });
      break;
    case EventAction::kSimRemoved:
      board.modem->sim = SimCardState::kNotInserted;
      radio.SetRegistration(0);
      break;
    case EventAction::kSimInserted:
      board.modem->sim = SimCardState::kReady;
      radio.SetRegistration(radio.home_stat());
      if (board.at.pty) Queue(board.at, "\r\n+CPIN: READY\r\n");
      break;
    case EventAction::kModemReset:
      Reboot(board, event.duration > absl::ZeroDuration() ? event.duration : kRebootTime);
      break;
    case EventAction::kPowerOn:
      if (board.powered_down) Boot(board);
      break;
    case EventAction::kRatChange:
      board.modem->rat = event.rat;
      break;
    case EventAction::kWedge:
      board.modem->wedged = true;
      radio.SetRegistration(2);
      break;
    case EventAction::kSimFailure:
      board.modem->sim_failed = true;
      radio.SetRegistration(0);
      break;
    case EventAction::kHang:
      board.modem->hung = true;
      break;
    case EventAction::kPortVanish:
      Vanish(board.at);
      Vanish(board.modem_port);
      At(Now() + event.duration, [this, &board] {
        Return(board.at);
        Return(board.modem_port);
      });
      break;
  }
  // Registration URCs for the change, where the client enabled them.
  if (board.at.pty) {
    std::string urcs = board.at.responder->TakeUrcs();
    if (!urcs.empty()) Queue(board.at, urcs);
  }
}

void SimulatedFleet::Vanish(Port& port) {
  if (port.call_active) EndCall(port, "");
  port.pty.reset();  // unlinks the path; clients read EIO
  port.input.clear();
  port.output.clear();
}

void SimulatedFleet::DropCarrier(Port& port) {
  port.pty.reset();  // the client's reads end: a hang-up
  port.input.clear();
  port.output.clear();
  auto pty = PtyEndpoint::Create(port.link_path, options_.port_group);
  if (!pty.ok()) {
    spdlog::error("simulator: cannot recreate {}: {}", port.link_path, pty.status());
    return;
  }
  port.pty = std::move(*pty);
}

void SimulatedFleet::Return(Port& port) {
  auto pty = PtyEndpoint::Create(port.link_path, options_.port_group);
  if (!pty.ok()) {
    spdlog::error("simulator: cannot recreate {}: {}", port.link_path, pty.status());
    return;
  }
  port.pty = std::move(*pty);
  port.reply_due = absl::InfinitePast();
  if (port.modem->hung) return;  // enumerated again by USB, the firmware still hangs
  // A re-enumerated modem starts from defaults, and says so a moment after its ports
  // appear (RDY first): an opener that is quick enough reads it.
  std::string boot = port.responder->Reset();
  At(Now() + kBootUrcDelay, [this, &port, boot = std::move(boot)] {
    if (port.pty) Queue(port, boot);
  });
}

void SimulatedFleet::Queue(Port& port, absl::string_view bytes) {
  if (!port.pty || port.output.size() + bytes.size() > kMaxPendingOutput)
    return;  // nobody reads: drop
  port.output.append(bytes.data(), bytes.size());
  Flush(port);
}

void SimulatedFleet::Flush(Port& port) {
  while (port.pty && !port.output.empty()) {
    ssize_t n = ::write(port.pty->master_fd(), port.output.data(), port.output.size());
    if (n <= 0) return;  // EAGAIN: the rest goes when POLLOUT says so
    port.output.erase(0, static_cast<size_t>(n));
  }
}

void SimulatedFleet::OnReadable(Board& board, Port& port) {
  char buffer[4096];
  while (port.pty) {
    ssize_t n = ::read(port.pty->master_fd(), buffer, sizeof(buffer));
    if (n < 0 && errno == EIO) {
      // Every client closed the slave: on a real modem, DTR dropped.
      if (port.call_active) EndCall(port, "");
      port.pty->Hold();
      return;
    }
    if (n <= 0) return;
    const absl::string_view bytes(buffer, static_cast<size_t>(n));
    if (port.data_mode) {
      OnDataBytes(port, bytes);
      continue;
    }
    if (board.modem->hung) continue;  // the firmware hangs: not even an echo
    for (char c : bytes) {
      if (port.responder->echo()) Queue(port, absl::string_view(&c, 1));
      if (c == '\r') {
        std::string line;
        line.swap(port.input);
        OnCommandLine(board, port, line);
        if (port.data_mode) break;  // the rest of this read is data
      } else if (c != '\n' && port.input.size() < kMaxInputLine) {
        port.input.push_back(c);
      }
    }
  }
}

const Fault* SimulatedFleet::FaultFor(const Board& board, absl::string_view command) const {
  for (const Fault& fault : options_.scenario.faults) {
    if (AppliesTo(fault.board, board.index) &&
        (fault.command == "*" || absl::EqualsIgnoreCase(fault.command, command))) {
      return &fault;
    }
  }
  return nullptr;
}

void SimulatedFleet::OnCommandLine(Board& board, Port& port, const std::string& line) {
  ++commands_handled_;
  const absl::string_view command = absl::StripAsciiWhitespace(line);
  absl::Duration delay = LatencyOf(command);
  if (const Fault* fault = FaultFor(board, command)) delay += fault->delay;
  // One command at a time, as the modem's AT task: each answered after its own latency,
  // with the state of that moment.
  const absl::Time due = std::max(Now(), port.reply_due) + delay;
  port.reply_due = due;
  At(due, [this, &board, &port, line] { Answer(board, port, line); });
}

void SimulatedFleet::Answer(Board& board, Port& port, const std::string& line) {
  if (!port.pty) return;          // the port vanished meanwhile
  if (board.modem->hung) return;  // it hung before it could answer
  const absl::string_view command = absl::StripAsciiWhitespace(line);
  std::string reply;
  bool overridden = false;
  for (const ReplyOverride& o : options_.scenario.replies) {
    if (AppliesTo(o.board, board.index) && absl::EqualsIgnoreCase(o.command, command)) {
      reply = o.raw;
      overridden = true;
      break;
    }
  }
  port.responder->set_call_active(port.call_active);
  if (!overridden) reply = port.responder->HandleLine(line);
  const PortRequest request = port.responder->TakeRequest();
  if (const Fault* fault = FaultFor(board, command)) {
    if (fault->no_reply) return;
    if (fault->drop_probability > 0) {
      std::bernoulli_distribution drop(fault->drop_probability);
      std::string kept;
      for (char c : reply) {
        if (!drop(rng_)) kept.push_back(c);
      }
      reply.swap(kept);
    }
    if (fault->garbage_bytes > 0) {
      std::string garbage(fault->garbage_bytes, '\0');
      for (char& c : garbage) c = static_cast<char>(rng_());
      reply = garbage + reply;
    }
  }
  // URCs raised while the command ran print before its reply, after its echo.
  if (&port == &board.at) Queue(port, port.responder->TakeUrcs());
  Queue(port, reply);
  Fulfil(board, port, request);
}

absl::Duration SimulatedFleet::LatencyOf(absl::string_view command) const {
  const Latency& latency = options_.scenario.latency;
  for (const auto& [pattern, duration] : latency.commands) {
    if (absl::EqualsIgnoreCase(pattern, command)) return duration;
  }
  return latency.default_latency.value_or(Ec25Latency(command));
}

void SimulatedFleet::Fulfil(Board& board, Port& port, PortRequest request) {
  switch (request) {
    case PortRequest::kNone:
      return;
    case PortRequest::kDataMode:
      EnterDataMode(port);
      return;
    case PortRequest::kResumeData:
      port.data_mode = true;
      port.escape.Restart(Now());
      port.pty->ReleaseHold();
      return;
    case PortRequest::kHangUp:
      EndCall(port, "");  // ATH's own OK is the reply
      return;
    case PortRequest::kReboot:
      Reboot(board, kRebootTime);
      return;
    case PortRequest::kPowerDown:
      PowerDown(board);
      return;
  }
}

void SimulatedFleet::EnterDataMode(Port& port) {
  port.call_active = true;
  port.data_mode = true;
  port.modem->data_call_up = true;
  port.escape.Restart(Now());
  port.pty->ReleaseHold();  // so the client closing the port reads as DTR drop
  const std::vector<std::string>& command = options_.scenario.data.network_command;
  if (command.empty()) return;  // a carrier with nothing behind it: bytes are dropped
  absl::StatusOr<std::unique_ptr<NetworkSide>> network = NetworkSide::Start(command);
  if (!network.ok()) {
    spdlog::error("simulator: network command: {}", network.status().message());
    return;
  }
  port.network = std::move(*network);
  spdlog::info("simulator: {} in data mode, network side is pid {}", port.link_path,
               port.network->pid());
}

void SimulatedFleet::OnDataBytes(Port& port, absl::string_view bytes) {
  const absl::Time now = Now();
  const std::string data = port.escape.Feed(bytes, now);
  if (port.network) port.network->Send(data);
  if (!port.escape.Pending()) return;
  At(now + port.escape.guard_time(), [this, &port, now] {
    if (!port.escape.CompletedAfter(now) || !port.data_mode) return;
    port.escape.Restart(Now());
    port.data_mode = false;  // online command mode: the call stays up
    port.pty->Hold();
    Queue(port, "\r\nOK\r\n");
  });
}

void SimulatedFleet::OnNetworkReadable(Port& port) {
  char buffer[4096];
  while (port.network) {
    ssize_t n = ::read(port.network->fd(), buffer, sizeof(buffer));
    if (n > 0) {
      // In online command mode the modem holds the call but passes no data.
      if (port.data_mode) Queue(port, absl::string_view(buffer, static_cast<size_t>(n)));
      continue;
    }
    if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
      EndCall(port, "\r\nNO CARRIER\r\n");  // the network side hung up
      if (options_.scenario.data.hangup_on_carrier_loss) {
        // A hang-up discards what the client has not read yet: let "NO CARRIER" land first.
        At(Now() + kCarrierDropDelay, [this, &port] { DropCarrier(port); });
      }
    }
    return;
  }
}

void SimulatedFleet::EndCall(Port& port, absl::string_view final_result) {
  if (!port.call_active) return;
  port.call_active = false;
  port.data_mode = false;
  port.escape.Restart(Now());
  port.modem->data_call_up = false;
  if (port.network) {
    port.network->Stop();
    reaper_.Add(port.network->pid(), Now());
    port.network.reset();
  }
  if (port.pty) {
    port.pty->Hold();
    if (!final_result.empty()) Queue(port, final_result);
  }
}

void SimulatedFleet::Run() {
  absl::Time next_tick = Now() + options_.tick;
  std::vector<pollfd> fds;
  std::vector<std::pair<Board*, Port*>> owners;
  while (!stop_) {
    const absl::Time next_task = RunDueTasks();
    const absl::Time now = Now();
    reaper_.Reap(now);
    fds.clear();
    owners.clear();
    fds.push_back({wake_fd_, POLLIN, 0});
    owners.emplace_back(nullptr, nullptr);
    for (Board& board : boards_) {
      for (Port* port : {&board.at, &board.modem_port}) {
        if (!port->pty) continue;
        short events = POLLIN;
        if (!port->output.empty()) events |= POLLOUT;
        fds.push_back({port->pty->master_fd(), events, 0});
        owners.emplace_back(&board, port);
        if (port->network) {
          fds.push_back({port->network->fd(), POLLIN, 0});
          owners.emplace_back(nullptr, port);
        }
      }
    }
    absl::Time wake_at = std::min(next_tick, next_task);
    if (!reaper_.empty()) wake_at = std::min(wake_at, now + absl::Milliseconds(100));
    int timeout_ms =
        static_cast<int>(std::max<int64_t>(0, absl::ToInt64Milliseconds(wake_at - Now())));
    int rc = ::poll(fds.data(), fds.size(), timeout_ms);
    if (rc < 0 && errno != EINTR) {
      spdlog::error("simulator poll: {}", std::strerror(errno));
      return;
    }
    if (fds[0].revents & POLLIN) {
      uint64_t count;
      [[maybe_unused]] ssize_t n = ::read(wake_fd_, &count, sizeof(count));
    }
    for (size_t i = 1; i < fds.size(); ++i) {
      auto [board, port] = owners[i];
      if (fds[i].revents == 0) continue;
      if (board == nullptr) {  // a network command's socket
        OnNetworkReadable(*port);
        continue;
      }
      if (!port->pty || port->pty->master_fd() != fds[i].fd) continue;  // vanished meanwhile
      if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) OnReadable(*board, *port);
      if (port->pty && (fds[i].revents & POLLOUT)) Flush(*port);
    }
    if (Now() >= next_tick) {
      next_tick += options_.tick;
      for (Board& board : boards_) {
        board.radio->Step();
        if (!board.at.pty) continue;
        std::string urcs = board.at.responder->TakeUrcs();
        if (!urcs.empty()) Queue(board.at, urcs);
      }
    }
  }
}

}  // namespace cellfleet::simulator
