// The CLI's subcommands; each lives in its own file.
#ifndef CELLFLEET_CLIENT_COMMANDS_COMMANDS_H_
#define CELLFLEET_CLIENT_COMMANDS_COMMANDS_H_

#include <iosfwd>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "client/board.h"
#include "client/cli.h"
#include "client/fanout.h"
#include "client/output.h"

namespace cellfleet::client {

struct CommandEnv {
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
  const CancelSignal& cancel;
  OutputFormat format = OutputFormat::kTable;
};

int RunStatus(const std::vector<Board>& boards, const FanOutOptions& options, CommandEnv& env);

struct WatchOptions {
  absl::Duration interval = absl::Seconds(2);
  bool on_change = false;
  std::vector<std::string> deadbands;  // "rsrp=3"
  std::vector<std::string> fields;     // field mask paths
  absl::Duration heartbeat = absl::ZeroDuration();
  int count = 0;  // updates per board, then stop; 0 = until cancelled
  absl::Duration duration = absl::ZeroDuration();  // 0 = until cancelled
};

int RunWatch(const std::vector<Board>& boards, const FanOutOptions& options,
             const WatchOptions& watch, CommandEnv& env);

struct HistoryOptions {
  absl::Duration since = absl::Hours(24);
  bool events_only = false;
  int max_entries = 1000;
};

int RunHistory(const std::vector<Board>& boards, const FanOutOptions& options,
               const HistoryOptions& history, CommandEnv& env);

// The PPP link; the per-board deadline bounds how long a dial may take.
int RunDial(const std::vector<Board>& boards, const FanOutOptions& options, CommandEnv& env);
int RunHangUp(const std::vector<Board>& boards, const FanOutOptions& options, CommandEnv& env);

int RunDecode(CommandEnv& env);

}  // namespace cellfleet::client

#endif  // CELLFLEET_CLIENT_COMMANDS_COMMANDS_H_
