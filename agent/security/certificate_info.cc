#include "agent/security/certificate_info.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstdint>
#include <memory>

#include "proto/time_convert.h"

namespace cellfleet::agent {
namespace {

absl::Time AsTime(const ASN1_TIME* time) {
  struct tm parts {};
  if (time == nullptr || ASN1_TIME_to_tm(time, &parts) != 1) return absl::InfinitePast();
  return absl::FromTM(parts, absl::UTCTimeZone());
}

// A point between a half and two thirds of the life, fixed by the serial number: a fleet
// issued together spreads its renewals over a sixth of the lifetime.
absl::Time RenewAfter(const X509* cert, absl::Time not_before, absl::Time not_after) {
  const ASN1_INTEGER* serial = X509_get0_serialNumber(cert);
  const absl::string_view serial_bytes(reinterpret_cast<const char*>(ASN1_STRING_get0_data(serial)),
                                       static_cast<size_t>(ASN1_STRING_length(serial)));
  uint32_t hash = 2166136261u;  // FNV-1a: the same on every start (absl::Hash is seeded)
  for (char byte : serial_bytes) hash = (hash ^ static_cast<unsigned char>(byte)) * 16777619u;
  const double share = static_cast<double>(hash % 1000) / 1000.0;
  return not_before + (not_after - not_before) * (0.5 + share / 6.0);
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
  const absl::Time not_before = AsTime(X509_get0_notBefore(cert.get()));
  const absl::Time not_after = AsTime(X509_get0_notAfter(cert.get()));
  *info.mutable_not_before() = ToProtoTime(not_before);
  *info.mutable_not_after() = ToProtoTime(not_after);
  if (BIGNUM* serial = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert.get()), nullptr)) {
    if (char* hex = BN_bn2hex(serial)) {
      info.set_serial(hex);
      OPENSSL_free(hex);
    }
    BN_free(serial);
  }
  *info.mutable_renew_after() = ToProtoTime(RenewAfter(cert.get(), not_before, not_after));
  return info;
}

}  // namespace cellfleet::agent
