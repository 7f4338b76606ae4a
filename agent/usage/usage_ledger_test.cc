#include "agent/usage/usage_ledger.h"

#include "absl/time/civil_time.h"
#include "agent/usage/billing_cycle.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "modem/testing/status_matchers.h"
#include "proto/time_convert.h"

namespace cellfleet::agent {
namespace {

using ::cellfleet::testing::IsOk;
using ::cellfleet::testing::StatusIs;
using ::testing::HasSubstr;

constexpr char kSim[] = "89490200001234567890";
constexpr char kOtherSim[] = "89490200009876543210";

absl::Time Utc(int y, int m, int d, int hh = 0) {
  return absl::FromCivil(absl::CivilHour(y, m, d, hh), absl::UTCTimeZone());
}

CounterReading Reading(uint64_t rx, uint64_t tx, int64_t ifindex = 7) {
  CounterReading r;
  r.boot_id = "boot-a";
  r.interface_name = "ppp0";
  r.ifindex = ifindex;
  r.rx_bytes = rx;
  r.tx_bytes = tx;
  return r;
}

uint64_t Rx(const v1::SimUsage& u) { return u.cycle().rx_bytes(); }
uint64_t Tx(const v1::SimUsage& u) { return u.cycle().tx_bytes(); }

DataPlans Plan(uint64_t warn, uint64_t cap, v1::CapAction action, int day = 1) {
  DataPlans plans;
  plans.board.set_cycle_start_day(static_cast<uint32_t>(day));
  plans.board.set_warn_bytes(warn);
  plans.board.set_cap_bytes(cap);
  plans.board.set_at_cap(action);
  plans.config_version = 3;
  return plans;
}

TEST(BillingCycleTest, FromTheStartDayToTheSameDayNextMonth) {
  BillingCycle c = CycleAt(Utc(2026, 1, 3, 12), 5);
  EXPECT_EQ(c.start, Utc(2025, 12, 5));
  EXPECT_EQ(c.end, Utc(2026, 1, 5));
  c = CycleAt(Utc(2026, 1, 5), 5);  // the start day itself opens the next cycle
  EXPECT_EQ(c.start, Utc(2026, 1, 5));
  c = CycleAt(Utc(2026, 2, 28, 23), 28);
  EXPECT_EQ(c.start, Utc(2026, 2, 28));
  EXPECT_EQ(c.end, Utc(2026, 3, 28));
  EXPECT_EQ(CycleAt(Utc(2026, 3, 1), 0).start, Utc(2026, 3, 1)) << "0 counts as 1";
  EXPECT_EQ(CycleAt(Utc(2026, 3, 30), 31).start, Utc(2026, 3, 28)) << "clamped to 28";
}

TEST(UsageLedgerTest, CountsWhatEachReadingAddsToTheSim) {
  UsageLedger ledger;
  const absl::Time t = Utc(2026, 12, 2, 10);
  ledger.SeeSim(kSim, t);
  ledger.Count(Reading(1000, 300), t);
  ledger.Count(Reading(5000, 800), t + absl::Seconds(2));
  v1::SimUsage u = ledger.Current();
  EXPECT_EQ(u.iccid(), kSim);
  EXPECT_EQ(Rx(u), 5000u);
  EXPECT_EQ(Tx(u), 800u);
  EXPECT_EQ(u.state(), v1::USAGE_STATE_OK);
  EXPECT_EQ(FromProtoTime(u.cycle().start()), Utc(2026, 12, 1));
}

TEST(UsageLedgerTest, ARestartedLedgerCountsTheSameInterfaceOnWithoutCountingTwice) {
  const absl::Time t = Utc(2026, 12, 2, 10);
  StoredUsage saved;
  {
    UsageLedger ledger;
    ledger.SeeSim(kSim, t);
    ledger.Count(Reading(4000, 400), t);
    saved = ledger.stored();
  }
  UsageLedger restarted(saved);
  restarted.Count(Reading(4000, 400), t + absl::Seconds(5));  // nothing new
  EXPECT_EQ(Rx(restarted.Current()), 4000u);
  restarted.Count(Reading(4500, 450), t + absl::Seconds(7));
  EXPECT_EQ(Rx(restarted.Current()), 4500u);
  EXPECT_EQ(Tx(restarted.Current()), 450u);
}

TEST(UsageLedgerTest, ACounterThatWentBackWasResetAndWhatItShowsIsNew) {
  UsageLedger ledger;
  const absl::Time t = Utc(2026, 12, 2, 10);
  ledger.SeeSim(kSim, t);
  ledger.Count(Reading(10'000, 2'000), t);
  ledger.Count(Reading(300, 100), t + absl::Seconds(2));  // same interface, reset
  EXPECT_EQ(Rx(ledger.Current()), 10'300u);
  EXPECT_EQ(Tx(ledger.Current()), 2'100u);
  ledger.Count(Reading(400, 100), t + absl::Seconds(4));
  EXPECT_EQ(Rx(ledger.Current()), 10'400u);
}

TEST(UsageLedgerTest, ANewInstanceOfTheInterfaceIsANewSession) {
  UsageLedger ledger;
  const absl::Time t = Utc(2026, 12, 2, 10);
  ledger.SeeSim(kSim, t);
  ledger.Count(Reading(10'000, 2'000, 7), t);
  ledger.Count(Reading(15'000, 2'500, 8), t + absl::Seconds(9));  // the next pppd's ppp0
  EXPECT_EQ(Rx(ledger.Current()), 25'000u);
  EXPECT_EQ(Tx(ledger.Current()), 4'500u);
  EXPECT_EQ(ledger.session().ifindex(), 8);
}

TEST(UsageLedgerTest, AnEndedSessionsInterfaceSeenAgainIsCountedOnNotAgain) {
  UsageLedger ledger;
  const absl::Time t = Utc(2026, 12, 2, 10);
  ledger.SeeSim(kSim, t);
  ledger.Count(Reading(10'000, 2'000, 7), t);
  ledger.EndSession(std::nullopt, t + absl::Seconds(1));
  EXPECT_FALSE(ledger.has_session());
  ledger.Count(Reading(10'500, 2'000, 7), t + absl::Seconds(2));
  EXPECT_EQ(Rx(ledger.Current()), 10'500u);
  EXPECT_TRUE(ledger.has_session());
}

TEST(UsageLedgerTest, PppdsFinalTotalsCountTheBytesAfterTheLastReadingAcrossA32BitWrap) {
  UsageLedger ledger;
  const absl::Time t = Utc(2026, 12, 2, 10);
  ledger.SeeSim(kSim, t);
  const uint64_t read = (uint64_t{1} << 32) - 500;  // 4 GiB less 500 bytes
  ledger.Count(Reading(read, 1000), t);
  // pppd 2.4.9 prints 32-bit totals: 1500 more received wraps to 1000.
  ledger.EndSession(FinalTotals{1000, 1200}, t + absl::Seconds(1));
  EXPECT_FALSE(ledger.has_session());
  EXPECT_EQ(Rx(ledger.Current()), read + 1500);
  EXPECT_EQ(Tx(ledger.Current()), 1200u);
  ledger.EndSession(FinalTotals{9999, 9999}, t + absl::Seconds(2));  // no session: nothing
  EXPECT_EQ(Tx(ledger.Current()), 1200u);
  // pppd counts from IP up, the interface from its creation: a total a little behind the
  // last reading adds nothing (not 4 GiB less a little).
  ledger.Count(Reading(5000, 5000, 8), t + absl::Seconds(3));
  ledger.EndSession(FinalTotals{4990, 5010}, t + absl::Seconds(4));
  EXPECT_EQ(Rx(ledger.Current()), read + 1500 + 5000);
  EXPECT_EQ(Tx(ledger.Current()), 1200u + 5010);
}

TEST(UsageLedgerTest, ACycleThatEndsIsKeptAndTheNextStartsFromZero) {
  UsageLedger ledger({}, /*kept_cycles=*/2);
  ledger.SetPlans(Plan(0, 0, v1::CAP_ACTION_WARN_ONLY, 5), Utc(2026, 10, 1));
  absl::Time t = Utc(2026, 10, 10);
  ledger.SeeSim(kSim, t);
  uint64_t counter = 0;
  for (int month = 10; month <= 12; ++month) {  // Oct 5, Nov 5, Dec 5 start cycles
    counter += 1000 * month;
    ledger.Count(Reading(counter, 0), Utc(2026, month, 10));
  }
  ledger.Refresh(Utc(2027, 1, 6));
  const v1::SimUsage u = ledger.Current();
  EXPECT_EQ(Rx(u), 0u);
  EXPECT_EQ(FromProtoTime(u.cycle().start()), Utc(2027, 1, 5));
  ASSERT_EQ(u.previous_size(), 2) << "bounded";
  EXPECT_EQ(u.previous(0).rx_bytes(), 12'000u) << "newest first";
  EXPECT_EQ(FromProtoTime(u.previous(0).start()), Utc(2026, 12, 5));
  EXPECT_EQ(u.previous(1).rx_bytes(), 11'000u);
}

TEST(UsageLedgerTest, WarningCapAndTheHangUpBlockWithAnOverride) {
  UsageLedger ledger;
  const absl::Time t = Utc(2026, 12, 2, 10);
  ledger.SetPlans(Plan(800, 1000, v1::CAP_ACTION_HANG_UP), t);
  ledger.SeeSim(kSim, t);
  ledger.Count(Reading(500, 0), t);
  EXPECT_EQ(ledger.Current().state(), v1::USAGE_STATE_OK);
  EXPECT_EQ(ledger.Current().plan_config_version(), 3u);
  EXPECT_THAT(ledger.OverrideCap("", "ops", "why", t),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  ledger.Count(Reading(700, 150), t);
  EXPECT_EQ(ledger.Current().state(), v1::USAGE_STATE_WARNING);
  EXPECT_EQ(ledger.BlockReason(), "");
  ledger.Count(Reading(900, 150), t);
  EXPECT_EQ(ledger.Current().state(), v1::USAGE_STATE_BLOCKED);
  EXPECT_THAT(ledger.BlockReason(), HasSubstr("1.05 kB of its 1.00 kB cap"));
  EXPECT_THAT(ledger.OverrideCap(kOtherSim, "ops", "why", t),
              StatusIs(absl::StatusCode::kNotFound));
  absl::StatusOr<v1::SimUsage> lifted = ledger.OverrideCap("", "ops@example", "field test", t);
  ASSERT_THAT(lifted, IsOk());
  EXPECT_EQ(lifted->state(), v1::USAGE_STATE_OVERRIDDEN);
  EXPECT_EQ(lifted->cap_override().by(), "ops@example");
  EXPECT_EQ(ledger.BlockReason(), "");
  ledger.Refresh(Utc(2027, 1, 1));  // the next cycle: no override, no use
  EXPECT_EQ(ledger.Current().state(), v1::USAGE_STATE_OK);
  EXPECT_FALSE(ledger.Current().has_cap_override());
}

TEST(UsageLedgerTest, AClockThatStartsIn1970AfterABootCountsToTheCycleItLastKnew) {
  const absl::Time t = Utc(2026, 12, 2, 10);
  StoredUsage saved;
  {
    UsageLedger ledger;
    ledger.SeeSim(kSim, t);
    ledger.Count(Reading(1000, 0, 7), t);
    saved = ledger.stored();
  }
  UsageLedger after_boot(saved);  // no RTC: 1970 until NTP sets the clock
  const absl::Time unset = absl::FromUnixSeconds(60);
  after_boot.SeeSim(kSim, unset);
  CounterReading next_boot = Reading(500, 0, 3);
  next_boot.boot_id = "boot-b";
  after_boot.Count(next_boot, unset);
  after_boot.Refresh(t + absl::Hours(1));  // NTP: the real time again
  const v1::SimUsage u = after_boot.Current();
  EXPECT_EQ(Rx(u), 1500u) << "one cycle, no 1970 cycle rolled in";
  EXPECT_EQ(u.previous_size(), 0);
  EXPECT_EQ(FromProtoTime(u.cycle().start()), Utc(2026, 12, 1));
}

TEST(UsageLedgerTest, AWarnOnlyPlanNeverBlocks) {
  UsageLedger ledger;
  const absl::Time t = Utc(2026, 12, 2, 10);
  ledger.SetPlans(Plan(0, 1000, v1::CAP_ACTION_WARN_ONLY), t);
  ledger.SeeSim(kSim, t);
  ledger.Count(Reading(5000, 0), t);
  EXPECT_EQ(ledger.Current().state(), v1::USAGE_STATE_CAP_REACHED);
  EXPECT_EQ(ledger.BlockReason(), "");
}

TEST(UsageLedgerTest, ASimSwapStartsANewAccountAndKeepsTheOld) {
  UsageLedger ledger;
  const absl::Time t = Utc(2026, 12, 2, 10);
  DataPlans plans = Plan(0, 1000, v1::CAP_ACTION_HANG_UP);
  plans.by_iccid[kOtherSim].set_cap_bytes(50'000);  // the new SIM has its own, larger plan
  plans.by_iccid[kOtherSim].set_at_cap(v1::CAP_ACTION_HANG_UP);
  ledger.SetPlans(plans, t);
  ledger.SeeSim(kSim, t);
  ledger.Count(Reading(2000, 0, 7), t);
  EXPECT_NE(ledger.BlockReason(), "");
  ledger.EndSession(std::nullopt, t + absl::Minutes(1));
  ledger.SeeSim(kOtherSim, t + absl::Minutes(5));
  EXPECT_EQ(ledger.BlockReason(), "") << "the block was the old SIM's";
  ledger.Count(Reading(3000, 10, 9), t + absl::Minutes(6));
  const std::vector<v1::SimUsage> accounts = ledger.Accounts();
  ASSERT_EQ(accounts.size(), 2u);
  EXPECT_EQ(accounts[0].iccid(), kOtherSim) << "the SIM in the modem first";
  EXPECT_EQ(Rx(accounts[0]), 3000u);
  EXPECT_EQ(accounts[0].plan().cap_bytes(), 50'000u);
  EXPECT_EQ(accounts[1].iccid(), kSim);
  EXPECT_EQ(Rx(accounts[1]), 2000u);
  EXPECT_EQ(accounts[1].state(), v1::USAGE_STATE_BLOCKED);
}

TEST(UsageLedgerTest, ALinkBeforeAnySimWasReadIsCountedAsUnknown) {
  UsageLedger ledger;
  ledger.Count(Reading(100, 10), Utc(2026, 12, 2));
  EXPECT_EQ(ledger.session().iccid(), kUnknownSim);
  EXPECT_EQ(ledger.Accounts().at(0).iccid(), kUnknownSim);
}

TEST(UsageLedgerTest, TheProjectionScalesThePaceToTheCycle) {
  UsageLedger ledger;
  const absl::Time start = Utc(2026, 11, 1);  // a 30-day cycle
  ledger.SeeSim(kSim, start);
  ledger.Count(Reading(1'000'000, 0), start + absl::Minutes(30));
  EXPECT_EQ(ledger.Current().projected_bytes(), 0u) << "not within the first hour";
  ledger.Count(Reading(3'000'000, 0), start + absl::Hours(72));  // 3 of 30 days
  EXPECT_EQ(ledger.Current().projected_bytes(), 30'000'000u);
}

TEST(DataPlanTest, BadPlansNameTheField) {
  v1::DataPlan plan;
  plan.set_cycle_start_day(31);
  EXPECT_THAT(ValidateDataPlan(plan, "data_plan"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("data_plan.cycle_start_day")));
  plan.set_cycle_start_day(1);
  plan.set_warn_bytes(2000);
  plan.set_cap_bytes(1000);
  EXPECT_THAT(ValidateDataPlan(plan, "x"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("x.warn_bytes")));
  plan.set_warn_bytes(0);
  plan.set_at_cap(static_cast<v1::CapAction>(9));
  EXPECT_THAT(ValidateDataPlan(plan, "x"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("x.at_cap")));
  plan.set_at_cap(v1::CAP_ACTION_HANG_UP);
  EXPECT_THAT(ValidateDataPlan(plan, "x"), IsOk());
}

}  // namespace
}  // namespace cellfleet::agent
