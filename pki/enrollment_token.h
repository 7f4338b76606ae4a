// A board's one-time enrollment token: 32 random bytes in hex, made on the operator's
// side (make-certs.sh DIR token NAME) and put on the board before its first start. It
// never crosses the network: each side proves it holds it with an HMAC-SHA256 over what
// it sends, so the operator signs only a request the board made, and the board installs
// only a certificate the operator sent (docs/security.md, "Enrolling a board").
#ifndef CELLFLEET_PKI_ENROLLMENT_TOKEN_H_
#define CELLFLEET_PKI_ENROLLMENT_TOKEN_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace cellfleet::pki {

// The name in the self-signed certificate a board not yet enrolled serves (and the name
// the CLI asks for): identity comes from the token's proofs, not from this certificate.
inline constexpr char kEnrollmentServerName[] = "cellfleet enrollment";

// What a proof is about: one purpose per message, so a proof of one is no proof of another.
enum class ProofOf {
  kCertificateRequest,  // the board's CSR, sent to the operator
  kCertificate,         // the certificate (and CA) the operator sends back
};

// The token in `text` (surrounding white space ignored); INVALID_ARGUMENT unless 64 hex
// digits, naming `source`.
absl::StatusOr<std::string> ParseEnrollmentToken(absl::string_view text, absl::string_view source);

// Hex HMAC-SHA256 keyed by the token over the purpose and `message`.
std::string EnrollmentProof(absl::string_view token, ProofOf purpose, absl::string_view message);

// Whether `proof` is EnrollmentProof(token, purpose, message), compared in constant time.
bool ProofMatches(absl::string_view token, ProofOf purpose, absl::string_view message,
                  absl::string_view proof);

// What a certificate's proof covers: the certificate and the CA sent with it.
std::string CertificateProofMessage(absl::string_view certificate_pem, absl::string_view ca_pem);

// A token's SHA-256 in hex: what a board keeps of a token once used, to refuse it again.
std::string TokenFingerprint(absl::string_view token);

}  // namespace cellfleet::pki

#endif  // CELLFLEET_PKI_ENROLLMENT_TOKEN_H_
