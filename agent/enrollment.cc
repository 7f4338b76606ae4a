#include "agent/enrollment.h"

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "agent/server_options.h"
#include "base/atomic_file.h"
#include "base/file_contents.h"
#include "base/host_port.h"
#include "base/listen_check.h"
#include "cellfleet/v1/agent_service.grpc.pb.h"
#include "pki/enrollment_token.h"
#include "proto/grpc_status.h"
#include "proto/listener.h"
#include "spdlog/spdlog.h"

namespace cellfleet::agent {
namespace {

std::string SpentTokensFile(const AgentSettings& s) {
  return s.link.state_dir + "/enrollment-tokens-spent";
}

std::string BoardName(const AgentSettings& s) {
  if (!s.board_name.empty()) return s.board_name;
  char host[256] = {};
  ::gethostname(host, sizeof(host) - 1);
  return host;
}

}  // namespace

bool NeedsEnrollment(const AgentSettings& s) {
  return !s.tls.enrollment_token.empty() && !s.tls.cert.empty() &&
         !std::filesystem::exists(s.tls.cert);
}

class EnrollmentServer::Service final : public v1::ModemAgent::CallbackService {
 public:
  Service(std::string token, std::string spent_file, std::string board_name,
          CertificateStore* store, AuditLog* audit, absl::Notification* installed)
      : token_(std::move(token)),
        spent_file_(std::move(spent_file)),
        board_name_(std::move(board_name)),
        store_(store),
        audit_(audit),
        installed_(installed) {}

  grpc::ServerUnaryReactor* CreateCertificateRequest(
      grpc::CallbackServerContext* context, const v1::CreateCertificateRequestRequest* /*request*/,
      v1::CreateCertificateRequestResponse* response) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    store_->Post([this, reactor, response](absl::Status live) {
      if (!live.ok()) return reactor->Finish(Stopping());
      absl::StatusOr<std::string> csr = store_->MakeRequest(board_name_);
      if (csr.ok()) {
        response->set_enrollment_proof(
            pki::EnrollmentProof(token_, pki::ProofOf::kCertificateRequest, *csr));
        response->set_csr_pem(*std::move(csr));
        response->set_board_name(board_name_);
      }
      reactor->Finish(ToGrpcStatus(csr.status()));
    });
    return reactor;
  }

  grpc::ServerUnaryReactor* InstallCertificate(grpc::CallbackServerContext* context,
                                               const v1::InstallCertificateRequest* request,
                                               v1::InstallCertificateResponse* response) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    const std::string what =
        absl::StrCat("enrollment: certificate ", request->certificate_pem().size(), " bytes, ca ",
                     request->ca_pem().size(), " bytes");
    if (!pki::ProofMatches(
            token_, pki::ProofOf::kCertificate,
            pki::CertificateProofMessage(request->certificate_pem(), request->ca_pem()),
            request->enrollment_proof())) {
      const grpc::Status refused(
          grpc::StatusCode::PERMISSION_DENIED,
          "the enrollment proof does not match this board's token (a certificate for a board "
          "not yet enrolled needs the proof made with its one-time token)");
      audit_->Record(Caller{"", context->peer(), Role::kNone}, "InstallCertificate", what, refused,
                     [reactor, refused] { reactor->Finish(refused); });
      return reactor;
    }
    const Caller holder{"enrollment token", context->peer(), Role::kOperator};
    // As every change: acted on only once its begin line is on disk.
    audit_->Begin(
        holder, "InstallCertificate", what,
        [this, reactor, request, response, holder, what](absl::Status written) {
          if (!written.ok()) return reactor->Finish(ToGrpcStatus(written));
          store_->Post([this, reactor, request, response, holder, what](absl::Status live) {
            if (!live.ok()) return reactor->Finish(Stopping());
            absl::StatusOr<v1::AgentCertificate> installed =
                store_->Install(request->certificate_pem(), request->ca_pem());
            if (installed.ok()) {
              SpendToken();
              response->set_board_name(board_name_);
              *response->mutable_certificate() = *std::move(installed);
            }
            const grpc::Status result = ToGrpcStatus(installed.status());
            audit_->Record(holder, "InstallCertificate", what, result, [this, reactor, result] {
              reactor->Finish(result);
              if (result.ok() && !installed_->HasBeenNotified()) installed_->Notify();
            });
          });
        });
    return reactor;
  }

 private:
  static grpc::Status Stopping() {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, "agent is shutting down");
  }

  // On the store's thread. A board whose certificate is removed later does not enroll
  // with this token again.
  void SpendToken() {
    absl::StatusOr<std::string> spent = base::ReadFileContents(spent_file_);
    std::string text = spent.ok() ? *spent : "";
    absl::StrAppend(&text, pki::TokenFingerprint(token_), "\n");
    if (absl::Status written = base::WriteFileAtomically(spent_file_, text, 0600); !written.ok()) {
      spdlog::error("enrolled, but the spent token could not be recorded: {}", written.message());
    }
  }

  const std::string token_;
  const std::string spent_file_;
  const std::string board_name_;
  CertificateStore* store_;
  AuditLog* audit_;
  absl::Notification* installed_;
};

absl::StatusOr<std::unique_ptr<EnrollmentServer>> EnrollmentServer::Start(const AgentSettings& s) {
  absl::StatusOr<std::string> text = base::ReadFileContents(s.tls.enrollment_token);
  if (!text.ok()) return absl::FailedPreconditionError(text.status().message());
  absl::StatusOr<std::string> token = pki::ParseEnrollmentToken(*text, s.tls.enrollment_token);
  if (!token.ok()) return absl::FailedPreconditionError(token.status().message());
  if (absl::StatusOr<std::string> spent = base::ReadFileContents(SpentTokensFile(s));
      spent.ok() && absl::StrContains(*spent, pki::TokenFingerprint(*token))) {
    return absl::FailedPreconditionError(
        absl::StrCat("the enrollment token in ", s.tls.enrollment_token,
                     " was spent on this board already: the operator makes a new one "
                     "(make-certs.sh DIR token NAME)"));
  }
  absl::StatusOr<base::HostPort> listen = base::ParseHostPort(s.listen, "listen address", 0);
  if (!listen.ok()) return absl::FailedPreconditionError(listen.status().message());
  // Where the spent token is kept: it must be writable before anything is installed.
  std::error_code made;
  std::filesystem::create_directories(s.link.state_dir, made);
  if (made) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot make the state dir ", s.link.state_dir, ": ", made.message()));
  }

  std::unique_ptr<EnrollmentServer> server(new EnrollmentServer());
  absl::StatusOr<std::unique_ptr<AuditLog>> audit =
      AuditLog::Open(AuditLogOptions{s.audit_log, int64_t{s.audit_log_max_mb} << 20});
  if (!audit.ok()) return audit.status();
  server->audit_ = *std::move(audit);
  server->store_ = std::make_unique<CertificateStore>(
      CertificatePaths{s.tls.cert, s.tls.key, s.tls.client_ca, s.tls.crl_dir});
  absl::StatusOr<std::string> key = server->store_->PendingKey();  // main thread, at start
  if (!key.ok()) return key.status();
  absl::StatusOr<std::string> self_signed = SelfSignedCertificate(*key, pki::kEnrollmentServerName);
  if (!self_signed.ok()) return self_signed.status();
  grpc::SslServerCredentialsOptions tls(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  tls.pem_key_cert_pairs.push_back({*key, *self_signed});

  server->service_ =
      std::make_unique<Service>(*std::move(token), SpentTokensFile(s), BoardName(s),
                                server->store_.get(), server->audit_.get(), &server->installed_);
  grpc::ServerBuilder builder;
  int bound_port = 0;
  builder.AddListeningPort(listen->ToString(), grpc::SslServerCredentials(tls), &bound_port);
  builder.RegisterService(server->service_.get());
  SetServerLimits(builder);
  RefuseSharedPort(builder);
  if (!s.reflection) builder.SetOption(WithoutReflection());
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || bound_port == 0) return base::ListenFailure(*listen);
  listen->port = bound_port;
  server->address_ = listen->ToString();
  spdlog::info("no certificate yet ({}): waiting on {} for an operator to enroll this board",
               s.tls.cert, server->address_);
  return server;
}

EnrollmentServer::~EnrollmentServer() { Stop(); }

void EnrollmentServer::Stop() {
  if (server_) server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  if (store_) store_->Stop();  // a call it holds ends UNAVAILABLE
  server_.reset();
  service_.reset();
  store_.reset();
  audit_.reset();
}

}  // namespace cellfleet::agent
