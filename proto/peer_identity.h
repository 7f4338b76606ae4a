// Who is at the other end of a call: the common name of the client certificate that TLS
// verified ("" if it has none), or nullopt when no certificate was verified (plaintext,
// or none asked for). The agent's roles and the gateway's admissions name callers by it.
#ifndef CELLFLEET_PROTO_PEER_IDENTITY_H_
#define CELLFLEET_PROTO_PEER_IDENTITY_H_

#include <memory>
#include <optional>
#include <string>

#include "grpcpp/grpcpp.h"

namespace cellfleet {

inline std::optional<std::string> PeerCommonName(const grpc::ServerContextBase& context) {
  std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (auth == nullptr || !auth->IsPeerAuthenticated()) return std::nullopt;
  std::string name;
  for (const grpc::string_ref& cn : auth->FindPropertyValues("x509_common_name")) {
    name.assign(cn.data(), cn.size());
  }
  return name;
}

}  // namespace cellfleet

#endif  // CELLFLEET_PROTO_PEER_IDENTITY_H_
