#include "modem/sim/sim_fleet.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "modem/log_format.h"
#include "spdlog/spdlog.h"

namespace cellfleet::modem::sim {
namespace {

constexpr size_t kMaxInputLine = 4096;  // a real EC25 accepts lines up to ~4 KB
constexpr size_t kMaxPendingOutput = 64 * 1024;

}  // namespace

absl::StatusOr<std::unique_ptr<SimFleet>> SimFleet::Create(const SimFleetOptions& options) {
  if (options.boards < 1 || options.boards > 1000) {
    return absl::InvalidArgumentError(
        absl::StrCat("--boards must be 1..1000, got ", options.boards));
  }
  if (options.dir.empty())
    return absl::InvalidArgumentError("a directory for the port links is required");
  std::unique_ptr<SimFleet> fleet(new SimFleet(options));
  std::error_code ec;
  for (int i = 0; i < options.boards; ++i) {
    Board board;
    board.name = absl::StrFormat("board-%02d", i);
    std::string board_dir = absl::StrCat(options.dir, "/", board.name);
    std::filesystem::create_directories(board_dir, ec);
    if (ec) return absl::UnavailableError(absl::StrCat("mkdir ", board_dir, ": ", ec.message()));
    board.radio = std::make_unique<RadioModel>(options.seed * 7919u + static_cast<uint64_t>(i),
                                               options.profile);
    SimIdentity identity = MakeIdentity(options.seed, i, options.profile);
    auto at = PtyEndpoint::Create(absl::StrCat(board_dir, "/at"));
    if (!at.ok()) return at.status();
    auto modem = PtyEndpoint::Create(absl::StrCat(board_dir, "/modem"));
    if (!modem.ok()) return modem.status();
    board.at.pty = std::move(*at);
    board.at.responder = std::make_unique<Ec25Responder>(identity, board.radio.get());
    board.modem.pty = std::move(*modem);
    board.modem.responder = std::make_unique<Ec25Responder>(identity, board.radio.get());
    fleet->boards_.push_back(std::move(board));
  }
  fleet->wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (fleet->wake_fd_ < 0)
    return absl::InternalError(absl::StrCat("eventfd: ", std::strerror(errno)));
  return fleet;
}

SimFleet::~SimFleet() {
  Stop();
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

std::vector<SimBoardInfo> SimFleet::boards() const {
  std::vector<SimBoardInfo> info;
  for (const Board& board : boards_) {
    info.push_back(SimBoardInfo{board.name, board.at.pty->link_path(), board.modem.pty->link_path(),
                                board.at.responder->identity()});
  }
  return info;
}

void SimFleet::Start() {
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] { Run(); });
}

void SimFleet::Stop() {
  stop_ = true;
  Wake();
  if (thread_.joinable()) thread_.join();
}

void SimFleet::Wake() {
  if (wake_fd_ < 0) return;
  uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof(one));
}

void SimFleet::Post(std::function<void()> task) {
  {
    absl::MutexLock lock(&tasks_mu_);
    tasks_.push_back(std::move(task));
  }
  Wake();
}

void SimFleet::RunTasks() {
  std::vector<std::function<void()>> tasks;
  {
    absl::MutexLock lock(&tasks_mu_);
    tasks.swap(tasks_);
  }
  for (auto& task : tasks) task();
}

void SimFleet::ResetBoard(size_t index) {
  Post([this, index] {
    if (index >= boards_.size()) return;
    Board& board = boards_[index];
    board.modem.responder->Reset();
    Queue(board.at, board.at.responder->Reset());
  });
}

void SimFleet::Queue(Port& port, absl::string_view bytes) {
  if (port.output.size() + bytes.size() > kMaxPendingOutput) return;  // nobody reads: drop
  port.output.append(bytes.data(), bytes.size());
  Flush(port);
}

void SimFleet::Flush(Port& port) {
  while (!port.output.empty()) {
    ssize_t n = ::write(port.pty->master_fd(), port.output.data(), port.output.size());
    if (n <= 0) return;  // EAGAIN: the rest goes when POLLOUT says so
    port.output.erase(0, static_cast<size_t>(n));
  }
}

void SimFleet::OnReadable(Port& port) {
  char buffer[1024];
  while (true) {
    ssize_t n = ::read(port.pty->master_fd(), buffer, sizeof(buffer));
    if (n <= 0) return;
    for (ssize_t i = 0; i < n; ++i) {
      char c = buffer[i];
      if (port.responder->echo()) Queue(port, absl::string_view(&c, 1));
      if (c == '\r') {
        std::string line;
        line.swap(port.input);
        ++commands_handled_;
        Queue(port, port.responder->HandleLine(line));
      } else if (c != '\n' && port.input.size() < kMaxInputLine) {
        port.input.push_back(c);
      }
    }
  }
}

void SimFleet::Run() {
  absl::Time next_tick = absl::Now() + options_.tick;
  std::vector<pollfd> fds;
  while (!stop_) {
    RunTasks();
    fds.clear();
    fds.push_back({wake_fd_, POLLIN, 0});
    for (Board& board : boards_) {
      for (Port* port : {&board.at, &board.modem}) {
        short events = POLLIN;
        if (!port->output.empty()) events |= POLLOUT;
        fds.push_back({port->pty->master_fd(), events, 0});
      }
    }
    int timeout_ms =
        static_cast<int>(std::max<int64_t>(0, absl::ToInt64Milliseconds(next_tick - absl::Now())));
    int rc = ::poll(fds.data(), fds.size(), timeout_ms);
    if (rc < 0 && errno != EINTR) {
      spdlog::error("simulator poll: {}", std::strerror(errno));
      return;
    }
    if (fds[0].revents & POLLIN) {
      uint64_t count;
      [[maybe_unused]] ssize_t n = ::read(wake_fd_, &count, sizeof(count));
    }
    size_t index = 1;
    for (Board& board : boards_) {
      for (Port* port : {&board.at, &board.modem}) {
        const pollfd& pfd = fds[index++];
        if (pfd.revents & POLLIN) OnReadable(*port);
        if (pfd.revents & POLLOUT) Flush(*port);
      }
    }
    if (absl::Now() >= next_tick) {
      next_tick += options_.tick;
      for (Board& board : boards_) {
        board.radio->Step();
        std::string urcs = board.at.responder->TakeUrcs();
        if (!urcs.empty()) Queue(board.at, urcs);
      }
    }
  }
}

}  // namespace cellfleet::modem::sim
