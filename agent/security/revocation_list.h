// The client CA's certificate revocation lists, read from a directory (make-certs.sh
// writes DIR/crl/) and read again whenever it changes, so a certificate revoked while the
// agent runs is refused from the next connection on. Each list must be signed by the
// client CA; one that is not is ignored, and said so in the log.
#ifndef CELLFLEET_AGENT_SECURITY_REVOCATION_LIST_H_
#define CELLFLEET_AGENT_SECURITY_REVOCATION_LIST_H_

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/security/tls_certificate_verifier.h"

namespace cellfleet::agent {

class RevocationList {
 public:
  RevocationList(std::string dir, std::string ca_path);
  ~RevocationList();

  // OK, or PERMISSION_DENIED naming the certificate's serial when a list revokes it;
  // INVALID_ARGUMENT for a certificate that does not parse.
  absl::Status Check(absl::string_view certificate_pem);

 private:
  struct Lists;
  void ReloadIfChanged() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string dir_;
  const std::string ca_path_;
  absl::Mutex mu_;
  std::string seen_ ABSL_GUARDED_BY(mu_);  // the directory's entries and times, last read
  std::unique_ptr<Lists> lists_ ABSL_GUARDED_BY(mu_);
};

// Refuses, after the TLS handshake, a client certificate `list` revokes.
std::shared_ptr<grpc::experimental::CertificateVerifier> RevocationVerifier(
    std::shared_ptr<RevocationList> list);

}  // namespace cellfleet::agent

#endif  // CELLFLEET_AGENT_SECURITY_REVOCATION_LIST_H_
