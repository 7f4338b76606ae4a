#include "gateway/gateway_settings.h"

#include "absl/strings/str_cat.h"
#include "base/file_contents.h"
#include "yamlconf/yaml_reader.h"

namespace cellfleet::gateway {

absl::Status ReadGatewaySettings(const std::string& path, GatewaySettings& settings) {
  yamlconf::YamlReader reader(path);
  absl::StatusOr<YAML::Node> root = reader.Load();
  if (!root.ok()) return root.status();
  if (!root->IsMap()) return reader.Error(*root, "the gateway's settings must be a map");
  if (absl::Status keys = reader.CheckKeys(
          *root, {"board_listen", "operator_listen", "tls", "operators", "limits"});
      !keys.ok()) {
    return keys;
  }
  for (auto [key, out] : {std::pair{"board_listen", &settings.board_listen},
                          std::pair{"operator_listen", &settings.operator_listen}}) {
    if (absl::Status s = reader.Get(*root, key, *out); !s.ok()) return s;
  }
  if (const YAML::Node tls = (*root)["tls"]) {
    if (absl::Status keys = reader.CheckKeys(tls, {"cert", "key", "boards_ca", "operators_ca"});
        !keys.ok()) {
      return keys;
    }
    for (auto [key, out] : {std::pair{"cert", &settings.cert}, std::pair{"key", &settings.key},
                            std::pair{"boards_ca", &settings.boards_ca},
                            std::pair{"operators_ca", &settings.operators_ca}}) {
      if (absl::Status s = reader.Get(tls, key, *out); !s.ok()) return s;
    }
  }
  if (const YAML::Node operators = (*root)["operators"]) {
    if (!operators.IsSequence()) return reader.Error(operators, "operators: must be a list");
    settings.operators.clear();
    for (const YAML::Node& name : operators) {
      absl::StatusOr<std::string> value = reader.Scalar<std::string>(name, "an operator");
      if (!value.ok()) return value.status();
      settings.operators.push_back(*value);
    }
  }
  if (const YAML::Node limits = (*root)["limits"]) {
    if (absl::Status keys =
            reader.CheckKeys(limits, {"session_open_timeout", "sessions_per_board"});
        !keys.ok()) {
      return keys;
    }
    if (absl::Status s = reader.GetDuration(limits, "session_open_timeout",
                                            settings.limits.session_open_timeout, absl::Seconds(1));
        !s.ok()) {
      return s;
    }
    if (absl::Status s =
            reader.Get(limits, "sessions_per_board", settings.limits.sessions_per_board);
        !s.ok()) {
      return s;
    }
    if (settings.limits.sessions_per_board < 1) {
      return reader.Error(limits["sessions_per_board"], "sessions_per_board must be at least 1");
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateGatewaySettings(const GatewaySettings& settings) {
  for (auto [what, path] :
       {std::pair{"tls.cert", &settings.cert}, std::pair{"tls.key", &settings.key},
        std::pair{"tls.boards_ca", &settings.boards_ca},
        std::pair{"tls.operators_ca", &settings.operators_ca}}) {
    if (path->empty()) {
      return absl::FailedPreconditionError(
          absl::StrCat("the gateway speaks mutual TLS only: its settings need ", what));
    }
  }
  absl::StatusOr<std::string> boards_ca = base::ReadFileContents(settings.boards_ca);
  if (!boards_ca.ok()) return boards_ca.status();
  absl::StatusOr<std::string> operators_ca = base::ReadFileContents(settings.operators_ca);
  if (!operators_ca.ok()) return operators_ca.status();
  if (*boards_ca == *operators_ca && settings.operators.empty()) {
    return absl::FailedPreconditionError(
        "the boards' and the operators' CA are one: list the operators admitted (operators:, "
        "--operator NAME), or any board's certificate would admit it as an operator");
  }
  return absl::OkStatus();
}

}  // namespace cellfleet::gateway
