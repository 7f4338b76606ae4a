// One poller, many subscribers: the modem sees the same command rate whatever the
// number of watchers; a stalled watcher delays nobody; the stream reports a modem
// that vanishes and returns.
#include <algorithm>
#include <atomic>
#include <filesystem>
#include <functional>
#include <thread>

#include "agent/testing/in_process_agent.h"
#include "base/clock.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "modem/testing/status_matchers.h"
#include "simulator/simulated_fleet.h"

namespace cellfleet::agent {
namespace {

using ::cellfleet::testing::IsOk;

class FanoutTest : public ::testing::Test {
 protected:
  void Start(const std::string& scenario_yaml, absl::Duration poll_interval) {
    ASSERT_THAT(agent_.Start(::testing::TempDir() + "/fanout-" + std::to_string(::getpid()) + "-" +
                                 ::testing::UnitTest::GetInstance()->current_test_info()->name(),
                             scenario_yaml, poll_interval),
                IsOk());
    fleet_ = &agent_.fleet();
    stub_ = &agent_.stub();
    target_ = agent_.target();
  }

  void TearDown() override { agent_.Stop(); }

  // Counts the simulator's AT commands over `window` while `watchers` streams run.
  double CommandsPerSecond(int watchers, absl::Duration window) {
    std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
    std::vector<std::unique_ptr<grpc::ClientReader<v1::StatusUpdate>>> readers;
    std::atomic<int> updates{0};
    std::vector<std::thread> threads;
    v1::WatchStatusRequest request;
    request.mutable_sample_interval()->set_nanos(100 * 1000 * 1000);
    for (int i = 0; i < watchers; ++i) {
      contexts.push_back(std::make_unique<grpc::ClientContext>());
      readers.push_back(stub_->WatchStatus(contexts.back().get(), request));
      threads.emplace_back([&, reader = readers.back().get()] {
        v1::StatusUpdate update;
        while (reader->Read(&update)) ++updates;
      });
    }
    const uint64_t before = fleet_->commands_handled();
    absl::SleepFor(window);  // the measurement window itself
    const uint64_t after = fleet_->commands_handled();
    for (auto& context : contexts) context->TryCancel();
    for (auto& thread : threads) thread.join();
    for (auto& reader : readers) reader->Finish();
    EXPECT_GT(updates.load(), watchers) << "every watcher got updates";
    return static_cast<double>(after - before) / absl::ToDoubleSeconds(window);
  }

  // The distinct modem states an on-change stream (masked to modem_state) reports,
  // until `done` says the sequence is complete or the 20 s deadline passes.
  std::vector<v1::ModemState> ModemStatesUntil(
      const std::function<bool(const std::vector<v1::ModemState>&)>& done) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    v1::WatchStatusRequest request;
    request.set_on_change(true);
    request.mutable_field_mask()->add_paths("modem_state");
    auto reader = stub_->WatchStatus(&context, request);
    std::vector<v1::ModemState> states;
    v1::StatusUpdate update;
    while (!done(states) && reader->Read(&update)) {
      if (update.kind() == v1::UPDATE_KIND_HEARTBEAT) continue;
      const v1::ModemState state = update.status().modem_state();
      if (states.empty() || states.back() != state) states.push_back(state);
    }
    context.TryCancel();
    reader->Finish();
    return states;
  }

  InProcessAgent agent_;
  simulator::SimulatedFleet* fleet_ = nullptr;
  v1::ModemAgent::Stub* stub_ = nullptr;
  std::string target_;
};

TEST_F(FanoutTest, ModemTrafficDoesNotGrowWithSubscribers) {
  Start("", absl::Milliseconds(200));
  const double one = CommandsPerSecond(1, absl::Seconds(3));
  const double hundred = CommandsPerSecond(100, absl::Seconds(3));
  std::cout << "AT commands/s with 1 watcher: " << one << ", with 100: " << hundred << "\n";
  EXPECT_GT(one, 0);
  // The poll schedule alone sets the modem's traffic: 100 watchers add nothing beyond
  // one poll's worth of commands per window (they may slow a sanitizer build a little,
  // which lowers the rate, never raises it).
  EXPECT_GT(hundred, 0);
  EXPECT_LE(hundred, one + 7.0 / 3.0 + 0.01);
}

TEST_F(FanoutTest, StalledSubscriberDoesNotDelayOthers) {
  Start("initial: {radio_drift: true}\n", absl::Milliseconds(200));
  v1::WatchStatusRequest request;
  request.mutable_sample_interval()->set_nanos(200 * 1000 * 1000);
  // The stalled client, on its own connection with a small receive window so that
  // the agent's writes to it block quickly, opens a stream and does not read it.
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  args.SetInt(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, 1024);
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  auto stalled_stub = v1::ModemAgent::NewStub(
      grpc::CreateCustomChannel(target_, grpc::InsecureChannelCredentials(), args));
  grpc::ClientContext stalled_context;
  auto stalled = stalled_stub->WatchStatus(&stalled_context, request);
  // A healthy client on the same connection reads normally.
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  auto reader = stub_->WatchStatus(&context, request);
  v1::StatusUpdate update;
  const absl::Time start = base::Clock::Real().Now();
  int received = 0;
  while (received < 15 && reader->Read(&update)) ++received;
  const absl::Duration took = base::Clock::Real().Now() - start;
  EXPECT_EQ(received, 15);
  // 15 samples at 200 ms each: about 3 s; a delay by the stalled client would show.
  EXPECT_LT(took, absl::Seconds(6));
  context.TryCancel();
  reader->Finish();
  // The stalled client, reading at last, gets the newest sample with a missed count
  // rather than an unbounded backlog.
  uint64_t missed = 0;
  int drained = 0;
  while (drained < 50 && stalled->Read(&update)) {
    ++drained;
    missed += update.missed_samples();
    if (update.missed_samples() > 0) break;
  }
  stalled_context.TryCancel();
  stalled->Finish();
  std::cout << "stalled client: read " << drained
            << " queued updates, then missed_samples=" << missed << "\n";
  EXPECT_GT(missed, 0u) << "samples were coalesced for the stalled client";
  EXPECT_LT(drained, 50);
}

TEST_F(FanoutTest, StreamReportsModemVanishingAndReturning) {
  Start("events:\n  - {at: 1500ms, action: port_vanish, duration: 1500ms}\n",
        absl::Milliseconds(200));
  auto contains = [](const std::vector<v1::ModemState>& states, v1::ModemState state) {
    return std::find(states.begin(), states.end(), state) != states.end();
  };
  std::vector<v1::ModemState> states =
      ModemStatesUntil([&](const std::vector<v1::ModemState>& seen) {
        return !seen.empty() && seen.back() == v1::MODEM_STATE_READY &&
               contains(seen, v1::MODEM_STATE_ABSENT);
      });
  // READY, then ABSENT while the port is gone, then READY again (INITIALIZING may
  // come before each READY).
  auto ready = std::find(states.begin(), states.end(), v1::MODEM_STATE_READY);
  ASSERT_NE(ready, states.end());
  auto absent = std::find(ready, states.end(), v1::MODEM_STATE_ABSENT);
  ASSERT_NE(absent, states.end());
  EXPECT_NE(std::find(absent, states.end(), v1::MODEM_STATE_READY), states.end());
}

TEST_F(FanoutTest, StreamReportsModemReset) {
  Start("events:\n  - {at: 1s, action: modem_reset}\n", absl::Milliseconds(200));
  std::vector<v1::ModemState> states =
      ModemStatesUntil([](const std::vector<v1::ModemState>& seen) {
        auto resetting = std::find(seen.begin(), seen.end(), v1::MODEM_STATE_RESETTING);
        return resetting != seen.end() &&
               std::find(resetting, seen.end(), v1::MODEM_STATE_READY) != seen.end();
      });
  auto resetting = std::find(states.begin(), states.end(), v1::MODEM_STATE_RESETTING);
  const bool saw_resetting = resetting != states.end();
  const bool ready_after =
      saw_resetting && std::find(resetting, states.end(), v1::MODEM_STATE_READY) != states.end();
  EXPECT_TRUE(saw_resetting);
  EXPECT_TRUE(ready_after);
}

}  // namespace
}  // namespace cellfleet::agent
