// What a cellfleet-gateway is told: its two listeners, its own certificate, the CAs that
// admit boards and operators, and its limits. Read from /etc/cellfleet/gateway.yaml
// (deploy/gateway.example.yaml); every key also a flag.
#ifndef CELLFLEET_GATEWAY_GATEWAY_SETTINGS_H_
#define CELLFLEET_GATEWAY_GATEWAY_SETTINGS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gateway/board_registry.h"

namespace cellfleet::gateway {

struct GatewaySettings {
  std::string board_listen = "[::]:8443";     // where boards attach
  std::string operator_listen = "[::]:8444";  // where operators connect
  std::string cert, key;                      // the gateway's own certificate
  std::string boards_ca;                      // signed the boards' certificates
  std::string operators_ca;                   // signed the operators'
  // Operator certificate names admitted; empty admits all the operators' CA signed.
  std::vector<std::string> operators;
  RegistryLimits limits;
};

// Reads the YAML file at `path` over `settings`; errors name the file and line.
absl::Status ReadGatewaySettings(const std::string& path, GatewaySettings& settings);

// Refuses what would expose the boards: a missing certificate or CA (the gateway speaks
// mutual TLS only), or boards and operators from one CA without a list of operators (a
// board's certificate would admit it as an operator).
absl::Status ValidateGatewaySettings(const GatewaySettings& settings);

}  // namespace cellfleet::gateway

#endif  // CELLFLEET_GATEWAY_GATEWAY_SETTINGS_H_
