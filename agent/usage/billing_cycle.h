// Billing cycles: a month from a day of the month, in UTC.
#ifndef CELLFLEET_AGENT_USAGE_BILLING_CYCLE_H_
#define CELLFLEET_AGENT_USAGE_BILLING_CYCLE_H_

#include "absl/time/time.h"

namespace cellfleet::agent {

// Days 29..31 do not exist in every month: plans start on 1..28.
inline constexpr int kLastCycleStartDay = 28;

struct BillingCycle {
  absl::Time start;  // inclusive: 00:00 UTC on the start day
  absl::Time end;    // exclusive: the same day of the next month
};

// The cycle holding `t`, for cycles starting on `start_day` (1..28; outside that range
// it is clamped, 0 counting as 1).
BillingCycle CycleAt(absl::Time t, int start_day);

}  // namespace cellfleet::agent

#endif  // CELLFLEET_AGENT_USAGE_BILLING_CYCLE_H_
