// Config push through gRPC with a stand-in pppd whose "network" refuses one APN
// (modem/ppp/testdata/fake-pppd.sh by-apn): dry-run diffs, validation that changes
// nothing, commit-confirmed applies, rollbacks on timeout and on a failed redial,
// and a pending confirm that survives a restart. The real link: tests/ppp_vm.
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>

#include "absl/strings/str_cat.h"
#include "agent/config/connection_config.h"
#include "agent/testing/in_process_agent.h"
#include "base/clock.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "modem/testing/status_matchers.h"
#include "modem/testing/wait_for.h"

namespace cellfleet::agent {
namespace {

using ::cellfleet::testing::IsOk;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kRefusedApn[] = "refused.example";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Every file under `dir` with its bytes: to prove a refused request changed nothing.
std::map<std::string, std::string> Snapshot(const std::string& dir) {
  std::map<std::string, std::string> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) files[entry.path().string()] = ReadFile(entry.path().string());
  }
  return files;
}

google::protobuf::Duration Seconds(int64_t s) {
  return google::protobuf::util::TimeUtil::SecondsToDuration(s);
}

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("FAKE_PPPD_MODE", "by-apn", 1);
    ::setenv("FAKE_PPPD_REFUSED_APN", kRefusedApn, 1);
    agent_.set_pppd(CELLFLEET_FAKE_PPPD);
    ConfigManagerOptions options;
    options.redial_delay = absl::Milliseconds(50);
    agent_.set_config_options(options);
    agent_.set_customize([this](AgentOptions& agent_options) {
      if (simulated_clock_) agent_options.clock = simulated_clock_.get();
    });
    dir_ = ::testing::TempDir() + "/config-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    ASSERT_THAT(agent_.Start(dir_, "", absl::Milliseconds(100)), IsOk());
  }
  void TearDown() override {
    agent_.Stop();
    ::unsetenv("FAKE_PPPD_MODE");
    ::unsetenv("FAKE_PPPD_REFUSED_APN");
  }

  std::string state_dir() const { return dir_ + "/state"; }

  grpc::Status Apply(const v1::ApplyConfigRequest& request, v1::ApplyConfigResponse& response) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    return agent_.stub().ApplyConfig(&context, request, &response);
  }
  v1::ApplyConfigRequest SetApn(const std::string& apn, int confirm_seconds = 0) {
    v1::ApplyConfigRequest request;
    request.mutable_config()->set_apn(apn);
    request.mutable_update_mask()->add_paths("apn");
    if (confirm_seconds > 0) *request.mutable_confirm_within() = Seconds(confirm_seconds);
    return request;
  }
  grpc::Status Confirm(uint64_t version) {
    grpc::ClientContext context;
    v1::ConfirmConfigRequest request;
    request.set_version(version);
    v1::ConfirmConfigResponse response;
    return agent_.stub().ConfirmConfig(&context, request, &response);
  }
  v1::GetConfigResponse Get() {
    grpc::ClientContext context;
    v1::GetConfigRequest request;
    request.set_include_previous(true);
    v1::GetConfigResponse response;
    EXPECT_TRUE(agent_.stub().GetConfig(&context, request, &response).ok());
    return response;
  }
  void Dial() {
    grpc::ClientContext context;
    v1::DialResponse response;
    ASSERT_TRUE(agent_.stub().Dial(&context, v1::DialRequest(), &response).ok());
  }
  // The status until `done` holds (bounded).
  v1::ModemStatus WaitForStatus(const std::function<bool(const v1::ModemStatus&)>& done,
                                absl::Duration timeout = absl::Seconds(10)) {
    v1::GetStatusResponse response;
    const bool met = cellfleet::testing::WaitFor(
        [&] {
          grpc::ClientContext context;
          response.Clear();
          return agent_.stub().GetStatus(&context, v1::GetStatusRequest(), &response).ok() &&
                 done(response.status());
        },
        timeout);
    if (!met) ADD_FAILURE() << "status condition not met; last: " << response.ShortDebugString();
    return response.status();
  }
  static std::function<bool(const v1::ModemStatus&)> UpOn(uint64_t version) {
    return [version](const v1::ModemStatus& s) {
      return s.connection().state() == v1::CONNECTION_STATE_CONNECTED &&
             s.connection().config_version() == version && s.config().version() == version;
    };
  }

  // Set by a fixture that runs the agent's timers on a simulated clock (before SetUp).
  std::unique_ptr<base::SimulatedClock> simulated_clock_;
  std::string dir_;
  InProcessAgent agent_;
};

// The agent's timers on a simulated clock: a confirm window takes no real time.
class ConfigOnSimulatedClockTest : public ConfigTest {
 protected:
  ConfigOnSimulatedClockTest() {
    simulated_clock_ = std::make_unique<base::SimulatedClock>(base::Clock::Real().Now());
  }
  void Advance(absl::Duration by) { simulated_clock_->Advance(by); }
};

TEST_F(ConfigTest, StartsFromTheSettingsFileAsVersionOneAndMasksSecrets) {
  v1::GetConfigResponse config = Get();
  EXPECT_EQ(config.current().version(), 1u);
  EXPECT_EQ(config.current().applied_by(), "settings file");
  EXPECT_EQ(config.current().config().apn(), "internet.example");

  v1::ApplyConfigRequest request;
  request.mutable_config()->set_apn("internet.example");
  request.mutable_config()->set_auth(v1::AUTH_METHOD_CHAP);
  request.mutable_config()->set_username("fleet");
  request.mutable_config()->set_password("s3cr3t-pw");
  v1::ApplyConfigResponse applied;
  ASSERT_TRUE(Apply(request, applied).ok());
  EXPECT_EQ(applied.version(), 2u);
  EXPECT_EQ(applied.applied().config().password(), kMaskedSecret);
  EXPECT_THAT(applied.diff(), Not(HasSubstr("s3cr3t-pw")));
  EXPECT_THAT(applied.ShortDebugString(), Not(HasSubstr("s3cr3t-pw")));
  config = Get();
  EXPECT_EQ(config.current().config().password(), kMaskedSecret);
  EXPECT_THAT(config.ShortDebugString(), Not(HasSubstr("s3cr3t-pw")));
  // The store keeps the secret, readable by the agent's user only.
  struct stat st {};
  ASSERT_EQ(::stat((state_dir() + "/config.json").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_THAT(ReadFile(state_dir() + "/config.json"), HasSubstr("s3cr3t-pw"));

  // Sending the mask back keeps the secret: a read-modify-write needs no clear password.
  v1::ApplyConfigRequest again;
  *again.mutable_config() = config.current().config();
  again.mutable_config()->set_apn("other.example");
  ASSERT_TRUE(Apply(again, applied).ok());
  EXPECT_THAT(ReadFile(state_dir() + "/config.json"), HasSubstr("s3cr3t-pw"));
  EXPECT_THAT(applied.diff(), Not(HasSubstr("password")));  // unchanged
}

TEST_F(ConfigTest, SimPlansMergeByIccidAndAnEmptyPlanRemovesOne) {
  constexpr char kSimA[] = "89490200001234567890";
  constexpr char kSimB[] = "89490200009876543210";
  auto set_sim_plan = [](const char* iccid, uint64_t cap) {
    v1::ApplyConfigRequest request;
    v1::DataPlan& plan = (*request.mutable_config()->mutable_sim_data_plans())[iccid];
    plan.set_cap_bytes(cap);
    request.mutable_update_mask()->add_paths("sim_data_plans");
    return request;
  };
  v1::ApplyConfigResponse applied;
  ASSERT_TRUE(Apply(set_sim_plan(kSimA, 1'000'000'000), applied).ok());
  ASSERT_TRUE(Apply(set_sim_plan(kSimB, 2'000'000'000), applied).ok());
  EXPECT_THAT(applied.diff(),
              HasSubstr(absl::StrCat("+data_plan[", kSimB,
                                     "]: cycle from day 1, cap 2.00 GB (warn only)")));
  auto plans = Get().current().config().sim_data_plans();
  EXPECT_EQ(plans.size(), 2u) << "the second SIM's plan did not replace the first's";
  EXPECT_EQ(plans.at(kSimA).cap_bytes(), 1'000'000'000u);
  ASSERT_TRUE(Apply(set_sim_plan(kSimA, 0), applied).ok());
  plans = Get().current().config().sim_data_plans();
  EXPECT_EQ(plans.size(), 1u);
  EXPECT_EQ(plans.count(kSimB), 1u);
  v1::ApplyConfigResponse refused;
  grpc::Status status = Apply(set_sim_plan("not-an-iccid", 5), refused);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("sim_data_plans[\"not-an-iccid\"]: an ICCID"));
}

TEST_F(ConfigTest, InvalidConfigIsRefusedNamingTheFieldAndNothingOnDiskChanges) {
  Dial();  // so the PPP files exist too
  const std::map<std::string, std::string> before = Snapshot(state_dir());
  struct Case {
    std::function<void(v1::ApplyConfigRequest&)> edit;
    const char* field;
  };
  const std::vector<Case> cases = {
      {[](v1::ApplyConfigRequest& r) { r.mutable_config()->set_apn("bad apn!"); }, "apn: "},
      {[](v1::ApplyConfigRequest& r) { r.mutable_config()->set_apn("x\" noauth \"y"); }, "apn: "},
      {[](v1::ApplyConfigRequest& r) {
         r.mutable_config()->set_apn("internet.example");
         r.mutable_config()->set_pdp_type(static_cast<v1::PdpType>(42));
       },
       "pdp_type: "},
      {[](v1::ApplyConfigRequest& r) {
         r.mutable_config()->set_apn("internet.example");
         r.mutable_config()->set_auth(v1::AUTH_METHOD_PAP);
         r.mutable_config()->set_username("fleet");
         r.mutable_config()->set_password("line\nplugin evil.so");
       },
       "password: "},
      // Every pushed field that reaches pppd's or chat's files, each trying to add an option.
      {[](v1::ApplyConfigRequest& r) {
         r.mutable_config()->set_apn("internet.example\nplugin /tmp/evil.so");
       },
       "apn: "},
      {[](v1::ApplyConfigRequest& r) {
         r.mutable_config()->set_apn("internet.example");
         r.mutable_config()->set_auth(v1::AUTH_METHOD_CHAP);
         r.mutable_config()->set_username("fleet\"\nset LD_PRELOAD=/tmp/evil.so\n#");
         r.mutable_config()->set_password("pw");
       },
       "username: "},
      {[](v1::ApplyConfigRequest& r) {
         r.mutable_config()->set_apn("internet.example");
         r.mutable_config()->set_dial_string("*99#\npty \"/bin/sh\"");
       },
       "dial_string: "},
      // The modem port is the board's own (its YAML file), never pushed.
      {[](v1::ApplyConfigRequest& r) { r.mutable_update_mask()->add_paths("modem_port"); },
       "update_mask: "},
      {[](v1::ApplyConfigRequest& r) {
         r.mutable_config()->set_apn("internet.example");
         *r.mutable_confirm_within() = Seconds(-5);
       },
       "confirm_within: "},
  };
  for (const Case& c : cases) {
    v1::ApplyConfigRequest request;
    c.edit(request);
    v1::ApplyConfigResponse response;
    grpc::Status status = Apply(request, response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.field;
    EXPECT_THAT(status.error_message(), HasSubstr(c.field));
  }
  EXPECT_EQ(Snapshot(state_dir()), before);
  EXPECT_EQ(Get().current().version(), 1u);
}

TEST_F(ConfigTest, DryRunShowsTheDiffOfConfigAndFilesAndChangesNothing) {
  const std::string stored = ReadFile(state_dir() + "/config.json");
  v1::ApplyConfigRequest request = SetApn("new.example");
  request.set_dry_run(true);
  v1::ApplyConfigResponse response;
  ASSERT_TRUE(Apply(request, response).ok());
  EXPECT_EQ(response.version(), 0u);
  EXPECT_THAT(response.diff(), HasSubstr("--- a/connection\n+++ b/connection\n"));
  EXPECT_THAT(response.diff(), HasSubstr("-apn: internet.example\n+apn: new.example\n"));
  EXPECT_THAT(response.diff(), HasSubstr("+OK 'AT+CGDCONT=1,\"IP\",\"new.example\"'\n"));
  EXPECT_THAT(response.diff(), HasSubstr("connect.chat\n"));
  ASSERT_FALSE(response.rendered().empty());
  EXPECT_EQ(ReadFile(state_dir() + "/config.json"), stored);
  EXPECT_EQ(Get().current().version(), 1u);
}

TEST_F(ConfigTest, ApplyRedialsAndAConfirmedVersionStaysAfterRestart) {
  Dial();
  v1::ApplyConfigResponse applied;
  ASSERT_TRUE(Apply(SetApn("backup.example", 30), applied).ok());
  EXPECT_EQ(applied.version(), 2u);
  EXPECT_TRUE(applied.redialing());
  EXPECT_EQ(applied.pending().rollback_to_version(), 1u);
  WaitForStatus(UpOn(2));
  // Another apply must wait for the confirm; a stale expected_version is refused.
  v1::ApplyConfigResponse refused;
  EXPECT_EQ(Apply(SetApn("third.example"), refused).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  ASSERT_TRUE(Confirm(2).ok());
  EXPECT_TRUE(Confirm(2).ok()) << "confirming twice is harmless";
  v1::ApplyConfigRequest stale = SetApn("third.example");
  stale.set_expected_version(1);
  EXPECT_EQ(Apply(stale, refused).error_code(), grpc::StatusCode::ABORTED);

  ASSERT_THAT(agent_.Restart("", absl::Milliseconds(100)), IsOk());
  v1::GetConfigResponse config = Get();
  EXPECT_EQ(config.current().version(), 2u);
  EXPECT_EQ(config.current().config().apn(), "backup.example");
  EXPECT_FALSE(config.has_pending());
}

TEST_F(ConfigTest, NoConfirmWithinTheWindowRollsBackAndRedials) {
  Dial();
  v1::ApplyConfigResponse applied;
  ASSERT_TRUE(Apply(SetApn("backup.example", 1), applied).ok());
  WaitForStatus(UpOn(2));
  const v1::ModemStatus back = WaitForStatus(UpOn(1));  // after the 1 s window
  ASSERT_FALSE(back.config().recent_steps().empty());
  EXPECT_EQ(back.config().recent_steps().rbegin()->kind(), v1::CONFIG_STEP_KIND_ROLLED_BACK);
  v1::GetConfigResponse config = Get();
  EXPECT_EQ(config.current().version(), 1u);
  EXPECT_FALSE(config.has_pending());
  ASSERT_FALSE(config.previous().empty());
  EXPECT_EQ(config.previous(0).version(), 2u);
  EXPECT_THAT(config.previous(0).note(), HasSubstr("no confirm within 1s"));
  grpc::Status late = Confirm(2);
  EXPECT_EQ(late.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(late.error_message(), HasSubstr("rolled back"));
  // The history and the stream saw each step.
  grpc::ClientContext context;
  v1::GetHistoryRequest request;
  request.set_events_only(true);
  v1::GetHistoryResponse history;
  ASSERT_TRUE(agent_.stub().GetHistory(&context, request, &history).ok());
  std::vector<v1::EventKind> kinds;
  for (const v1::HistoryEntry& entry : history.entries()) kinds.push_back(entry.event().kind());
  EXPECT_THAT(kinds, ::testing::IsSupersetOf(
                         {v1::EVENT_KIND_CONFIG_APPLIED, v1::EVENT_KIND_CONFIG_ROLLED_BACK}));
}

TEST_F(ConfigTest, AFailedRedialRollsBackAtOnce) {
  Dial();
  v1::ApplyConfigResponse applied;
  const absl::Time start = base::Clock::Real().Now();
  ASSERT_TRUE(Apply(SetApn(kRefusedApn, 600), applied).ok());
  // Up on version 1 again *after* the rollback: a sample from before the apply shows
  // version 1 up too.
  const v1::ModemStatus back = WaitForStatus([](const v1::ModemStatus& s) {
    return UpOn(1)(s) && !s.config().recent_steps().empty() &&
           s.config().recent_steps().rbegin()->kind() == v1::CONFIG_STEP_KIND_ROLLED_BACK;
  });
  EXPECT_EQ(back.config().recent_steps().rbegin()->version(), 2u);
  EXPECT_LT(base::Clock::Real().Now() - start, absl::Seconds(60)) << "not the 10 min window";
  v1::GetConfigResponse config = Get();
  EXPECT_EQ(config.current().version(), 1u);
  EXPECT_THAT(config.previous(0).note(), HasSubstr("redial with version 2 failed"));
}

TEST_F(ConfigTest, APendingConfirmSurvivesARestartAndStillRollsBack) {
  Dial();
  v1::ApplyConfigResponse applied;
  ASSERT_TRUE(Apply(SetApn("backup.example", 3), applied).ok());
  ASSERT_THAT(agent_.Restart("", absl::Milliseconds(100)), IsOk());
  v1::GetConfigResponse config = Get();
  ASSERT_EQ(config.current().version(), 2u);
  ASSERT_TRUE(config.has_pending());
  // The link was up before the apply: the rollback dials the old version again.
  WaitForStatus(UpOn(1), absl::Seconds(15));
  EXPECT_EQ(Get().current().config().apn(), "internet.example");
}

TEST_F(ConfigTest, ACorruptStoreIsMovedAsideNotTrusted) {
  const std::string path = state_dir() + "/config.json";
  // Damaged on disk (our own writes are atomic; a failing SD card is not).
  std::ofstream(path) << "{\"format\": 1, \"current\": {\"version\": \"3\", \"conf";
  ASSERT_THAT(agent_.Restart("", absl::Milliseconds(100)), IsOk());
  EXPECT_EQ(Get().current().applied_by(), "settings file");
  bool kept = false;
  for (const auto& entry : std::filesystem::directory_iterator(state_dir())) {
    kept = kept || entry.path().filename().string().rfind("config.json.corrupt-", 0) == 0;
  }
  EXPECT_TRUE(kept) << "the damaged file is kept for inspection";
}

// A 10 min window: nothing rolls back while the agent's clock stands short of the
// deadline, however long real time runs, and the rollback follows once it passes.
TEST_F(ConfigOnSimulatedClockTest, AConfirmWindowEndsWhenTheAgentsClockPassesItNotBefore) {
  Dial();
  v1::ApplyConfigResponse applied;
  ASSERT_TRUE(Apply(SetApn("backup.example", 600), applied).ok());
  Advance(absl::Seconds(1));  // past the redial delay: the new version is dialed
  WaitForStatus(UpOn(2));
  Advance(absl::Minutes(9));
  absl::SleepFor(absl::Milliseconds(500));  // real time passing changes nothing
  EXPECT_TRUE(Get().has_pending()) << "rolled back before the window ended";
  Advance(absl::Seconds(61));
  const v1::ModemStatus back = WaitForStatus(UpOn(1));
  ASSERT_FALSE(back.config().recent_steps().empty());
  EXPECT_EQ(back.config().recent_steps().rbegin()->kind(), v1::CONFIG_STEP_KIND_ROLLED_BACK);
  EXPECT_THAT(Get().previous(0).note(), HasSubstr("no confirm within 10m"));
}

}  // namespace
}  // namespace cellfleet::agent
