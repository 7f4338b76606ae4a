#include "agent/security/revocation_list.h"

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <filesystem>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/file_contents.h"
#include "spdlog/spdlog.h"

namespace cellfleet::agent {
namespace revocation_internal {

struct CrlFree {
  void operator()(X509_CRL* crl) const { X509_CRL_free(crl); }
};
struct X509Free {
  void operator()(X509* cert) const { X509_free(cert); }
};

}  // namespace revocation_internal

using CrlPtr = std::unique_ptr<X509_CRL, revocation_internal::CrlFree>;
using X509Ptr = std::unique_ptr<X509, revocation_internal::X509Free>;

namespace {

X509Ptr ParseCertificate(absl::string_view pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509Ptr cert(PEM_read_bio_X509(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  return cert;
}

std::string SerialOf(X509* cert) {
  BIGNUM* serial = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr);
  char* hex = BN_bn2hex(serial);
  std::string text = hex != nullptr ? hex : "?";
  OPENSSL_free(hex);
  BN_free(serial);
  return text;
}

// What identifies the directory's state: each entry's name, size and change time.
std::string Fingerprint(const std::string& dir) {
  std::string seen;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    std::error_code ignored;
    const auto size = entry.file_size(ignored);
    const auto time = entry.last_write_time(ignored).time_since_epoch().count();
    absl::StrAppend(&seen, entry.path().filename().string(), ":", size, ":", time, "\n");
  }
  return error ? absl::StrCat("unreadable: ", error.message()) : seen;
}

class Verifier final : public grpc::experimental::ExternalCertificateVerifier {
 public:
  explicit Verifier(std::shared_ptr<RevocationList> list) : list_(std::move(list)) {}

  bool Verify(grpc::experimental::TlsCustomVerificationCheckRequest* request,
              std::function<void(grpc::Status)> /*callback*/, grpc::Status* sync_status) override {
    const grpc::string_ref pem = request->peer_cert();
    if (pem.empty()) {  // no client certificate: nothing to revoke (TLS decides)
      *sync_status = grpc::Status::OK;
      return true;
    }
    absl::Status checked = list_->Check(absl::string_view(pem.data(), pem.size()));
    *sync_status = checked.ok() ? grpc::Status::OK
                                : grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                                               std::string(checked.message()));
    return true;  // answered at once: a list in memory, re-read only when it changed
  }
  void Cancel(grpc::experimental::TlsCustomVerificationCheckRequest* /*request*/) override {}

 private:
  std::shared_ptr<RevocationList> list_;
};

}  // namespace

struct RevocationList::Lists {
  std::vector<CrlPtr> crls;
};

RevocationList::RevocationList(std::string dir, std::string ca_path)
    : dir_(std::move(dir)), ca_path_(std::move(ca_path)) {}

RevocationList::~RevocationList() = default;

void RevocationList::ReloadIfChanged() {
  std::string now = Fingerprint(dir_);
  if (lists_ != nullptr && now == seen_) return;
  auto lists = std::make_unique<Lists>();
  absl::StatusOr<std::string> ca_pem = base::ReadFileContents(ca_path_);
  X509Ptr ca = ca_pem.ok() ? ParseCertificate(*ca_pem) : nullptr;
  if (ca == nullptr) spdlog::error("revocation lists: cannot read the client CA {}", ca_path_);
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(dir_, error)) {
    absl::StatusOr<std::string> text = base::ReadFileContents(entry.path().string());
    if (!text.ok()) continue;
    BIO* bio = BIO_new_mem_buf(text->data(), static_cast<int>(text->size()));
    CrlPtr crl(PEM_read_bio_X509_CRL(bio, nullptr, nullptr, nullptr));
    BIO_free(bio);
    if (crl == nullptr) continue;  // not a list (a README, a stray file)
    if (ca == nullptr || X509_CRL_verify(crl.get(), X509_get0_pubkey(ca.get())) != 1) {
      spdlog::error("revocation lists: {} is not signed by the client CA; ignored",
                    entry.path().string());
      continue;
    }
    lists->crls.push_back(std::move(crl));
  }
  spdlog::info("revocation lists: {} read from {}", lists->crls.size(), dir_);
  lists_ = std::move(lists);
  seen_ = std::move(now);
}

absl::Status RevocationList::Check(absl::string_view certificate_pem) {
  X509Ptr cert = ParseCertificate(certificate_pem);
  if (cert == nullptr) return absl::InvalidArgumentError("the client certificate does not parse");
  absl::MutexLock lock(&mu_);
  ReloadIfChanged();
  for (const CrlPtr& crl : lists_->crls) {
    X509_REVOKED* revoked = nullptr;
    if (X509_CRL_get0_by_cert(crl.get(), &revoked, cert.get()) == 1) {
      return absl::PermissionDeniedError(
          absl::StrCat("certificate serial ", SerialOf(cert.get()), " is revoked"));
    }
  }
  return absl::OkStatus();
}

std::shared_ptr<grpc::experimental::CertificateVerifier> RevocationVerifier(
    std::shared_ptr<RevocationList> list) {
  return grpc::experimental::ExternalCertificateVerifier::Create<Verifier>(std::move(list));
}

}  // namespace cellfleet::agent
