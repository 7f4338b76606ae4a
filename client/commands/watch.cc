// `cellfleet watch`: one WatchStatus stream per board (fleet/fleet_watch.h), printed as
// updates arrive: a live table on a terminal, lines elsewhere.
#include <memory>
#include <ostream>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "client/commands/command.h"
#include "client/fleet_table.h"
#include "client/status_cells.h"
#include "client/terminal_screen.h"
#include "fleet/fleet_watch.h"
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

// Plain lines (or JSON lines), one per update: for pipes, files and --output json.
class LinePrinter : public fleet::UpdateSink {
 public:
  explicit LinePrinter(CommandEnv& env) : env_(env) {}

  void Update(size_t /*index*/, const fleet::Board& board,
              const v1::StatusUpdate& update) override {
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
    std::string kind = fleet::ShortEnumName(v1::UpdateKind_Name(update.kind()), "UPDATE_KIND_");
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

  void StreamEnded(size_t /*index*/, const fleet::Board& board, const grpc::Status& status,
                   absl::Duration retry_in) override {
    const std::string text = fleet::StreamEndedText(status, retry_in);
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
class LiveTable : public fleet::UpdateSink {
 public:
  LiveTable(const std::vector<fleet::Board>& boards, SortKey sort,
            std::unique_ptr<TerminalScreen> screen, const base::Clock& clock)
      : table_(Names(boards)), sort_(sort), screen_(std::move(screen)), clock_(clock) {}

  void Update(size_t index, const fleet::Board& /*board*/,
              const v1::StatusUpdate& update) override {
    absl::MutexLock lock(&mu_);
    if (update.kind() == v1::UPDATE_KIND_HEARTBEAT) {
      table_.Heartbeat(index, clock_.Now());
    } else {
      table_.Update(index, update.status(), clock_.Now());
    }
    dirty_ = true;
  }
  void StreamEnded(size_t index, const fleet::Board& /*board*/, const grpc::Status& status,
                   absl::Duration retry_in) override {
    const std::string text = fleet::StreamEndedText(status, retry_in);
    absl::MutexLock lock(&mu_);
    table_.Problem(index, text, clock_.Now());
    dirty_ = true;
  }
  bool Tick() override {
    const bool quit = screen_->QuitRequested();
    const absl::Time now = clock_.Now();
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
  static std::vector<std::string> Names(const std::vector<fleet::Board>& boards) {
    std::vector<std::string> names;
    for (const fleet::Board& board : boards) names.push_back(board.name);
    return names;
  }

  absl::Mutex mu_;
  FleetTable table_ ABSL_GUARDED_BY(mu_);
  bool dirty_ ABSL_GUARDED_BY(mu_) = true;
  absl::Time drawn_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  const SortKey sort_;
  const std::unique_ptr<TerminalScreen> screen_;  // the watch's own thread only
  const base::Clock& clock_;
};

absl::StatusOr<v1::WatchStatusRequest> BuildRequest(const WatchOptions& watch) {
  v1::WatchStatusRequest request;
  *request.mutable_sample_interval() = ToProtoDuration(watch.interval);
  request.set_on_change(watch.on_change);
  if (watch.heartbeat > absl::ZeroDuration()) {
    *request.mutable_heartbeat_interval() = ToProtoDuration(watch.heartbeat);
  }
  for (const std::string& spec : watch.deadbands) {
    if (absl::Status added = fleet::AddDeadband(spec, *request.mutable_deadbands()); !added.ok()) {
      return added;
    }
  }
  for (const std::string& field : watch.fields) request.mutable_field_mask()->add_paths(field);
  return request;
}

int Watch(const std::vector<fleet::Board>& boards, const WatchOptions& watch, CommandEnv& env) {
  absl::StatusOr<v1::WatchStatusRequest> request = BuildRequest(watch);
  if (!request.ok()) return UsageError(env, request.status());
  absl::StatusOr<SortKey> sort = ParseSortKey(watch.sort);
  if (!sort.ok()) return UsageError(env, sort.status());
  // A person at a terminal gets the live table; pipes, files and JSON get lines.
  std::unique_ptr<fleet::UpdateSink> sink;
  if (env.format == OutputFormat::kTable && env.terminal_width > 0 && !watch.lines) {
    absl::StatusOr<std::unique_ptr<TerminalScreen>> screen = TerminalScreen::Open();
    if (screen.ok())
      sink = std::make_unique<LiveTable>(boards, *sort, std::move(*screen), *env.clock);
  }
  if (sink == nullptr) sink = std::make_unique<LinePrinter>(env);
  fleet::FleetWatchOptions options;
  options.request = *request;
  options.channel = env.fanout.channel;
  options.count = watch.count;
  if (watch.duration > absl::ZeroDuration()) options.end = env.clock->Now() + watch.duration;
  const std::vector<int> received = fleet::RunFleetWatch(boards, options, *sink, env.cancel);
  sink.reset();  // the terminal back as it was before the summary is printed
  int silent = 0;
  for (int count : received) {
    if (count == 0) ++silent;
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
  int RunOnBoards(const std::vector<fleet::Board>& boards, CommandEnv& env) override {
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
