#include "agent/security/call_limits.h"

#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "modem/testing/status_matchers.h"

namespace cellfleet::agent {
namespace {

using ::cellfleet::testing::IsOk;
using ::cellfleet::testing::StatusIs;
using ::testing::HasSubstr;

const Caller kGrafana{"grafana", "ipv4:192.0.2.8:40000", Role::kViewer};
const Caller kOps{"ops", "ipv4:192.0.2.9:40000", Role::kOperator};

TEST(CallLimitsTest, AClientIsWhoItsCertificateNamesElseItsHost) {
  EXPECT_EQ(CallLimits::ClientOf(kGrafana), "grafana");
  EXPECT_EQ(CallLimits::ClientOf(Caller{"", "ipv4:127.0.0.1:5000", Role::kViewer}),
            "unauthenticated ipv4:127.0.0.1");
  EXPECT_EQ(CallLimits::ClientOf(Caller{"", "ipv6:[::1]:5000", Role::kViewer}),
            "unauthenticated ipv6:[::1]");
  EXPECT_EQ(CallLimits::ClientOf(Caller{"", "unix:/run/x.sock", Role::kViewer}),
            "unauthenticated unix:/run/x.sock");
}

TEST(CallLimitsTest, ModemCallsTwoAtATimePerClientAndFewInAll) {
  base::SimulatedClock clock;
  CallLimits limits(CallLimitSettings{}, clock);
  absl::StatusOr<CallLimits::Slot> first = limits.UseModem(kGrafana, "RunDoctor");
  ASSERT_THAT(first, IsOk());
  absl::StatusOr<CallLimits::Slot> second = limits.UseModem(kGrafana, "RunAtCommand");
  ASSERT_THAT(second, IsOk()) << "e.g. after giving up on a slow one the modem still runs";
  EXPECT_THAT(limits.UseModem(kGrafana, "RunAtCommand"),
              StatusIs(absl::StatusCode::kResourceExhausted,
                       HasSubstr("RunAtCommand: grafana already has 2 calls on the modem's AT "
                                 "channel, the most one client may at once")));
  absl::StatusOr<CallLimits::Slot> other = limits.UseModem(kOps, "RunAtCommand");
  ASSERT_THAT(other, IsOk()) << "another client is not held up by the first";
  const Caller third{"noc", "ipv4:192.0.2.10:1", Role::kViewer};
  EXPECT_THAT(
      limits.UseModem(third, "RunDoctor"),
      StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("the poller keeps its share")));
  first->reset();  // grafana's doctor ends: its place is free again
  EXPECT_THAT(limits.UseModem(third, "RunDoctor"), IsOk());
}

TEST(CallLimitsTest, SoManyModemCallsAMinutePerClient) {
  base::SimulatedClock clock;
  CallLimitSettings settings;
  settings.modem_calls_per_minute = 5;
  CallLimits limits(settings, clock);
  for (int i = 0; i < 5; ++i) {
    ASSERT_THAT(limits.UseModem(kOps, "RunAtCommand"), IsOk()) << i;  // each ends at once
    clock.Advance(absl::Seconds(1));
  }
  EXPECT_THAT(limits.UseModem(kOps, "RunAtCommand"),
              StatusIs(absl::StatusCode::kResourceExhausted,
                       HasSubstr("ops made 5 calls on the modem's AT channel in the last minute")));
  EXPECT_THAT(limits.UseModem(kGrafana, "RunDoctor"), IsOk()) << "per client";
  clock.Advance(absl::Seconds(56));  // the first call is a minute old
  EXPECT_THAT(limits.UseModem(kOps, "RunAtCommand"), IsOk());
}

TEST(CallLimitsTest, StreamsPerClientAndTheirPlacesComeBack) {
  base::SimulatedClock clock;
  CallLimitSettings settings;
  settings.streams_per_client = 3;
  CallLimits limits(settings, clock);
  std::vector<CallLimits::Slot> open;
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<CallLimits::Slot> stream = limits.OpenStream(kGrafana);
    ASSERT_THAT(stream, IsOk());
    open.push_back(*stream);
  }
  EXPECT_THAT(limits.OpenStream(kGrafana),
              StatusIs(absl::StatusCode::kResourceExhausted,
                       HasSubstr("grafana already has 3 streams open")));
  EXPECT_THAT(limits.OpenStream(kOps), IsOk());
  open.pop_back();
  EXPECT_THAT(limits.OpenStream(kGrafana), IsOk());
}

TEST(CallLimitsTest, TooManyClientsAreRefusedNotRemembered) {
  base::SimulatedClock clock;
  CallLimitSettings settings;
  settings.clients = 2;
  CallLimits limits(settings, clock);
  absl::StatusOr<CallLimits::Slot> a = limits.OpenStream(kGrafana);
  absl::StatusOr<CallLimits::Slot> b = limits.OpenStream(kOps);
  ASSERT_THAT(a, IsOk());
  ASSERT_THAT(b, IsOk());
  EXPECT_THAT(limits.OpenStream(Caller{"noc", "ipv4:192.0.2.10:1", Role::kViewer}),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("2 clients at once")));
  a->reset();  // a client holding nothing is forgotten
  EXPECT_THAT(limits.OpenStream(Caller{"noc", "ipv4:192.0.2.10:1", Role::kViewer}), IsOk());
}

}  // namespace
}  // namespace cellfleet::agent
