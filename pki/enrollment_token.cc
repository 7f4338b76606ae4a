#include "pki/enrollment_token.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace cellfleet::pki {
namespace {

constexpr size_t kTokenHexDigits = 64;

absl::string_view PurposeLabel(ProofOf purpose) {
  switch (purpose) {
    case ProofOf::kCertificateRequest:
      return "cellfleet enrollment: certificate request";
    case ProofOf::kCertificate:
      return "cellfleet enrollment: certificate";
  }
  return "";
}

std::string Hex(const unsigned char* bytes, size_t size) {
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(bytes), size));
}

}  // namespace

absl::StatusOr<std::string> ParseEnrollmentToken(absl::string_view text, absl::string_view source) {
  const absl::string_view token = absl::StripAsciiWhitespace(text);
  bool hex = token.size() == kTokenHexDigits;
  for (char c : token) hex = hex && absl::ascii_isxdigit(static_cast<unsigned char>(c));
  if (!hex) {
    return absl::InvalidArgumentError(
        absl::StrCat(source,
                     " holds no enrollment token (64 hex digits, as make-certs.sh DIR token NAME "
                     "writes)"));
  }
  return absl::AsciiStrToLower(token);
}

std::string EnrollmentProof(absl::string_view token, ProofOf purpose, absl::string_view message) {
  const std::string data = absl::StrCat(PurposeLabel(purpose), std::string(1, '\0'), message);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), token.data(), static_cast<int>(token.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest, &size);
  return Hex(digest, size);
}

bool ProofMatches(absl::string_view token, ProofOf purpose, absl::string_view message,
                  absl::string_view proof) {
  const std::string expected = EnrollmentProof(token, purpose, message);
  const std::string given = absl::AsciiStrToLower(proof);
  return given.size() == expected.size() &&
         CRYPTO_memcmp(given.data(), expected.data(), expected.size()) == 0;
}

std::string CertificateProofMessage(absl::string_view certificate_pem, absl::string_view ca_pem) {
  return absl::StrCat(certificate_pem, std::string(1, '\0'), ca_pem);
}

std::string TokenFingerprint(absl::string_view token) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(token.data(), token.size(), digest, &size, EVP_sha256(), nullptr);
  return Hex(digest, size);
}

}  // namespace cellfleet::pki
