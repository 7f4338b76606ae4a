// A board's certificate over its life, with real processes: a board enrolled from nothing
// by its one-time token through `cellfleet cert enroll` (the CA key staying with
// deploy/make-certs.sh), the token refused once spent on either side, a renewal through
// `cellfleet cert renew` while a stream runs, and revocation lists pushed with
// `cellfleet cert crl`.
#include <filesystem>
#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "base/clock.h"
#include "cellfleet/v1/agent_service.grpc.pb.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/security/tls_certificate_verifier.h"
#include "grpcpp/security/tls_credentials_options.h"
#include "gtest/gtest.h"
#include "modem/testing/status_matchers.h"
#include "proto/time_convert.h"
#include "tests/support/fleet.h"
#include "tests/support/subprocess.h"

namespace cellfleet {
namespace {

using ::cellfleet::testing::IsOk;
using ::cellfleet::testing::RunCommand;
using ::cellfleet::testing::WaitForFile;
using ::testing::HasSubstr;

std::string Read(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::unique_ptr<grpc::ClientContext> Context(absl::Duration timeout = absl::Seconds(10)) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(base::Clock::Real().Now() + timeout));
  return context;
}

class EnrollmentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("cellfleet-enroll");
    pki_ = dir_ + "/pki";
    MakeCerts({"client", "ops"});
    MakeCerts({"client", "grafana"});
    MakeCerts({"client", "stolen-laptop"});
    token_ = MakeCerts({"token", "board-00"});
    // The board: its token, and nothing else of the PKI (not even the CA).
    std::filesystem::create_directories(dir_ + "/board/crl");
    std::ofstream(dir_ + "/board/token") << token_;
    std::ofstream(dir_ + "/agent.yaml")
        << "security:\n"
        << "  tls: {cert: " << Board("agent.crt") << ", key: " << Board("agent.key")
        << ", client_ca: " << Board("ca.crt") << ", crl_dir: " << Board("crl")
        << ", enrollment_token: " << Board("token") << ", reload_interval: 1s}\n"
        << "  roles: {ops: operator, grafana: viewer, stolen-laptop: operator}\n"
        << "  audit_log: " << dir_ << "/audit.log\n";
    testing::FleetOptions options;
    options.simulator = CELLFLEET_MODEMSIM;
    options.agent = CELLFLEET_AGENT;
    options.dir = dir_;
    options.boards = 1;
    options.unauthenticated_role = "";  // deny by default
    options.agent_args = [this](int) -> std::vector<std::string> {
      return {"--config", dir_ + "/agent.yaml"};
    };
    absl::StatusOr<std::unique_ptr<testing::Fleet>> fleet = testing::Fleet::Start(options);
    ASSERT_THAT(fleet, IsOk());
    fleet_ = std::move(*fleet);
    enrollment_address_ = fleet_->boards()[0].address;
  }

  void TearDown() override {
    if (fleet_) {
      EXPECT_THAT(fleet_->Stop(), IsOk());
    }
    std::filesystem::remove_all(dir_);
  }

  std::string Board(const std::string& file) const { return dir_ + "/board/" + file; }

  // make-certs.sh PKI ARGS...: its standard output.
  std::string MakeCerts(std::vector<std::string> args) {
    std::vector<std::string> argv = {"/bin/bash", CELLFLEET_MAKE_CERTS, pki_};
    argv.insert(argv.end(), args.begin(), args.end());
    auto made = RunCommand(argv, absl::Seconds(30));
    EXPECT_THAT(made, IsOk());
    if (!made.ok()) return "";
    EXPECT_EQ(made->exit_code, 0) << made->err;
    return made->out;
  }

  absl::StatusOr<testing::CommandResult> Cli(std::vector<std::string> args) {
    std::vector<std::string> argv = {CELLFLEET_CLI};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunCommand(argv, absl::Seconds(60));
  }

  absl::StatusOr<testing::CommandResult> Enroll() {
    return Cli({"cert", "enroll", "--address", enrollment_address_, "--name", "board-00", "--pki",
                pki_, "--make-certs", CELLFLEET_MAKE_CERTS});
  }

  // Enrolls, then waits for the agent to serve with its new certificate.
  void EnrollAndWait() {
    // The enrollment listener's ready file goes; the agent writes it again once serving.
    std::filesystem::remove(dir_ + "/agent0.ready");
    auto enrolled = Enroll();
    ASSERT_THAT(enrolled, IsOk());
    ASSERT_EQ(enrolled->exit_code, 0) << enrolled->err;
    absl::StatusOr<std::string> address = WaitForFile(dir_ + "/agent0.ready", absl::Seconds(20));
    ASSERT_THAT(address, IsOk()) << Read(fleet_->boards()[0].log);
    address_ = std::string(absl::StripAsciiWhitespace(*address));
  }

  // The enrollment listener's channel: its certificate is self-signed.
  std::unique_ptr<v1::ModemAgent::Stub> EnrollmentStub() {
    grpc::experimental::TlsChannelCredentialsOptions options;
    options.set_verify_server_certs(false);
    options.set_check_call_host(false);
    options.set_certificate_verifier(
        std::make_shared<grpc::experimental::NoOpCertificateVerifier>());
    return v1::ModemAgent::NewStub(
        grpc::CreateChannel(enrollment_address_, grpc::experimental::TlsCredentials(options)));
  }

  // Mutual TLS to the enrolled board as `client`, checking the board's name.
  std::unique_ptr<v1::ModemAgent::Stub> Stub(const std::string& client) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = Read(pki_ + "/ca.crt");
    ssl.pem_cert_chain = Read(pki_ + "/client-" + client + ".crt");
    ssl.pem_private_key = Read(pki_ + "/client-" + client + ".key");
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride("board-00");
    return v1::ModemAgent::NewStub(
        grpc::CreateCustomChannel(address_, grpc::SslCredentials(ssl), args));
  }

  std::vector<std::string> ClientFlags(const std::string& client) {
    return {"--ca",
            pki_ + "/ca.crt",
            "--cert",
            pki_ + "/client-" + client + ".crt",
            "--key",
            pki_ + "/client-" + client + ".key",
            "--tls-server-name",
            "board-00"};
  }

  absl::StatusOr<v1::AgentCertificate> Served(const std::string& client) {
    v1::GetStatusResponse response;
    grpc::Status status = Stub(client)->GetStatus(Context().get(), {}, &response);
    if (!status.ok()) return absl::UnavailableError(status.error_message());
    return response.status().agent_certificate();
  }

  std::string dir_, pki_, token_, enrollment_address_, address_;
  std::unique_ptr<testing::Fleet> fleet_;
};

TEST_F(EnrollmentTest, ABoardIsEnrolledFromNothingAndItsTokenIsSpent) {
  // Waiting to be enrolled, the board serves its two enrollment calls and nothing else,
  // and installs nothing without the proof made with its token.
  auto waiting = EnrollmentStub();
  v1::GetStatusResponse status;
  EXPECT_EQ(waiting->GetStatus(Context().get(), {}, &status).error_code(),
            grpc::StatusCode::UNIMPLEMENTED);
  v1::CreateCertificateRequestResponse request;
  ASSERT_TRUE(waiting->CreateCertificateRequest(Context().get(), {}, &request).ok());
  EXPECT_THAT(request.csr_pem(), HasSubstr("BEGIN CERTIFICATE REQUEST"));
  EXPECT_EQ(request.enrollment_proof().size(), 64u);
  v1::InstallCertificateRequest forged;
  forged.set_certificate_pem(Read(pki_ + "/client-ops.crt"));
  forged.set_enrollment_proof(std::string(64, '0'));
  v1::InstallCertificateResponse installed;
  grpc::Status refused = waiting->InstallCertificate(Context().get(), forged, &installed);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(refused.error_message(), HasSubstr("does not match this board's token"));
  EXPECT_FALSE(std::filesystem::exists(Board("agent.crt")));

  EnrollAndWait();
  // The key was made on the board and stayed there; the operator's side has none.
  EXPECT_TRUE(std::filesystem::exists(Board("agent.key")));
  EXPECT_FALSE(std::filesystem::exists(pki_ + "/agent-board-00.key"));
  EXPECT_EQ(Read(Board("ca.crt")), Read(pki_ + "/ca.crt"));
  absl::StatusOr<v1::AgentCertificate> served = Served("grafana");
  ASSERT_THAT(served, IsOk());
  EXPECT_EQ(served->subject(), "CN=board-00");
  const absl::Time not_before = FromProtoTime(served->not_before());
  const absl::Time not_after = FromProtoTime(served->not_after());
  const absl::Time renew_after = FromProtoTime(served->renew_after());
  EXPECT_GE(renew_after, not_before + (not_after - not_before) / 2);
  EXPECT_LE(renew_after, not_before + (not_after - not_before) * 2 / 3);
  // Roles by certificate, as on any board: a viewer cannot renew it.
  v1::CreateCertificateRequestResponse denied;
  EXPECT_EQ(Stub("grafana")->CreateCertificateRequest(Context().get(), {}, &denied).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // Installed only once its begin line was on disk, as every change.
  EXPECT_THAT(
      Read(dir_ + "/audit.log"),
      ::testing::ContainsRegex("\"identity\":\"enrollment token\",\"method\":"
                               "\"InstallCertificate\",\"peer\":\"[^\"]*\",\"phase\":\"begin\""));

  // Spent on the operator's side...
  EXPECT_TRUE(std::filesystem::exists(pki_ + "/tokens/board-00.spent"));
  auto again = Enroll();
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(again->exit_code, 1);
  EXPECT_THAT(again->err, HasSubstr("enrollment token for board-00 was spent already"));
  // ...and on the board's: with its certificate gone, the same token does not enroll it.
  ASSERT_THAT(fleet_->agent(0).Stop(absl::Seconds(10)), IsOk());
  std::filesystem::remove(Board("agent.crt"));
  auto reused = RunCommand(
      {CELLFLEET_AGENT, "--config", dir_ + "/agent.yaml", "--at-port", fleet_->boards()[0].at_path,
       "--listen", "127.0.0.1:0", "--state-dir", fleet_->boards()[0].state_dir},
      absl::Seconds(20));
  ASSERT_THAT(reused, IsOk());
  EXPECT_EQ(reused->exit_code, 2);
  EXPECT_THAT(reused->err, HasSubstr("was spent on this board already"));
}

TEST_F(EnrollmentTest, AProofFromAnotherTokenIsRefusedByTheOperatorsSide) {
  // The operator's token for board-00 is replaced: the board's proof no longer matches,
  // and nothing is signed for it.
  MakeCerts({"token", "board-00"});
  auto enrolled = Enroll();
  ASSERT_THAT(enrolled, IsOk());
  EXPECT_EQ(enrolled->exit_code, 1);
  EXPECT_THAT(enrolled->err, HasSubstr("did not prove it holds board-00's enrollment token"));
  EXPECT_FALSE(std::filesystem::exists(pki_ + "/agent-board-00.crt"));
}

TEST_F(EnrollmentTest, RenewedThroughTheCliWhileAStreamRuns) {
  EnrollAndWait();
  absl::StatusOr<v1::AgentCertificate> first = Served("ops");
  ASSERT_THAT(first, IsOk());
  // A stream opened before the renewal...
  auto watcher = Stub("grafana");
  grpc::ClientContext watch_context;
  v1::WatchStatusRequest watch;
  auto stream = watcher->WatchStatus(&watch_context, watch);
  v1::StatusUpdate update;
  ASSERT_TRUE(stream->Read(&update));

  std::vector<std::string> renew = ClientFlags("ops");
  renew.insert(renew.end(), {"cert", "renew", "--targets", address_, "--pki", pki_, "--make-certs",
                             CELLFLEET_MAKE_CERTS});
  auto not_due = Cli(renew);
  ASSERT_THAT(not_due, IsOk());
  EXPECT_EQ(not_due->exit_code, 0) << not_due->err;
  EXPECT_THAT(not_due->out, HasSubstr("not due (renews after"));
  renew.push_back("--force");
  auto renewed = Cli(renew);
  ASSERT_THAT(renewed, IsOk());
  EXPECT_EQ(renewed->exit_code, 0) << renewed->err << renewed->out;
  EXPECT_THAT(renewed->out, HasSubstr("renewed"));

  // ...goes on; new connections get the new certificate (the file watcher's 1 s).
  ASSERT_TRUE(stream->Read(&update));
  absl::StatusOr<v1::AgentCertificate> now = Served("ops");
  for (int i = 0; i < 50 && now.ok() && now->serial() == first->serial(); ++i) {
    absl::SleepFor(absl::Milliseconds(200));
    now = Served("ops");
  }
  ASSERT_THAT(now, IsOk());
  EXPECT_NE(now->serial(), first->serial());
  EXPECT_FALSE(now->serial().empty());
  EXPECT_EQ(now->subject(), "CN=board-00");
  EXPECT_FALSE(std::filesystem::exists(Board("agent.key.pending")));
  const std::string audit = Read(dir_ + "/audit.log");
  EXPECT_THAT(audit,
              HasSubstr("\"identity\":\"ops\",\"message\":\"\",\"method\":\"InstallCertificate\""));
  EXPECT_THAT(
      audit,
      HasSubstr("\"identity\":\"ops\",\"message\":\"\",\"method\":\"CreateCertificateRequest\""));
  watch_context.TryCancel();
  (void)stream->Finish();
}

TEST_F(EnrollmentTest, RevocationListsArePushedAndNeverRolledBack) {
  EnrollAndWait();
  ASSERT_THAT(Served("stolen-laptop"), IsOk());  // positive control
  const std::string empty_list = Read(pki_ + "/crl.pem");
  MakeCerts({"revoke", "client-stolen-laptop"});
  std::vector<std::string> push = ClientFlags("ops");
  push.insert(push.end(), {"-o", "json", "cert", "crl", "--targets", address_, "--pki", pki_});
  auto pushed = Cli(push);
  ASSERT_THAT(pushed, IsOk());
  EXPECT_EQ(pushed->exit_code, 0) << pushed->err;
  EXPECT_THAT(pushed->out, HasSubstr("\"revoked\":1"));
  EXPECT_THAT(pushed->out, HasSubstr("\"unchanged\":false"));
  absl::StatusOr<v1::AgentCertificate> stolen = Served("stolen-laptop");
  EXPECT_FALSE(stolen.ok());
  ASSERT_THAT(Served("ops"), IsOk());
  auto again = Cli(push);
  ASSERT_THAT(again, IsOk());
  EXPECT_THAT(again->out, HasSubstr("\"unchanged\":true"));

  // The list before the revocation would undo it: refused.
  v1::InstallRevocationListRequest old;
  old.set_crl_pem(empty_list);
  v1::InstallRevocationListResponse response;
  grpc::Status refused = Stub("ops")->InstallRevocationList(Context().get(), old, &response);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(refused.error_message(), HasSubstr("older than the board's"));
  EXPECT_FALSE(Served("stolen-laptop").ok());
}

}  // namespace
}  // namespace cellfleet
