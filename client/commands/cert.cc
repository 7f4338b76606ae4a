// `cellfleet cert`: a board's certificate over its life, through the channel operators
// already use (direct or through a gateway). The board makes its key and never sends it;
// the CA key stays with make-certs.sh on this machine, which signs each request.
//   enroll  a board with no certificate yet, by its one-time token (make-certs.sh token)
//   renew   boards whose certificate is past its renewal point (status: renew_after)
//   crl     pushes make-certs.sh's revocation list to the boards
#include <fcntl.h>

#include <filesystem>

#include "CLI/CLI.hpp"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "base/atomic_file.h"
#include "base/file_contents.h"
#include "base/spawn.h"
#include "client/commands/command.h"
#include "fleet/channel.h"
#include "grpcpp/security/tls_certificate_provider.h"
#include "grpcpp/security/tls_certificate_verifier.h"
#include "grpcpp/security/tls_credentials_options.h"
#include "pki/enrollment_token.h"
#include "proto/time_convert.h"

namespace cellfleet::client {
namespace {

constexpr char kCertGroup[] = "cert";
constexpr char kCertGroupHelp[] =
    "Boards' certificates: enroll with a one-time token, renew, push revocations";
constexpr char kDefaultMakeCerts[] = "/usr/share/cellfleet/make-certs.sh";

std::string DayOf(absl::Time t) { return absl::FormatTime("%Y-%m-%d", t, absl::UTCTimeZone()); }

// The options every cert command shares: where the PKI is and what signs in it.
struct Pki {
  std::string dir;
  std::string make_certs = kDefaultMakeCerts;

  void AddOptions(CLI::App* command) {
    command->add_option("--pki", dir, "make-certs.sh's directory (ca.crt, ca.key, tokens/)")
        ->required();
    command->add_option("--make-certs", make_certs, "make-certs.sh, which signs with the CA key")
        ->capture_default_str();
  }

  // Runs make-certs.sh DIR sign NAME CSR: the certificate it issues, or why not (its own
  // words, from its error output).
  absl::StatusOr<std::string> Sign(const std::string& name, const std::string& csr_pem) const {
    const std::string requests = dir + "/requests";
    std::error_code error;
    std::filesystem::create_directories(requests, error);
    const std::string csr = absl::StrCat(requests, "/", name, ".csr");
    const std::string log = absl::StrCat(requests, "/", name, ".log");
    if (absl::Status written = base::WriteFileAtomically(csr, csr_pem); !written.ok()) {
      return written;
    }
    absl::StatusOr<pid_t> pid = base::Spawn({"/bin/bash", make_certs, dir, "sign", name, csr})
                                    .Open(1, "/dev/null", O_WRONLY)
                                    .Open(2, log, O_WRONLY | O_CREAT | O_TRUNC)
                                    .Start();
    if (!pid.ok()) return pid.status();
    absl::StatusOr<int> exit_code = base::WaitForExit(*pid, absl::Seconds(60));
    if (!exit_code.ok()) return exit_code.status();
    if (*exit_code != 0) {
      absl::StatusOr<std::string> said = base::ReadFileContents(log);
      return absl::FailedPreconditionError(absl::StrCat(
          make_certs, " sign ", name, " failed (exit ", *exit_code,
          "): ", said.ok() ? absl::StripAsciiWhitespace(*said) : said.status().message()));
    }
    return base::ReadFileContents(absl::StrCat(dir, "/agent-", name, ".crt"));
  }
};

// "CN=rock-001" (as AgentCertificate.subject says it) -> "rock-001".
std::string CommonNameOf(const std::string& subject) {
  const size_t at = subject.find("CN=");
  if (at == std::string::npos) return "";
  const size_t end = subject.find_first_of(",/", at);
  return subject.substr(at + 3, end == std::string::npos ? std::string::npos : end - at - 3);
}

class EnrollCommand : public Command {
 public:
  CLI::App* Register(CLI::App& root) override {
    CLI::App* command =
        CommandGroup(root, kCertGroup, kCertGroupHelp)
            ->add_subcommand("enroll",
                             "Give a board waiting to be enrolled its first certificate: its "
                             "CSR checked by its one-time token, signed here, sent back proven");
    command
        ->add_option("--address", address_, "The board's agent, waiting to be enrolled (host:port)")
        ->required();
    command->add_option("--name", name_, "The board's name: its token's and its certificate's")
        ->required();
    pki_.AddOptions(command);
    return command;
  }

  int Run(CommandEnv& env) override {
    const std::string token_file = absl::StrCat(pki_.dir, "/tokens/", name_, ".token");
    const std::string spent_file = absl::StrCat(pki_.dir, "/tokens/", name_, ".spent");
    absl::StatusOr<std::string> text = base::ReadFileContents(token_file);
    if (!text.ok()) {
      if (std::filesystem::exists(spent_file)) {
        env.err << "cellfleet: the enrollment token for " << name_
                << " was spent already; make a new one: make-certs.sh " << pki_.dir << " token "
                << name_ << "\n";
        return kExitFailed;
      }
      return UsageError(
          env, absl::NotFoundError(absl::StrCat("no enrollment token for ", name_, " (", token_file,
                                                "): make-certs.sh ", pki_.dir, " token ", name_)));
    }
    absl::StatusOr<std::string> token = pki::ParseEnrollmentToken(*text, token_file);
    if (!token.ok()) return UsageError(env, token.status());
    absl::StatusOr<std::string> ca = base::ReadFileContents(pki_.dir + "/ca.crt");
    if (!ca.ok()) return UsageError(env, ca.status());
    std::unique_ptr<v1::ModemAgent::Stub> stub = v1::ModemAgent::NewStub(EnrollmentChannel(*ca));

    v1::CreateCertificateRequestResponse request;
    if (grpc::Status status = Call(env,
                                   [&](grpc::ClientContext* context) {
                                     return stub->CreateCertificateRequest(context, {}, &request);
                                   });
        !status.ok()) {
      return Failed(env, "asking for its certificate request", status);
    }
    // Only the board holding NAME's token could have made this proof over this CSR.
    if (!pki::ProofMatches(*token, pki::ProofOf::kCertificateRequest, request.csr_pem(),
                           request.enrollment_proof())) {
      env.err << "cellfleet: " << address_ << " did not prove it holds " << name_
              << "'s enrollment token (another board, or another token on it): nothing signed\n";
      return kExitFailed;
    }
    absl::StatusOr<std::string> certificate = pki_.Sign(name_, request.csr_pem());
    if (!certificate.ok()) {
      env.err << "cellfleet: " << certificate.status().message() << "\n";
      return kExitFailed;
    }
    v1::InstallCertificateRequest install;
    install.set_certificate_pem(*certificate);
    install.set_ca_pem(*ca);
    install.set_enrollment_proof(pki::EnrollmentProof(
        *token, pki::ProofOf::kCertificate, pki::CertificateProofMessage(*certificate, *ca)));
    v1::InstallCertificateResponse installed;
    if (grpc::Status status = Call(env,
                                   [&](grpc::ClientContext* context) {
                                     return stub->InstallCertificate(context, install, &installed);
                                   });
        !status.ok()) {
      return Failed(env, "installing its certificate", status);
    }
    // Spent: this machine does not enroll with it again (nor does the board).
    std::error_code error;
    std::filesystem::rename(token_file, spent_file, error);
    env.out << "enrolled " << name_ << " at " << address_ << ": "
            << installed.certificate().subject() << ", valid until "
            << DayOf(FromProtoTime(installed.certificate().not_after())) << "\n";
    return kExitOk;
  }

 private:
  // TLS to a board that has only a self-signed certificate yet: its identity is proven by
  // the token's proofs, not by a CA, so the handshake checks nothing.
  std::shared_ptr<grpc::Channel> EnrollmentChannel(const std::string& ca_pem) const {
    grpc::experimental::TlsChannelCredentialsOptions options;
    options.set_certificate_provider(
        std::make_shared<grpc::experimental::StaticDataCertificateProvider>(ca_pem));
    options.watch_root_certs();
    options.set_verify_server_certs(false);
    options.set_check_call_host(false);
    options.set_certificate_verifier(
        std::make_shared<grpc::experimental::NoOpCertificateVerifier>());
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride(pki::kEnrollmentServerName);
    return grpc::CreateCustomChannel(address_, grpc::experimental::TlsCredentials(options), args);
  }

  template <typename CallFn>
  static grpc::Status Call(const CommandEnv& env, CallFn call) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(base::Clock::Real().Now() + env.fanout.deadline));
    return call(&context);
  }

  int Failed(CommandEnv& env, absl::string_view step, const grpc::Status& status) const {
    env.err << "cellfleet: " << name_ << " at " << address_ << ", " << step << ": "
            << fleet::ErrorText(status) << "\n";
    return kExitFailed;
  }

  std::string address_;
  std::string name_;
  Pki pki_;
};

class RenewCommand : public FleetCommand {
 public:
  CLI::App* Register(CLI::App& root) override {
    CLI::App* command =
        CommandGroup(root, kCertGroup, kCertGroupHelp)
            ->add_subcommand("renew",
                             "Renew the certificate of each board past its renewal point "
                             "(between a half and two thirds of its life): a new key made on "
                             "the board, signed here");
    command->add_flag("--force", force_, "Renew every chosen board's, due or not");
    pki_.AddOptions(command);
    AddBoardOptions(command);
    return command;
  }

 private:
  int RunOnBoards(const std::vector<fleet::Board>& boards, CommandEnv& env) override {
    BoardReport report = env.Report({"CERTIFICATE", "VALID UNTIL", "RESULT"});
    auto statuses = fleet::CallEach(boards, env.fanout, &Rpc::GetStatus, v1::GetStatusRequest());
    std::vector<fleet::Board> due;
    std::vector<std::string> names;
    const absl::Time now = env.clock->Now();
    for (const auto& result : statuses) {
      if (!result.status.ok()) {
        report.AddFailure(result.board, result.status);
        continue;
      }
      const v1::AgentCertificate& current = result.response.status().agent_certificate();
      const std::string name = CommonNameOf(current.subject());
      if (name.empty()) {
        report.AddFailure(result.board,
                          grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                                       current.error().empty() ? "the board serves no certificate"
                                                               : current.error()));
        continue;
      }
      const absl::Time renew_after = FromProtoTime(current.renew_after());
      if (!force_ && now < renew_after) {
        report.AddRow(result.board,
                      {current.subject(), DayOf(FromProtoTime(current.not_after())),
                       absl::StrCat("not due (renews after ", DayOf(renew_after), ")")},
                      {{"renewed", false}, {"renew_after", DayOf(renew_after)}});
        continue;
      }
      due.push_back(result.board);
      names.push_back(name);
    }
    auto requests = fleet::CallEach(due, env.fanout, &Rpc::CreateCertificateRequest,
                                    v1::CreateCertificateRequestRequest());
    std::vector<fleet::Board> signed_boards;
    std::vector<v1::InstallCertificateRequest> installs;
    for (size_t i = 0; i < requests.size(); ++i) {
      if (!requests[i].status.ok()) {
        report.AddFailure(requests[i].board, requests[i].status);
        continue;
      }
      absl::StatusOr<std::string> certificate = pki_.Sign(names[i], requests[i].response.csr_pem());
      if (!certificate.ok()) {
        report.AddFailure(requests[i].board,
                          grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                                       std::string(certificate.status().message())));
        continue;
      }
      signed_boards.push_back(requests[i].board);
      installs.emplace_back().set_certificate_pem(*certificate);
    }
    auto installed = fleet::CallEach(signed_boards, env.fanout, &Rpc::InstallCertificate, installs);
    for (const auto& result : installed) {
      if (!result.status.ok()) {
        report.AddFailure(result.board, result.status);
        continue;
      }
      const v1::AgentCertificate& now_served = result.response.certificate();
      report.AddRow(
          result.board,
          {now_served.subject(), DayOf(FromProtoTime(now_served.not_after())), "renewed"},
          {{"renewed", true}, {"not_after", DayOf(FromProtoTime(now_served.not_after()))}});
    }
    return report.Finish(env.err) == 0 ? kExitOk : kExitFailed;
  }

  bool force_ = false;
  Pki pki_;
};

class CrlCommand : public FleetCommand {
 public:
  CLI::App* Register(CLI::App& root) override {
    CLI::App* command =
        CommandGroup(root, kCertGroup, kCertGroupHelp)
            ->add_subcommand("crl",
                             "Push the CA's revocation list (make-certs.sh DIR revoke FILE) to "
                             "each board: a revoked certificate is refused from its next "
                             "connection on");
    pki_.AddOptions(command);
    AddBoardOptions(command);
    return command;
  }

 private:
  int RunOnBoards(const std::vector<fleet::Board>& boards, CommandEnv& env) override {
    absl::StatusOr<std::string> crl = base::ReadFileContents(pki_.dir + "/crl.pem");
    if (!crl.ok()) return UsageError(env, crl.status());
    v1::InstallRevocationListRequest request;
    request.set_crl_pem(*crl);
    auto results = fleet::CallEach(boards, env.fanout, &Rpc::InstallRevocationList, request);
    BoardReport report = env.Report({"LIST", "REVOKED", "RESULT"});
    for (const auto& result : results) {
      if (!result.status.ok()) {
        report.AddFailure(result.board, result.status);
        continue;
      }
      const v1::InstallRevocationListResponse& r = result.response;
      report.AddRow(
          result.board,
          {absl::StrCat("#", r.crl_number()), absl::StrCat(r.revoked()),
           r.unchanged() ? "had it already" : "installed"},
          {{"crl_number", r.crl_number()}, {"revoked", r.revoked()}, {"unchanged", r.unchanged()}});
    }
    return report.Finish(env.err) == 0 ? kExitOk : kExitFailed;
  }

  Pki pki_;
};

}  // namespace

std::unique_ptr<Command> MakeCertEnrollCommand() { return std::make_unique<EnrollCommand>(); }
std::unique_ptr<Command> MakeCertRenewCommand() { return std::make_unique<RenewCommand>(); }
std::unique_ptr<Command> MakeCertCrlCommand() { return std::make_unique<CrlCommand>(); }

}  // namespace cellfleet::client
