// The usage ledger: bytes over the PPP link counted to the SIM (ICCID) they were used
// on, per billing cycle, against the SIM's plan. Pure: readings, plans and times in,
// accounts and the cap's verdict out; the meter (usage_meter.h) feeds it and keeps it
// on disk.
//
// Never twice: a session is one instance of the PPP interface (boot, name, ifindex), and
// a reading counts only what the interface's counters add to what was already counted
// of that instance, also after an agent restart. Counters lower than counted mean they
// were reset: what they show is new.
#ifndef CELLFLEET_AGENT_USAGE_USAGE_LEDGER_H_
#define CELLFLEET_AGENT_USAGE_USAGE_LEDGER_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "cellfleet/agent/stored_usage.pb.h"
#include "cellfleet/v1/usage.pb.h"

namespace cellfleet::agent {

// The account of a link used while the SIM could not be read.
inline constexpr char kUnknownSim[] = "unknown";

// The plans of a config version: the board's, and any SIM's own.
struct DataPlans {
  v1::DataPlan board;
  std::map<std::string, v1::DataPlan> by_iccid;
  uint64_t config_version = 0;

  const v1::DataPlan& For(const std::string& iccid) const;
};

// INVALID_ARGUMENT naming the field: a start day past 28, a warning above the cap, an
// unknown action.
absl::Status ValidateDataPlan(const v1::DataPlan& plan, const std::string& field);

// One read of the PPP interface's counters.
struct CounterReading {
  std::string boot_id;
  std::string interface_name;
  int64_t ifindex = 0;
  uint64_t rx_bytes = 0;
  uint64_t tx_bytes = 0;
  absl::Time connected_since = absl::InfinitePast();
};

// pppd's own totals for a session that ended (pppd 2.4.9 prints them modulo 2^32).
struct FinalTotals {
  uint64_t rx_bytes = 0;
  uint64_t tx_bytes = 0;
};

// Times never go back: a board without a battery-backed clock boots in 1970 until NTP
// sets it, and what it counts meanwhile belongs to the cycle it last knew, not to one
// that ended 56 years ago. Every method takes `now` as the later of it and the newest
// time the ledger has seen.
class UsageLedger {
 public:
  explicit UsageLedger(StoredUsage stored = {}, size_t kept_cycles = 6);

  // Plans of a (new) config version; each account's state follows at once.
  void SetPlans(DataPlans plans, absl::Time now);
  // The SIM now in the modem: its account (opened when new) is the current one.
  void SeeSim(const std::string& iccid, absl::Time now);
  // Counts a reading: the bytes it adds to its session (opened when it is a new
  // instance of the interface; a different instance closes the old session first).
  void Count(const CounterReading& reading, absl::Time now);
  // The session's interface is gone. With pppd's totals for it, the bytes after the
  // last reading are counted too (the totals wrap at 2^32: the difference is taken
  // modulo 2^32, correct while less than 2 GiB went between two readings; totals behind
  // the last reading add nothing).
  void EndSession(std::optional<FinalTotals> totals, absl::Time now);
  bool has_session() const { return stored_.has_session() && !stored_.session().ended(); }
  const UsageSession& session() const { return stored_.session(); }

  // Lifts the cap's block of `iccid` (empty: the current SIM) for the rest of its
  // cycle. NOT_FOUND for a SIM never seen; FAILED_PRECONDITION when it is not past a
  // cap that blocks.
  absl::StatusOr<v1::SimUsage> OverrideCap(const std::string& iccid, const std::string& by,
                                           const std::string& reason, absl::Time now);

  // Rolls cycles that ended and brings every state and projection up to `now`.
  void Refresh(absl::Time now);

  // The current SIM's account (empty before any SIM was seen).
  v1::SimUsage Current() const;
  // Every account, the current SIM's first, then the most recently seen.
  std::vector<v1::SimUsage> Accounts() const;
  // Why dials must be refused: the current SIM is blocked at its cap; empty if not.
  std::string BlockReason() const;

  const StoredUsage& stored() const { return stored_; }
  // Bytes this ledger counted since it was made: moves whenever a count changed.
  uint64_t bytes_counted() const { return bytes_counted_; }

 private:
  v1::SimUsage* Find(const std::string& iccid);
  const v1::SimUsage* Find(const std::string& iccid) const;
  v1::SimUsage& AccountOf(const std::string& iccid, absl::Time now);
  void Add(const std::string& iccid, uint64_t rx, uint64_t tx, absl::Time now);
  void Update(v1::SimUsage& account, absl::Time now) const;
  absl::Time Monotone(absl::Time now);  // see the class comment

  StoredUsage stored_;
  uint64_t bytes_counted_ = 0;
  absl::Time latest_ = absl::InfinitePast();
  DataPlans plans_;
  size_t kept_cycles_;
};

}  // namespace cellfleet::agent

#endif  // CELLFLEET_AGENT_USAGE_USAGE_LEDGER_H_
