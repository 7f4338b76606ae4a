// The agent's gRPC front over a real loopback socket, polling a simulated EC25 on a
// real pseudo-terminal.
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <vector>

#include "agent/status/modem_poller.h"
#include "agent/status/status_hub.h"
#include "agent/testing/in_process_agent.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "modem/testing/status_matchers.h"
#include "modem/testing/wait_for.h"
#include "simulator/simulated_fleet.h"

namespace cellfleet::agent {
namespace {

using ::cellfleet::testing::IsOk;

class ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_THAT(agent_.Start(::testing::TempDir() + "/service-" + std::to_string(::getpid()), "",
                             absl::Milliseconds(200)),
                IsOk());
    stub_ = &agent_.stub();
    fleet_ = &agent_.fleet();
  }
  void TearDown() override { agent_.Stop(); }

  // Polls GetStatus until the modem reports READY, within a deadline.
  absl::StatusOr<v1::GetStatusResponse> WaitReady(absl::Duration timeout = absl::Seconds(10)) {
    v1::GetStatusResponse response;
    const bool ready = cellfleet::testing::WaitFor(
        [&] {
          grpc::ClientContext context;
          context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
          response.Clear();
          return stub_->GetStatus(&context, v1::GetStatusRequest(), &response).ok() &&
                 response.status().modem_state() == v1::MODEM_STATE_READY &&
                 response.status().has_serving_cell();
        },
        timeout);
    if (!ready) return absl::DeadlineExceededError("modem never became READY");
    return response;
  }

  InProcessAgent agent_;
  v1::ModemAgent::Stub* stub_ = nullptr;
  simulator::SimulatedFleet* fleet_ = nullptr;
};

TEST_F(ServiceTest, GetStatusReportsTheSimulatedModem) {
  absl::StatusOr<v1::GetStatusResponse> response = WaitReady();
  ASSERT_THAT(response, IsOk());
  const v1::ModemStatus& status = response->status();
  EXPECT_EQ(response->board_name(), "test-board");
  EXPECT_EQ(status.identity().imei(), fleet_->boards()[0].identity.imei);
  EXPECT_EQ(status.identity().iccid(), fleet_->boards()[0].identity.iccid);
  EXPECT_EQ(status.identity().model(), "EC25");
  EXPECT_EQ(status.sim_state(), v1::SIM_STATE_READY);
  EXPECT_EQ(status.serving_cell().radio_technology(), v1::RADIO_TECHNOLOGY_LTE);
  EXPECT_TRUE(status.serving_cell().lte().has_rsrp_dbm());
  EXPECT_LE(status.serving_cell().lte().rsrp_dbm(), -44);
  EXPECT_GE(status.serving_cell().lte().rsrp_dbm(), -140);
  EXPECT_THAT(status.serving_cell().raw_response(),
              ::testing::StartsWith("+QENG: \"servingcell\""));
  EXPECT_EQ(status.operator_().name(), "Telekom.de");
  EXPECT_TRUE(status.signal().has_rssi_dbm());
}

TEST_F(ServiceTest, WatchStreamsNumberedTimestampedSamples) {
  ASSERT_THAT(WaitReady(), IsOk());
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  v1::WatchStatusRequest request;
  request.mutable_sample_interval()->set_nanos(200 * 1000 * 1000);
  auto reader = stub_->WatchStatus(&context, request);
  v1::StatusUpdate update;
  int64_t last_sent_ns = 0;
  for (uint64_t expected = 1; expected <= 4; ++expected) {
    ASSERT_TRUE(reader->Read(&update));
    EXPECT_EQ(update.sequence(), expected);
    EXPECT_EQ(update.kind(), v1::UPDATE_KIND_SAMPLE);
    int64_t sent_ns = update.sent_at().seconds() * 1000000000LL + update.sent_at().nanos();
    EXPECT_GT(sent_ns, last_sent_ns);
    last_sent_ns = sent_ns;
  }
  context.TryCancel();
  reader->Finish();
}

TEST_F(ServiceTest, WatchRejectsBadOptions) {
  grpc::ClientContext context;
  v1::WatchStatusRequest request;
  request.mutable_field_mask()->add_paths("bogus");
  auto reader = stub_->WatchStatus(&context, request);
  v1::StatusUpdate update;
  EXPECT_FALSE(reader->Read(&update));
  grpc::Status status = reader->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), ::testing::HasSubstr("bogus"));
}

TEST_F(ServiceTest, ShutdownEndsStreamsWithUnavailable) {
  ASSERT_THAT(WaitReady(), IsOk());
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  auto reader = stub_->WatchStatus(&context, v1::WatchStatusRequest());
  v1::StatusUpdate update;
  ASSERT_TRUE(reader->Read(&update));
  agent_.hub().Close();
  while (reader->Read(&update)) {
  }
  grpc::Status status = reader->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(status.error_message(), ::testing::HasSubstr("shutting down"));
}

TEST_F(ServiceTest, HistoryKeepsStateChanges) {
  ASSERT_THAT(WaitReady(), IsOk());
  grpc::ClientContext context;
  v1::GetHistoryRequest request;
  request.set_events_only(true);
  v1::GetHistoryResponse response;
  ASSERT_TRUE(stub_->GetHistory(&context, request, &response).ok());
  std::vector<std::string> details;
  for (const v1::HistoryEntry& entry : response.entries()) {
    ASSERT_TRUE(entry.has_event());
    details.push_back(entry.event().detail());
  }
  EXPECT_THAT(details, ::testing::Contains(
                           ::testing::HasSubstr("MODEM_STATE_INITIALIZING -> MODEM_STATE_READY")));
  grpc::ClientContext bad_context;
  v1::GetHistoryRequest backwards;
  backwards.mutable_start_time()->set_seconds(2000);
  backwards.mutable_end_time()->set_seconds(1000);
  EXPECT_EQ(stub_->GetHistory(&bad_context, backwards, &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(ServiceTest, DiagnoseJudgesTheLatestSample) {
  ASSERT_THAT(WaitReady(), IsOk());
  grpc::ClientContext context;
  v1::DiagnoseResponse response;
  grpc::Status status = stub_->Diagnose(&context, v1::DiagnoseRequest(), &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  std::map<std::string, v1::CheckResult> results;
  for (const v1::DiagnosticCheck& check : response.checks()) results[check.name()] = check.result();
  EXPECT_EQ(results["sample"], v1::CHECK_RESULT_PASS);
  EXPECT_EQ(results["modem"], v1::CHECK_RESULT_PASS);
  EXPECT_EQ(results["sim"], v1::CHECK_RESULT_PASS);
  EXPECT_EQ(results["link"], v1::CHECK_RESULT_PASS);  // not dialed
  EXPECT_EQ(results["config"], v1::CHECK_RESULT_PASS);
  EXPECT_EQ(results["recovery"], v1::CHECK_RESULT_PASS);        // no loss of service
  EXPECT_NE(results["usage"], v1::CHECK_RESULT_FAIL);           // no plan: nothing to judge
  EXPECT_EQ(results["certificate"], v1::CHECK_RESULT_SKIPPED);  // plaintext
  EXPECT_EQ(results.size(), 10u);
}

TEST(ServiceFallbackTest, DiagnosePassesA3gFallbackOnItsCsRegistration) {
  InProcessAgent agent;
  ASSERT_THAT(agent.Start(::testing::TempDir() + "/fallback-" + std::to_string(::getpid()),
                          "initial: {rat: WCDMA, radio_drift: false}\n", absl::Milliseconds(200)),
              IsOk());
  v1::GetStatusResponse sample;
  cellfleet::testing::WaitFor(
      [&] {
        grpc::ClientContext context;
        return agent.stub().GetStatus(&context, v1::GetStatusRequest(), &sample).ok() &&
               sample.status().serving_cell().has_wcdma();
      },
      absl::Seconds(10));
  ASSERT_TRUE(sample.status().serving_cell().has_wcdma()) << sample.DebugString();
  EXPECT_EQ(sample.status().serving_cell().radio_technology(), v1::RADIO_TECHNOLOGY_WCDMA);
  grpc::ClientContext context;
  v1::DiagnoseResponse response;
  ASSERT_TRUE(agent.stub().Diagnose(&context, v1::DiagnoseRequest(), &response).ok());
  for (const v1::DiagnosticCheck& check : response.checks()) {
    if (check.name() != "registration") continue;
    EXPECT_EQ(check.result(), v1::CHECK_RESULT_PASS) << check.detail();
    EXPECT_THAT(check.detail(), ::testing::HasSubstr("+CREG"));
  }
  agent.Stop();
}

// With the real pppd: on these test machines the kernel has no PPP, and Dial says so
// (on one with PPP the simulated carrier has no network behind it: UNAVAILABLE).
TEST_F(ServiceTest, DialWithTheRealPppdReportsWhatStopsIt) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  v1::DialResponse response;
  grpc::Status status = stub_->Dial(&context, v1::DialRequest(), &response);
  if (!std::filesystem::exists("/etc/ppp/peers/cellfleet")) {
    // The package's peers file is not installed here: pppd says which file it missed.
    EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
    EXPECT_THAT(status.error_message(),
                ::testing::HasSubstr("Can't open options file /etc/ppp/peers/cellfleet"));
  } else if (status.error_code() == grpc::StatusCode::FAILED_PRECONDITION) {
    EXPECT_THAT(status.error_message(), ::testing::HasSubstr("no PPP support"));
  } else {
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  }
  EXPECT_TRUE(std::filesystem::exists(agent_.state_dir() + "/state/ppp/options"));
  EXPECT_TRUE(std::filesystem::exists(agent_.state_dir() + "/state/ppp/connect.chat"));
}

// The agent's degraded start, through the same assembly main() runs: a state dir that
// cannot be created turns config push off, and the board is still served.
TEST(AgentDegradedTest, AnUnusableStateDirTurnsConfigPushOffAndStatusIsStillServed) {
  const std::string dir = ::testing::TempDir() + "/degraded-" + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  const std::string not_a_dir = dir + "/a-file";
  { std::ofstream(not_a_dir) << "x"; }
  InProcessAgent agent;
  agent.set_customize(
      [&](AgentOptions& options) { options.settings.link.state_dir = not_a_dir + "/state"; });
  ASSERT_THAT(agent.Start(dir, "", absl::Milliseconds(200)), IsOk());
  EXPECT_FALSE(agent.agent().config_push_enabled());
  v1::GetStatusResponse sample;
  EXPECT_TRUE(cellfleet::testing::WaitFor(
      [&] {
        grpc::ClientContext context;
        return agent.stub().GetStatus(&context, v1::GetStatusRequest(), &sample).ok() &&
               sample.status().modem_state() == v1::MODEM_STATE_READY;
      },
      absl::Seconds(10)))
      << sample.DebugString();
  EXPECT_FALSE(sample.status().has_config()) << "no config state without config push";
  grpc::ClientContext context;
  v1::GetConfigResponse config;
  grpc::Status got = agent.stub().GetConfig(&context, v1::GetConfigRequest(), &config);
  EXPECT_EQ(got.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << got.error_message();
  agent.Stop();
}

// A full disk under the audit log: every call that could change the board is refused
// saying why, reads go on. /dev/full fails every write with ENOSPC, as a full disk does.
TEST(AgentDegradedTest, AnAuditLogThatCannotBeWrittenRefusesEveryChangeButNoRead) {
  const std::string dir = ::testing::TempDir() + "/audit-full-" + std::to_string(::getpid());
  for (const bool full : {false, true}) {  // the first round is the positive control
    SCOPED_TRACE(full ? "audit log on a full disk" : "audit log writable");
    InProcessAgent agent;
    agent.set_customize(
        [&](AgentOptions& o) { o.settings.audit_log = full ? "/dev/full" : dir + "-audit.log"; });
    ASSERT_THAT(agent.Start(dir, "", absl::Milliseconds(200)), IsOk());
    v1::GetStatusResponse sample;
    EXPECT_TRUE(cellfleet::testing::WaitFor(
        [&] {
          grpc::ClientContext context;
          return agent.stub().GetStatus(&context, v1::GetStatusRequest(), &sample).ok() &&
                 sample.status().modem_state() == v1::MODEM_STATE_READY;
        },
        absl::Seconds(10)));
    v1::RunAtCommandRequest at;
    at.set_command("AT+CSQ");
    v1::RunAtCommandResponse at_reply;
    grpc::ClientContext at_context;
    const grpc::Status ran = agent.stub().RunAtCommand(&at_context, at, &at_reply);
    v1::HangUpResponse hung_up;
    grpc::ClientContext hang_up_context;
    const grpc::Status hang_up =
        agent.stub().HangUp(&hang_up_context, v1::HangUpRequest(), &hung_up);
    if (full) {
      for (const grpc::Status& refused : {ran, hang_up}) {
        EXPECT_EQ(refused.error_code(), grpc::StatusCode::UNAVAILABLE);
        EXPECT_THAT(refused.error_message(),
                    ::testing::HasSubstr("the audit log cannot be written (/dev/full: No space "
                                         "left on device); calls that change the board are "
                                         "refused until it can"));
      }
      EXPECT_TRUE(at_reply.lines().empty()) << "the modem was never asked";
    } else {
      EXPECT_TRUE(ran.ok()) << ran.error_message();
      EXPECT_THAT(at_reply.lines(0), ::testing::StartsWith("+CSQ: "));
      EXPECT_THAT(hang_up.error_message(), ::testing::Not(::testing::HasSubstr("audit")));
    }
    grpc::ClientContext read_context;
    EXPECT_TRUE(agent.stub().GetStatus(&read_context, v1::GetStatusRequest(), &sample).ok());
    agent.Stop();
  }
}

TEST(AgentDegradedTest, SettingsThatCannotBeServedAreRefusedBeforeAnythingStarts) {
  const std::string dir = ::testing::TempDir() + "/refused-" + std::to_string(::getpid());
  for (const auto& [what, customize] :
       std::vector<std::pair<std::string, std::function<void(AgentOptions&)>>>{
           {"plaintext", [](AgentOptions& o) { o.settings.listen = "0.0.0.0:0"; }},
           {"--tls-key", [](AgentOptions& o) { o.settings.tls.cert = "/nonexistent.pem"; }},
           {"cannot open audit log",
            [](AgentOptions& o) { o.settings.audit_log = "/nonexistent/dir/audit.log"; }},
       }) {
    InProcessAgent agent;
    agent.set_customize(customize);
    absl::Status started = agent.Start(dir, "", absl::Milliseconds(200));
    EXPECT_EQ(started.code(), absl::StatusCode::kFailedPrecondition) << what;
    EXPECT_THAT(std::string(started.message()), ::testing::HasSubstr(what));
    agent.Stop();
  }
}

}  // namespace
}  // namespace cellfleet::agent
