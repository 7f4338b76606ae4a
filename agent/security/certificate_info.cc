#include "agent/security/certificate_info.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

#include "proto/time_convert.h"

namespace cellfleet::agent {
namespace {

absl::Time AsTime(const ASN1_TIME* time) {
  struct tm parts {};
  if (time == nullptr || ASN1_TIME_to_tm(time, &parts) != 1) return absl::InfinitePast();
  return absl::FromTM(parts, absl::UTCTimeZone());
}

}  // namespace

absl::StatusOr<v1::AgentCertificate> ParseCertificateInfo(absl::string_view pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  std::unique_ptr<X509, void (*)(X509*)> cert(PEM_read_bio_X509(bio, nullptr, nullptr, nullptr),
                                              X509_free);
  BIO_free(bio);
  if (cert == nullptr) return absl::InvalidArgumentError("no PEM certificate");
  v1::AgentCertificate info;
  char subject[256] = {};
  X509_NAME_oneline(X509_get_subject_name(cert.get()), subject, sizeof(subject) - 1);
  info.set_subject(subject[0] == '/' ? subject + 1 : subject);
  *info.mutable_not_before() = ToProtoTime(AsTime(X509_get0_notBefore(cert.get())));
  *info.mutable_not_after() = ToProtoTime(AsTime(X509_get0_notAfter(cert.get())));
  return info;
}

}  // namespace cellfleet::agent
