#include "agent/security/authorizer.h"

#include "absl/strings/str_cat.h"
#include "proto/peer_identity.h"

namespace cellfleet::agent {

absl::StatusOr<Role> ParseRole(absl::string_view text) {
  if (text == "viewer") return Role::kViewer;
  if (text == "operator") return Role::kOperator;
  if (text == "none") return Role::kNone;
  return absl::InvalidArgumentError(
      absl::StrCat("role \"", text, "\": expected viewer, operator or none"));
}

absl::string_view RoleName(Role role) {
  switch (role) {
    case Role::kViewer:
      return "viewer";
    case Role::kOperator:
      return "operator";
    case Role::kNone:
      break;
  }
  return "none";
}

Caller Authorizer::Identify(const grpc::ServerContextBase& context) const {
  Caller caller;
  caller.peer = context.peer();
  if (std::optional<std::string> name = PeerCommonName(context)) {
    caller.identity = *name;
    auto it = roles_.find(caller.identity);
    caller.role = it == roles_.end() ? Role::kNone : it->second;
  } else {
    caller.role = unauthenticated_;
  }
  return caller;
}

grpc::Status Authorizer::Check(const Caller& caller, Role needed, absl::string_view method) const {
  if (static_cast<int>(caller.role) >= static_cast<int>(needed)) return grpc::Status::OK;
  if (caller.identity.empty() && caller.role == Role::kNone) {
    return grpc::Status(
        grpc::StatusCode::UNAUTHENTICATED,
        absl::StrCat(method,
                     " needs a client certificate (mutual TLS): this agent gives callers "
                     "without one no role (security.unauthenticated_role: none)"));
  }
  // Says how to get the role, so that a refused user is not left guessing.
  const std::string how =
      caller.identity.empty()
          ? absl::StrCat("callers without a client certificate have ", RoleName(caller.role),
                         " (the agent's unauthenticated_role); connect with a certificate "
                         "that the agent's roles: gives ",
                         RoleName(needed),
                         ", or, on a simulated fleet on loopback, start it with "
                         "--unauthenticated-role=operator")
          : absl::StrCat("the certificate \"", caller.identity, "\" has ", RoleName(caller.role),
                         "; the agent's roles: must give that name ", RoleName(needed));
  return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                      absl::StrCat(method, " needs the ", RoleName(needed), " role; ", how));
}

}  // namespace cellfleet::agent
