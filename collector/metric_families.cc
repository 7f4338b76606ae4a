#include "collector/metric_families.h"

#include <optional>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "fleet/error_text.h"
#include "proto/time_convert.h"

namespace cellfleet::collector {
namespace {

using Label = std::pair<absl::string_view, absl::string_view>;

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

const v1::ModemStatus& Sample(const BoardReading& r) { return *r.board.status; }

// One series of the signal field `field`, when the sample has it.
template <std::optional<double> fleet::ServingSignal::*field>
void SignalGauge(const BoardReading& r, EmitSeries emit) {
  if (const std::optional<double>& v = r.signal.*field; v) emit({}, *v);
}

std::vector<MetricFamily> MakeBoardFamilies() {
  return {
      {"cellfleet_board_info", "gauge",
       "The board as the inventory lists it (value 1): its address and labels; join on board "
       "for them.",
       Covers::kEveryBoard,
       [](const BoardReading& r, EmitSeries emit) {
         const fleet::Board& board = r.board.board;
         std::vector<std::string> names;
         names.reserve(board.labels.size());
         for (const auto& entry : board.labels) names.push_back(PrometheusLabelName(entry.first));
         std::vector<Label> labels = {{"address", board.address}};
         size_t i = 0;
         for (const auto& entry : board.labels) labels.emplace_back(names[i++], entry.second);
         emit(labels, 1);
       }},
      {"cellfleet_board_up", "gauge",
       "1 while the board's status stream is connected and heard from within its heartbeat "
       "bound; 0 otherwise (see cellfleet_board_stream_state for why). The board's other values "
       "are exported only while it is 1.",
       Covers::kEveryBoard,
       [](const BoardReading& r, EmitSeries emit) { emit({}, r.board.up() ? 1 : 0); }},
      {"cellfleet_board_stream_state", "gauge",
       "The state of the board's status stream, one series per state, 1 for the current: "
       "connecting, connected, retrying (ended, opened again after a backoff), refused (ended "
       "for good, e.g. PERMISSION_DENIED), silent (no update past the heartbeat bound).",
       Covers::kEveryBoard,
       [](const BoardReading& r, EmitSeries emit) {
         for (StreamState state : kAllStreamStates) {
           emit({{"state", StreamStateName(state)}}, r.board.stream == state ? 1 : 0);
         }
       }},
      {"cellfleet_board_stream_last_error_info", "gauge",
       "The gRPC code the board's stream last ended with (value 1).", Covers::kEveryBoard,
       [](const BoardReading& r, EmitSeries emit) {
         if (!r.board.error_code.empty()) emit({{"code", r.board.error_code}}, 1);
       }},
      {"cellfleet_board_stream_reconnects_total", "counter",
       "Times the board's stream ended and was opened again, since the collector started.",
       Covers::kEveryBoard,
       [](const BoardReading& r, EmitSeries emit) {
         emit({}, static_cast<double>(r.board.reconnects));
       }},
      {"cellfleet_board_updates_total", "counter",
       "Updates (changes and heartbeats) received from the board, since the collector started.",
       Covers::kEveryBoard,
       [](const BoardReading& r, EmitSeries emit) {
         emit({}, static_cast<double>(r.board.updates));
       }},
      {"cellfleet_modem_resets_total", "counter",
       "Times the board's modem entered RESETTING, as this collector saw it since it started.",
       Covers::kEveryBoard,
       [](const BoardReading& r, EmitSeries emit) {
         emit({}, static_cast<double>(r.board.modem_resets));
       }},
      {"cellfleet_sample_age_seconds", "gauge",
       "Age of the latest sample the board's agent took, at this scrape: every value below is "
       "from that sample.",
       Covers::kUpBoards,
       [](const BoardReading& r, EmitSeries emit) {
         emit({}, absl::ToDoubleSeconds(r.now - FromProtoTime(Sample(r).sampled_at())));
       }},
      {"cellfleet_modem_state", "gauge",
       "The modem's state, one series per state, 1 for the current (latest sample).",
       Covers::kUpBoards,
       [](const BoardReading& r, EmitSeries emit) {
         for (v1::ModemState state : kModemStates) {
           const std::string name = Short(v1::ModemState_Name(state), "MODEM_STATE_");
           emit({{"state", name}}, Sample(r).modem_state() == state ? 1 : 0);
         }
       }},
      {"cellfleet_modem_info", "gauge",
       "The modem and SIM (value 1; latest sample): a SIM swap changes this series only.",
       Covers::kUpBoards,
       [](const BoardReading& r, EmitSeries emit) {
         const v1::Identity& id = Sample(r).identity();
         const std::string sim = Short(v1::SimState_Name(Sample(r).sim_state()), "SIM_STATE_");
         emit({{"model", id.model()},
               {"firmware", id.firmware_revision()},
               {"imei", id.imei()},
               {"iccid", id.iccid()},
               {"sim_state", sim}},
              1);
       }},
      {"cellfleet_registered", "gauge",
       "1 when registered (home or roaming) in the domain (eps: AT+CEREG, cs: AT+CREG), 0 "
       "otherwise; latest sample. Its state is in cellfleet_registration_info.",
       Covers::kUpBoards,
       [](const BoardReading& r, EmitSeries emit) {
         emit({{"domain", "eps"}}, Registered(Sample(r).eps_registration()) ? 1 : 0);
         emit({{"domain", "cs"}}, Registered(Sample(r).cs_registration()) ? 1 : 0);
       }},
      {"cellfleet_registration_info", "gauge",
       "The registration state per domain (value 1; latest sample).", Covers::kUpBoards,
       [](const BoardReading& r, EmitSeries emit) {
         for (const auto& [domain, reg] : {std::pair<const char*, const v1::Registration*>{
                                               "eps", &Sample(r).eps_registration()},
                                           {"cs", &Sample(r).cs_registration()}}) {
           const std::string state =
               Short(v1::RegistrationState_Name(reg->state()), "REGISTRATION_STATE_");
           emit({{"domain", domain}, {"state", state}}, 1);
         }
       }},
      {"cellfleet_serving_cell_info", "gauge",
       "The serving cell and operator (value 1; latest sample): a handover changes this series "
       "only.",
       Covers::kUpBoards,
       [](const BoardReading& r, EmitSeries emit) {
         const fleet::ServingSignal& s = r.signal;
         emit({{"operator", Sample(r).operator_().name()},
               {"rat", s.rat},
               {"cell_id", s.cell_id},
               {"pci", s.pci},
               {"band", s.band},
               {"earfcn", s.earfcn}},
              1);
       }},
      {"cellfleet_signal_rsrp_dbm", "gauge",
       "Reference signal received power (LTE, NR), dBm; latest sample.", Covers::kUpBoards,
       SignalGauge<&fleet::ServingSignal::rsrp>},
      {"cellfleet_signal_rsrq_db", "gauge",
       "Reference signal received quality (LTE, NR), dB; latest sample.", Covers::kUpBoards,
       SignalGauge<&fleet::ServingSignal::rsrq>},
      {"cellfleet_signal_sinr_db", "gauge",
       "Signal to interference plus noise ratio (LTE, NR), dB; latest sample.", Covers::kUpBoards,
       SignalGauge<&fleet::ServingSignal::sinr>},
      {"cellfleet_signal_rssi_dbm", "gauge", "Received signal strength, dBm; latest sample.",
       Covers::kUpBoards, SignalGauge<&fleet::ServingSignal::rssi>},
      {"cellfleet_signal_rscp_dbm", "gauge",
       "Received signal code power (WCDMA), dBm; latest sample.", Covers::kUpBoards,
       SignalGauge<&fleet::ServingSignal::rscp>},
      {"cellfleet_signal_ecio_db", "gauge", "Ec/Io (WCDMA), dB; latest sample.", Covers::kUpBoards,
       SignalGauge<&fleet::ServingSignal::ecio>},
      {"cellfleet_link_state", "gauge",
       "The PPP data link's state, one series per state, 1 for the current (latest sample).",
       Covers::kUpBoards,
       [](const BoardReading& r, EmitSeries emit) {
         for (v1::ConnectionState state : kLinkStates) {
           const std::string name = Short(v1::ConnectionState_Name(state), "CONNECTION_STATE_");
           emit({{"state", name}}, Sample(r).connection().state() == state ? 1 : 0);
         }
       }},
      {"cellfleet_link_receive_bytes_total", "counter",
       "Bytes received on the PPP link in its current session (pppd's count; starts again at 0 "
       "with each session); latest sample.",
       Covers::kUpBoards,
       [](const BoardReading& r, EmitSeries emit) {
         emit({}, static_cast<double>(Sample(r).connection().rx_bytes()));
       }},
      {"cellfleet_link_transmit_bytes_total", "counter",
       "Bytes sent on the PPP link in its current session; latest sample.", Covers::kUpBoards,
       [](const BoardReading& r, EmitSeries emit) {
         emit({}, static_cast<double>(Sample(r).connection().tx_bytes()));
       }},
      // Data per SIM this billing cycle (the SIM in the modem; the agent keeps the rest).
      {"cellfleet_sim_cycle_bytes", "gauge",
       "Bytes the SIM in the modem used over the PPP link this billing cycle, by direction (rx: "
       "down, tx: up); back to 0 when a cycle starts. Moves in steps of 1 MB between heartbeats.",
       Covers::kUpSims,
       [](const BoardReading& r, EmitSeries emit) {
         const v1::SimUsage& u = Sample(r).usage();
         emit({{"iccid", u.iccid()}, {"direction", "rx"}},
              static_cast<double>(u.cycle().rx_bytes()));
         emit({{"iccid", u.iccid()}, {"direction", "tx"}},
              static_cast<double>(u.cycle().tx_bytes()));
       }},
      {"cellfleet_sim_cycle_projected_bytes", "gauge",
       "The cycle's total at its end at this cycle's pace (after its first hour).", Covers::kUpSims,
       [](const BoardReading& r, EmitSeries emit) {
         const v1::SimUsage& u = Sample(r).usage();
         if (u.projected_bytes() > 0) {
           emit({{"iccid", u.iccid()}}, static_cast<double>(u.projected_bytes()));
         }
       }},
      {"cellfleet_sim_cap_bytes", "gauge", "The SIM's data cap a cycle (absent: none).",
       Covers::kUpSims,
       [](const BoardReading& r, EmitSeries emit) {
         const v1::SimUsage& u = Sample(r).usage();
         if (u.plan().cap_bytes() > 0) {
           emit({{"iccid", u.iccid()}}, static_cast<double>(u.plan().cap_bytes()));
         }
       }},
      {"cellfleet_sim_cycle_end_timestamp_seconds", "gauge",
       "When the SIM's billing cycle ends (Unix time).", Covers::kUpSims,
       [](const BoardReading& r, EmitSeries emit) {
         const v1::SimUsage& u = Sample(r).usage();
         emit({{"iccid", u.iccid()}}, static_cast<double>(u.cycle().end().seconds()));
       }},
      {"cellfleet_sim_usage_state", "gauge",
       "The SIM's usage against its plan, one series per state, 1 for the current.",
       Covers::kUpSims,
       [](const BoardReading& r, EmitSeries emit) {
         const v1::SimUsage& u = Sample(r).usage();
         for (int state = v1::USAGE_STATE_OK; state <= v1::USAGE_STATE_OVERRIDDEN; ++state) {
           const std::string name =
               Short(v1::UsageState_Name(static_cast<v1::UsageState>(state)), "USAGE_STATE_");
           emit({{"iccid", u.iccid()}, {"state", name}}, u.state() == state ? 1 : 0);
         }
       }},
      {"cellfleet_config_version", "gauge",
       "The connection config version in force; latest sample.", Covers::kUpBoards,
       [](const BoardReading& r, EmitSeries emit) {
         emit({}, static_cast<double>(Sample(r).config().version()));
       }},
      {"cellfleet_config_pending_confirm", "gauge",
       "1 while a pushed config awaits its confirm (it rolls back at the deadline); latest "
       "sample.",
       Covers::kUpBoards,
       [](const BoardReading& r, EmitSeries emit) {
         emit({}, Sample(r).config().has_pending() ? 1 : 0);
       }},
      {"cellfleet_config_confirm_deadline_timestamp_seconds", "gauge",
       "When a pending config rolls back unless confirmed (Unix time).", Covers::kUpBoards,
       [](const BoardReading& r, EmitSeries emit) {
         if (Sample(r).config().has_pending()) {
           emit({}, static_cast<double>(absl::ToUnixSeconds(
                        FromProtoTime(Sample(r).config().pending().deadline()))));
         }
       }},
      {"cellfleet_agent_certificate_expiry_timestamp_seconds", "gauge",
       "When the TLS certificate the board's agent serves expires (Unix time); absent for a "
       "plaintext agent. A fleet issued together expires together: alert well before.",
       Covers::kUpBoards,
       [](const BoardReading& r, EmitSeries emit) {
         const v1::ModemStatus& s = Sample(r);
         if (!s.has_agent_certificate() || !s.agent_certificate().has_not_after()) return;
         emit({}, absl::ToDoubleSeconds(FromProtoTime(s.agent_certificate().not_after()) -
                                        absl::UnixEpoch()));
       }},
      {"cellfleet_agent_certificate_renew_after_timestamp_seconds", "gauge",
       "When the board's certificate is due for renewal (Unix time): a point of its own "
       "between a half and two thirds of its life, which `cellfleet cert renew` acts on.",
       Covers::kUpBoards,
       [](const BoardReading& r, EmitSeries emit) {
         const v1::ModemStatus& s = Sample(r);
         if (!s.has_agent_certificate() || !s.agent_certificate().has_renew_after()) return;
         emit({}, absl::ToDoubleSeconds(FromProtoTime(s.agent_certificate().renew_after()) -
                                        absl::UnixEpoch()));
       }},
  };
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

const std::vector<MetricFamily>& BoardMetricFamilies() {
  static const std::vector<MetricFamily>* const kFamilies =
      new std::vector<MetricFamily>(MakeBoardFamilies());
  return *kFamilies;
}

const std::vector<CollectorFamily>& CollectorMetricFamilies() {
  static const std::vector<CollectorFamily>* const kFamilies = new std::vector<CollectorFamily>{
      {"cellfleet_collector_boards", "gauge", "Boards this collector holds (its shard).",
       [](const CollectorStats& s) { return static_cast<double>(s.fleet.boards); }},
      {"cellfleet_collector_streams_connected", "gauge", "Boards whose stream is up.",
       [](const CollectorStats& s) { return static_cast<double>(s.fleet.connected); }},
      {"cellfleet_collector_reconnects_total", "counter",
       "Stream ends that were retried, all boards.",
       [](const CollectorStats& s) { return static_cast<double>(s.fleet.reconnects); }},
      {"cellfleet_collector_updates_total", "counter",
       "Updates received, all boards (rate() gives updates per second).",
       [](const CollectorStats& s) { return static_cast<double>(s.fleet.updates); }},
      {"cellfleet_collector_scrapes_total", "counter", "Scrapes served.",
       [](const CollectorStats& s) { return static_cast<double>(s.scrapes); }},
      {"cellfleet_collector_last_scrape_duration_seconds", "gauge",
       "Time the previous scrape took to render.",
       [](const CollectorStats& s) { return s.last_scrape_seconds; }},
  };
  return *kFamilies;
}

}  // namespace cellfleet::collector
