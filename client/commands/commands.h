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

// Exit 1 when a board did not answer or has a failing check; warnings alone exit 0.
int RunDiagnose(const std::vector<Board>& boards, const FanOutOptions& options, bool all_checks,
                CommandEnv& env);

int RunDecode(CommandEnv& env);

// The connection config (client/rollout.h for how apply proceeds).
int RunConfigGet(const std::vector<Board>& boards, const FanOutOptions& options,
                 bool include_previous, CommandEnv& env);
int RunConfigDiff(const std::vector<Board>& boards, const FanOutOptions& options,
                  const v1::ApplyConfigRequest& change, CommandEnv& env);
struct ApplyOptions {
  v1::ApplyConfigRequest change;  // with confirm_within for a commit-confirmed push
  int canary = 0;
  bool manual_confirm = false;  // leave the confirm to `cellfleet config confirm`
  bool progress = false;        // a line per board and step on stderr
};
int RunConfigApply(const std::vector<Board>& boards, const FanOutOptions& options,
                   const ApplyOptions& apply, CommandEnv& env);
// version 0: whichever version each board has pending.
int RunConfigConfirm(const std::vector<Board>& boards, const FanOutOptions& options,
                     uint64_t version, CommandEnv& env);

}  // namespace cellfleet::client

#endif  // CELLFLEET_CLIENT_COMMANDS_COMMANDS_H_
