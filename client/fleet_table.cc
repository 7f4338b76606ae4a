#include "client/fleet_table.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "client/status_cells.h"
#include "client/table.h"
#include "fleet/error_text.h"

namespace cellfleet::client {
namespace {

constexpr absl::Duration kRateWindow = absl::Seconds(10);
constexpr int kWeakRsrpDbm = -110;  // diagnose's own "poor" band starts here

std::optional<int> RsrpOf(const v1::ModemStatus& s) {
  const v1::ServingCell& cell = s.serving_cell();
  if (cell.has_lte() && cell.lte().has_rsrp_dbm()) return cell.lte().rsrp_dbm();
  if (cell.has_en_dc() && cell.en_dc().lte().has_rsrp_dbm()) return cell.en_dc().lte().rsrp_dbm();
  if (cell.has_nr5g_sa() && cell.nr5g_sa().has_rsrp_dbm()) return cell.nr5g_sa().rsrp_dbm();
  return std::nullopt;
}

bool Registered(const v1::ModemStatus& s) {
  const v1::RegistrationState state =
      s.has_eps_registration() ? s.eps_registration().state() : s.cs_registration().state();
  return state == v1::REGISTRATION_STATE_HOME || state == v1::REGISTRATION_STATE_ROAMING;
}

std::string Age(absl::Duration age) {
  if (age < absl::ZeroDuration()) return "0s";
  if (age < absl::Minutes(2)) return absl::StrCat(absl::ToInt64Seconds(age), "s");
  if (age < absl::Hours(2)) return absl::StrCat(absl::ToInt64Minutes(age), "m");
  return absl::StrCat(absl::ToInt64Hours(age), "h");
}

}  // namespace

absl::StatusOr<SortKey> ParseSortKey(const std::string& text) {
  if (text == "rsrp") return SortKey::kRsrp;
  if (text == "state") return SortKey::kState;
  if (text == "name") return SortKey::kName;
  return absl::InvalidArgumentError(
      absl::StrCat("--sort must be rsrp, state or name, not \"", text, "\""));
}

FleetTable::FleetTable(std::vector<std::string> names) {
  rows_.resize(names.size());
  for (size_t i = 0; i < names.size(); ++i) rows_[i].name = std::move(names[i]);
}

void FleetTable::Update(size_t board, const v1::ModemStatus& status, absl::Time at) {
  Row& row = rows_.at(board);
  row.status = status;
  row.updated = at;
  row.problem.clear();
  recent_updates_.push_back(at);
}

void FleetTable::Heartbeat(size_t board, absl::Time at) {
  Row& row = rows_.at(board);
  row.updated = at;
  row.problem.clear();
  recent_updates_.push_back(at);
}

void FleetTable::Problem(size_t board, std::string text, absl::Time at) {
  Row& row = rows_.at(board);
  row.problem = std::move(text);
  if (!row.status) row.updated = at;
}

bool FleetTable::Answering(const Row& row) {
  // A stream that ended makes the last sample stale at once: a killed agent's row must not
  // go on showing READY until a reconnect fails.
  return row.status && row.problem.empty();
}

bool FleetTable::NeedsAttention(const Row& row) {
  if (!row.problem.empty() || !row.status) return true;
  const v1::ModemStatus& s = *row.status;
  if (s.modem_state() != v1::MODEM_STATE_READY || !Registered(s)) return true;
  // A SIM that is missing, locked or failed: the modem may still report a registration
  // (emergency camping, a stale one), but the board carries no data.
  if (s.sim_state() != v1::SIM_STATE_READY && s.sim_state() != v1::SIM_STATE_UNSPECIFIED) {
    return true;
  }
  if (s.connection().state() == v1::CONNECTION_STATE_FAILED) return true;
  std::optional<int> rsrp = RsrpOf(s);
  return rsrp && *rsrp < kWeakRsrpDbm;
}

std::string FleetTable::Summary(absl::Time now) {
  while (!recent_updates_.empty() && now - recent_updates_.front() > kRateWindow) {
    recent_updates_.pop_front();
  }
  std::map<std::string, int> by_state;
  int link_up = 0, link_down = 0, attention = 0;
  absl::Time oldest = absl::InfiniteFuture();
  for (const Row& row : rows_) {
    if (NeedsAttention(row)) ++attention;
    if (!Answering(row)) {
      ++by_state[row.problem.empty() ? "waiting" : "no answer"];
      continue;
    }
    ++by_state[fleet::ShortEnumName(v1::ModemState_Name(row.status->modem_state()),
                                    "MODEM_STATE_")];
    (row.status->connection().state() == v1::CONNECTION_STATE_CONNECTED ? link_up : link_down)++;
    oldest = std::min(oldest, row.updated);
  }
  std::vector<std::string> states;
  for (const auto& [state, count] : by_state) states.push_back(absl::StrCat(state, " ", count));
  return absl::StrCat(rows_.size(), " boards: ", absl::StrJoin(states, ", "), " | link up ",
                      link_up, ", down ", link_down, " | ", attention, " need attention | ",
                      absl::StrFormat("%.1f", static_cast<double>(recent_updates_.size()) /
                                                  absl::ToDoubleSeconds(kRateWindow)),
                      " updates/s | oldest update ",
                      oldest == absl::InfiniteFuture() ? "-" : Age(now - oldest) + " ago");
}

std::vector<std::string> FleetTable::Render(size_t width, size_t height, SortKey sort,
                                            absl::Time now) {
  std::vector<const Row*> order;
  for (const Row& row : rows_) order.push_back(&row);
  auto worse = [sort](const Row* a, const Row* b) {
    switch (sort) {
      case SortKey::kRsrp: {  // worst first; no reading is worse than any
        const int ra = a->status ? RsrpOf(*a->status).value_or(-1000) : -1000;
        const int rb = b->status ? RsrpOf(*b->status).value_or(-1000) : -1000;
        if (ra != rb) return ra < rb;
        break;
      }
      case SortKey::kState: {  // the ones that need attention first
        const bool ta = NeedsAttention(*a), tb = NeedsAttention(*b);
        if (ta != tb) return ta;
        const int sa = a->status ? a->status->modem_state() : -1;
        const int sb = b->status ? b->status->modem_state() : -1;
        if (sa != sb) return sa < sb;
        break;
      }
      case SortKey::kName:
        break;
    }
    return a->name < b->name;
  };
  std::stable_sort(order.begin(), order.end(), worse);
  const size_t room = height > 3 ? height - 3 : 0;  // summary, header, "more" line
  if (order.size() > room + 1) {
    // Taller than the terminal: attention first, then the rest, each in sort order.
    std::stable_partition(order.begin(), order.end(),
                          [](const Row* row) { return NeedsAttention(*row); });
  }
  std::vector<std::string> header_cells = {"BOARD"};
  for (std::string& cell : StatusSummaryHeader()) header_cells.push_back(std::move(cell));
  header_cells.insert(header_cells.end() - 1, "AGE");
  std::vector<std::vector<std::string>> cells;
  const size_t shown = order.size() <= room + 1 ? order.size() : room;
  for (size_t i = 0; i < shown; ++i) {
    const Row& row = *order[i];
    std::vector<std::string> line = {row.name};
    if (Answering(row)) {
      for (std::string& cell : StatusSummaryCells(*row.status)) line.push_back(std::move(cell));
    } else {
      line.push_back(row.problem.empty() ? "WAITING" : "UNREACHABLE");
      while (line.size() < header_cells.size() - 2) line.push_back("-");
      line.push_back("");
    }
    line.insert(line.end() - 1, row.updated == absl::InfinitePast() ? "-" : Age(now - row.updated));
    if (!row.problem.empty()) line.back() = row.problem;
    cells.push_back(std::move(line));
  }
  std::vector<std::string> lines = {Summary(now)};
  for (absl::string_view line : absl::StrSplit(RenderTable(header_cells, cells, width), '\n')) {
    if (!line.empty()) lines.emplace_back(line);
  }
  if (shown < order.size()) {
    size_t attention = 0;
    for (size_t i = shown; i < order.size(); ++i) attention += NeedsAttention(*order[i]) ? 1 : 0;
    lines.push_back(absl::StrCat("... and ", order.size() - shown, " more boards (", attention,
                                 " of them need attention)"));
  }
  for (std::string& line : lines) {
    if (line.size() > width) line.resize(width);
  }
  if (lines.size() > height) lines.resize(height);
  return lines;
}

}  // namespace cellfleet::client
