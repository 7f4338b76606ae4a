#include "tests/support/test_pki.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <atomic>

namespace cellfleet::testing {
namespace {

std::string Drain(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(size));
  BIO_free(bio);
  return pem;
}

EVP_PKEY* ReadKey(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  return key;
}

X509* ReadCert(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  return cert;
}

void AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX context;
  X509V3_set_ctx(&context, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value);
  X509_add_ext(cert, extension, -1);
  X509_EXTENSION_free(extension);
}

void Fill(X509* cert, const std::string& name, EVP_PKEY* key, long from_days, long to_days,
          X509* issuer) {
  static std::atomic<long> serial{1000};
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), ++serial);
  X509_gmtime_adj(X509_getm_notBefore(cert), from_days * 86400);
  X509_gmtime_adj(X509_getm_notAfter(cert), to_days * 86400);
  X509_NAME* subject = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(name.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert, issuer == cert ? subject : X509_get_subject_name(issuer));
  X509_set_pubkey(cert, key);
}

}  // namespace

struct TestCa::Parts {
  EVP_PKEY* key = nullptr;
  X509* cert = nullptr;
  ~Parts() {
    X509_free(cert);
    EVP_PKEY_free(key);
  }
};

std::string NewKeyPem() {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  EVP_PKEY_free(key);
  return Drain(bio);
}

TestCa::TestCa(const std::string& name) : parts_(std::make_unique<Parts>()) {
  parts_->key = EVP_EC_gen("P-256");
  parts_->cert = X509_new();
  Fill(parts_->cert, name, parts_->key, 0, 3650, parts_->cert);
  AddExtension(parts_->cert, parts_->cert, NID_basic_constraints, "critical,CA:TRUE");
  AddExtension(parts_->cert, parts_->cert, NID_key_usage, "critical,keyCertSign,cRLSign");
  X509_sign(parts_->cert, parts_->key, EVP_sha256());
}

TestCa::TestCa(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}
TestCa::TestCa(TestCa&&) noexcept = default;
TestCa::~TestCa() = default;

absl::StatusOr<TestCa> TestCa::Load(const std::string& cert_pem, const std::string& key_pem) {
  auto parts = std::make_unique<Parts>();
  parts->cert = ReadCert(cert_pem);
  parts->key = ReadKey(key_pem);
  if (parts->cert == nullptr || parts->key == nullptr) {
    return absl::InvalidArgumentError("no CA certificate and key");
  }
  return TestCa(std::move(parts));
}

std::string TestCa::pem() const {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, parts_->cert);
  return Drain(bio);
}

std::string TestCa::Issue(const std::string& key_pem, const std::string& name, long from_days,
                          long to_days, const char* usage) const {
  EVP_PKEY* key = ReadKey(key_pem);
  X509* cert = X509_new();
  Fill(cert, name, key, from_days, to_days, parts_->cert);
  AddExtension(cert, parts_->cert, NID_ext_key_usage, usage);
  X509_sign(cert, parts_->key, EVP_sha256());
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, cert);
  X509_free(cert);
  EVP_PKEY_free(key);
  return Drain(bio);
}

std::string TestCa::Crl(long number, int revoked) const {
  X509_CRL* crl = X509_CRL_new();
  X509_CRL_set_version(crl, 1);
  X509_CRL_set_issuer_name(crl, X509_get_subject_name(parts_->cert));
  ASN1_TIME* now = X509_gmtime_adj(nullptr, 0);
  X509_CRL_set1_lastUpdate(crl, now);
  ASN1_TIME_free(now);
  for (int i = 0; i < revoked; ++i) {
    X509_REVOKED* entry = X509_REVOKED_new();
    ASN1_INTEGER* serial = ASN1_INTEGER_new();
    ASN1_INTEGER_set(serial, 100 + i);
    X509_REVOKED_set_serialNumber(entry, serial);
    ASN1_TIME* when = X509_gmtime_adj(nullptr, 0);
    X509_REVOKED_set_revocationDate(entry, when);
    ASN1_TIME_free(when);
    ASN1_INTEGER_free(serial);
    X509_CRL_add0_revoked(crl, entry);
  }
  ASN1_INTEGER* crl_number = ASN1_INTEGER_new();
  ASN1_INTEGER_set(crl_number, number);
  X509_CRL_add1_ext_i2d(crl, NID_crl_number, crl_number, 0, 0);
  ASN1_INTEGER_free(crl_number);
  X509_CRL_sign(crl, parts_->key, EVP_sha256());
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509_CRL(bio, crl);
  X509_CRL_free(crl);
  return Drain(bio);
}

}  // namespace cellfleet::testing
