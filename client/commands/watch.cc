// `cellfleet watch`: one WatchStatus stream per board, printed as updates arrive.
// A stream that fails is retried with backoff until the watch ends.
#include <memory>
#include <ostream>

#include "CLI/CLI.hpp"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "client/commands/command.h"
#include "client/fleet_table.h"
#include "client/retry_policy.h"
#include "client/status_cells.h"
#include "client/terminal_screen.h"
#include "proto/time_convert.h"

namespace cellfleet::client {
namespace {

struct WatchOptions {
  absl::Duration interval = absl::Seconds(2);
  bool on_change = false;
  std::vector<std::string> deadbands;  // "rsrp=3"
  std::vector<std::string> fields;     // field mask paths
  absl::Duration heartbeat = absl::ZeroDuration();
  int count = 0;  // updates per board, then stop; 0 = until cancelled
  absl::Duration duration = absl::ZeroDuration();  // 0 = until cancelled
  std::string sort = "state";                      // the live table's order
  bool lines = false;                              // plain lines even on a terminal
};

// Where updates go; called from many streams' threads.
class UpdateSink {
 public:
  virtual ~UpdateSink() = default;
  virtual void Update(size_t index, const Board& board, const v1::StatusUpdate& update) = 0;
  virtual void Problem(size_t index, const Board& board, const std::string& text) = 0;
  // On the watch's own thread, about ten times a second; true when the user quit.
  virtual bool Tick() { return false; }
};

// Plain lines (or JSON lines), one per update: for pipes, files and --output json.
class LinePrinter : public UpdateSink {
 public:
  explicit LinePrinter(CommandEnv& env) : env_(env) {}

  void Update(size_t /*index*/, const Board& board, const v1::StatusUpdate& update) override {
    absl::MutexLock lock(&mu_);
    if (env_.format == OutputFormat::kJson) {
      nlohmann::json line = {
          {"board", board.name}, {"address", board.address}, {"update", ProtoToJson(update)}};
      env_.out << line.dump() << "\n";
      env_.out.flush();
      return;
    }
    if (!header_printed_) {
      env_.out << absl::StrFormat("%-8s  %-16s  %-9s", "TIME", "BOARD", "KIND");
      WriteCells(StatusSummaryHeader());
      header_printed_ = true;
    }
    const absl::Time sent = FromProtoTime(update.sent_at());
    std::string kind = ShortEnumName(v1::UpdateKind_Name(update.kind()), "UPDATE_KIND_");
    if (update.missed_samples() > 0) absl::StrAppend(&kind, "+", update.missed_samples());
    env_.out << absl::StrFormat("%-8s  %-16s  %-9s",
                                absl::FormatTime("%H:%M:%S", sent, absl::LocalTimeZone()),
                                board.name, kind);
    if (update.kind() == v1::UPDATE_KIND_HEARTBEAT) {
      env_.out << "  (no change)\n";
    } else {
      WriteCells(StatusSummaryCells(update.status()));
    }
    env_.out.flush();
  }

  void Problem(size_t /*index*/, const Board& board, const std::string& text) override {
    absl::MutexLock lock(&mu_);
    if (env_.cancel.HasBeenNotified()) return;  // the user stopped the watch: no noise
    if (env_.format == OutputFormat::kJson) {
      nlohmann::json line = {{"board", board.name}, {"address", board.address}, {"error", text}};
      env_.out << line.dump() << "\n";
      env_.out.flush();
    } else {
      env_.err << board.name << ": " << text << "\n";
    }
  }

 private:
  void WriteCells(const std::vector<std::string>& cells) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    const std::vector<int> widths = StatusSummaryWidths();
    for (size_t i = 0; i < cells.size(); ++i) {
      env_.out << "  "
               << (i + 1 < cells.size() ? absl::StrFormat("%-*s", widths[i], cells[i]) : cells[i]);
    }
    env_.out << "\n";
  }

  CommandEnv& env_;
  absl::Mutex mu_;
  bool header_printed_ = false;
};

// The fleet as a table redrawn in place on the terminal (client/fleet_table.h).
class LiveTable : public UpdateSink {
 public:
  LiveTable(const std::vector<Board>& boards, SortKey sort, std::unique_ptr<TerminalScreen> screen)
      : table_(Names(boards)), sort_(sort), screen_(std::move(screen)) {}

  void Update(size_t index, const Board& /*board*/, const v1::StatusUpdate& update) override {
    absl::MutexLock lock(&mu_);
    if (update.kind() == v1::UPDATE_KIND_HEARTBEAT) {
      table_.Heartbeat(index, absl::Now());
    } else {
      table_.Update(index, update.status(), absl::Now());
    }
    dirty_ = true;
  }
  void Problem(size_t index, const Board& /*board*/, const std::string& text) override {
    absl::MutexLock lock(&mu_);
    table_.Problem(index, text, absl::Now());
    dirty_ = true;
  }
  bool Tick() override {
    const bool quit = screen_->QuitRequested();
    const absl::Time now = absl::Now();
    std::vector<std::string> lines;
    {
      absl::MutexLock lock(&mu_);
      // Changes at most 4 times a second; the ages once a second.
      if (!(dirty_ && now - drawn_ >= absl::Milliseconds(250)) && now - drawn_ < absl::Seconds(1))
        return quit;
      lines = table_.Render(screen_->width(), screen_->height(), sort_, now);
      dirty_ = false;
      drawn_ = now;
    }
    screen_->Draw(lines);  // outside the lock: the terminal may be slow
    return quit;
  }

 private:
  static std::vector<std::string> Names(const std::vector<Board>& boards) {
    std::vector<std::string> names;
    for (const Board& board : boards) names.push_back(board.name);
    return names;
  }

  absl::Mutex mu_;
  FleetTable table_ ABSL_GUARDED_BY(mu_);
  bool dirty_ ABSL_GUARDED_BY(mu_) = true;
  absl::Time drawn_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  const SortKey sort_;
  const std::unique_ptr<TerminalScreen> screen_;  // the watch's own thread only
};

struct BoardState {
  size_t index = 0;
  Board board;
  int received = 0;
  bool active = false;
  bool given_up = false;  // the agent refused in a way asking again cannot change
  absl::Time retry_at = absl::InfinitePast();
  Backoff backoff;
  std::unique_ptr<v1::ModemAgent::Stub> stub;
};

class Stream : public grpc::ClientReadReactor<v1::StatusUpdate> {
 public:
  Stream(BoardState* state, const v1::WatchStatusRequest& request, int count, UpdateSink* printer,
         absl::Mutex* mu, absl::CondVar* changed)
      : state_(state),
        request_(request),
        count_(count),
        printer_(printer),
        mu_(mu),
        changed_(changed) {}

  void Start() {
    state_->stub->async()->WatchStatus(&context_, &request_, this);
    StartRead(&update_);
    StartCall();
  }
  void Cancel() {
    {
      absl::MutexLock lock(mu_);
      cancelled_ = true;
    }
    context_.TryCancel();
  }

  void OnReadDone(bool ok) override {
    if (!ok) return;  // OnDone follows with the status
    printer_->Update(state_->index, state_->board, update_);
    bool enough;
    {
      absl::MutexLock lock(mu_);
      ++state_->received;
      state_->backoff.Reset();  // healthy again
      enough = count_ > 0 && state_->received >= count_;
    }
    if (enough) {
      Cancel();
      return;
    }
    StartRead(&update_);
  }

  void OnDone(const grpc::Status& status) override {
    std::string problem;
    {
      absl::MutexLock lock(mu_);
      const bool finished = count_ > 0 && state_->received >= count_;
      const bool ours = status.error_code() == grpc::StatusCode::CANCELLED && cancelled_;
      if (!finished && !ours) {
        if (Retryable(status.error_code())) {
          const absl::Duration wait = state_->backoff.Next();
          state_->retry_at = absl::Now() + wait;
          problem =
              absl::StrCat("stream ended: ", ErrorText(status), " (retrying in ",
                           absl::FormatDuration(absl::Trunc(wait, absl::Milliseconds(100))), ")");
        } else {
          state_->given_up = true;
          problem = absl::StrCat("stream ended: ", ErrorText(status),
                                 " (not retried: asking again cannot change this)");
        }
      }
    }
    // Outside the watch's lock; before done_, which lets the watch end and free the sink.
    if (!problem.empty()) printer_->Problem(state_->index, state_->board, problem);
    absl::MutexLock lock(mu_);
    state_->active = false;
    done_ = true;
    changed_->SignalAll();
  }

  bool done() const { return done_; }

 private:
  BoardState* state_;
  v1::WatchStatusRequest request_;
  int count_;
  UpdateSink* printer_;
  absl::Mutex* mu_;
  absl::CondVar* changed_;
  grpc::ClientContext context_;
  v1::StatusUpdate update_;
  bool done_ = false;       // guarded by *mu_
  bool cancelled_ = false;  // by us (the watch ends); guarded by *mu_
};

absl::StatusOr<v1::WatchStatusRequest> BuildRequest(const WatchOptions& watch) {
  v1::WatchStatusRequest request;
  *request.mutable_sample_interval() = ToProtoDuration(watch.interval);
  request.set_on_change(watch.on_change);
  if (watch.heartbeat > absl::ZeroDuration()) {
    *request.mutable_heartbeat_interval() = ToProtoDuration(watch.heartbeat);
  }
  for (const std::string& spec : watch.deadbands) {
    std::vector<std::string> parts = absl::StrSplit(spec, absl::MaxSplits('=', 1));
    uint32_t value = 0;
    if (parts.size() != 2 || !absl::SimpleAtoi(parts[1], &value)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--deadband \"", spec, "\": expected metric=dB, e.g. rsrp=3"));
    }
    v1::Deadbands* d = request.mutable_deadbands();
    if (parts[0] == "rsrp")
      d->set_rsrp_db(value);
    else if (parts[0] == "rsrq")
      d->set_rsrq_db(value);
    else if (parts[0] == "sinr")
      d->set_sinr_db(value);
    else if (parts[0] == "rssi")
      d->set_rssi_db(value);
    else
      return absl::InvalidArgumentError(
          absl::StrCat("--deadband: unknown metric \"", parts[0], "\" (rsrp, rsrq, sinr, rssi)"));
  }
  for (const std::string& field : watch.fields) request.mutable_field_mask()->add_paths(field);
  return request;
}

int Watch(const std::vector<Board>& boards, const WatchOptions& watch, CommandEnv& env) {
  absl::StatusOr<v1::WatchStatusRequest> request = BuildRequest(watch);
  if (!request.ok()) return UsageError(env, request.status());
  absl::StatusOr<SortKey> sort = ParseSortKey(watch.sort);
  if (!sort.ok()) return UsageError(env, sort.status());
  // A person at a terminal gets the live table; pipes, files and JSON get lines.
  std::unique_ptr<UpdateSink> sink;
  if (env.format == OutputFormat::kTable && env.terminal_width > 0 && !watch.lines) {
    absl::StatusOr<std::unique_ptr<TerminalScreen>> screen = TerminalScreen::Open();
    if (screen.ok()) sink = std::make_unique<LiveTable>(boards, *sort, std::move(*screen));
  }
  if (sink == nullptr) sink = std::make_unique<LinePrinter>(env);
  UpdateSink& printer = *sink;
  absl::Mutex mu;
  absl::CondVar changed;
  std::vector<std::unique_ptr<BoardState>> states;
  for (const Board& board : boards) {
    auto state = std::make_unique<BoardState>();
    state->index = states.size();
    state->board = board;
    state->stub = v1::ModemAgent::NewStub(MakeChannel(board.address, env.fanout.channel));
    states.push_back(std::move(state));
  }
  std::vector<std::unique_ptr<Stream>> streams;  // kept until the end: reactors must outlive OnDone
  const absl::Time end =
      watch.duration > absl::ZeroDuration() ? absl::Now() + watch.duration : absl::InfiniteFuture();

  absl::MutexLock lock(&mu);
  while (true) {
    const bool stopping = env.cancel.HasBeenNotified() || absl::Now() >= end;
    bool all_finished = true;
    for (auto& state : states) {
      const bool finished = state->given_up || (watch.count > 0 && state->received >= watch.count);
      if (!finished) all_finished = false;
      if (!stopping && !finished && !state->active && absl::Now() >= state->retry_at) {
        state->active = true;
        streams.push_back(
            std::make_unique<Stream>(state.get(), *request, watch.count, &printer, &mu, &changed));
        Stream* stream = streams.back().get();
        mu.Unlock();
        stream->Start();
        mu.Lock();
      }
    }
    if (stopping || all_finished) break;
    // Wake at least every 100 ms to notice the cancel signal, due retries and keys.
    changed.WaitWithTimeout(&mu, absl::Milliseconds(100));
    mu.Unlock();
    const bool quit = printer.Tick();
    mu.Lock();
    if (quit) break;
  }
  // End every stream and wait for its OnDone (bounded: cancellation is local).
  for (auto& stream : streams) {
    if (!stream->done()) {
      mu.Unlock();
      stream->Cancel();
      mu.Lock();
    }
  }
  for (auto& stream : streams) {
    while (!stream->done()) changed.WaitWithTimeout(&mu, absl::Milliseconds(100));
  }
  sink.reset();  // the terminal back as it was before the summary is printed
  int silent = 0;
  for (auto& state : states) {
    if (state->received == 0) ++silent;
  }
  if (silent > 0 && env.format == OutputFormat::kTable) {
    env.err << silent << " of " << boards.size() << " boards sent no update\n";
  }
  return silent == 0 ? kExitOk : kExitFailed;
}

class WatchCommand : public FleetCommand {
 public:
  CLI::App* Register(CLI::App& root) override {
    CLI::App* command =
        root.add_subcommand("watch", "Stream live signal and status from each board");
    AddBoardOptions(command);
    command->add_option("--interval", interval_seconds_, "Seconds between samples")
        ->check(CLI::Range(0.0, 86400.0));
    command->add_flag("--on-change", watch_.on_change,
                      "Only send changes (see --deadband) and heartbeats");
    command->add_option("--deadband", watch_.deadbands,
                        "metric=dB change needed to report (rsrp, rsrq, sinr, rssi)");
    command
        ->add_option("--heartbeat", heartbeat_seconds_,
                     "With --on-change: seconds between heartbeats")
        ->check(CLI::Range(0.0, 86400.0));
    command->add_option("--fields", watch_.fields,
                        "Only these ModemStatus fields (e.g. serving_cell.lte.rsrp_dbm)");
    command->add_option("--count", watch_.count, "Stop after this many updates per board")
        ->check(CLI::Range(0, 1000000));
    command->add_option("--duration", duration_seconds_, "Stop after this many seconds")
        ->check(CLI::Range(0.0, 31536000.0));
    command->add_option("--sort", watch_.sort,
                        "The live table's order: state (attention first), rsrp (worst first) "
                        "or name");
    command->add_flag("--lines", watch_.lines,
                      "A line per update even on a terminal (the live table otherwise)");
    return command;
  }

 private:
  int RunOnBoards(const std::vector<Board>& boards, CommandEnv& env) override {
    watch_.interval = absl::Seconds(interval_seconds_);
    watch_.heartbeat = absl::Seconds(heartbeat_seconds_);
    watch_.duration = absl::Seconds(duration_seconds_);
    return Watch(boards, watch_, env);
  }

  WatchOptions watch_;
  double interval_seconds_ = 2, heartbeat_seconds_ = 0, duration_seconds_ = 0;
};

}  // namespace

std::unique_ptr<Command> MakeWatchCommand() { return std::make_unique<WatchCommand>(); }

}  // namespace cellfleet::client
