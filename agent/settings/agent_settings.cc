#include "agent/settings/agent_settings.h"

#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "agent/config/connection_config.h"
#include "base/file_contents.h"
#include "base/status_macros.h"
#include "yamlconf/yaml_reader.h"

namespace cellfleet::agent {
namespace {

// A list of AT command patterns (at_policy.h), each checked where it is written.
absl::Status GetAtPatterns(const yamlconf::YamlReader& r, const YAML::Node& map, const char* key,
                           std::vector<std::string>& out) {
  const YAML::Node list = map[key];
  if (!list) return absl::OkStatus();
  if (!list.IsSequence()) {
    return r.Error(list, absl::StrCat(key, " must be a list of AT command patterns"));
  }
  for (const YAML::Node& item : list) {
    absl::StatusOr<std::string> pattern = r.Scalar<std::string>(item, "an AT command pattern");
    if (!pattern.ok()) return pattern.status();
    if (absl::Status valid = ValidateAtPattern(*pattern); !valid.ok()) {
      return r.Error(item, valid.message());
    }
    out.push_back(*pattern);
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ParseAgentSettings(const std::string& yaml, const std::string& name,
                                AgentSettings& s) {
  const yamlconf::YamlReader r(name);
  absl::StatusOr<YAML::Node> parsed = r.Parse(yaml);
  if (!parsed.ok()) return parsed.status();
  const YAML::Node root = *parsed;
  if (root.IsNull()) return absl::OkStatus();
  RETURN_IF_ERROR(r.CheckKeys(
      root, {"modem", "server", "security", "history", "usage", "log", "connection", "recovery"}));
  if (const YAML::Node m = root["recovery"]) {
    RecoveryPolicy& p = s.recovery;
    RETURN_IF_ERROR(r.CheckKeys(
        m, {"enabled", "link_down_after", "unregistered_after", "unresponsive_after", "redial_wait",
            "radio_reset_wait", "reboot_wait", "usb_reset_wait", "power_cycle_wait",
            "max_steps_per_hour", "max_steps_per_day", "usb_reset", "power_line"}));
    RETURN_IF_ERROR(r.Get(m, "enabled", p.enabled));
    RETURN_IF_ERROR(r.Get(m, "usb_reset", p.usb_reset));
    // A minute at least: each step waits for its evidence, the poller samples meanwhile.
    for (auto [key, field] :
         {std::pair{"link_down_after", &p.link_down_after},
          std::pair{"unregistered_after", &p.unregistered_after},
          std::pair{"unresponsive_after", &p.unresponsive_after},
          std::pair{"redial_wait", &p.redial_wait},
          std::pair{"radio_reset_wait", &p.radio_reset_wait},
          std::pair{"reboot_wait", &p.reboot_wait}, std::pair{"usb_reset_wait", &p.usb_reset_wait},
          std::pair{"power_cycle_wait", &p.power_cycle_wait}}) {
      RETURN_IF_ERROR(r.GetDuration(m, key, *field, absl::Minutes(1)));
    }
    if (const YAML::Node g = m["power_line"]) {
      modem::PowerLine line;
      RETURN_IF_ERROR(r.CheckKeys(g, {"chip", "line", "active_low", "off_time"}));
      if (!g["chip"] || !g["line"]) return r.Error(g, "power_line needs chip and line");
      RETURN_IF_ERROR(r.Get(g, "chip", line.chip));
      RETURN_IF_ERROR(r.Get(g, "line", line.offset));
      RETURN_IF_ERROR(r.Get(g, "active_low", line.active_low));
      // Long enough for the modem's supply to drain; short enough not to look like an outage.
      RETURN_IF_ERROR(r.GetDuration(g, "off_time", line.off_time, absl::Seconds(1)));
      if (line.off_time > absl::Minutes(5)) return r.Error(g["off_time"], "off_time is at most 5m");
      if (line.chip.empty()) return r.Error(g["chip"], "chip must name a GPIO chip");
      s.power_line = line;
      p.power_cycle = true;
    }
    RETURN_IF_ERROR(r.Get(m, "max_steps_per_hour", p.max_steps_per_hour));
    RETURN_IF_ERROR(r.Get(m, "max_steps_per_day", p.max_steps_per_day));
    if (p.max_steps_per_hour < 0 || p.max_steps_per_day < p.max_steps_per_hour)
      return r.Error(
          m, "max_steps_per_hour must be 0 or more, and max_steps_per_day at least as many");
  }
  if (const YAML::Node m = root["connection"]) {
    modem::ppp::ConnectionSettings& c = s.link.settings;
    RETURN_IF_ERROR(
        r.CheckKeys(m, {"apn", "pdp_type", "username", "password", "auth", "dial_string",
                        "modem_port", "baud", "default_route", "use_peer_dns", "lcp_echo_interval",
                        "lcp_echo_failure", "state_dir", "pppd", "keep_up"}));
    RETURN_IF_ERROR(r.Get(m, "apn", c.apn));
    RETURN_IF_ERROR(r.Get(m, "username", c.username));
    RETURN_IF_ERROR(r.Get(m, "password", c.password));
    RETURN_IF_ERROR(r.Get(m, "dial_string", c.dial_string));
    RETURN_IF_ERROR(r.Get(m, "modem_port", c.modem_port));
    RETURN_IF_ERROR(r.Get(m, "baud", c.baud));
    RETURN_IF_ERROR(r.Get(m, "default_route", c.default_route));
    RETURN_IF_ERROR(r.Get(m, "use_peer_dns", c.use_peer_dns));
    RETURN_IF_ERROR(r.Get(m, "lcp_echo_interval", c.lcp_echo_interval_s));
    RETURN_IF_ERROR(r.Get(m, "lcp_echo_failure", c.lcp_echo_failure));
    RETURN_IF_ERROR(r.Get(m, "state_dir", s.link.state_dir));
    RETURN_IF_ERROR(r.Get(m, "pppd", s.link.pppd));
    if (const YAML::Node k = m["keep_up"]) {
      KeepUpPolicy& p = s.link.keep_up;
      RETURN_IF_ERROR(r.CheckKeys(
          k, {"enabled", "initial_backoff", "max_backoff", "max_attempts", "stable_after"}));
      RETURN_IF_ERROR(r.Get(k, "enabled", p.enabled));
      RETURN_IF_ERROR(r.GetDuration(k, "initial_backoff", p.initial_backoff, absl::Seconds(1)));
      RETURN_IF_ERROR(r.GetDuration(k, "max_backoff", p.max_backoff, absl::Seconds(1)));
      RETURN_IF_ERROR(r.Get(k, "max_attempts", p.max_attempts));
      RETURN_IF_ERROR(r.GetDuration(k, "stable_after", p.stable_after, absl::Seconds(1)));
    }
    if (m["pdp_type"]) {
      std::string type;
      RETURN_IF_ERROR(r.Get(m, "pdp_type", type));
      if (type == "IP")
        c.pdp_type = modem::ppp::PdpType::kIp;
      else if (type == "IPV6")
        c.pdp_type = modem::ppp::PdpType::kIpv6;
      else if (type == "IPV4V6")
        c.pdp_type = modem::ppp::PdpType::kIpv4v6;
      else
        return r.Error(m["pdp_type"], "pdp_type must be IP, IPV6 or IPV4V6");
    }
    if (m["auth"]) {
      std::string auth;
      RETURN_IF_ERROR(r.Get(m, "auth", auth));
      if (auth == "none")
        c.auth = modem::ppp::Auth::kNone;
      else if (auth == "pap")
        c.auth = modem::ppp::Auth::kPap;
      else if (auth == "chap")
        c.auth = modem::ppp::Auth::kChap;
      else
        return r.Error(m["auth"], "auth must be none, pap or chap");
    }
    // The same check a pushed config gets: a file cannot start a version a push refuses.
    if (absl::Status valid = ValidateLinkConfig(LinkConfig{c, s.link.keep_up, {}}); !valid.ok())
      return r.Error(m, valid.message());
  }
  if (const YAML::Node m = root["modem"]) {
    RETURN_IF_ERROR(r.CheckKeys(m, {"at_port", "baud", "poll_interval", "lock_dir"}));
    RETURN_IF_ERROR(r.Get(m, "at_port", s.at_port));
    RETURN_IF_ERROR(r.Get(m, "baud", s.baud));
    RETURN_IF_ERROR(r.GetDuration(m, "poll_interval", s.poll_interval, absl::Milliseconds(200)));
    RETURN_IF_ERROR(r.Get(m, "lock_dir", s.lock_dir));
  }
  if (const YAML::Node m = root["server"]) {
    RETURN_IF_ERROR(r.CheckKeys(m, {"listen", "board_name", "insecure"}));
    RETURN_IF_ERROR(r.Get(m, "listen", s.listen));
    RETURN_IF_ERROR(r.Get(m, "board_name", s.board_name));
    RETURN_IF_ERROR(r.Get(m, "insecure", s.insecure));
  }
  if (const YAML::Node m = root["security"]) {
    RETURN_IF_ERROR(
        r.CheckKeys(m, {"tls", "roles", "unauthenticated_role", "audit_log", "at_commands"}));
    if (const YAML::Node tls = m["tls"]) {
      RETURN_IF_ERROR(r.CheckKeys(tls, {"cert", "key", "client_ca"}));
      RETURN_IF_ERROR(r.Get(tls, "cert", s.tls.cert));
      RETURN_IF_ERROR(r.Get(tls, "key", s.tls.key));
      RETURN_IF_ERROR(r.Get(tls, "client_ca", s.tls.client_ca));
      if (s.tls.cert.empty() != s.tls.key.empty())
        return r.Error(tls, "tls needs both cert and key");
    }
    if (const YAML::Node roles = m["roles"]) {
      if (!roles.IsMap())
        return r.Error(roles, "roles must map certificate names to viewer or operator");
      for (const auto& entry : roles) {
        absl::StatusOr<Role> role = ParseRole(entry.second.as<std::string>(""));
        if (!role.ok()) return r.Error(entry.second, role.status().message());
        s.roles[entry.first.as<std::string>()] = *role;
      }
    }
    if (m["unauthenticated_role"]) {
      std::string text;
      RETURN_IF_ERROR(r.Get(m, "unauthenticated_role", text));
      absl::StatusOr<Role> role = ParseRole(text);
      if (!role.ok()) return r.Error(m["unauthenticated_role"], role.status().message());
      s.unauthenticated_role = *role;
    }
    RETURN_IF_ERROR(r.Get(m, "audit_log", s.audit_log));
    if (const YAML::Node at = m["at_commands"]) {
      RETURN_IF_ERROR(r.CheckKeys(at, {"viewer", "operator", "allow_chained"}));
      RETURN_IF_ERROR(GetAtPatterns(r, at, "viewer", s.at_commands.viewer_allow));
      RETURN_IF_ERROR(GetAtPatterns(r, at, "operator", s.at_commands.operator_allow));
      RETURN_IF_ERROR(r.Get(at, "allow_chained", s.at_commands.allow_chained));
    }
  }
  if (const YAML::Node m = root["usage"]) {
    RETURN_IF_ERROR(r.CheckKeys(m, {"save_interval", "kept_cycles"}));
    RETURN_IF_ERROR(r.GetDuration(m, "save_interval", s.usage.save_interval, absl::Seconds(1)));
    RETURN_IF_ERROR(r.Get(m, "kept_cycles", s.usage.kept_cycles));
    if (s.usage.kept_cycles < 1 || s.usage.kept_cycles > 36)
      return r.Error(m["kept_cycles"], "kept_cycles: 1..36 past cycles a SIM");
  }
  if (const YAML::Node m = root["history"]) {
    RETURN_IF_ERROR(r.CheckKeys(m, {"samples", "interval", "events", "flush_interval"}));
    RETURN_IF_ERROR(r.Get(m, "samples", s.history.max_samples));
    RETURN_IF_ERROR(r.GetDuration(m, "interval", s.history.sample_interval, absl::Seconds(1)));
    RETURN_IF_ERROR(r.Get(m, "events", s.history.max_events));
    RETURN_IF_ERROR(r.GetDuration(m, "flush_interval", s.history.flush_interval, absl::Seconds(1)));
  }
  if (const YAML::Node m = root["log"]) {
    RETURN_IF_ERROR(r.CheckKeys(m, {"level", "target"}));
    RETURN_IF_ERROR(r.Get(m, "level", s.log_level));
    RETURN_IF_ERROR(r.Get(m, "target", s.log_target));
    static const std::set<std::string> kLevels = {"trace", "debug", "info", "warn", "error"};
    if (kLevels.count(s.log_level) == 0)
      return r.Error(m["level"], "level must be trace, debug, info, warn or error");
    if (s.log_target != "stderr" && s.log_target != "journald") {
      return r.Error(m["target"], "target must be stderr or journald");
    }
  }
  return absl::OkStatus();
}

absl::Status LoadAgentSettings(const std::string& path, AgentSettings& settings) {
  absl::StatusOr<std::string> text = base::ReadFileContents(path, "config file");
  if (!text.ok()) return text.status();
  return ParseAgentSettings(*text, path, settings);
}

}  // namespace cellfleet::agent
