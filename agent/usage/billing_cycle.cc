#include "agent/usage/billing_cycle.h"

#include <algorithm>

#include "absl/time/civil_time.h"

namespace cellfleet::agent {

BillingCycle CycleAt(absl::Time t, int start_day) {
  const int day = std::clamp(start_day, 1, kLastCycleStartDay);
  const absl::TimeZone utc = absl::UTCTimeZone();
  const absl::CivilDay today = absl::ToCivilDay(t, utc);
  absl::CivilMonth month(today);
  if (today.day() < day) month -= 1;
  const absl::CivilMonth next = month + 1;
  return BillingCycle{absl::FromCivil(absl::CivilDay(month.year(), month.month(), day), utc),
                      absl::FromCivil(absl::CivilDay(next.year(), next.month(), day), utc)};
}

}  // namespace cellfleet::agent
