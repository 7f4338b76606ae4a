// A board's first start: a one-time token on the board (security.tls.enrollment_token)
// and no certificate yet. The agent then serves only two calls, over TLS with a
// self-signed certificate for a key it made: CreateCertificateRequest (its CSR, with a
// proof made with the token) and InstallCertificate (accepted only with the operator's
// proof made with the same token). Once a certificate is installed the token is spent
// (its fingerprint kept in the state dir) and the agent starts as configured
// (docs/security.md, "Enrolling a board").
#ifndef CELLFLEET_AGENT_ENROLLMENT_H_
#define CELLFLEET_AGENT_ENROLLMENT_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "agent/security/audit_log.h"
#include "agent/security/certificate_store.h"
#include "agent/settings/agent_settings.h"
#include "grpcpp/grpcpp.h"

namespace cellfleet::agent {

// Whether `s` asks to enroll before serving: a token is set and the certificate is not there.
bool NeedsEnrollment(const AgentSettings& s);

class EnrollmentServer {
 public:
  // Serving on s.listen; FAILED_PRECONDITION when the token is missing, malformed or spent
  // on this board already.
  static absl::StatusOr<std::unique_ptr<EnrollmentServer>> Start(const AgentSettings& s);
  ~EnrollmentServer();  // Stop()

  const std::string& address() const { return address_; }
  // True once a certificate is installed, waiting up to `timeout`.
  bool WaitForCertificate(absl::Duration timeout) {
    return installed_.WaitForNotificationWithTimeout(timeout);
  }
  void Stop();

 private:
  class Service;
  EnrollmentServer() = default;

  std::string address_;
  absl::Notification installed_;
  std::unique_ptr<AuditLog> audit_;
  std::unique_ptr<CertificateStore> store_;
  std::unique_ptr<Service> service_;
  std::unique_ptr<grpc::Server> server_;
};

}  // namespace cellfleet::agent

#endif  // CELLFLEET_AGENT_ENROLLMENT_H_
