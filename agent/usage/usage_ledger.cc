#include "agent/usage/usage_ledger.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "agent/usage/billing_cycle.h"
#include "base/byte_units.h"
#include "proto/time_convert.h"

namespace cellfleet::agent {
namespace {

uint64_t Total(const v1::UsageCycle& cycle) { return cycle.rx_bytes() + cycle.tx_bytes(); }

bool SameInstance(const UsageSession& session, const CounterReading& reading) {
  return session.boot_id() == reading.boot_id &&
         session.interface_name() == reading.interface_name && session.ifindex() == reading.ifindex;
}

// What a counter adds since `counted`; lower than counted: reset, all of it is new.
uint64_t Added(uint64_t counted, uint64_t now) { return now >= counted ? now - counted : now; }

// pppd's 32-bit total against the last 64-bit reading: the bytes after that reading.
// pppd counts from the link's IP start, the interface from its creation, so pppd's total
// may be a little behind the reading: a difference past 2 GiB is that, not traffic.
uint64_t AddedBeforeEnd(uint64_t counted, uint64_t final_total) {
  const uint32_t added =
      static_cast<uint32_t>(static_cast<uint32_t>(final_total) - static_cast<uint32_t>(counted));
  return added < (uint32_t{1} << 31) ? added : 0;
}

v1::UsageState StateOf(const v1::SimUsage& account) {
  const uint64_t used = Total(account.cycle());
  const v1::DataPlan& plan = account.plan();
  if (plan.cap_bytes() > 0 && used >= plan.cap_bytes()) {
    if (plan.at_cap() != v1::CAP_ACTION_HANG_UP) return v1::USAGE_STATE_CAP_REACHED;
    return account.has_cap_override() ? v1::USAGE_STATE_OVERRIDDEN : v1::USAGE_STATE_BLOCKED;
  }
  if (plan.warn_bytes() > 0 && used >= plan.warn_bytes()) return v1::USAGE_STATE_WARNING;
  return v1::USAGE_STATE_OK;
}

void StartCycle(v1::SimUsage& account, absl::Time now) {
  const BillingCycle cycle = CycleAt(now, static_cast<int>(account.plan().cycle_start_day()));
  account.clear_cycle();
  *account.mutable_cycle()->mutable_start() = ToProtoTime(cycle.start);
  *account.mutable_cycle()->mutable_end() = ToProtoTime(cycle.end);
  account.clear_cap_override();
}

}  // namespace

const v1::DataPlan& DataPlans::For(const std::string& iccid) const {
  auto it = by_iccid.find(iccid);
  return it == by_iccid.end() ? board : it->second;
}

absl::Status ValidateDataPlan(const v1::DataPlan& plan, const std::string& field) {
  if (plan.cycle_start_day() > static_cast<uint32_t>(kLastCycleStartDay)) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ".cycle_start_day: 1..", kLastCycleStartDay,
                     " (later days are missing from some months), or 0 for 1"));
  }
  if (plan.cap_bytes() > 0 && plan.warn_bytes() > plan.cap_bytes()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ".warn_bytes: ", base::FormatBytes(plan.warn_bytes()),
                     " is above the cap of ", base::FormatBytes(plan.cap_bytes())));
  }
  if (!v1::CapAction_IsValid(plan.at_cap())) {
    return absl::InvalidArgumentError(absl::StrCat(field, ".at_cap: unknown action ",
                                                   static_cast<int>(plan.at_cap()),
                                                   "; use WARN_ONLY or HANG_UP"));
  }
  return absl::OkStatus();
}

UsageLedger::UsageLedger(StoredUsage stored, size_t kept_cycles)
    : stored_(std::move(stored)), kept_cycles_(kept_cycles) {
  stored_.set_format(1);
  for (const v1::SimUsage& account : stored_.accounts()) {
    latest_ = std::max(latest_, FromProtoTime(account.last_seen()));
  }
}

absl::Time UsageLedger::Monotone(absl::Time now) {
  latest_ = std::max(latest_, now);
  return latest_;
}

v1::SimUsage* UsageLedger::Find(const std::string& iccid) {
  for (v1::SimUsage& account : *stored_.mutable_accounts()) {
    if (account.iccid() == iccid) return &account;
  }
  return nullptr;
}

const v1::SimUsage* UsageLedger::Find(const std::string& iccid) const {
  for (const v1::SimUsage& account : stored_.accounts()) {
    if (account.iccid() == iccid) return &account;
  }
  return nullptr;
}

v1::SimUsage& UsageLedger::AccountOf(const std::string& iccid, absl::Time now) {
  if (v1::SimUsage* found = Find(iccid)) return *found;
  v1::SimUsage& account = *stored_.add_accounts();
  account.set_iccid(iccid);
  *account.mutable_plan() = plans_.For(iccid);
  account.set_plan_config_version(plans_.config_version);
  *account.mutable_first_seen() = ToProtoTime(now);
  StartCycle(account, now);
  Update(account, now);
  return account;
}

void UsageLedger::SetPlans(DataPlans plans, absl::Time now) {
  now = Monotone(now);
  plans_ = std::move(plans);
  for (v1::SimUsage& account : *stored_.mutable_accounts()) {
    const v1::DataPlan& plan = plans_.For(account.iccid());
    const bool new_day = plan.cycle_start_day() != account.plan().cycle_start_day();
    *account.mutable_plan() = plan;
    account.set_plan_config_version(plans_.config_version);
    // A new start day: the cycle in progress ends at the new day's next boundary.
    if (new_day) {
      *account.mutable_cycle()->mutable_end() =
          ToProtoTime(CycleAt(now, static_cast<int>(plan.cycle_start_day())).end);
    }
    Update(account, now);
  }
}

void UsageLedger::SeeSim(const std::string& iccid, absl::Time now) {
  now = Monotone(now);
  if (iccid.empty()) return;
  v1::SimUsage& account = AccountOf(iccid, now);
  *account.mutable_last_seen() = ToProtoTime(now);
  stored_.set_current_iccid(iccid);
}

void UsageLedger::Add(const std::string& iccid, uint64_t rx, uint64_t tx, absl::Time now) {
  v1::SimUsage& account = AccountOf(iccid, now);
  Update(account, now);  // a cycle that ended first
  v1::UsageCycle& cycle = *account.mutable_cycle();
  cycle.set_rx_bytes(cycle.rx_bytes() + rx);
  cycle.set_tx_bytes(cycle.tx_bytes() + tx);
  bytes_counted_ += rx + tx;
  *account.mutable_last_seen() = ToProtoTime(now);
  Update(account, now);
}

void UsageLedger::Count(const CounterReading& reading, absl::Time now) {
  now = Monotone(now);
  const bool same = stored_.has_session() && SameInstance(session(), reading);
  if (has_session() && !same) EndSession(std::nullopt, now);
  if (same) {
    stored_.mutable_session()->set_ended(false);  // an ended session's interface is back
  } else {
    stored_.clear_session();
    UsageSession& session = *stored_.mutable_session();
    session.set_boot_id(reading.boot_id);
    session.set_interface_name(reading.interface_name);
    session.set_ifindex(reading.ifindex);
    session.set_iccid(stored_.current_iccid().empty() ? kUnknownSim : stored_.current_iccid());
    if (reading.connected_since != absl::InfinitePast()) {
      *session.mutable_connected_since() = ToProtoTime(reading.connected_since);
    }
  }
  UsageSession& session = *stored_.mutable_session();
  const uint64_t rx = Added(session.rx_bytes(), reading.rx_bytes);
  const uint64_t tx = Added(session.tx_bytes(), reading.tx_bytes);
  session.set_rx_bytes(reading.rx_bytes);
  session.set_tx_bytes(reading.tx_bytes);
  if (rx > 0 || tx > 0) Add(session.iccid(), rx, tx, now);
}

void UsageLedger::EndSession(std::optional<FinalTotals> totals, absl::Time now) {
  now = Monotone(now);
  if (!has_session()) return;
  UsageSession& session = *stored_.mutable_session();
  session.set_ended(true);
  if (!totals) return;
  const uint64_t rx = AddedBeforeEnd(session.rx_bytes(), totals->rx_bytes);
  const uint64_t tx = AddedBeforeEnd(session.tx_bytes(), totals->tx_bytes);
  session.set_rx_bytes(session.rx_bytes() + rx);
  session.set_tx_bytes(session.tx_bytes() + tx);
  if (rx > 0 || tx > 0) Add(session.iccid(), rx, tx, now);
}

absl::StatusOr<v1::SimUsage> UsageLedger::OverrideCap(const std::string& iccid,
                                                      const std::string& by,
                                                      const std::string& reason, absl::Time now) {
  now = Monotone(now);
  const std::string which = iccid.empty() ? stored_.current_iccid() : iccid;
  v1::SimUsage* account = Find(which);
  if (account == nullptr) {
    return absl::NotFoundError(which.empty() ? "no SIM has been seen in the modem yet"
                                             : absl::StrCat("no SIM ", which, " on this board"));
  }
  Update(*account, now);
  if (account->state() != v1::USAGE_STATE_BLOCKED) {
    return absl::FailedPreconditionError(
        absl::StrCat("SIM ", which, " is ", v1::UsageState_Name(account->state()),
                     ": only a SIM blocked at its cap can be let through"));
  }
  v1::CapOverride& lifted = *account->mutable_cap_override();
  *lifted.mutable_at() = ToProtoTime(now);
  lifted.set_by(by);
  lifted.set_reason(reason);
  Update(*account, now);
  return *account;
}

void UsageLedger::Update(v1::SimUsage& account, absl::Time now) const {
  if (now >= FromProtoTime(account.cycle().end())) {
    v1::UsageCycle ended = account.cycle();
    auto* previous = account.mutable_previous();
    previous->Add(std::move(ended));
    std::rotate(previous->begin(), previous->end() - 1, previous->end());  // newest first
    while (static_cast<size_t>(previous->size()) > kept_cycles_) previous->RemoveLast();
    StartCycle(account, now);
  }
  account.set_state(StateOf(account));
  const absl::Time start = FromProtoTime(account.cycle().start());
  const absl::Duration elapsed = now - start;
  const absl::Duration length = FromProtoTime(account.cycle().end()) - start;
  account.set_projected_bytes(
      elapsed < absl::Hours(1) ? 0
                               : static_cast<uint64_t>(static_cast<double>(Total(account.cycle())) *
                                                       absl::FDivDuration(length, elapsed)));
}

void UsageLedger::Refresh(absl::Time now) {
  now = Monotone(now);
  for (v1::SimUsage& account : *stored_.mutable_accounts()) Update(account, now);
}

v1::SimUsage UsageLedger::Current() const {
  const v1::SimUsage* current = Find(stored_.current_iccid());
  return current ? *current : v1::SimUsage();
}

std::vector<v1::SimUsage> UsageLedger::Accounts() const {
  std::vector<v1::SimUsage> accounts(stored_.accounts().begin(), stored_.accounts().end());
  const std::string& current = stored_.current_iccid();
  std::stable_sort(accounts.begin(), accounts.end(),
                   [&](const v1::SimUsage& a, const v1::SimUsage& b) {
                     if ((a.iccid() == current) != (b.iccid() == current))
                       return a.iccid() == current;
                     return FromProtoTime(a.last_seen()) > FromProtoTime(b.last_seen());
                   });
  return accounts;
}

std::string UsageLedger::BlockReason() const {
  const v1::SimUsage* current = Find(stored_.current_iccid());
  if (current == nullptr || current->state() != v1::USAGE_STATE_BLOCKED) return "";
  return absl::StrCat("SIM ", current->iccid(), " used ",
                      base::FormatBytes(Total(current->cycle())), " of its ",
                      base::FormatBytes(current->plan().cap_bytes()),
                      " cap this cycle; dials resume at the next cycle or an operator's "
                      "override (cellfleet usage override)");
}

}  // namespace cellfleet::agent
