// AgentService's calls on the board's own certificate (agent/security/certificate_store.h):
// renewal and revocation lists pushed through the same channel operators use.
#include "absl/strings/str_cat.h"
#include "agent/service/agent_service.h"
#include "proto/grpc_status.h"

namespace cellfleet::agent {
namespace {

grpc::Status NoCertificate() {
  return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                      "this agent serves no certificate of its own (security.tls.cert)");
}

grpc::Status Stopping() {
  return grpc::Status(grpc::StatusCode::UNAVAILABLE, "agent is shutting down");
}

// PEM bodies are public but long: the audit log keeps their size.
std::string Sized(absl::string_view field, const std::string& pem) {
  return absl::StrCat(field, ": ", pem.size(), " bytes");
}

}  // namespace

grpc::ServerUnaryReactor* AgentService::CreateCertificateRequest(
    grpc::CallbackServerContext* context, const v1::CreateCertificateRequestRequest* request,
    v1::CreateCertificateRequestResponse* response) {
  return Mutating(context, "CreateCertificateRequest", *request, [this, response](Finisher finish) {
    if (certificates_ == nullptr) return finish(NoCertificate());
    certificates_->Post([this, response, finish](absl::Status live) {
      if (!live.ok()) return finish(Stopping());
      // A renewal keeps the name the board's certificate has.
      absl::StatusOr<std::string> name = certificates_->CurrentName();
      absl::StatusOr<std::string> csr =
          certificates_->MakeRequest(name.ok() ? *name : info_.board_name);
      if (csr.ok()) {
        response->set_csr_pem(*std::move(csr));
        response->set_board_name(info_.board_name);
      }
      finish(ToGrpcStatus(csr.status()));
    });
  });
}

grpc::ServerUnaryReactor* AgentService::InstallCertificate(
    grpc::CallbackServerContext* context, const v1::InstallCertificateRequest* request,
    v1::InstallCertificateResponse* response) {
  v1::InstallCertificateRequest shown;
  shown.set_certificate_pem(Sized("certificate", request->certificate_pem()));
  if (!request->ca_pem().empty()) shown.set_ca_pem(Sized("ca", request->ca_pem()));
  return Mutating(context, "InstallCertificate", shown, [this, request, response](Finisher finish) {
    if (certificates_ == nullptr) return finish(NoCertificate());
    certificates_->Post([this, request, response, finish](absl::Status live) {
      if (!live.ok()) return finish(Stopping());
      absl::StatusOr<v1::AgentCertificate> installed =
          certificates_->Install(request->certificate_pem(), request->ca_pem());
      if (installed.ok()) {
        *response->mutable_certificate() = *std::move(installed);
        response->set_board_name(info_.board_name);
      }
      finish(ToGrpcStatus(installed.status()));
    });
  });
}

grpc::ServerUnaryReactor* AgentService::InstallRevocationList(
    grpc::CallbackServerContext* context, const v1::InstallRevocationListRequest* request,
    v1::InstallRevocationListResponse* response) {
  v1::InstallRevocationListRequest shown;
  shown.set_crl_pem(Sized("crl", request->crl_pem()));
  return Mutating(context, "InstallRevocationList", shown,
                  [this, request, response](Finisher finish) {
                    if (certificates_ == nullptr) return finish(NoCertificate());
                    certificates_->Post([this, request, response, finish](absl::Status live) {
                      if (!live.ok()) return finish(Stopping());
                      absl::StatusOr<InstalledRevocationList> installed =
                          certificates_->InstallRevocationList(request->crl_pem());
                      if (installed.ok()) {
                        response->set_crl_number(installed->number);
                        response->set_revoked(installed->revoked);
                        response->set_unchanged(installed->unchanged);
                        response->set_board_name(info_.board_name);
                      }
                      finish(ToGrpcStatus(installed.status()));
                    });
                  });
}

}  // namespace cellfleet::agent
