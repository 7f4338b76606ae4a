// The pushed connection config (v1::ConnectionConfig) and what the link dials with:
// defaults, validation naming the field, secrets masked for every read, and a
// line-per-setting text for diffs.
#ifndef CELLFLEET_AGENT_CONFIG_CONNECTION_CONFIG_H_
#define CELLFLEET_AGENT_CONFIG_CONNECTION_CONFIG_H_

#include <string>

#include "absl/status/statusor.h"
#include "agent/link/link_manager.h"
#include "agent/usage/usage_ledger.h"
#include "cellfleet/v1/connection.pb.h"
#include "modem/ppp/connection_settings.h"

namespace cellfleet::agent {

// What read calls return instead of a password. Sent back in an apply, it means
// "keep the current password".
inline constexpr char kMaskedSecret[] = "********";

// The settings and keep-up policy a config dials with, and the SIMs' data plans.
struct LinkConfig {
  modem::ppp::ConnectionSettings settings;
  KeepUpPolicy keep_up;
  DataPlans plans;  // config_version unset: the caller knows the version
};

// Fills what the operator left unset: dial "*99#", PDP type IP, no auth, LCP echo
// 30 s x 4, default route and peer DNS on, keep-up durations 5 s / 5 min / 2 min.
v1::ConnectionConfig WithDefaults(v1::ConnectionConfig config);

// The one check of a connection config, whether it comes from the settings file or a
// push: INVALID_ARGUMENT naming the field ("apn: ...", "keep_up.max_backoff: ...").
absl::Status ValidateLinkConfig(const LinkConfig& link);

// INVALID_ARGUMENT naming the field ("apn: ...", "pdp_type: ...", "password: ...").
// `local` supplies what is the board's own, not pushed: modem port, baud, chat timeout.
absl::StatusOr<LinkConfig> ToLinkConfig(const v1::ConnectionConfig& config,
                                        const modem::ppp::ConnectionSettings& local);

// The config a board's own settings file describes (its first version).
v1::ConnectionConfig FromLinkConfig(const LinkConfig& link);

// The same config with the password replaced by kMaskedSecret (if one is set).
v1::ConnectionConfig Masked(v1::ConnectionConfig config);

// One "key: value" line per setting, secrets masked, for diffs and `config get`.
std::string ConfigText(const v1::ConnectionConfig& config);

}  // namespace cellfleet::agent

#endif  // CELLFLEET_AGENT_CONFIG_CONNECTION_CONFIG_H_
