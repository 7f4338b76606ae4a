// The agent's security front with real processes and certificates made by
// deploy/make-certs.sh: mutual TLS, roles by certificate identity, the audit log, and
// refusing plaintext on a non-loopback address.
#include <filesystem>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "cellfleet/v1/agent_service.grpc.pb.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "modem/testing/status_matchers.h"
#include "nlohmann/json.hpp"
#include "tests/support/fleet.h"
#include "tests/support/subprocess.h"

namespace cellfleet {
namespace {

using ::cellfleet::testing::IsOk;
using ::cellfleet::testing::RunCommand;
using ::cellfleet::testing::Subprocess;
using ::cellfleet::testing::WaitForFile;
using ::testing::HasSubstr;

std::string GrpcCodeName(grpc::StatusCode code) {
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

std::string Read(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

class SecurityTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pki_ = testing::MakeTempDir("cellfleet-pki");
    other_pki_ = testing::MakeTempDir("cellfleet-other-pki");
    for (const std::vector<std::string>& args :
         std::vector<std::vector<std::string>>{{pki_, "agent", "board-00"},
                                               {pki_, "client", "ops"},
                                               {pki_, "client", "grafana"},
                                               {pki_, "client", "nobody"},
                                               {other_pki_, "client", "ops"}}) {
      std::vector<std::string> argv = {"/bin/bash", CELLFLEET_MAKE_CERTS};
      argv.insert(argv.end(), args.begin(), args.end());
      auto made = RunCommand(argv, absl::Seconds(30));
      ASSERT_THAT(made, IsOk());
      ASSERT_EQ(made->exit_code, 0) << made->err;
    }
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(pki_);
    std::filesystem::remove_all(other_pki_);
  }

  void SetUp() override {
    dir_ = testing::MakeTempDir("cellfleet-sec");
    std::ofstream(dir_ + "/agent.yaml")
        << "security:\n"
        << "  tls: {cert: " << pki_ << "/agent-board-00.crt, key: " << pki_
        << "/agent-board-00.key, client_ca: " << pki_ << "/ca.crt}\n"
        << "  roles: {ops: operator, grafana: viewer}\n"
        << "  audit_log: " << dir_ << "/audit.log\n"
        << "  at_commands: {operator: ['AT+CFUN=1']}\n";
    testing::FleetOptions options;
    options.simulator = CELLFLEET_MODEMSIM;
    options.agent = CELLFLEET_AGENT;
    options.dir = dir_;
    options.boards = 1;
    options.agent_args = [this](int) -> std::vector<std::string> {
      return {"--config", dir_ + "/agent.yaml"};
    };
    absl::StatusOr<std::unique_ptr<testing::Fleet>> fleet = testing::Fleet::Start(options);
    ASSERT_THAT(fleet, IsOk());
    fleet_ = std::move(*fleet);
    address_ = fleet_->boards()[0].address;
  }

  void TearDown() override {
    if (fleet_) {
      EXPECT_THAT(fleet_->Stop(), IsOk());
    }
    std::filesystem::remove_all(dir_);
  }

  std::unique_ptr<v1::ModemAgent::Stub> Stub(const std::string& pki, const std::string& client) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = Read(pki_ + "/ca.crt");
    if (!client.empty()) {
      ssl.pem_cert_chain = Read(pki + "/client-" + client + ".crt");
      ssl.pem_private_key = Read(pki + "/client-" + client + ".key");
    }
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride("board-00");
    return v1::ModemAgent::NewStub(
        grpc::CreateCustomChannel(address_, grpc::SslCredentials(ssl), args));
  }

  grpc::Status Dial(v1::ModemAgent::Stub& stub) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    v1::DialResponse response;
    return stub.Dial(&context, v1::DialRequest(), &response);
  }

  grpc::Status GetStatus(v1::ModemAgent::Stub& stub) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    v1::GetStatusResponse response;
    return stub.GetStatus(&context, v1::GetStatusRequest(), &response);
  }

  static std::string pki_, other_pki_;
  std::string dir_, address_;
  std::unique_ptr<testing::Fleet> fleet_;
};

std::string SecurityTest::pki_;
std::string SecurityTest::other_pki_;

TEST_F(SecurityTest, ViewerReadsButCannotDial) {
  auto viewer = Stub(pki_, "grafana");
  grpc::Status read = GetStatus(*viewer);
  for (int attempt = 0; attempt < 50 && read.error_code() == grpc::StatusCode::UNAVAILABLE;
       ++attempt) {
    absl::SleepFor(absl::Milliseconds(100));  // the first sample is on its way
    read = GetStatus(*viewer);
  }
  EXPECT_TRUE(read.ok()) << read.error_message();
  grpc::ClientContext diagnose_context;
  v1::DiagnoseResponse diagnosis;
  grpc::Status diagnose =
      viewer->Diagnose(&diagnose_context, v1::DiagnoseRequest(), &diagnosis);  // a read
  EXPECT_TRUE(diagnose.ok()) << diagnose.error_message();
  EXPECT_GT(diagnosis.checks_size(), 0);
  grpc::Status dial = Dial(*viewer);
  EXPECT_EQ(dial.error_code(), grpc::StatusCode::PERMISSION_DENIED) << dial.error_message();
  EXPECT_THAT(dial.error_message(), HasSubstr("operator"));
  // An operator gets past authorisation; then pppd decides (no kernel PPP on the test
  // machines: FAILED_PRECONDITION).
  grpc::Status operator_dial = Dial(*Stub(pki_, "ops"));
  EXPECT_NE(operator_dial.error_code(), grpc::StatusCode::PERMISSION_DENIED)
      << operator_dial.error_message();
  EXPECT_NE(operator_dial.error_code(), grpc::StatusCode::UNAUTHENTICATED)
      << operator_dial.error_message();

  // Both attempts are in the audit log, with who and the result.
  std::vector<nlohmann::json> lines;
  for (absl::string_view line :
       absl::StrSplit(Read(dir_ + "/audit.log"), '\n', absl::SkipEmpty())) {
    nlohmann::json entry = nlohmann::json::parse(line);
    if (entry.contains("result")) lines.push_back(entry);  // outcomes, not begin lines
  }
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["identity"], "grafana");
  EXPECT_EQ(lines[0]["method"], "Dial");
  EXPECT_EQ(lines[0]["result"], "PERMISSION_DENIED");
  EXPECT_EQ(lines[1]["identity"], "ops");
  EXPECT_EQ(lines[1]["role"], "operator");
  EXPECT_EQ(lines[1]["result"], GrpcCodeName(operator_dial.error_code()));
}

TEST_F(SecurityTest, CertificateFromAnUnknownCaIsRefused) {
  grpc::Status status = GetStatus(*Stub(other_pki_, "ops"));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
}

TEST_F(SecurityTest, ClientWithoutCertificateIsRefused) {
  grpc::Status status = GetStatus(*Stub(pki_, ""));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
}

TEST_F(SecurityTest, PlaintextClientIsRefused) {
  auto stub =
      v1::ModemAgent::NewStub(grpc::CreateChannel(address_, grpc::InsecureChannelCredentials()));
  EXPECT_EQ(GetStatus(*stub).error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(SecurityTest, CliSpeaksMutualTls) {
  auto result =
      RunCommand({CELLFLEET_CLI, "--ca", pki_ + "/ca.crt", "--cert", pki_ + "/client-grafana.crt",
                  "--key", pki_ + "/client-grafana.key", "--tls-server-name", "board-00",
                  "--output", "json", "watch", "--targets", address_, "--count", "1"},
                 absl::Seconds(20));
  ASSERT_THAT(result, IsOk());
  EXPECT_EQ(result->exit_code, 0) << result->err << result->out;
  auto missing =
      RunCommand({CELLFLEET_CLI, "--ca", "/nonexistent.crt", "status", "--targets", address_},
                 absl::Seconds(10));
  ASSERT_THAT(missing, IsOk());
  EXPECT_EQ(missing->exit_code, 2);
  EXPECT_THAT(missing->err, HasSubstr("--ca: cannot read /nonexistent.crt"));
}

// A refusal that asking again cannot change ends that board's stream with its reason:
// a watch retried every few seconds forever would cost a metered link for nothing.
TEST_F(SecurityTest, WatchRefusedForGoodIsNotRetried) {
  auto result = RunCommand({CELLFLEET_CLI, "--ca", pki_ + "/ca.crt", "--cert",
                            pki_ + "/client-nobody.crt", "--key", pki_ + "/client-nobody.key",
                            "--tls-server-name", "board-00", "watch", "--targets", address_},
                           absl::Seconds(20));  // no --count, no --duration: it must end by itself
  ASSERT_THAT(result, IsOk()) << "the watch kept retrying a refusal";
  EXPECT_EQ(result->exit_code, 1);
  EXPECT_THAT(result->err, HasSubstr("PERMISSION_DENIED: WatchStatus needs the viewer role"));
  EXPECT_THAT(result->err, HasSubstr("not retried"));
  EXPECT_EQ(std::vector<std::string>(absl::StrSplit(result->err, "stream ended")).size(), 2u)
      << "one attempt only";
}

// Remote AT through the CLI, with roles from real client certificates: a viewer is
// refused, an operator runs a query and is refused a write, a write the agent's config
// allows runs; each call is one audit line with who, what and the outcome.
TEST_F(SecurityTest, AtCommandsAreAllowedPerRoleAndAudited) {
  auto at = [this](const std::string& client, const std::string& command) {
    return RunCommand(
        {CELLFLEET_CLI, "--ca", pki_ + "/ca.crt", "--cert", pki_ + "/client-" + client + ".crt",
         "--key", pki_ + "/client-" + client + ".key", "--tls-server-name", "board-00", "at",
         command, "--targets", address_},
        absl::Seconds(20));
  };
  // The first sample makes the modem's channel; until then the agent says UNAVAILABLE.
  absl::StatusOr<testing::CommandResult> query;
  for (int attempt = 0; attempt < 50; ++attempt) {
    query = at("ops", "AT+CSQ");
    if (!query.ok() || !absl::StrContains(query->out, "UNAVAILABLE")) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  ASSERT_THAT(query, IsOk());
  EXPECT_EQ(query->exit_code, 0) << query->err << query->out;
  EXPECT_THAT(query->out, ::testing::ContainsRegex("board-00 +OK +\\+CSQ: [0-9]+,99"));

  auto viewer = at("grafana", "AT+CSQ");
  ASSERT_THAT(viewer, IsOk());
  EXPECT_EQ(viewer->exit_code, 1);
  EXPECT_THAT(viewer->out, HasSubstr("PERMISSION_DENIED: role viewer may not run AT+CSQ"));
  auto write = at("ops", "AT+CGDCONT=1,\"IP\",\"other.apn\"");
  ASSERT_THAT(write, IsOk());
  EXPECT_EQ(write->exit_code, 1);
  EXPECT_THAT(write->out, HasSubstr("PERMISSION_DENIED: operators may run queries only"));
  auto allowed = at("ops", "AT+CFUN=1");
  ASSERT_THAT(allowed, IsOk());
  EXPECT_EQ(allowed->exit_code, 0) << allowed->err << allowed->out;
  EXPECT_THAT(allowed->out, ::testing::ContainsRegex("board-00 +OK"));

  std::vector<nlohmann::json> lines;
  for (absl::string_view line :
       absl::StrSplit(Read(dir_ + "/audit.log"), '\n', absl::SkipEmpty())) {
    nlohmann::json entry = nlohmann::json::parse(line);
    if (entry["method"] == "RunAtCommand" && entry.contains("result") &&
        entry["result"] != "UNAVAILABLE") {
      lines.push_back(entry);
    }
  }
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0]["identity"], "ops");
  EXPECT_EQ(lines[0]["result"], "OK");
  EXPECT_THAT(lines[0]["reply"].get<std::string>(), ::testing::StartsWith("+CSQ: "));
  EXPECT_EQ(lines[1]["identity"], "grafana");
  EXPECT_EQ(lines[1]["result"], "PERMISSION_DENIED");
  EXPECT_THAT(lines[2]["request"].get<std::string>(), HasSubstr("AT+CGDCONT"));
  EXPECT_EQ(lines[2]["result"], "PERMISSION_DENIED");
  EXPECT_THAT(lines[3]["request"].get<std::string>(), HasSubstr("AT+CFUN=1"));
  EXPECT_EQ(lines[3]["result"], "OK");
  EXPECT_EQ(lines[3]["reply"], "OK");  // no information lines: the final result
}

TEST(AgentStartupTest, RefusesPlaintextOnNonLoopbackAndBadConfig) {
  auto plaintext = RunCommand(
      {CELLFLEET_AGENT, "--listen", "0.0.0.0:0", "--at-port", "/nonexistent"}, absl::Seconds(10));
  ASSERT_THAT(plaintext, IsOk());
  EXPECT_EQ(plaintext->exit_code, 2);
  EXPECT_THAT(plaintext->err,
              HasSubstr("refusing plaintext gRPC on non-loopback address 0.0.0.0:0"));

  const std::string dir = testing::MakeTempDir("cellfleet-badconf");
  std::ofstream(dir + "/bad.yaml") << "modem:\n  at_port: /dev/ttyUSB2\n  pol_interval: 2s\n";
  auto bad = RunCommand({CELLFLEET_AGENT, "--config", dir + "/bad.yaml"}, absl::Seconds(10));
  ASSERT_THAT(bad, IsOk());
  EXPECT_EQ(bad->exit_code, 2);
  EXPECT_THAT(bad->err, HasSubstr(dir + "/bad.yaml:3: unknown key \"pol_interval\""));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace cellfleet
