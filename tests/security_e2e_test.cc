// The agent's security front with real processes and certificates made by
// deploy/make-certs.sh: mutual TLS, roles by certificate identity, the audit log, and
// refusing plaintext on a non-loopback address.
#include <filesystem>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/notification.h"
#include "base/clock.h"
#include "cellfleet/v1/agent_service.grpc.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "modem/testing/status_matchers.h"
#include "nlohmann/json.hpp"
#include "proto/time_convert.h"
#include "tests/support/fleet.h"
#include "tests/support/subprocess.h"
#include "tests/support/test_pki.h"

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
                                               {pki_, "client", "stolen-laptop"},
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
        << "/agent-board-00.key, client_ca: " << pki_ << "/ca.crt, crl_dir: " << pki_
        << "/crl, reload_interval: 1s}\n"
        << "  roles: {ops: operator, grafana: viewer, stolen-laptop: operator}\n"
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

  // A TLS channel to the board with `client`'s certificate from `pki` ("" for none).
  std::shared_ptr<grpc::Channel> Channel(const std::string& pki, const std::string& client) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = Read(pki_ + "/ca.crt");
    if (!client.empty()) {
      ssl.pem_cert_chain = Read(pki + "/client-" + client + ".crt");
      ssl.pem_private_key = Read(pki + "/client-" + client + ".key");
    }
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride("board-00");
    return grpc::CreateCustomChannel(address_, grpc::SslCredentials(ssl), args);
  }

  std::unique_ptr<v1::ModemAgent::Stub> Stub(const std::string& pki, const std::string& client) {
    return v1::ModemAgent::NewStub(Channel(pki, client));
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

// Every RPC against every kind of caller, each refusal with its exact code and reason,
// each allowance a positive control: the call gets past authorization (its own answer
// may still be an error, e.g. INVALID_ARGUMENT for an empty request).
struct Rpc {
  const char* method;
  const char* role;  // the least role that may call it
};
constexpr Rpc kRpcs[] = {
    {"GetStatus", "viewer"},
    {"WatchStatus", "viewer"},
    {"GetHistory", "viewer"},
    {"Dial", "operator"},
    {"HangUp", "operator"},
    {"GetConfig", "viewer"},
    {"ApplyConfig", "operator"},
    {"ConfirmConfig", "operator"},
    {"Diagnose", "viewer"},
    {"RunDoctor", "viewer"},
    {"RunAtCommand", "viewer"},
    {"Recover", "operator"},
    {"GetUsage", "viewer"},
    {"OverrideDataCap", "operator"},
    {"CreateCertificateRequest", "operator"},
    {"InstallCertificate", "operator"},
    {"InstallRevocationList", "operator"},
};

// One call of `method` on `channel`: WatchStatus until its first message, the rest unary
// with an empty request (RunAtCommand: AT+CSQ), so an allowed call changes nothing.
grpc::Status CallRpc(const std::shared_ptr<grpc::Channel>& channel, const std::string& method) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(15));
  if (method == "WatchStatus") {
    auto reader = v1::ModemAgent::NewStub(channel)->WatchStatus(&context, {});
    v1::StatusUpdate update;
    if (reader->Read(&update)) return grpc::Status::OK;
    return reader->Finish();
  }
  std::string request;
  if (method == "RunAtCommand") {
    v1::RunAtCommandRequest at;
    at.set_command("AT+CSQ");
    request = at.SerializeAsString();
  }
  grpc::GenericStub stub(channel);
  grpc::ByteBuffer send, reply;
  grpc::Slice slice(request);
  send = grpc::ByteBuffer(&slice, 1);
  grpc::Status result;
  absl::Notification done;
  stub.UnaryCall(&context, "/cellfleet.v1.ModemAgent/" + method, grpc::StubOptions(), &send, &reply,
                 [&](grpc::Status status) {
                   result = std::move(status);
                   done.Notify();
                 });
  done.WaitForNotification();  // bounded by the call's deadline
  return result;
}

TEST_F(SecurityTest, EveryRpcAgainstEveryKindOfCaller) {
  // Every method of the service is in the table: a new one cannot be left out.
  const google::protobuf::ServiceDescriptor* service =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
          v1::ModemAgent::service_full_name());
  ASSERT_NE(service, nullptr);
  ASSERT_EQ(service->method_count(), static_cast<int>(std::size(kRpcs)));
  for (const Rpc& rpc : kRpcs)
    EXPECT_NE(service->FindMethodByName(rpc.method), nullptr) << rpc.method;
  // A board with a first sample, so that reads answer rather than say "retry".
  auto viewer = Stub(pki_, "grafana");
  for (int attempt = 0; attempt < 50 && !GetStatus(*viewer).ok(); ++attempt) {
    absl::SleepFor(absl::Milliseconds(100));
  }
  // The same board's agent once more, plaintext on loopback with the defaults.
  testing::FleetOptions plain_options;
  plain_options.simulator = CELLFLEET_MODEMSIM;
  plain_options.agent = CELLFLEET_AGENT;
  plain_options.dir = dir_ + "/plain";
  plain_options.boards = 1;
  plain_options.unauthenticated_role = "";  // the agent's own default: none
  std::filesystem::create_directories(plain_options.dir);
  absl::StatusOr<std::unique_ptr<testing::Fleet>> plain = testing::Fleet::Start(plain_options);
  ASSERT_THAT(plain, IsOk());
  const auto plaintext =
      grpc::CreateChannel((*plain)->boards()[0].address, grpc::InsecureChannelCredentials());

  struct Caller {
    std::string name;
    std::shared_ptr<grpc::Channel> channel;
    std::string role;  // "": not even a connection
  };
  const std::vector<Caller> callers = {
      {"operator", Channel(pki_, "ops"), "operator"},
      {"viewer", Channel(pki_, "grafana"), "viewer"},
      {"a certificate of a name with no role", Channel(pki_, "nobody"), "none"},
      {"no certificate", plaintext, "none"},
      {"a certificate of another CA", Channel(other_pki_, "ops"), ""},
      {"TLS without a certificate", Channel(pki_, ""), ""},
  };
  const auto rank = [](const std::string& role) {
    return role == "operator" ? 2 : role == "viewer" ? 1 : 0;
  };
  for (const Rpc& rpc : kRpcs) {
    for (const Caller& caller : callers) {
      SCOPED_TRACE(absl::StrCat(rpc.method, " by ", caller.name));
      const grpc::Status status = CallRpc(caller.channel, rpc.method);
      const std::string method = rpc.method;
      if (caller.role.empty()) {
        // Mutual TLS refuses the certificate: under TLS 1.3 the client has sent its last
        // handshake message when the agent checks it, so it sees the socket close.
        EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
        EXPECT_THAT(status.error_message(), HasSubstr("Socket closed"));
      } else if (caller.channel == plaintext) {
        EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
        EXPECT_EQ(status.error_message(),
                  method +
                      " needs a client certificate (mutual TLS): this agent gives "
                      "callers without one no role (security.unauthenticated_role: none)");
      } else if (rank(caller.role) < rank(rpc.role)) {
        const std::string name = caller.role == "viewer" ? "grafana" : "nobody";
        EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
        EXPECT_EQ(status.error_message(),
                  absl::StrCat(method, " needs the ", rpc.role, " role; the certificate \"", name,
                               "\" has ", caller.role,
                               "; the agent's roles: must give "
                               "that name ",
                               rpc.role));
      } else if (method == "RunAtCommand" && caller.role == "viewer") {
        // Past the role, the AT policy: viewers run no AT commands unless configured.
        EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
        EXPECT_THAT(status.error_message(), HasSubstr("role viewer may not run AT+CSQ"));
      } else {  // positive control: past authorization
        EXPECT_NE(status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
            << status.error_message();
        EXPECT_NE(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << status.error_message();
        EXPECT_NE(status.error_code(), grpc::StatusCode::UNIMPLEMENTED) << status.error_message();
        EXPECT_THAT(status.error_message(), ::testing::Not(HasSubstr("Socket closed")));
      }
    }
  }
  EXPECT_THAT((*plain)->Stop(), IsOk());
}

// The certificate a board serves, as a new connection sees it.
std::string ServedCertificate(v1::ModemAgent::Stub& stub) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  v1::GetStatusResponse response;
  stub.GetStatus(&context, v1::GetStatusRequest(), &response);
  std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  std::vector<grpc::string_ref> pem =
      auth ? auth->FindPropertyValues("x509_pem_cert") : std::vector<grpc::string_ref>{};
  return pem.empty() ? "" : std::string(pem[0].data(), pem[0].size());
}

// A laptop is lost: its certificate is revoked with make-certs.sh and the new list put in
// the agent's crl_dir; the agent refuses it from then on, without a restart, and every
// other certificate of the same name's CA still works.
// An operator's certificate out of its validity gets no call at all; the same name, the
// same CA, in its validity, does (the positive control).
TEST_F(SecurityTest, AnExpiredOrNotYetValidCertificateIsRefused) {
  absl::StatusOr<testing::TestCa> ca =
      testing::TestCa::Load(Read(pki_ + "/ca.crt"), Read(pki_ + "/ca.key"));
  ASSERT_THAT(ca, IsOk());
  const auto status_with = [&](long from_days, long to_days) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = Read(pki_ + "/ca.crt");
    ssl.pem_private_key = testing::NewKeyPem();
    ssl.pem_cert_chain = ca->Issue(ssl.pem_private_key, "ops", from_days, to_days, "clientAuth");
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride("board-00");
    auto stub = v1::ModemAgent::NewStub(
        grpc::CreateCustomChannel(address_, grpc::SslCredentials(ssl), args));
    return GetStatus(*stub);
  };
  grpc::Status valid;
  for (int attempt = 0; attempt < 50 && !(valid = status_with(-1, 30)).ok(); ++attempt) {
    absl::SleepFor(absl::Milliseconds(100));  // until the first sample
  }
  EXPECT_TRUE(valid.ok()) << valid.error_message();
  for (const auto& [from, to] : {std::pair{-30L, -1L}, std::pair{2L, 30L}}) {
    const grpc::Status refused = status_with(from, to);
    EXPECT_EQ(refused.error_code(), grpc::StatusCode::UNAVAILABLE) << from;
    EXPECT_THAT(refused.error_message(), HasSubstr("Socket closed")) << from;
  }
}

TEST_F(SecurityTest, ARevokedCertificateIsRefusedWithoutARestart) {
  auto stolen = [&] { return Stub(pki_, "stolen-laptop"); };
  grpc::Status before = GetStatus(*stolen());
  for (int attempt = 0; attempt < 50 && !before.ok(); ++attempt) {
    absl::SleepFor(absl::Milliseconds(100));
    before = GetStatus(*stolen());
  }
  ASSERT_TRUE(before.ok()) << before.error_message();  // positive control
  auto revoked =
      RunCommand({"/bin/bash", CELLFLEET_MAKE_CERTS, pki_, "revoke", "client-stolen-laptop"},
                 absl::Seconds(30));
  ASSERT_THAT(revoked, IsOk());
  ASSERT_EQ(revoked->exit_code, 0) << revoked->err;
  grpc::Status after = GetStatus(*stolen());
  for (int attempt = 0; attempt < 50 && after.ok(); ++attempt) {
    absl::SleepFor(absl::Milliseconds(100));
    after = GetStatus(*stolen());
  }
  EXPECT_EQ(after.error_code(), grpc::StatusCode::UNAVAILABLE) << after.error_message();
  EXPECT_THAT(after.error_message(), HasSubstr("Socket closed"));
  EXPECT_TRUE(GetStatus(*Stub(pki_, "ops")).ok()) << "others of the same CA are not revoked";
}

// The agent's certificate is renewed in place (make-certs.sh renew, as a timer would run
// it): new connections get the new one within the reload interval, and a stream opened
// before goes on.
TEST_F(SecurityTest, ARenewedCertificateIsServedWithoutARestartOrADroppedStream) {
  auto viewer = Stub(pki_, "grafana");
  for (int attempt = 0; attempt < 50 && !GetStatus(*viewer).ok(); ++attempt) {
    absl::SleepFor(absl::Milliseconds(100));
  }
  const std::string old_certificate = ServedCertificate(*Stub(pki_, "grafana"));
  ASSERT_THAT(old_certificate, HasSubstr("BEGIN CERTIFICATE"));
  // Every sample says which certificate the board serves, and until when.
  {
    grpc::ClientContext context;
    v1::GetStatusResponse status;
    ASSERT_TRUE(viewer->GetStatus(&context, v1::GetStatusRequest(), &status).ok());
    const v1::AgentCertificate& served = status.status().agent_certificate();
    EXPECT_EQ(served.subject(), "CN=board-00");
    const absl::Duration left = FromProtoTime(served.not_after()) - base::Clock::Real().Now();
    EXPECT_GT(left, absl::Hours(24 * 823));
    EXPECT_LT(left, absl::Hours(24 * 826));
  }
  grpc::ClientContext watch_context;
  watch_context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  v1::WatchStatusRequest request;
  *request.mutable_heartbeat_interval() = ToProtoDuration(absl::Seconds(1));
  auto stream = viewer->WatchStatus(&watch_context, request);
  v1::StatusUpdate update;
  ASSERT_TRUE(stream->Read(&update));

  auto renewed = RunCommand({"/bin/bash", CELLFLEET_MAKE_CERTS, pki_, "renew", "agent-board-00"},
                            absl::Seconds(30));
  ASSERT_THAT(renewed, IsOk());
  ASSERT_EQ(renewed->exit_code, 0) << renewed->err;
  std::string served = ServedCertificate(*Stub(pki_, "grafana"));
  for (int attempt = 0; attempt < 100 && served == old_certificate; ++attempt) {
    absl::SleepFor(absl::Milliseconds(100));
    served = ServedCertificate(*Stub(pki_, "grafana"));
  }
  EXPECT_NE(served, old_certificate) << "still the old certificate after 10 s";
  EXPECT_THAT(served, HasSubstr("BEGIN CERTIFICATE"));
  // The stream opened before the renewal still delivers.
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(stream->Read(&update)) << "the stream ended";
  watch_context.TryCancel();
  stream->Finish();
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

  // Deny by default: a role for callers without a certificate, where other hosts reach
  // the agent and nothing asks for a certificate, is refused; on loopback it is not.
  const std::string state = testing::MakeTempDir("cellfleet-deny");
  const std::vector<std::string> open_door = {"--insecure",    "--unauthenticated-role",
                                              "viewer",        "--at-port",
                                              "/nonexistent",  "--state-dir",
                                              state,           "--lock-dir",
                                              state,           "--ready-file",
                                              state + "/ready"};
  std::vector<std::string> argv = {CELLFLEET_AGENT, "--listen", "0.0.0.0:0"};
  argv.insert(argv.end(), open_door.begin(), open_door.end());
  auto refused = RunCommand(argv, absl::Seconds(10));
  ASSERT_THAT(refused, IsOk());
  EXPECT_EQ(refused->exit_code, 2);
  EXPECT_THAT(refused->err,
              HasSubstr("refusing unauthenticated_role viewer on 0.0.0.0:0, which other hosts "
                        "reach: any of them would have that role without a certificate"));
  argv[2] = "127.0.0.1:0";  // positive control
  auto started = Subprocess::Start(argv, state + "/agent.log");
  ASSERT_THAT(started, IsOk());
  EXPECT_THAT(WaitForFile(state + "/ready", absl::Seconds(10)), IsOk())
      << Read(state + "/agent.log");
  EXPECT_THAT(started->Stop(), IsOk());
  std::filesystem::remove_all(state);

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
