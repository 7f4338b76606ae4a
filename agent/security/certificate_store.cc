#include "agent/security/certificate_store.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <filesystem>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "agent/security/certificate_info.h"
#include "base/atomic_file.h"
#include "base/file_contents.h"

namespace cellfleet::agent {
namespace {

template <typename T, void (*Free)(T*)>
struct Freer {
  void operator()(T* p) const { Free(p); }
};
using Key = std::unique_ptr<EVP_PKEY, Freer<EVP_PKEY, EVP_PKEY_free>>;
using Cert = std::unique_ptr<X509, Freer<X509, X509_free>>;
using Request = std::unique_ptr<X509_REQ, Freer<X509_REQ, X509_REQ_free>>;
using Crl = std::unique_ptr<X509_CRL, Freer<X509_CRL, X509_CRL_free>>;
using Bio = std::unique_ptr<BIO, Freer<BIO, BIO_free_all>>;
using Store = std::unique_ptr<X509_STORE, Freer<X509_STORE, X509_STORE_free>>;
using StoreContext = std::unique_ptr<X509_STORE_CTX, Freer<X509_STORE_CTX, X509_STORE_CTX_free>>;

Bio ReadBio(absl::string_view pem) {
  return Bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

std::string Drain(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(size));
}

// OpenSSL's last error, for a message; the queue is cleared.
std::string OpenSslError() {
  const unsigned long code = ERR_peek_last_error();
  ERR_clear_error();
  if (code == 0) return "unknown error";
  char text[256];
  ERR_error_string_n(code, text, sizeof(text));
  return text;
}

Key ParseKey(absl::string_view pem) {
  Bio bio = ReadBio(pem);
  return Key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
}

Cert ParseCert(absl::string_view pem) {
  Bio bio = ReadBio(pem);
  return Cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

std::string CommonName(const X509_NAME* name) {
  const int index = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (index < 0) return "";
  unsigned char* utf8 = nullptr;
  const int size =
      ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index)));
  if (size < 0) return "";
  std::string text(reinterpret_cast<char*>(utf8), static_cast<size_t>(size));
  OPENSSL_free(utf8);
  return text;
}

absl::Status SetCommonName(X509_NAME* name, absl::string_view common_name) {
  if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(common_name.data()),
                                 static_cast<int>(common_name.size()), -1, 0) != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot name \"", common_name, "\" in a certificate: ", OpenSslError()));
  }
  return absl::OkStatus();
}

// Where the board may not write its own files, renewal cannot work: say where they go.
absl::Status CannotWrite(const absl::Status& error) {
  return absl::FailedPreconditionError(
      absl::StrCat(error.message(),
                   " (the agent renews its certificate only where it may write its key and "
                   "certificate: /var/lib/cellfleet/tls, docs/security.md)"));
}

int64_t CrlNumber(X509_CRL* crl) {
  ASN1_INTEGER* number =
      static_cast<ASN1_INTEGER*>(X509_CRL_get_ext_d2i(crl, NID_crl_number, nullptr, nullptr));
  int64_t value = 0;
  if (number != nullptr) {
    if (ASN1_INTEGER_get_int64(&value, number) != 1) value = 0;
    ASN1_INTEGER_free(number);
  }
  return value;
}

Crl ParseCrl(absl::string_view pem) {
  Bio bio = ReadBio(pem);
  return Crl(PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr));
}

}  // namespace

CertificateStore::CertificateStore(CertificatePaths paths)
    : paths_(std::move(paths)), thread_("certificates") {}

CertificateStore::~CertificateStore() { Stop(); }

absl::StatusOr<std::string> CertificateStore::PendingKey() const {
  const std::string path = paths_.key + ".pending";
  if (absl::StatusOr<std::string> kept = base::ReadFileContents(path); kept.ok()) {
    if (ParseKey(*kept) != nullptr) return kept;
    // A torn or foreign file: made again below.
  } else if (!absl::IsNotFound(kept.status())) {
    return kept.status();
  }
  // A board enrolling from nothing may not have the directory yet; the agent's alone.
  std::error_code made;
  if (std::filesystem::create_directories(std::filesystem::path(path).parent_path(), made)) {
    std::filesystem::permissions(std::filesystem::path(path).parent_path(),
                                 std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::replace, made);
  }
  Key key(EVP_EC_gen("P-256"));
  if (key == nullptr) return absl::InternalError(absl::StrCat("key generation: ", OpenSslError()));
  Bio out(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_PrivateKey(out.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return absl::InternalError(absl::StrCat("key encoding: ", OpenSslError()));
  }
  std::string pem = Drain(out.get());
  if (absl::Status written = base::WriteFileAtomically(path, pem, 0600); !written.ok()) {
    return CannotWrite(written);
  }
  return pem;
}

absl::StatusOr<std::string> CertificateStore::MakeRequest(absl::string_view common_name) const {
  absl::StatusOr<std::string> key_pem = PendingKey();
  if (!key_pem.ok()) return key_pem.status();
  Key key = ParseKey(*key_pem);
  Request request(X509_REQ_new());
  if (absl::Status named = SetCommonName(X509_REQ_get_subject_name(request.get()), common_name);
      !named.ok()) {
    return named;
  }
  Bio out(BIO_new(BIO_s_mem()));
  if (X509_REQ_set_version(request.get(), 0) != 1 ||
      X509_REQ_set_pubkey(request.get(), key.get()) != 1 ||
      X509_REQ_sign(request.get(), key.get(), EVP_sha256()) <= 0 ||
      PEM_write_bio_X509_REQ(out.get(), request.get()) != 1) {
    return absl::InternalError(absl::StrCat("certificate request: ", OpenSslError()));
  }
  return Drain(out.get());
}

absl::StatusOr<std::string> CertificateStore::CurrentName() const {
  absl::StatusOr<std::string> pem = base::ReadFileContents(paths_.cert);
  if (!pem.ok()) return pem.status();
  Cert cert = ParseCert(*pem);
  if (cert == nullptr) {
    return absl::NotFoundError(absl::StrCat(paths_.cert, " holds no certificate"));
  }
  return CommonName(X509_get_subject_name(cert.get()));
}

absl::StatusOr<v1::AgentCertificate> CertificateStore::Install(absl::string_view cert_pem,
                                                               absl::string_view ca_pem) const {
  Cert cert = ParseCert(cert_pem);
  if (cert == nullptr) return absl::InvalidArgumentError("certificate_pem holds no certificate");
  absl::StatusOr<std::string> pending = base::ReadFileContents(paths_.key + ".pending");
  if (!pending.ok()) {
    return absl::FailedPreconditionError(
        "this board has no pending key: ask it for a certificate request first");
  }
  Key key = ParseKey(*pending);
  if (key == nullptr || X509_check_private_key(cert.get(), key.get()) != 1) {
    ERR_clear_error();
    return absl::InvalidArgumentError(
        "the certificate is not for this board's pending key (signed from another request?)");
  }
  // The CA: the board's own when it has one; the one sent only when it has none.
  std::string ca_text;
  bool write_ca = false;
  if (absl::StatusOr<std::string> own = base::ReadFileContents(paths_.client_ca);
      !paths_.client_ca.empty() && own.ok()) {
    ca_text = *std::move(own);
    if (!ca_pem.empty() && ca_pem != ca_text) {
      return absl::InvalidArgumentError(
          absl::StrCat("this board trusts another CA (", paths_.client_ca,
                       "): a certificate from another CA would lock its operators out"));
    }
  } else if (!ca_pem.empty()) {
    ca_text = std::string(ca_pem);
    write_ca = !paths_.client_ca.empty();
  } else {
    return absl::FailedPreconditionError(
        "this board has no CA to check the certificate against: send the CA with it");
  }
  Cert ca = ParseCert(ca_text);
  if (ca == nullptr) return absl::InvalidArgumentError("the CA holds no certificate");
  Store store(X509_STORE_new());
  StoreContext context(X509_STORE_CTX_new());
  X509_STORE_add_cert(store.get(), ca.get());
  X509_STORE_CTX_init(context.get(), store.get(), cert.get(), nullptr);
  if (X509_verify_cert(context.get()) != 1) {
    const int error = X509_STORE_CTX_get_error(context.get());
    ERR_clear_error();
    return absl::InvalidArgumentError(
        absl::StrCat("the certificate does not verify against the board's CA: ",
                     X509_verify_cert_error_string(error)));
  }
  if (X509_check_purpose(cert.get(), X509_PURPOSE_SSL_SERVER, 0) != 1) {
    return absl::InvalidArgumentError("the certificate is not one a server may use (serverAuth)");
  }
  const std::string name = CommonName(X509_get_subject_name(cert.get()));
  if (absl::StatusOr<std::string> current = CurrentName(); current.ok() && *current != name) {
    return absl::PermissionDeniedError(absl::StrCat("the certificate names \"", name,
                                                    "\"; this board is \"", *current,
                                                    "\" (a board keeps its name)"));
  }
  // Key first, then certificate, each by rename: gRPC's file watcher sees the old pair
  // or the new (a mismatched pair in between it keeps the old for).
  base::AtomicFileSet files;
  absl::Status staged = files.Stage(paths_.key, *pending, 0600);
  if (staged.ok()) staged = files.Stage(paths_.cert, cert_pem, 0644);
  if (staged.ok() && write_ca) staged = files.Stage(paths_.client_ca, ca_text, 0644);
  if (staged.ok()) staged = files.Commit();
  if (!staged.ok()) return CannotWrite(staged);
  std::error_code ignored;
  std::filesystem::remove(paths_.key + ".pending", ignored);
  // A board enrolled from nothing gets the (empty) place its revocation lists go, which
  // the agent checks for at start.
  if (!paths_.crl_dir.empty()) std::filesystem::create_directories(paths_.crl_dir, ignored);
  return ParseCertificateInfo(cert_pem);
}

absl::StatusOr<InstalledRevocationList> CertificateStore::InstallRevocationList(
    absl::string_view crl_pem) const {
  if (paths_.crl_dir.empty()) {
    return absl::FailedPreconditionError(
        "security.tls.crl_dir is not set: this board checks no revocation list");
  }
  Crl crl = ParseCrl(crl_pem);
  if (crl == nullptr) return absl::InvalidArgumentError("crl_pem holds no revocation list");
  absl::StatusOr<std::string> ca_text = base::ReadFileContents(paths_.client_ca);
  if (!ca_text.ok()) return ca_text.status();
  Cert ca = ParseCert(*ca_text);
  if (ca == nullptr ||
      X509_NAME_cmp(X509_CRL_get_issuer(crl.get()), X509_get_subject_name(ca.get())) != 0 ||
      X509_CRL_verify(crl.get(), X509_get0_pubkey(ca.get())) != 1) {
    ERR_clear_error();
    return absl::InvalidArgumentError("the list is not signed by this board's client CA");
  }
  InstalledRevocationList installed;
  installed.number = CrlNumber(crl.get());
  const STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(crl.get());
  installed.revoked = revoked == nullptr ? 0 : sk_X509_REVOKED_num(revoked);
  // OpenSSL's lookup name for the issuer's lists, as make-certs.sh names it.
  const std::string path =
      absl::StrFormat("%s/%08lx.r0", paths_.crl_dir,
                      X509_NAME_hash_ex(X509_CRL_get_issuer(crl.get()), nullptr, nullptr, nullptr));
  if (absl::StatusOr<std::string> kept = base::ReadFileContents(path); kept.ok()) {
    if (Crl old = ParseCrl(*kept); old != nullptr) {
      const int64_t old_number = CrlNumber(old.get());
      if (old_number > installed.number) {
        return absl::FailedPreconditionError(
            absl::StrCat("the list is older than the board's (number ", installed.number, " < ",
                         old_number, "): a revocation is not undone by an old list"));
      }
      if (old_number == installed.number) {
        installed.unchanged = true;
        return installed;
      }
    }
  }
  if (absl::Status written = base::WriteFileAtomically(path, crl_pem, 0644); !written.ok()) {
    return CannotWrite(written);
  }
  return installed;
}

absl::StatusOr<std::string> SelfSignedCertificate(absl::string_view key_pem,
                                                  absl::string_view common_name) {
  Key key = ParseKey(key_pem);
  if (key == nullptr) return absl::InvalidArgumentError("no private key");
  Cert cert(X509_new());
  X509_NAME* name = X509_get_subject_name(cert.get());
  if (absl::Status named = SetCommonName(name, common_name); !named.ok()) return named;
  Bio out(BIO_new(BIO_s_mem()));
  if (X509_set_version(cert.get(), 2) != 1 ||
      ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1) != 1 ||
      X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(cert.get()), 86400) == nullptr ||
      X509_set_issuer_name(cert.get(), name) != 1 || X509_set_pubkey(cert.get(), key.get()) != 1 ||
      X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0 ||
      PEM_write_bio_X509(out.get(), cert.get()) != 1) {
    return absl::InternalError(absl::StrCat("self-signed certificate: ", OpenSslError()));
  }
  return Drain(out.get());
}

}  // namespace cellfleet::agent
