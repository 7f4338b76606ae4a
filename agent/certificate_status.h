// The agent's own TLS certificate in every status sample (subject, validity), read again
// when the file changes, so a renewal shows and an approaching expiry is seen fleet-wide.
#ifndef CELLFLEET_AGENT_CERTIFICATE_STATUS_H_
#define CELLFLEET_AGENT_CERTIFICATE_STATUS_H_

#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "agent/status/status_part.h"

namespace cellfleet::agent {

class CertificateStatus final : public StatusPart {
 public:
  explicit CertificateStatus(std::string path) : path_(std::move(path)) {}

  // On the poller's thread: a stat() per sample, a read and parse only after a change.
  void FillStatus(v1::ModemStatus& status) const override;

 private:
  const std::string path_;
  mutable absl::Mutex mu_;
  mutable std::string seen_ ABSL_GUARDED_BY(mu_);  // size and change time, last read
  mutable v1::AgentCertificate info_ ABSL_GUARDED_BY(mu_);
};

}  // namespace cellfleet::agent

#endif  // CELLFLEET_AGENT_CERTIFICATE_STATUS_H_
