#include "collector/exposition.h"

#include <cmath>
#include <functional>
#include <initializer_list>
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "fleet/error_text.h"
#include "fleet/serving_signal.h"
#include "proto/time_convert.h"

namespace cellfleet::collector {
namespace {

using Labels = std::initializer_list<std::pair<absl::string_view, absl::string_view>>;

std::string FormatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    return absl::StrCat(static_cast<int64_t>(value));
  }
  return absl::StrFormat("%.15g", value);
}

class Writer {
 public:
  void Family(absl::string_view name, absl::string_view type, absl::string_view help) {
    absl::StrAppend(&out_, "# HELP ", name, " ", help, "\n# TYPE ", name, " ", type, "\n");
  }
  void Sample(absl::string_view name, const fleet::Board& board, Labels labels, double value) {
    absl::StrAppend(&out_, name, "{board=\"", EscapeLabelValue(board.name), "\"");
    for (const auto& [key, text] : labels) {
      absl::StrAppend(&out_, ",", key, "=\"", EscapeLabelValue(text), "\"");
    }
    absl::StrAppend(&out_, "} ", FormatValue(value), "\n");
  }
  void Plain(absl::string_view name, double value) {
    absl::StrAppend(&out_, name, " ", FormatValue(value), "\n");
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

std::string Short(const std::string& full, const std::string& prefix) {
  return fleet::ShortEnumName(full, prefix);
}

constexpr v1::ModemState kModemStates[] = {v1::MODEM_STATE_ABSENT, v1::MODEM_STATE_INITIALIZING,
                                           v1::MODEM_STATE_READY, v1::MODEM_STATE_RESETTING,
                                           v1::MODEM_STATE_UNRESPONSIVE};
constexpr v1::ConnectionState kLinkStates[] = {
    v1::CONNECTION_STATE_DISCONNECTED, v1::CONNECTION_STATE_DIALING, v1::CONNECTION_STATE_CONNECTED,
    v1::CONNECTION_STATE_DISCONNECTING, v1::CONNECTION_STATE_FAILED};

bool Registered(const v1::Registration& r) {
  return r.state() == v1::REGISTRATION_STATE_HOME || r.state() == v1::REGISTRATION_STATE_ROAMING;
}

}  // namespace

std::string PrometheusLabelName(absl::string_view key) {
  std::string out;
  for (char c : key) out += absl::ascii_isalnum(c) || c == '_' ? c : '_';
  if (out.empty() || absl::ascii_isdigit(out[0])) out = "_" + out;
  if (out == "board" || out == "address" || absl::StartsWith(out, "__")) {
    out = "inventory_" + out;
  }
  return out;
}

std::string EscapeLabelValue(absl::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string RenderMetrics(const std::vector<BoardSnapshot>& boards, const CollectorStats& stats,
                          bool self, absl::Time now) {
  Writer w;
  // Every board: what the inventory says, and whether its stream is up.
  w.Family("cellfleet_board_info", "gauge",
           "The board as the inventory lists it (value 1): its address and labels; join on "
           "board for them.");
  for (const BoardSnapshot& b : boards) {
    std::string labels = absl::StrCat("board=\"", EscapeLabelValue(b.board.name), "\",address=\"",
                                      EscapeLabelValue(b.board.address), "\"");
    std::string line = "cellfleet_board_info{" + labels;
    for (const auto& [key, value] : b.board.labels) {
      absl::StrAppend(&line, ",", PrometheusLabelName(key), "=\"", EscapeLabelValue(value), "\"");
    }
    w.Plain(line + "}", 1);
  }
  w.Family("cellfleet_board_up", "gauge",
           "1 while the board's status stream is connected and heard from within its "
           "heartbeat bound; 0 otherwise (see cellfleet_board_stream_state for why). The "
           "board's other values are exported only while it is 1.");
  for (const BoardSnapshot& b : boards) w.Sample("cellfleet_board_up", b.board, {}, b.up() ? 1 : 0);
  w.Family("cellfleet_board_stream_state", "gauge",
           "The state of the board's status stream, one series per state, 1 for the current: "
           "connecting, connected, retrying (ended, opened again after a backoff), refused "
           "(ended for good, e.g. PERMISSION_DENIED), silent (no update past the heartbeat "
           "bound).");
  for (const BoardSnapshot& b : boards) {
    for (StreamState state : kAllStreamStates) {
      w.Sample("cellfleet_board_stream_state", b.board, {{"state", StreamStateName(state)}},
               b.stream == state ? 1 : 0);
    }
  }
  w.Family("cellfleet_board_stream_last_error_info", "gauge",
           "The gRPC code the board's stream last ended with (value 1).");
  for (const BoardSnapshot& b : boards) {
    if (!b.error_code.empty()) {
      w.Sample("cellfleet_board_stream_last_error_info", b.board, {{"code", b.error_code}}, 1);
    }
  }
  w.Family("cellfleet_board_stream_reconnects_total", "counter",
           "Times the board's stream ended and was opened again, since the collector started.");
  for (const BoardSnapshot& b : boards) {
    w.Sample("cellfleet_board_stream_reconnects_total", b.board, {}, b.reconnects);
  }
  w.Family("cellfleet_board_updates_total", "counter",
           "Updates (changes and heartbeats) received from the board, since the collector "
           "started.");
  for (const BoardSnapshot& b : boards) {
    w.Sample("cellfleet_board_updates_total", b.board, {}, b.updates);
  }
  w.Family("cellfleet_modem_resets_total", "counter",
           "Times the board's modem entered RESETTING, as this collector saw it since it "
           "started.");
  for (const BoardSnapshot& b : boards) {
    w.Sample("cellfleet_modem_resets_total", b.board, {}, b.modem_resets);
  }

  // Values of up boards only.
  std::vector<const BoardSnapshot*> up;
  for (const BoardSnapshot& b : boards) {
    if (b.up() && b.status != nullptr) up.push_back(&b);
  }
  w.Family("cellfleet_sample_age_seconds", "gauge",
           "Age of the latest sample the board's agent took, at this scrape: every value "
           "below is from that sample.");
  for (const BoardSnapshot* b : up) {
    w.Sample("cellfleet_sample_age_seconds", b->board, {},
             absl::ToDoubleSeconds(now - FromProtoTime(b->status->sampled_at())));
  }
  w.Family("cellfleet_modem_state", "gauge",
           "The modem's state, one series per state, 1 for the current (latest sample).");
  for (const BoardSnapshot* b : up) {
    for (v1::ModemState state : kModemStates) {
      w.Sample("cellfleet_modem_state", b->board,
               {{"state", Short(v1::ModemState_Name(state), "MODEM_STATE_")}},
               b->status->modem_state() == state ? 1 : 0);
    }
  }
  w.Family("cellfleet_modem_info", "gauge",
           "The modem and SIM (value 1; latest sample): a SIM swap changes this series only.");
  for (const BoardSnapshot* b : up) {
    const v1::Identity& id = b->status->identity();
    w.Sample("cellfleet_modem_info", b->board,
             {{"model", id.model()},
              {"firmware", id.firmware_revision()},
              {"imei", id.imei()},
              {"iccid", id.iccid()},
              {"sim_state", Short(v1::SimState_Name(b->status->sim_state()), "SIM_STATE_")}},
             1);
  }
  w.Family("cellfleet_registered", "gauge",
           "1 when registered (home or roaming) in the domain (eps: AT+CEREG, cs: AT+CREG), 0 "
           "otherwise; latest sample. Its state is in cellfleet_registration_info.");
  for (const BoardSnapshot* b : up) {
    w.Sample("cellfleet_registered", b->board, {{"domain", "eps"}},
             Registered(b->status->eps_registration()) ? 1 : 0);
    w.Sample("cellfleet_registered", b->board, {{"domain", "cs"}},
             Registered(b->status->cs_registration()) ? 1 : 0);
  }
  w.Family("cellfleet_registration_info", "gauge",
           "The registration state per domain (value 1; latest sample).");
  for (const BoardSnapshot* b : up) {
    for (const auto& [domain, reg] :
         {std::pair<const char*, const v1::Registration*>{"eps", &b->status->eps_registration()},
          {"cs", &b->status->cs_registration()}}) {
      w.Sample("cellfleet_registration_info", b->board,
               {{"domain", domain},
                {"state", Short(v1::RegistrationState_Name(reg->state()), "REGISTRATION_STATE_")}},
               1);
    }
  }
  std::vector<fleet::ServingSignal> signals;
  for (const BoardSnapshot* b : up) signals.push_back(fleet::SignalOf(*b->status));
  w.Family("cellfleet_serving_cell_info", "gauge",
           "The serving cell and operator (value 1; latest sample): a handover changes this "
           "series only.");
  for (size_t i = 0; i < up.size(); ++i) {
    const fleet::ServingSignal& s = signals[i];
    w.Sample("cellfleet_serving_cell_info", up[i]->board,
             {{"operator", up[i]->status->operator_().name()},
              {"rat", s.rat},
              {"cell_id", s.cell_id},
              {"pci", s.pci},
              {"band", s.band},
              {"earfcn", s.earfcn}},
             1);
  }
  const struct {
    const char* name;
    const char* help;
    std::optional<double> fleet::ServingSignal::*field;
  } kSignalGauges[] = {
      {"cellfleet_signal_rsrp_dbm",
       "Reference signal received power (LTE, NR), dBm; latest sample.",
       &fleet::ServingSignal::rsrp},
      {"cellfleet_signal_rsrq_db",
       "Reference signal received quality (LTE, NR), dB; latest sample.",
       &fleet::ServingSignal::rsrq},
      {"cellfleet_signal_sinr_db",
       "Signal to interference plus noise ratio (LTE, NR), dB; latest sample.",
       &fleet::ServingSignal::sinr},
      {"cellfleet_signal_rssi_dbm", "Received signal strength, dBm; latest sample.",
       &fleet::ServingSignal::rssi},
      {"cellfleet_signal_rscp_dbm", "Received signal code power (WCDMA), dBm; latest sample.",
       &fleet::ServingSignal::rscp},
      {"cellfleet_signal_ecio_db", "Ec/Io (WCDMA), dB; latest sample.",
       &fleet::ServingSignal::ecio},
  };
  for (const auto& gauge : kSignalGauges) {
    w.Family(gauge.name, "gauge", gauge.help);
    for (size_t i = 0; i < up.size(); ++i) {
      if (const std::optional<double>& v = signals[i].*gauge.field; v) {
        w.Sample(gauge.name, up[i]->board, {}, *v);
      }
    }
  }
  w.Family("cellfleet_link_state", "gauge",
           "The PPP data link's state, one series per state, 1 for the current (latest sample).");
  for (const BoardSnapshot* b : up) {
    for (v1::ConnectionState state : kLinkStates) {
      w.Sample("cellfleet_link_state", b->board,
               {{"state", Short(v1::ConnectionState_Name(state), "CONNECTION_STATE_")}},
               b->status->connection().state() == state ? 1 : 0);
    }
  }
  w.Family("cellfleet_link_receive_bytes_total", "counter",
           "Bytes received on the PPP link in its current session (pppd's count; starts again "
           "at 0 with each session); latest sample.");
  for (const BoardSnapshot* b : up) {
    w.Sample("cellfleet_link_receive_bytes_total", b->board, {},
             b->status->connection().rx_bytes());
  }
  w.Family("cellfleet_link_transmit_bytes_total", "counter",
           "Bytes sent on the PPP link in its current session; latest sample.");
  for (const BoardSnapshot* b : up) {
    w.Sample("cellfleet_link_transmit_bytes_total", b->board, {},
             b->status->connection().tx_bytes());
  }
  // Data per SIM this billing cycle (the SIM in the modem; the agent keeps the rest).
  std::vector<const BoardSnapshot*> counted;
  for (const BoardSnapshot* b : up) {
    if (!b->status->usage().iccid().empty()) counted.push_back(b);
  }
  w.Family("cellfleet_sim_cycle_bytes", "gauge",
           "Bytes the SIM in the modem used over the PPP link this billing cycle, by direction "
           "(rx: down, tx: up); back to 0 when a cycle starts. Moves in steps of 1 MB between "
           "heartbeats.");
  for (const BoardSnapshot* b : counted) {
    const v1::SimUsage& u = b->status->usage();
    w.Sample("cellfleet_sim_cycle_bytes", b->board, {{"iccid", u.iccid()}, {"direction", "rx"}},
             static_cast<double>(u.cycle().rx_bytes()));
    w.Sample("cellfleet_sim_cycle_bytes", b->board, {{"iccid", u.iccid()}, {"direction", "tx"}},
             static_cast<double>(u.cycle().tx_bytes()));
  }
  w.Family("cellfleet_sim_cycle_projected_bytes", "gauge",
           "The cycle's total at its end at this cycle's pace (after its first hour).");
  for (const BoardSnapshot* b : counted) {
    const v1::SimUsage& u = b->status->usage();
    if (u.projected_bytes() > 0) {
      w.Sample("cellfleet_sim_cycle_projected_bytes", b->board, {{"iccid", u.iccid()}},
               static_cast<double>(u.projected_bytes()));
    }
  }
  w.Family("cellfleet_sim_cap_bytes", "gauge", "The SIM's data cap a cycle (absent: none).");
  for (const BoardSnapshot* b : counted) {
    const v1::SimUsage& u = b->status->usage();
    if (u.plan().cap_bytes() > 0) {
      w.Sample("cellfleet_sim_cap_bytes", b->board, {{"iccid", u.iccid()}},
               static_cast<double>(u.plan().cap_bytes()));
    }
  }
  w.Family("cellfleet_sim_cycle_end_timestamp_seconds", "gauge",
           "When the SIM's billing cycle ends (Unix time).");
  for (const BoardSnapshot* b : counted) {
    const v1::SimUsage& u = b->status->usage();
    w.Sample("cellfleet_sim_cycle_end_timestamp_seconds", b->board, {{"iccid", u.iccid()}},
             static_cast<double>(u.cycle().end().seconds()));
  }
  w.Family("cellfleet_sim_usage_state", "gauge",
           "The SIM's usage against its plan, one series per state, 1 for the current.");
  for (const BoardSnapshot* b : counted) {
    const v1::SimUsage& u = b->status->usage();
    for (int state = v1::USAGE_STATE_OK; state <= v1::USAGE_STATE_OVERRIDDEN; ++state) {
      w.Sample("cellfleet_sim_usage_state", b->board,
               {{"iccid", u.iccid()},
                {"state",
                 Short(v1::UsageState_Name(static_cast<v1::UsageState>(state)), "USAGE_STATE_")}},
               u.state() == state ? 1 : 0);
    }
  }
  w.Family("cellfleet_config_version", "gauge",
           "The connection config version in force; latest sample.");
  for (const BoardSnapshot* b : up) {
    w.Sample("cellfleet_config_version", b->board, {}, b->status->config().version());
  }
  w.Family("cellfleet_config_pending_confirm", "gauge",
           "1 while a pushed config awaits its confirm (it rolls back at the deadline); latest "
           "sample.");
  for (const BoardSnapshot* b : up) {
    w.Sample("cellfleet_config_pending_confirm", b->board, {},
             b->status->config().has_pending() ? 1 : 0);
  }
  w.Family("cellfleet_config_confirm_deadline_timestamp_seconds", "gauge",
           "When a pending config rolls back unless confirmed (Unix time).");
  for (const BoardSnapshot* b : up) {
    if (b->status->config().has_pending()) {
      w.Sample("cellfleet_config_confirm_deadline_timestamp_seconds", b->board, {},
               absl::ToUnixSeconds(FromProtoTime(b->status->config().pending().deadline())));
    }
  }

  if (self) {
    w.Family("cellfleet_collector_boards", "gauge", "Boards this collector holds (its shard).");
    w.Plain("cellfleet_collector_boards", static_cast<double>(stats.fleet.boards));
    w.Family("cellfleet_collector_streams_connected", "gauge", "Boards whose stream is up.");
    w.Plain("cellfleet_collector_streams_connected", static_cast<double>(stats.fleet.connected));
    w.Family("cellfleet_collector_reconnects_total", "counter",
             "Stream ends that were retried, all boards.");
    w.Plain("cellfleet_collector_reconnects_total", static_cast<double>(stats.fleet.reconnects));
    w.Family("cellfleet_collector_updates_total", "counter",
             "Updates received, all boards (rate() gives updates per second).");
    w.Plain("cellfleet_collector_updates_total", static_cast<double>(stats.fleet.updates));
    w.Family("cellfleet_collector_scrapes_total", "counter", "Scrapes served.");
    w.Plain("cellfleet_collector_scrapes_total", static_cast<double>(stats.scrapes));
    w.Family("cellfleet_collector_last_scrape_duration_seconds", "gauge",
             "Time the previous scrape took to render.");
    w.Plain("cellfleet_collector_last_scrape_duration_seconds", stats.last_scrape_seconds);
  }
  return w.Take();
}

}  // namespace cellfleet::collector
