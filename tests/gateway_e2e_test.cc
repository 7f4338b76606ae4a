// Boards behind a gateway, with real processes on loopback: the agent (simulated modem)
// dials out to a cellfleet-gateway and is reached through it by an operator whose TLS
// ends on the agent. Certificates from deploy/make-certs.sh.
#include <filesystem>
#include <fstream>

#include "absl/strings/match.h"
#include "cellfleet/v1/agent_service.grpc.pb.h"
#include "fleet/channel.h"
#include "gateway/gateway.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "modem/testing/status_matchers.h"
#include "modem/testing/wait_for.h"
#include "tests/support/fleet.h"
#include "tests/support/subprocess.h"

namespace cellfleet {
namespace {

using ::cellfleet::testing::IsOk;
using ::cellfleet::testing::RunCommand;
using ::cellfleet::testing::WaitFor;
using ::testing::HasSubstr;

std::string Read(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

class GatewayTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pki_ = testing::MakeTempDir("cellfleet-gw-pki");
    for (const std::vector<std::string>& args :
         std::vector<std::vector<std::string>>{{"agent", "board-00"},
                                               {"client", "ops"},
                                               {"client", "intruder"},
                                               {"gateway", "localhost", "IP:127.0.0.1"}}) {
      std::vector<std::string> argv = {"/bin/bash", CELLFLEET_MAKE_CERTS, pki_};
      argv.insert(argv.end(), args.begin(), args.end());
      auto made = RunCommand(argv, absl::Seconds(30));
      ASSERT_THAT(made, IsOk());
      ASSERT_EQ(made->exit_code, 0) << made->err;
    }
  }
  static void TearDownTestSuite() { std::filesystem::remove_all(pki_); }

  void SetUp() override {
    dir_ = testing::MakeTempDir("cellfleet-gw");
    gateway::GatewaySettings settings;
    settings.board_listen = settings.operator_listen = "127.0.0.1:0";
    settings.cert = pki_ + "/gateway-localhost.crt";
    settings.key = pki_ + "/gateway-localhost.key";
    settings.boards_ca = settings.operators_ca = pki_ + "/ca.crt";
    settings.operators = {"ops"};  // one CA for all: only these may connect as operators
    absl::StatusOr<std::unique_ptr<gateway::Gateway>> gateway = gateway::Gateway::Start(settings);
    ASSERT_THAT(gateway, IsOk());
    gateway_ = std::move(*gateway);
    // The board's own copy of its files: a renewal replaces them (and this test's alone).
    std::filesystem::create_directories(dir_ + "/tls");
    for (const char* file : {"agent-board-00.crt", "agent-board-00.key", "ca.crt"}) {
      std::filesystem::copy_file(pki_ + "/" + file, dir_ + "/tls/" + file);
    }
    std::ofstream(dir_ + "/agent.yaml")
        << "security:\n"
        << "  tls: {cert: " << dir_ << "/tls/agent-board-00.crt, key: " << dir_
        << "/tls/agent-board-00.key, client_ca: " << dir_ << "/tls/ca.crt, reload_interval: 1s}\n"
        << "  roles: {ops: operator}\n"
        << "gateway: {address: '" << gateway_->board_address() << "', ca: " << pki_
        << "/ca.crt, server_name: localhost}\n";
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
    ASSERT_TRUE(WaitFor([&] { return gateway_->registry().List().size() == 1; }, absl::Seconds(20)))
        << "the board attaches";
  }

  void TearDown() override {
    if (fleet_) {
      EXPECT_THAT(fleet_->Stop(), IsOk());
    }
    if (gateway_) gateway_->Stop();
    std::filesystem::remove_all(dir_);
  }

  // The agent through the gateway, as `client` (a client-<name> or gateway-<name> pair).
  std::unique_ptr<v1::ModemAgent::Stub> Through(const std::string& pair,
                                                const std::string& board = "board-00") {
    fleet::ChannelOptions options;
    options.ca_pem = Read(pki_ + "/ca.crt");
    options.cert_pem = Read(pki_ + "/" + pair + ".crt");
    options.key_pem = Read(pki_ + "/" + pair + ".key");
    fleet::Board target;
    target.name = board;
    target.via = gateway_->operator_address();
    return v1::ModemAgent::NewStub(fleet::MakeChannel(target, options));
  }

  grpc::Status GetStatus(v1::ModemAgent::Stub& stub, v1::GetStatusResponse* response) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return stub.GetStatus(&context, v1::GetStatusRequest(), response);
  }

  static std::string pki_;
  std::string dir_;
  std::unique_ptr<gateway::Gateway> gateway_;
  std::unique_ptr<testing::Fleet> fleet_;
};

std::string GatewayTest::pki_;

TEST_F(GatewayTest, AnOperatorReachesTheBoardThroughTheGatewayByItsName) {
  const std::vector<v1::AttachedBoard> attached = gateway_->registry().List();
  ASSERT_EQ(attached.size(), 1u);
  EXPECT_EQ(attached[0].name(), "board-00") << "named by its certificate";
  auto ops = Through("client-ops");
  v1::GetStatusResponse response;
  grpc::Status status;
  // Until the sample that read the modem's identity (the first may come before it).
  EXPECT_TRUE(WaitFor(
      [&] {
        status = GetStatus(*ops, &response);
        return status.ok() && !response.status().identity().imei().empty();
      },
      absl::Seconds(20)));
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.board_name(), "board-00");
  EXPECT_FALSE(response.status().identity().imei().empty());
}

// Renewal through the same channel operators use: the operator's TLS ends on the board,
// so the gateway relays the new key's request and the certificate it cannot read.
TEST_F(GatewayTest, ABoardsCertificateIsRenewedThroughTheGateway) {
  auto ops = Through("client-ops");
  v1::GetStatusResponse before;
  ASSERT_TRUE(WaitFor([&] { return GetStatus(*ops, &before).ok(); }, absl::Seconds(20)));
  const std::string pki = dir_ + "/pki";  // the operator's copy: signing replaces a file
  std::filesystem::copy(pki_, pki, std::filesystem::copy_options::recursive);
  auto renewed = RunCommand(
      {CELLFLEET_CLI, "--ca", pki + "/ca.crt", "--cert", pki + "/client-ops.crt", "--key",
       pki + "/client-ops.key", "cert", "renew", "--force", "--targets", "board-00", "--gateway",
       gateway_->operator_address(), "--pki", pki, "--make-certs", CELLFLEET_MAKE_CERTS},
      absl::Seconds(60));
  ASSERT_THAT(renewed, IsOk());
  ASSERT_EQ(renewed->exit_code, 0) << renewed->err << renewed->out;
  EXPECT_THAT(renewed->out, HasSubstr("renewed"));
  // New connections through the gateway see the new certificate (a 1-minute reload at
  // most; the test waits for it).
  v1::GetStatusResponse after;
  EXPECT_TRUE(WaitFor(
      [&] {
        auto fresh = Through("client-ops");
        return GetStatus(*fresh, &after).ok() && after.status().agent_certificate().serial() !=
                                                     before.status().agent_certificate().serial();
      },
      absl::Seconds(90)));
  EXPECT_EQ(after.status().agent_certificate().subject(), "CN=board-00");
  EXPECT_NE(Read(dir_ + "/tls/agent-board-00.key"), Read(pki_ + "/agent-board-00.key"))
      << "a key made on the board";
}

TEST_F(GatewayTest, TheGatewayAdmitsOnlyItsOperatorsAndRelaysOnlyToAttachedBoards) {
  v1::GetStatusResponse response;
  auto intruder = Through("client-intruder");  // signed by the same CA, not an operator
  grpc::Status refused = GetStatus(*intruder, &response);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(refused.error_message(), HasSubstr("403"));
  auto nowhere = Through("client-ops", "board-99");
  grpc::Status missing = GetStatus(*nowhere, &response);
  EXPECT_EQ(missing.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(missing.error_message(), HasSubstr("404"));
  // Positive control: the same operator, the attached board.
  auto ops = Through("client-ops");
  EXPECT_TRUE(WaitFor([&] { return GetStatus(*ops, &response).ok(); }, absl::Seconds(10)));
}

TEST_F(GatewayTest, TheGatewaysOwnKeyCannotCallTheBoard) {
  // The gateway relays bytes it cannot read, and its own key makes it no client of the
  // board: the board's TLS front refuses the gateway's certificate.
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = Read(pki_ + "/ca.crt");
  ssl.pem_cert_chain = Read(pki_ + "/gateway-localhost.crt");
  ssl.pem_private_key = Read(pki_ + "/gateway-localhost.key");
  grpc::ChannelArguments args;
  args.SetSslTargetNameOverride("board-00");
  auto as_gateway = v1::ModemAgent::NewStub(
      grpc::CreateCustomChannel(fleet_->boards()[0].address, grpc::SslCredentials(ssl), args));
  v1::GetStatusResponse response;
  grpc::Status status = GetStatus(*as_gateway, &response);
  EXPECT_FALSE(status.ok()) << "the gateway's certificate is no client's";
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
}

}  // namespace
}  // namespace cellfleet
