// The live fleet table of `cellfleet watch` on a terminal: one row per board with its
// latest update, a summary of the fleet, sorted by a chosen column. When the fleet is
// taller than the terminal, the boards that need attention come first and the rest are
// counted. Pure: it renders lines for a given size and time, so it is tested as such;
// client/terminal_screen draws them.
#ifndef CELLFLEET_CLIENT_FLEET_TABLE_H_
#define CELLFLEET_CLIENT_FLEET_TABLE_H_

#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "cellfleet/v1/modem_status.pb.h"

namespace cellfleet::client {

enum class SortKey { kRsrp, kState, kName };

// "rsrp" (worst first), "state" (worst first), "name"; INVALID_ARGUMENT otherwise.
absl::StatusOr<SortKey> ParseSortKey(const std::string& text);

class FleetTable {
 public:
  explicit FleetTable(std::vector<std::string> names);

  void Update(size_t board, const v1::ModemStatus& status, absl::Time at);
  // "Nothing changed" from the board at `at`: its row keeps its status, newly dated.
  void Heartbeat(size_t board, absl::Time at);
  // The board's stream failed (or was refused): shown until its next update.
  void Problem(size_t board, std::string text, absl::Time at);

  // At most `height` lines, each at most `width` characters: the summary, the header,
  // then rows.
  std::vector<std::string> Render(size_t width, size_t height, SortKey sort, absl::Time now);

 private:
  struct Row {
    std::string name;
    std::optional<v1::ModemStatus> status;
    absl::Time updated = absl::InfinitePast();
    std::string problem;
  };
  // No answer, the modem or its registration not well, the link failed, or a weak signal
  // (RSRP below -110 dBm).
  static bool NeedsAttention(const Row& row);
  // Its stream is up and it has sent a sample: its cells are shown.
  static bool Answering(const Row& row);
  std::string Summary(absl::Time now);

  std::vector<Row> rows_;
  std::deque<absl::Time> recent_updates_;  // the last 10 s, for updates per second
};

}  // namespace cellfleet::client

#endif  // CELLFLEET_CLIENT_FLEET_TABLE_H_
