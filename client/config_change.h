// The config change the operator describes with flags (--apn, --auth, ...): only the
// fields given change (an update mask), secrets come from a file, never argv.
#ifndef CELLFLEET_CLIENT_CONFIG_CHANGE_H_
#define CELLFLEET_CLIENT_CONFIG_CHANGE_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "cellfleet/v1/agent_service.pb.h"

namespace CLI {
class App;
}

namespace cellfleet::client {

struct ConfigChangeFlags {
  std::optional<std::string> apn;
  std::optional<std::string> pdp_type;  // IP, IPV6, IPV4V6
  std::optional<std::string> auth;      // none, pap, chap
  std::optional<std::string> username;
  std::optional<std::string> password_file;  // "-" reads stdin
  std::optional<std::string> dial_string;
  std::optional<bool> keep_up;
  std::optional<uint32_t> lcp_echo_interval;
  std::optional<uint32_t> lcp_echo_failure;
  std::optional<std::string> confirm;  // "120s", "2m"
  // The data plan: the board's, or with `sim` that SIM's own (given whole: flags left
  // out are zero, and an all-zero plan removes the SIM's own).
  std::optional<uint32_t> cycle_start_day;
  std::optional<std::string> data_warn;  // "800MB"; 0 or none: no warning
  std::optional<std::string> data_cap;   // "1GB"; 0 or none: no cap
  std::optional<std::string> at_cap;     // warn or hang-up
  std::optional<std::string> sim;        // ICCID
};

// Adds the change flags; `with_confirm` adds --confirm too.
void AddConfigChangeOptions(CLI::App* command, ConfigChangeFlags& flags, bool with_confirm);

// INVALID_ARGUMENT for unknown names or an unreadable password file; the agent checks
// the values themselves. `stdin_text` is what "-" reads.
absl::StatusOr<v1::ApplyConfigRequest> BuildConfigChange(const ConfigChangeFlags& flags,
                                                         std::istream& in);

}  // namespace cellfleet::client

#endif  // CELLFLEET_CLIENT_CONFIG_CHANGE_H_
