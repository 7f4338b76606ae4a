// Who is calling, and may they? Identities come from the client certificate (mutual
// TLS); roles come from the agent's config. viewer: status, stream, history, config
// reads, diagnose. operator: also dial, hang-up and config changes.
#ifndef CELLFLEET_AGENT_SECURITY_AUTHORIZER_H_
#define CELLFLEET_AGENT_SECURITY_AUTHORIZER_H_

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "grpcpp/grpcpp.h"

namespace cellfleet::agent {

enum class Role { kNone = 0, kViewer = 1, kOperator = 2 };

absl::StatusOr<Role> ParseRole(absl::string_view text);
absl::string_view RoleName(Role role);

struct Caller {
  std::string identity;  // certificate CN, or "" when unauthenticated
  std::string peer;      // transport address
  Role role = Role::kNone;
};

class Authorizer {
 public:
  // `roles`: identity (certificate common name) -> role. `unauthenticated` applies to
  // callers without a verified certificate (plaintext on loopback, or --insecure).
  Authorizer(std::map<std::string, Role> roles, Role unauthenticated)
      : roles_(std::move(roles)), unauthenticated_(unauthenticated) {}

  Caller Identify(const grpc::ServerContextBase& context) const;
  // OK, UNAUTHENTICATED (no identity and no anonymous access) or PERMISSION_DENIED.
  grpc::Status Check(const Caller& caller, Role needed, absl::string_view method) const;

 private:
  std::map<std::string, Role> roles_;
  Role unauthenticated_;
};

}  // namespace cellfleet::agent

#endif  // CELLFLEET_AGENT_SECURITY_AUTHORIZER_H_
