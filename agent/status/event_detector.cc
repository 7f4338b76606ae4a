#include "agent/status/event_detector.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "base/byte_units.h"
#include "convert/recovery_words.h"

namespace cellfleet::agent {
namespace {

v1::ModemEvent Event(v1::EventKind kind, std::string detail) {
  v1::ModemEvent event;
  event.set_kind(kind);
  event.set_detail(std::move(detail));
  return event;
}

// Serving cell identity: ECI or NCI or UTRAN/GSM cell id, and the PCI where there is one.
std::string CellName(const v1::ServingCell& cell) {
  if (cell.has_lte()) return absl::StrCat("LTE ", cell.lte().cell_id(), "/", cell.lte().pci());
  if (cell.has_en_dc())
    return absl::StrCat("EN-DC ", cell.en_dc().lte().cell_id(), "/", cell.en_dc().lte().pci());
  if (cell.has_nr5g_sa())
    return absl::StrCat("NR ", cell.nr5g_sa().cell_id(), "/", cell.nr5g_sa().pci());
  if (cell.has_wcdma()) return absl::StrCat("WCDMA ", cell.wcdma().cell_id());
  if (cell.has_gsm()) return absl::StrCat("GSM ", cell.gsm().cell_id());
  return "none";
}

v1::EventKind StepEventKind(v1::ConfigStepKind kind) {
  switch (kind) {
    case v1::CONFIG_STEP_KIND_APPLIED:
      return v1::EVENT_KIND_CONFIG_APPLIED;
    case v1::CONFIG_STEP_KIND_CONFIRMED:
      return v1::EVENT_KIND_CONFIG_CONFIRMED;
    case v1::CONFIG_STEP_KIND_ROLLED_BACK:
      return v1::EVENT_KIND_CONFIG_ROLLED_BACK;
    default:
      return v1::EVENT_KIND_UNSPECIFIED;
  }
}

// Config steps newer than any `before` carried: each sample lists the last few, so
// steps that fall between two samples are not lost.
void AddConfigSteps(const v1::ModemStatus* before, const v1::ModemStatus& after,
                    std::vector<v1::ModemEvent>& events) {
  if (before == nullptr) return;  // the first sample: its steps happened before we looked
  uint64_t seen = 0;
  for (const v1::ConfigStep& step : before->config().recent_steps()) {
    seen = std::max(seen, step.sequence());
  }
  for (const v1::ConfigStep& step : after.config().recent_steps()) {
    if (step.sequence() <= seen) continue;
    events.push_back(Event(StepEventKind(step.kind()),
                           absl::StrCat("version ", step.version(), ": ", step.detail())));
  }
}

// A recovery step taken, and later its outcome: one event each. Each sample lists the
// last few steps, so an outcome and the next step between two samples are not lost.
void AddRecovery(const v1::ModemStatus* before, const v1::ModemStatus& after,
                 std::vector<v1::ModemEvent>& events) {
  for (const v1::RecoveryAction& action : after.recovery().recent()) {
    bool seen = false;
    if (before != nullptr) {
      for (const v1::RecoveryAction& old : before->recovery().recent()) {
        if (old.sequence() == action.sequence() && old.outcome() == action.outcome()) seen = true;
      }
    }
    if (seen) continue;
    events.push_back(Event(v1::EVENT_KIND_RECOVERY, convert::DescribeRecoveryAction(action)));
  }
}

// "SIM 8949...: 812 MB of 1.00 GB" for usage events.
std::string UsageLine(const v1::SimUsage& usage) {
  const uint64_t used = usage.cycle().rx_bytes() + usage.cycle().tx_bytes();
  std::string line = absl::StrCat("SIM ", usage.iccid(), ": ", base::FormatBytes(used));
  if (usage.plan().cap_bytes() > 0)
    absl::StrAppend(&line, " of ", base::FormatBytes(usage.plan().cap_bytes()));
  return absl::StrCat(line, " this cycle");
}

// A new SIM's account, a cycle that ended, and every change of the usage state. Each
// sample carries the current SIM's account as the meter last left it.
void AddUsage(const v1::ModemStatus* before, const v1::ModemStatus& after,
              std::vector<v1::ModemEvent>& events) {
  const v1::SimUsage& now = after.usage();
  if (now.iccid().empty() || before == nullptr) return;
  const v1::SimUsage& then = before->usage();
  if (then.iccid() != now.iccid()) {
    std::string detail = absl::StrCat("counting for ", UsageLine(now));
    if (!then.iccid().empty()) absl::StrAppend(&detail, " (the SIM before: ", then.iccid(), ")");
    events.push_back(Event(v1::EVENT_KIND_DATA_USAGE, std::move(detail)));
    return;
  }
  if (!now.previous().empty() && then.cycle().start().seconds() != now.cycle().start().seconds()) {
    const v1::UsageCycle& ended = now.previous(0);
    events.push_back(
        Event(v1::EVENT_KIND_DATA_USAGE,
              absl::StrCat("SIM ", now.iccid(), ": billing cycle ended with ",
                           base::FormatBytes(ended.rx_bytes() + ended.tx_bytes()), " used")));
  }
  if (then.state() != now.state()) {
    events.push_back(Event(v1::EVENT_KIND_DATA_USAGE,
                           absl::StrCat(v1::UsageState_Name(then.state()), " -> ",
                                        v1::UsageState_Name(now.state()), ": ", UsageLine(now))));
  }
}

}  // namespace

std::vector<v1::ModemEvent> DetectEvents(const v1::ModemStatus* before,
                                         const v1::ModemStatus& after) {
  std::vector<v1::ModemEvent> events;
  AddConfigSteps(before, after, events);
  AddRecovery(before, after, events);
  AddUsage(before, after, events);
  const v1::ModemState old_state = before ? before->modem_state() : v1::MODEM_STATE_UNSPECIFIED;
  if (old_state != after.modem_state()) {
    if (after.modem_state() == v1::MODEM_STATE_RESETTING) {
      events.push_back(Event(v1::EVENT_KIND_MODEM_RESET, after.modem_state_detail()));
    }
    std::string detail = absl::StrCat(v1::ModemState_Name(old_state), " -> ",
                                      v1::ModemState_Name(after.modem_state()));
    if (!after.modem_state_detail().empty())
      absl::StrAppend(&detail, ": ", after.modem_state_detail());
    events.push_back(Event(v1::EVENT_KIND_MODEM_STATE_CHANGED, detail));
  }
  // The rest compares READY samples only: other states carry no radio fields.
  if (after.modem_state() != v1::MODEM_STATE_READY || before == nullptr ||
      before->modem_state() != v1::MODEM_STATE_READY) {
    return events;
  }
  if (before->sim_state() != after.sim_state()) {
    events.push_back(Event(v1::EVENT_KIND_SIM_CHANGED,
                           absl::StrCat(v1::SimState_Name(before->sim_state()), " -> ",
                                        v1::SimState_Name(after.sim_state()))));
  }
  if (before->eps_registration().state() != after.eps_registration().state()) {
    events.push_back(
        Event(v1::EVENT_KIND_REGISTRATION_CHANGED,
              absl::StrCat("EPS ", v1::RegistrationState_Name(before->eps_registration().state()),
                           " -> ", v1::RegistrationState_Name(after.eps_registration().state()))));
  }
  const std::string old_cell = CellName(before->serving_cell());
  const std::string new_cell = CellName(after.serving_cell());
  if (old_cell != new_cell) {
    events.push_back(Event(v1::EVENT_KIND_CELL_CHANGED, absl::StrCat(old_cell, " -> ", new_cell)));
  }
  if (before->connection().state() != after.connection().state()) {
    if (after.connection().state() == v1::CONNECTION_STATE_CONNECTED) {
      events.push_back(Event(v1::EVENT_KIND_LINK_UP, after.connection().interface_name()));
    } else if (before->connection().state() == v1::CONNECTION_STATE_CONNECTED) {
      // Why it went down: the typed failure and pppd's words, or how it was taken down.
      const v1::ConnectionStatus& link = after.connection();
      std::string why = link.failure() == v1::CONNECTION_FAILURE_UNSPECIFIED
                            ? v1::ConnectionState_Name(link.state())
                            : v1::ConnectionFailure_Name(link.failure());
      if (!link.failure_detail().empty()) absl::StrAppend(&why, ": ", link.failure_detail());
      events.push_back(Event(v1::EVENT_KIND_LINK_DOWN, why));
    }
  }
  // Every failed dial, also when samples saw no state change between two of them (FAILED,
  // a redial, FAILED again): the link's own count says how many ended so.
  if (after.connection().failed_dials() > before->connection().failed_dials()) {
    const uint64_t failed = after.connection().failed_dials() - before->connection().failed_dials();
    const v1::ConnectionStatus& link = after.connection();
    std::string why = v1::ConnectionFailure_Name(link.failure());
    if (!link.failure_detail().empty()) absl::StrAppend(&why, ": ", link.failure_detail());
    if (failed > 1) absl::StrAppend(&why, " (", failed, " dials failed since the last sample)");
    events.push_back(Event(v1::EVENT_KIND_LINK_FAILED, why));
  }
  return events;
}

}  // namespace cellfleet::agent
