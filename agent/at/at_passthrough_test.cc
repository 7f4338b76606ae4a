// RunAtCommand through the real agent over loopback gRPC, on a simulated EC25 on a
// pseudo-terminal: the policy per role, the audit line of every call, bad input, a
// reply that is not text, and a command that takes the modem away.
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "agent/testing/in_process_agent.h"
#include "base/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "modem/testing/status_matchers.h"
#include "modem/testing/wait_for.h"
#include "nlohmann/json.hpp"
#include "proto/time_convert.h"

namespace cellfleet::agent {
namespace {

using ::cellfleet::testing::IsOk;
using ::testing::HasSubstr;

// AT+QSPN answered with an operator name in ISO 8859-1 (AT+CSCS="8859-1"): not text.
constexpr char kScenario[] = R"(
initial: {radio_drift: false}
replies:
  - command: AT+QSPN
    raw: "\r\n+QSPN: \"Telef\xf3nica\",\"Movistar\",\"\",0,\"21407\"\r\n\r\nOK\r\n"
)";

class AtCommandTest : public ::testing::Test {
 protected:
  void Start(Role role) {
    dir_ = ::testing::TempDir() + "/at-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    ::setenv("FAKE_PPPD_MODE", "connect", 1);
    agent_.set_pppd(CELLFLEET_FAKE_PPPD);
    agent_.set_customize([this, role](AgentOptions& options) {
      options.settings.unauthenticated_role = role;
      options.settings.audit_log = audit_path_ = dir_ + "-audit.log";
      options.settings.at_commands.operator_allow = {"AT+CFUN=1,1"};
    });
    ASSERT_THAT(agent_.Start(dir_, kScenario, absl::Milliseconds(200)), IsOk());
    ASSERT_TRUE(cellfleet::testing::WaitFor(
        [&] { return State().modem_state() == v1::MODEM_STATE_READY; }, absl::Seconds(10)));
  }
  void TearDown() override {
    agent_.Stop();
    ::unsetenv("FAKE_PPPD_MODE");
    std::remove(audit_path_.c_str());
  }

  grpc::Status Run(const std::string& command, v1::RunAtCommandResponse& response,
                   absl::Duration timeout = absl::ZeroDuration()) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    v1::RunAtCommandRequest request;
    request.set_command(command);
    if (timeout != absl::ZeroDuration()) *request.mutable_timeout() = ToProtoDuration(timeout);
    return agent_.stub().RunAtCommand(&context, request, &response);
  }
  grpc::StatusCode Code(const std::string& command) {
    v1::RunAtCommandResponse response;
    return Run(command, response).error_code();
  }

  v1::ModemStatus State() {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
    v1::GetStatusResponse response;
    (void)agent_.stub().GetStatus(&context, v1::GetStatusRequest(), &response);
    return response.status();
  }

  // The audit log's RunAtCommand lines (written before each call's answer).
  std::vector<nlohmann::json> AuditLines() {
    std::vector<nlohmann::json> lines;
    std::ifstream in(audit_path_);
    for (std::string line; std::getline(in, line);) {
      nlohmann::json entry = nlohmann::json::parse(line);
      if (entry["method"] == "RunAtCommand") lines.push_back(entry);
    }
    return lines;
  }

  std::string dir_, audit_path_;
  InProcessAgent agent_;
};

TEST_F(AtCommandTest, ViewersRunNothingByDefaultAndTheRefusalIsAudited) {
  Start(Role::kViewer);
  v1::RunAtCommandResponse response;
  grpc::Status status = Run("AT+CSQ", response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(status.error_message(), HasSubstr("role viewer may not run AT+CSQ"));
  std::vector<nlohmann::json> audit = AuditLines();
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0]["result"], "PERMISSION_DENIED");
  EXPECT_THAT(audit[0]["request"].get<std::string>(), HasSubstr("AT+CSQ"));
}

TEST_F(AtCommandTest, OperatorsRunQueriesDecodedAndAuditedWithTheFirstReplyLine) {
  Start(Role::kOperator);
  v1::RunAtCommandResponse csq;
  ASSERT_TRUE(Run("AT+CSQ", csq).ok());
  EXPECT_TRUE(csq.ok());
  EXPECT_EQ(csq.final_result(), "OK");
  ASSERT_EQ(csq.lines_size(), 1);
  EXPECT_THAT(csq.lines(0), ::testing::StartsWith("+CSQ: "));
  EXPECT_TRUE(csq.decoded().has_signal());
  EXPECT_FALSE(csq.binary());

  v1::RunAtCommandResponse cell;
  ASSERT_TRUE(Run("AT+QENG=\"servingcell\"", cell).ok());
  EXPECT_TRUE(cell.decoded().serving_cell().has_lte());
  EXPECT_EQ(cell.decoded().serving_cell().lte().band(), State().serving_cell().lte().band());

  v1::RunAtCommandResponse neighbours;  // no parser: raw lines only
  ASSERT_TRUE(Run("AT+QENG=\"neighbourcell\"", neighbours).ok());
  EXPECT_GE(neighbours.lines_size(), 1);
  EXPECT_THAT(neighbours.lines(0), HasSubstr("neighbourcell"));
  EXPECT_FALSE(neighbours.has_decoded());

  // Each command ran after its begin line was on disk; its outcome follows.
  std::vector<nlohmann::json> audit = AuditLines();
  ASSERT_EQ(audit.size(), 6u);
  for (size_t i = 0; i < audit.size(); i += 2) {
    EXPECT_EQ(audit[i]["phase"], "begin");
    EXPECT_FALSE(audit[i].contains("result"));
    EXPECT_EQ(audit[i]["request"], audit[i + 1]["request"]);
  }
  EXPECT_EQ(audit[1]["result"], "OK");
  EXPECT_EQ(audit[1]["reply"], csq.lines(0));
  EXPECT_EQ(audit[1]["role"], "operator");
  // The poller's own commands went on meanwhile.
  EXPECT_EQ(State().modem_state(), v1::MODEM_STATE_READY);
}

TEST_F(AtCommandTest, OperatorsAreRefusedWritesAndTheForbiddenAtAnyRate) {
  Start(Role::kOperator);
  v1::RunAtCommandResponse response;
  grpc::Status status = Run("AT+CGDCONT=1,\"IP\",\"other.apn\"", response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(status.error_message(), HasSubstr("operators may run queries only"));
  status = Run("AT+QCFG=\"usbnet\",1", response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(status.error_message(), HasSubstr("USB composition"));
  EXPECT_EQ(Code("ATD*99#"), grpc::StatusCode::PERMISSION_DENIED);
  std::vector<nlohmann::json> audit = AuditLines();
  ASSERT_EQ(audit.size(), 3u);
  for (const nlohmann::json& line : audit) EXPECT_EQ(line["result"], "PERMISSION_DENIED");
}

TEST_F(AtCommandTest, BadInputIsRefusedClearlyAndTheChannelStaysInStep) {
  Start(Role::kOperator);
  v1::RunAtCommandResponse response;
  grpc::Status status = Run("CSQ", response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("does not start with AT"));
  status = Run("AT+CSQ\rAT+CFUN=0", response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("0x0d"));
  EXPECT_EQ(Code("AT+" + std::string(400, 'X')), grpc::StatusCode::INVALID_ARGUMENT);
  status = Run("AT+CSQ;+COPS?", response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(status.error_message(), HasSubstr("chained"));
  EXPECT_EQ(Run("AT+CSQ", response, absl::Minutes(10)).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  // A reply that is not text comes back escaped and flagged, undecoded.
  v1::RunAtCommandResponse qspn;
  ASSERT_TRUE(Run("AT+QSPN", qspn).ok());
  EXPECT_TRUE(qspn.binary());
  ASSERT_EQ(qspn.lines_size(), 1);
  EXPECT_THAT(qspn.lines(0), HasSubstr("Telef\\xc3\\xb3nica"));
  // A command the modem does not know: its ERROR is the answer, not a failed call.
  v1::RunAtCommandResponse unknown;
  ASSERT_TRUE(Run("AT+QNOSUCH?", unknown).ok());
  EXPECT_FALSE(unknown.ok());
  EXPECT_THAT(unknown.final_result(), HasSubstr("ERROR"));
  // Every answer above matched its command: the next query and the poller still do.
  v1::RunAtCommandResponse csq;
  ASSERT_TRUE(Run("AT+CSQ", csq).ok());
  ASSERT_EQ(csq.lines_size(), 1);
  EXPECT_THAT(csq.lines(0), ::testing::StartsWith("+CSQ: "));
  EXPECT_EQ(State().modem_state(), v1::MODEM_STATE_READY);
}

TEST_F(AtCommandTest, AConfiguredRebootEndsTheLinkFirstAndIsReportedAsResetting) {
  KeepUpPolicy keep_up;
  keep_up.enabled = true;
  agent_.set_keep_up(keep_up);
  Start(Role::kOperator);
  grpc::ClientContext dial_context;
  dial_context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  v1::DialResponse dialed;
  ASSERT_TRUE(agent_.stub().Dial(&dial_context, v1::DialRequest(), &dialed).ok());

  v1::RunAtCommandResponse reboot;
  grpc::Status status = Run("AT+CFUN=1,1", reboot);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(reboot.ok());
  EXPECT_TRUE(reboot.modem_going_away());
  // pppd was ended before the modem went: a clean hang-up, not a failure; the link is
  // still wanted, so keep-up redials it, but not before the modem has had time to return.
  const v1::ConnectionStatus link = State().connection();
  EXPECT_EQ(link.state(), v1::CONNECTION_STATE_DISCONNECTED);
  ASSERT_TRUE(link.has_next_redial_at());
  EXPECT_GE(FromProtoTime(link.next_redial_at()) - base::Clock::Real().Now(), absl::Seconds(50));
  // While the modem is away, it is RESETTING by the operator's hand, not ABSENT.
  bool saw_resetting = false;
  ASSERT_TRUE(cellfleet::testing::WaitFor(
      [&] {
        v1::ModemStatus now = State();
        if (now.modem_state() == v1::MODEM_STATE_ABSENT) {
          ADD_FAILURE() << "ABSENT during an announced reboot: " << now.modem_state_detail();
        }
        if (now.modem_state() == v1::MODEM_STATE_RESETTING &&
            absl::StrContains(now.modem_state_detail(), "ran AT+CFUN=1,1")) {
          saw_resetting = true;
        }
        return saw_resetting && now.modem_state() == v1::MODEM_STATE_READY;
      },
      absl::Seconds(20), absl::Milliseconds(20)));
  EXPECT_TRUE(saw_resetting);
  // Back: a query runs as before.
  v1::RunAtCommandResponse csq;
  EXPECT_TRUE(Run("AT+CSQ", csq).ok());
}

// 30 commands a minute per client: the 31st is refused saying so, before the modem hears it.
TEST_F(AtCommandTest, SoManyCommandsAMinutePerClient) {
  Start(Role::kOperator);
  v1::RunAtCommandResponse response;
  for (int i = 0; i < 30; ++i) ASSERT_TRUE(Run("AT+CSQ", response).ok()) << i;
  const grpc::Status refused = Run("AT+CSQ", response);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(refused.error_message(),
              HasSubstr("made 30 calls on the modem's AT channel in the last minute"));
}

}  // namespace
}  // namespace cellfleet::agent
