// The AT command channel: the single owner of one AT port.
//
// One I/O thread reads the port, frames lines and runs one command at a time from a
// queue. Lines that belong to the command in flight (by its prefixes) form its reply;
// unsolicited result codes go to URC handlers, mid-command or not. After a timeout the
// channel resynchronises with bare "AT" before the next command. When the device
// vanishes, every pending command fails with UNAVAILABLE and the channel stays closed;
// its owner opens a new one.
#ifndef CELLFLEET_MODEM_AT_CHANNEL_H_
#define CELLFLEET_MODEM_AT_CHANNEL_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "base/callback_list.h"
#include "modem/at_command.h"
#include "modem/line_framer.h"
#include "modem/serial_port.h"

namespace cellfleet::modem {

struct AtChannelOptions {
  // Added to the manual's maximum response time: USB and scheduling latency.
  absl::Duration timeout_margin = absl::Milliseconds(700);
  size_t max_reply_lines = 256;  // a reply longer than this is cut (and flagged in logs)
  size_t max_queued_commands = 64;
  absl::Duration resync_timeout = absl::Milliseconds(500);
  int resync_attempts = 3;
  size_t max_line_bytes = LineFramer::kDefaultMaxLineBytes;
};

struct AtChannelStats {
  uint64_t commands_sent = 0;
  uint64_t timeouts = 0;
  uint64_t urcs = 0;
  uint64_t discarded_bytes = 0;
  uint64_t resyncs = 0;
};

class AtChannel {
 public:
  using Callback = std::function<void(absl::StatusOr<AtResponse>)>;
  using UrcHandler = std::function<void(absl::string_view line)>;

  explicit AtChannel(std::unique_ptr<SerialPort> port, AtChannelOptions options = {});
  AtChannel(const AtChannel&) = delete;
  AtChannel& operator=(const AtChannel&) = delete;
  // Fails pending commands with CANCELLED and joins the I/O thread.
  ~AtChannel();

  // Ends the channel from any thread without waiting: the command in flight and every
  // queued one fail with CANCELLED at once (a hung modem cannot hold up a shutdown for
  // its commands' minutes-long limits), and later ones are refused.
  void Close();

  // Queues `command`; `done` runs on the I/O thread and must not block.
  // Transport failures are errors (DEADLINE_EXCEEDED, UNAVAILABLE, RESOURCE_EXHAUSTED);
  // a modem-level ERROR / +CME ERROR is a successful exchange: see AtResponse::final.
  void Submit(AtCommand command, Callback done);
  // Submits and waits. Blocks the calling thread; never call it from a handler or callback.
  absl::StatusOr<AtResponse> Execute(AtCommand command);
  // Submits all at once and waits for the last: the I/O thread sends each as soon as the
  // one before is answered, and the caller wakes once. Results in the commands' order.
  std::vector<absl::StatusOr<AtResponse>> ExecuteAll(std::vector<AtCommand> commands);

  // Handlers run on the I/O thread, in registration order, and must not block.
  int AddUrcHandler(UrcHandler handler);
  // Waits for a handler running on the I/O thread: once this returns, the handler's
  // captures may be destroyed.
  void RemoveUrcHandler(int id);

  // OK while the port is usable; the error that closed it otherwise.
  absl::Status health() const;
  const std::string& port_name() const { return port_name_; }
  AtChannelStats stats() const;

 private:
  struct Pending {
    AtCommand command;
    Callback done;
    bool resync = false;
    absl::Time started;
    absl::Time deadline;
    std::vector<std::string> lines;
    bool saw_information = false;
  };

  void Run();
  void StartNext();
  // Reads and handles whatever the port has now, without waiting.
  void ReadAvailable();
  void HandleLine(absl::string_view line);
  void CompleteCurrent(absl::StatusOr<AtResponse> result);
  void OnTimeout();
  void CloseWith(absl::Status status);
  void DispatchUrc(absl::string_view line);
  void Wake();

  std::unique_ptr<SerialPort> port_;
  const std::string port_name_;
  const AtChannelOptions options_;
  int wake_fd_ = -1;
  LineFramer framer_;  // I/O thread only

  // I/O thread only.
  std::optional<Pending> current_;
  bool needs_resync_ = false;
  int resync_failures_ = 0;

  mutable absl::Mutex mu_;
  std::deque<Pending> queue_ ABSL_GUARDED_BY(mu_);
  absl::Status health_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  base::CallbackList<absl::string_view> urc_handlers_;

  std::atomic<uint64_t> commands_sent_{0};
  std::atomic<uint64_t> timeouts_{0};
  std::atomic<uint64_t> urcs_{0};
  std::atomic<uint64_t> resyncs_{0};
  std::atomic<uint64_t> discarded_bytes_{0};

  std::thread thread_;  // last: starts after everything above is built
};

}  // namespace cellfleet::modem

#endif  // CELLFLEET_MODEM_AT_CHANNEL_H_
