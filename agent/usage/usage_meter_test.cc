// The usage meter in the assembled agent (simulated EC25, fake pppd, a fake sysfs tree
// whose ppp0 counters the test moves): counts, the warning, the cap's hang-up that
// holds keep-up off, the operator's override, and the next cycle that lifts the cap
// (on a simulated clock: hours of it in a second or two).
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "agent/testing/in_process_agent.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "modem/testing/status_matchers.h"
#include "modem/testing/wait_for.h"

namespace cellfleet::agent {
namespace {

using ::cellfleet::testing::AdvanceUntil;
using ::cellfleet::testing::IsOk;
using ::cellfleet::testing::WaitFor;
using ::testing::HasSubstr;

constexpr char kScenario[] = "initial: {radio_drift: false}\n";

class UsageMeterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/usage-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    net_ = dir_ + "-sys/class/net/ppp0";
    std::filesystem::create_directories(net_ + "/statistics");
    std::ofstream(net_ + "/ifindex") << "7\n";
    SetCounters(0, 0);
    starts_ = dir_ + "-starts";
    ::setenv("FAKE_PPPD_MODE", "connect", 1);
    ::setenv("FAKE_PPPD_STARTS", starts_.c_str(), 1);
    agent_.set_pppd(CELLFLEET_FAKE_PPPD);
    agent_.set_customize([this](AgentOptions& options) {
      options.host.roots.sysfs = dir_ + "-sys";
      options.settings.usage.save_interval = absl::Seconds(1);
      options.settings.audit_log = dir_ + "-audit.log";
      if (clock_) options.clock = clock_.get();
    });
  }
  void Start(bool keep_up_enabled) {
    KeepUpPolicy keep_up;
    keep_up.enabled = keep_up_enabled;
    keep_up.initial_backoff = absl::Seconds(1);
    agent_.set_keep_up(keep_up);
    ASSERT_THAT(agent_.Start(dir_, kScenario, absl::Milliseconds(200)), IsOk());
  }
  void TearDown() override {
    agent_.Stop();
    ::unsetenv("FAKE_PPPD_MODE");
    ::unsetenv("FAKE_PPPD_STARTS");
    std::filesystem::remove_all(dir_ + "-sys");
    std::filesystem::remove(starts_);
    std::filesystem::remove(dir_ + "-audit.log");
  }

  void SetCounters(uint64_t rx, uint64_t tx) {
    std::ofstream(net_ + "/statistics/rx_bytes") << rx << "\n";
    std::ofstream(net_ + "/statistics/tx_bytes") << tx << "\n";
  }
  int Starts() const {
    std::ifstream in(starts_);
    int n = 0;
    for (std::string line; std::getline(in, line);) ++n;
    return n;
  }
  v1::ModemStatus State() {
    return agent_.hub().Latest() ? *agent_.hub().Latest() : v1::ModemStatus();
  }
  bool WaitForUsage(v1::UsageState state, uint64_t used) {
    return WaitFor(
        [&] {
          const v1::SimUsage u = State().usage();
          return u.state() == state && u.cycle().rx_bytes() + u.cycle().tx_bytes() == used;
        },
        absl::Seconds(10));
  }
  grpc::Status Apply(const v1::DataPlan& plan) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    v1::ApplyConfigRequest request;
    *request.mutable_config()->mutable_data_plan() = plan;
    request.mutable_update_mask()->add_paths("data_plan");
    v1::ApplyConfigResponse response;
    grpc::Status status = agent_.stub().ApplyConfig(&context, request, &response);
    diff_ = response.diff();
    return status;
  }
  grpc::Status Dial() {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    v1::DialResponse response;
    return agent_.stub().Dial(&context, v1::DialRequest(), &response);
  }

  std::string dir_, net_, starts_, diff_;
  // Set before Start: the agent's clock (else the real one). Declared before the agent,
  // which must stop before its clock goes.
  std::unique_ptr<base::SimulatedClock> clock_;
  InProcessAgent agent_;
};

TEST_F(UsageMeterTest, ACapHangsUpHoldsKeepUpOffAndAnOverrideRedials) {
  Start(/*keep_up_enabled=*/true);
  v1::DataPlan plan;
  plan.set_warn_bytes(500'000);
  plan.set_cap_bytes(1'000'000);
  plan.set_at_cap(v1::CAP_ACTION_HANG_UP);
  ASSERT_TRUE(Apply(plan).ok());
  EXPECT_THAT(diff_,
              HasSubstr("+data_plan: cycle from day 1, warn at 500 kB, cap 1.00 MB (hang up)"));
  ASSERT_TRUE(
      WaitFor([&] { return State().connection().state() == v1::CONNECTION_STATE_CONNECTED; },
              absl::Seconds(15)))
      << "keep-up dials";
  SetCounters(90'000, 10'000);
  ASSERT_TRUE(WaitForUsage(v1::USAGE_STATE_OK, 100'000));
  const std::string iccid = State().identity().iccid();
  EXPECT_EQ(State().usage().iccid(), iccid);
  // The plan reaches the meter on its own thread after the apply returns; a sample taken
  // before says OK without a cap (an early read here failed once under ASan).
  EXPECT_TRUE(
      WaitFor([&] { return State().usage().plan().cap_bytes() == 1'000'000u; }, absl::Seconds(10)));
  SetCounters(500'000, 100'000);
  ASSERT_TRUE(WaitForUsage(v1::USAGE_STATE_WARNING, 600'000));
  EXPECT_EQ(State().connection().state(), v1::CONNECTION_STATE_CONNECTED) << "a warning only";

  SetCounters(1'000'000, 150'000);
  ASSERT_TRUE(WaitForUsage(v1::USAGE_STATE_BLOCKED, 1'150'000));
  ASSERT_TRUE(
      WaitFor([&] { return State().connection().state() == v1::CONNECTION_STATE_DISCONNECTED; },
              absl::Seconds(10)))
      << "hung up at the cap";
  EXPECT_THAT(State().connection().dial_blocked(), HasSubstr("1.15 MB of its 1.00 MB cap"));
  grpc::Status refused = Dial();
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(refused.error_message(), HasSubstr("dialing is blocked: SIM " + iccid));
  // Keep-up (1 s backoff) would have redialed by now; the block holds it.
  const int starts = Starts();
  EXPECT_FALSE(WaitFor([&] { return Starts() > starts; }, absl::Seconds(3)));
  grpc::ClientContext diagnose_context;
  v1::DiagnoseResponse diagnosis;
  ASSERT_TRUE(agent_.stub().Diagnose(&diagnose_context, v1::DiagnoseRequest(), &diagnosis).ok());
  bool usage_failed = false;
  for (const v1::DiagnosticCheck& check : diagnosis.checks()) {
    if (check.name() == "usage") usage_failed = check.result() == v1::CHECK_RESULT_FAIL;
  }
  EXPECT_TRUE(usage_failed) << diagnosis.ShortDebugString();
  EXPECT_EQ(State().recovery().problem(), "") << "down on purpose: nothing to recover";

  {  // a reason is required
    grpc::ClientContext context;
    v1::OverrideDataCapResponse response;
    EXPECT_EQ(agent_.stub()
                  .OverrideDataCap(&context, v1::OverrideDataCapRequest(), &response)
                  .error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
  }
  grpc::ClientContext context;
  v1::OverrideDataCapRequest request;
  request.set_reason("customer pays the overage");
  v1::OverrideDataCapResponse response;
  ASSERT_TRUE(agent_.stub().OverrideDataCap(&context, request, &response).ok());
  EXPECT_EQ(response.usage().state(), v1::USAGE_STATE_OVERRIDDEN);
  EXPECT_EQ(response.usage().cap_override().reason(), "customer pays the overage");
  ASSERT_TRUE(WaitFor([&] { return Starts() == starts + 1; }, absl::Seconds(10)))
      << "the wanted link is redialed";
  ASSERT_TRUE(
      WaitFor([&] { return State().connection().state() == v1::CONNECTION_STATE_CONNECTED; },
              absl::Seconds(10)));
  EXPECT_EQ(State().connection().dial_blocked(), "");
  std::ifstream audit(dir_ + "-audit.log");
  const std::string audit_text((std::istreambuf_iterator<char>(audit)),
                               std::istreambuf_iterator<char>());
  EXPECT_THAT(audit_text, HasSubstr("OverrideDataCap"));
  EXPECT_THAT(audit_text, HasSubstr("customer pays the overage"));

  grpc::ClientContext history_context;
  v1::GetHistoryRequest history_request;
  history_request.set_events_only(true);
  v1::GetHistoryResponse history;
  ASSERT_TRUE(agent_.stub().GetHistory(&history_context, history_request, &history).ok());
  std::vector<std::string> usage_events;
  for (const v1::HistoryEntry& entry : history.entries()) {
    if (entry.event().kind() == v1::EVENT_KIND_DATA_USAGE)
      usage_events.push_back(entry.event().detail());
  }
  EXPECT_THAT(usage_events, ::testing::IsSupersetOf(
                                {HasSubstr("USAGE_STATE_OK -> USAGE_STATE_WARNING"),
                                 HasSubstr("USAGE_STATE_WARNING -> USAGE_STATE_BLOCKED"),
                                 HasSubstr("USAGE_STATE_BLOCKED -> USAGE_STATE_OVERRIDDEN")}));

  grpc::ClientContext usage_context;
  v1::GetUsageResponse usage;
  ASSERT_TRUE(agent_.stub().GetUsage(&usage_context, v1::GetUsageRequest(), &usage).ok());
  ASSERT_EQ(usage.accounts_size(), 1);
  EXPECT_EQ(usage.accounts(0).iccid(), iccid);
  EXPECT_EQ(usage.accounts(0).cycle().rx_bytes(), 1'000'000u);
}

TEST_F(UsageMeterTest, ACappedSimIsHeldForTheRestOfItsCycleAndDialsAgainInTheNext) {
  // Two hours before a cycle that starts on day 1 ends.
  const absl::Time cycle_end = absl::FromCivil(absl::CivilDay(2027, 2, 1), absl::UTCTimeZone());
  clock_ = std::make_unique<base::SimulatedClock>(cycle_end - absl::Hours(2));
  // The agent's polls, keep-up backoff and saves run on the simulated clock: every wait
  // moves it. Small steps while pppd (real) dials, large ones across the hours.
  auto advance = [&](auto done, absl::Duration step, absl::Duration limit) {
    return AdvanceUntil(*clock_, done, step, limit);
  };
  Start(/*keep_up_enabled=*/true);
  v1::DataPlan plan;
  plan.set_cap_bytes(1'000'000);
  plan.set_at_cap(v1::CAP_ACTION_HANG_UP);
  ASSERT_TRUE(Apply(plan).ok());
  ASSERT_TRUE(advance(
      [&] {
        return State().connection().state() == v1::CONNECTION_STATE_CONNECTED &&
               State().usage().plan().cap_bytes() == 1'000'000u;
      },
      absl::Milliseconds(250), absl::Minutes(5)))
      << State().ShortDebugString();
  SetCounters(1'000'000, 150'000);
  ASSERT_TRUE(advance(
      [&] {
        return State().usage().state() == v1::USAGE_STATE_BLOCKED &&
               State().connection().state() == v1::CONNECTION_STATE_DISCONNECTED;
      },
      absl::Milliseconds(250), absl::Minutes(5)))
      << "hung up at the cap";
  SetCounters(0, 0);  // the next ppp0 counts from zero
  const int starts = Starts();
  // The rest of the cycle, with keep-up's backoff (1 s) passing many times: no dial.
  EXPECT_FALSE(advance([&] { return Starts() > starts; }, absl::Seconds(10),
                       cycle_end - clock_->Now() - absl::Seconds(10)));
  EXPECT_EQ(State().usage().state(), v1::USAGE_STATE_BLOCKED);
  // The next cycle starts from zero, the block lifts, and keep-up dials.
  ASSERT_TRUE(advance(
      [&] {
        const v1::ModemStatus s = State();
        return s.usage().state() == v1::USAGE_STATE_OK &&
               s.connection().state() == v1::CONNECTION_STATE_CONNECTED;
      },
      absl::Milliseconds(250), absl::Minutes(5)))
      << State().ShortDebugString();
  const v1::SimUsage usage = State().usage();
  EXPECT_EQ(usage.cycle().start().seconds(), absl::ToUnixSeconds(cycle_end));
  EXPECT_EQ(usage.cycle().rx_bytes() + usage.cycle().tx_bytes(), 0u);
  ASSERT_GE(usage.previous_size(), 1);
  EXPECT_EQ(usage.previous(0).rx_bytes() + usage.previous(0).tx_bytes(), 1'150'000u);
  EXPECT_EQ(Starts(), starts + 1);
  EXPECT_EQ(State().connection().dial_blocked(), "");
}

TEST_F(UsageMeterTest, PppdsTotalsAtHangUpAreCountedAndBadPlansAreRefused) {
  Start(/*keep_up_enabled=*/false);
  // What goes between the last reading and the end, as pppd totals it at the hang-up
  // (the fake pppd prints these then).
  ::setenv("FAKE_PPPD_SENT", "150", 1);
  ::setenv("FAKE_PPPD_RECEIVED", "1500", 1);
  grpc::Status dialed = Dial();
  ::unsetenv("FAKE_PPPD_SENT");
  ::unsetenv("FAKE_PPPD_RECEIVED");
  ASSERT_TRUE(dialed.ok()) << dialed.error_message();
  SetCounters(1000, 100);
  ASSERT_TRUE(WaitForUsage(v1::USAGE_STATE_OK, 1100));
  grpc::ClientContext context;
  v1::HangUpResponse response;
  ASSERT_TRUE(agent_.stub().HangUp(&context, v1::HangUpRequest(), &response).ok());
  EXPECT_TRUE(response.connection().counters_final());
  EXPECT_TRUE(WaitForUsage(v1::USAGE_STATE_OK, 1650));

  v1::DataPlan bad;
  bad.set_warn_bytes(2000);
  bad.set_cap_bytes(1000);
  grpc::Status refused = Apply(bad);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(refused.error_message(), HasSubstr("data_plan.warn_bytes"));
}

TEST_F(UsageMeterTest, ALedgerThatIsNotOneIsMovedAsideAndANewOneBegun) {
  std::filesystem::create_directories(dir_ + "/state");
  std::ofstream(dir_ + "/state/usage.pb") << "half-written \x01\x02 garbage";
  Start(/*keep_up_enabled=*/false);
  ASSERT_TRUE(Dial().ok());
  SetCounters(2000, 200);
  ASSERT_TRUE(WaitForUsage(v1::USAGE_STATE_OK, 2200)) << "counting from a new ledger";
  bool moved_aside = false;
  for (const auto& entry : std::filesystem::directory_iterator(dir_ + "/state")) {
    moved_aside |= entry.path().filename().string().rfind("usage.pb.corrupt-", 0) == 0;
  }
  EXPECT_TRUE(moved_aside) << "kept for a look, not trusted";
}

}  // namespace
}  // namespace cellfleet::agent
