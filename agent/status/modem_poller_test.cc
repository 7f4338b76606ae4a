// The poller against a simulated EC25 on a real pseudo-terminal.
#include "agent/status/modem_poller.h"

#include <filesystem>

#include "agent/status/status_hub.h"
#include "base/clock.h"
#include "base/status_macros.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "modem/testing/status_matchers.h"
#include "modem/testing/wait_for.h"
#include "simulator/simulated_fleet.h"

namespace cellfleet::agent {
namespace {

using ::cellfleet::testing::IsOk;

// One simulated EC25 playing `scenario_yaml`, started, its ports under `dir`.
absl::StatusOr<std::unique_ptr<simulator::SimulatedFleet>> StartOneModem(
    const std::string& dir, const std::string& scenario_yaml) {
  simulator::SimulatedFleetOptions sim_options;
  sim_options.boards = 1;
  sim_options.dir = dir;
  ASSIGN_OR_RETURN(sim_options.scenario, simulator::ParseScenario(scenario_yaml, "test"));
  ASSIGN_OR_RETURN(std::unique_ptr<simulator::SimulatedFleet> fleet,
                   simulator::SimulatedFleet::Create(sim_options));
  fleet->Start();
  return fleet;
}

// A started poller on the simulated board's AT port, publishing to `hub`.
std::unique_ptr<ModemPoller> StartPoller(const simulator::SimulatedFleet& fleet,
                                         absl::Duration poll_interval, StatusHub& hub) {
  PollerOptions options;
  options.at_port = fleet.boards()[0].at_path;
  options.poll_interval = poll_interval;
  auto poller = std::make_unique<ModemPoller>(options, &hub);
  poller->Start();
  return poller;
}

// A modem that hangs on AT+COPS? (which may legitimately take 180 s) must not hold up
// the agent's shutdown: systemd would kill it mid-way and orphan its pppd.
TEST(ModemPollerTest, StopDoesNotWaitOutAHungCommand) {
  const std::string dir = ::testing::TempDir() + "/poller-" + std::to_string(::getpid());
  absl::StatusOr<std::unique_ptr<simulator::SimulatedFleet>> fleet =
      StartOneModem(dir, "faults:\n  - {command: \"AT+COPS?\", no_reply: true}\n");
  ASSERT_THAT(fleet, IsOk());

  StatusHub hub;
  std::unique_ptr<ModemPoller> poller = StartPoller(**fleet, absl::Milliseconds(100), hub);
  // Initialised, then stuck on AT+COPS?: the simulator's command count stops moving.
  uint64_t seen = 0;
  absl::Time last_change = base::Clock::Real().Now();
  (void)testing::WaitFor(
      [&] {
        const uint64_t now = (*fleet)->commands_handled();
        if (now != seen) {
          seen = now;
          last_change = base::Clock::Real().Now();
        }
        return seen != 0 && base::Clock::Real().Now() - last_change >= absl::Seconds(1);
      },
      absl::Seconds(10));
  ASSERT_GT(seen, 4u) << "the poller never got past initialisation";
  StatusPtr latest = hub.Latest();
  ASSERT_NE(latest, nullptr);
  EXPECT_NE(latest->modem_state(), v1::MODEM_STATE_READY) << "no sample can complete";

  const absl::Time stopping = base::Clock::Real().Now();
  poller->Stop();
  EXPECT_LT(base::Clock::Real().Now() - stopping, absl::Seconds(2))
      << "Stop waited for the hung command";
  (*fleet)->Stop();
  std::filesystem::remove_all(dir);
}

// With a long poll interval a registration loss still shows at once: the modem's
// +CEREG URC brings the next sample forward, and that sample reads registration anew.
TEST(ModemPollerTest, ARegistrationUrcIsSampledWithoutWaitingForThePoll) {
  const std::string dir = ::testing::TempDir() + "/poller-urc-" + std::to_string(::getpid());
  absl::StatusOr<std::unique_ptr<simulator::SimulatedFleet>> fleet =
      StartOneModem(dir, "initial: {radio_drift: false}\n");
  ASSERT_THAT(fleet, IsOk());

  StatusHub hub;
  std::unique_ptr<ModemPoller> poller = StartPoller(**fleet, absl::Seconds(60), hub);
  auto eps_state = [&] {
    StatusPtr latest = hub.Latest();
    return latest == nullptr ? v1::REGISTRATION_STATE_UNSPECIFIED
                             : latest->eps_registration().state();
  };
  ASSERT_TRUE(testing::WaitFor([&] { return eps_state() == v1::REGISTRATION_STATE_HOME; },
                               absl::Seconds(10)));
  simulator::ScenarioEvent lose;
  lose.action = simulator::EventAction::kDeregister;
  lose.duration = absl::Seconds(3);
  const absl::Time lost = base::Clock::Real().Now();
  (*fleet)->ApplyEventNow(0, lose);
  EXPECT_TRUE(testing::WaitFor([&] { return eps_state() == v1::REGISTRATION_STATE_SEARCHING; },
                               absl::Seconds(10)));
  EXPECT_LT(base::Clock::Real().Now() - lost, absl::Seconds(5)) << "waited for the 60 s poll";
  // And back, the same way, when the modem registers again.
  EXPECT_TRUE(testing::WaitFor([&] { return eps_state() == v1::REGISTRATION_STATE_HOME; },
                               absl::Seconds(10)));
  EXPECT_LT(base::Clock::Real().Now() - lost, absl::Seconds(10));

  poller->Stop();
  (*fleet)->Stop();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace cellfleet::agent
