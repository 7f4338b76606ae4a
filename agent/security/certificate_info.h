// What a PEM certificate says of its own life: subject, not before, not after.
#ifndef CELLFLEET_AGENT_SECURITY_CERTIFICATE_INFO_H_
#define CELLFLEET_AGENT_SECURITY_CERTIFICATE_INFO_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cellfleet/v1/modem_status.pb.h"

namespace cellfleet::agent {

// INVALID_ARGUMENT when `pem` holds no certificate.
absl::StatusOr<v1::AgentCertificate> ParseCertificateInfo(absl::string_view pem);

}  // namespace cellfleet::agent

#endif  // CELLFLEET_AGENT_SECURITY_CERTIFICATE_INFO_H_
