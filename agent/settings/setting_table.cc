#include "agent/settings/setting_table.h"

#include <cstdint>
#include <type_traits>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "agent/config/connection_config.h"
#include "base/status_macros.h"

namespace cellfleet::agent {
namespace {

// Where a setting lives in AgentSettings: [](AgentSettings& s) -> auto& { return s.x; }.
template <typename F>
using FieldOf = std::remove_reference_t<std::invoke_result_t<F, AgentSettings&>>;
#define CF_FIELD(member) \
  [](AgentSettings & s) -> auto& { return s.member; }

absl::Status Reason(absl::string_view why) { return absl::InvalidArgumentError(why); }

Setting Named(std::string key, std::string flag, std::string help) {
  Setting s;
  s.key = std::move(key);
  s.flag = std::move(flag);
  s.help = std::move(help);
  return s;
}

template <typename F>
Setting Text(std::string key, std::string flag, std::string help, F field) {
  Setting s = Named(std::move(key), std::move(flag), std::move(help));
  s.set = [field](absl::string_view text, AgentSettings& settings) {
    field(settings) = std::string(text);
    return absl::OkStatus();
  };
  s.show = [field](AgentSettings& settings) { return std::string(field(settings)); };
  return s;
}

template <typename F>
Setting Integer(std::string key, std::string flag, std::string help, F field, int64_t min,
                int64_t max) {
  Setting s = Named(std::move(key), std::move(flag), std::move(help));
  s.value_name = "N";
  s.set = [field, min, max](absl::string_view text, AgentSettings& settings) {
    int64_t value = 0;
    if (!absl::SimpleAtoi(text, &value)) {
      return Reason(absl::StrCat("has the wrong type: \"", text, "\" is not a whole number"));
    }
    if (value < min || value > max) {
      return Reason(absl::StrCat("must be between ", min, " and ", max, ", not ", value));
    }
    field(settings) = static_cast<FieldOf<F>>(value);
    return absl::OkStatus();
  };
  s.show = [field](AgentSettings& settings) { return absl::StrCat(field(settings)); };
  return s;
}

template <typename F>
Setting Boolean(std::string key, std::string flag, std::string help, F field) {
  Setting s = Named(std::move(key), std::move(flag), std::move(help));
  s.is_switch = !s.flag.empty();
  s.set = [field](absl::string_view text, AgentSettings& settings) {
    const std::string word = absl::AsciiStrToLower(text);  // YAML 1.1's words, as yaml-cpp's
    if (word == "true" || word == "yes" || word == "on") {
      field(settings) = true;
    } else if (word == "false" || word == "no" || word == "off") {
      field(settings) = false;
    } else {
      return Reason(absl::StrCat("has the wrong type: \"", text, "\" is not true or false"));
    }
    return absl::OkStatus();
  };
  s.show = [field](AgentSettings& settings) {
    return std::string(field(settings) ? "true" : "false");
  };
  return s;
}

// "5s", "250ms", "2m", or a bare number of seconds.
template <typename F>
Setting Duration(std::string key, std::string flag, std::string help, F field, absl::Duration min,
                 absl::Duration max = absl::InfiniteDuration()) {
  Setting s = Named(std::move(key), std::move(flag), std::move(help));
  s.value_name = "DURATION";
  s.set = [field, min, max](absl::string_view text, AgentSettings& settings) {
    absl::Duration d;
    const std::string spelled(text);
    if (!absl::ParseDuration(spelled, &d) && !absl::ParseDuration(spelled + "s", &d)) {
      return Reason(absl::StrCat("\"", text, "\" is not a duration (e.g. 5s, 250ms, 2m)"));
    }
    if (d < absl::ZeroDuration()) return Reason("must not be negative");
    if (d < min) return Reason(absl::StrCat("must be at least ", absl::FormatDuration(min)));
    if (d > max) return Reason(absl::StrCat("must be at most ", absl::FormatDuration(max)));
    field(settings) = d;
    return absl::OkStatus();
  };
  s.show = [field](AgentSettings& settings) { return absl::FormatDuration(field(settings)); };
  return s;
}

// One of a few words, each a value of the field.
template <typename F>
Setting Choice(std::string key, std::string flag, std::string help, F field,
               std::vector<std::pair<std::string, FieldOf<F>>> choices) {
  Setting s = Named(std::move(key), std::move(flag), std::move(help));
  std::vector<std::string> words;
  for (const auto& choice : choices) words.push_back(choice.first);
  const std::string listed =
      absl::StrCat(absl::StrJoin(words.begin(), words.end() - 1, ", "), " or ", words.back());
  s.value_name = absl::StrJoin(words, "|");
  s.set = [field, choices, listed](absl::string_view text, AgentSettings& settings) {
    for (const auto& [word, value] : choices) {
      if (text == word) {
        field(settings) = value;
        return absl::OkStatus();
      }
    }
    return Reason(absl::StrCat("must be ", listed));
  };
  s.show = [field, choices](AgentSettings& settings) {
    for (const auto& [word, value] : choices) {
      if (field(settings) == value) return word;
    }
    return std::string();
  };
  return s;
}

Setting Structured(
    std::string key, std::string help,
    std::function<absl::Status(const yamlconf::YamlReader&, const YAML::Node&, AgentSettings&)>
        read) {
  Setting s = Named(std::move(key), "", std::move(help));
  s.read_node = std::move(read);
  return s;
}

// A list of AT command patterns (at_policy.h), each checked where it is written.
absl::Status ReadAtPatterns(const yamlconf::YamlReader& r, const YAML::Node& list, const char* name,
                            std::vector<std::string>& out) {
  if (!list.IsSequence()) {
    return r.Error(list, absl::StrCat(name, " must be a list of AT command patterns"));
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

absl::Status ReadRoles(const yamlconf::YamlReader& r, const YAML::Node& roles, AgentSettings& s) {
  if (!roles.IsMap())
    return r.Error(roles, "roles must map certificate names to viewer or operator");
  for (const auto& entry : roles) {
    absl::StatusOr<Role> role = ParseRole(entry.second.as<std::string>(""));
    if (!role.ok()) return r.Error(entry.second, role.status().message());
    s.roles[entry.first.as<std::string>()] = *role;
  }
  return absl::OkStatus();
}

// The modem's power line; configuring one adds the power cycle to the ladder.
absl::Status ReadPowerLine(const yamlconf::YamlReader& r, const YAML::Node& g, AgentSettings& s) {
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
  s.recovery.power_cycle = true;
  return absl::OkStatus();
}

std::vector<Setting> MakeTable() {
  using modem::ppp::Auth;
  using modem::ppp::PdpType;
  // A minute at least for the ladder's times: each step waits for its evidence, the
  // poller samples meanwhile.
  const absl::Duration kLadderMin = absl::Minutes(1);
  return {
      Text("modem.at_port", "--at-port",
           "The modem's AT port (EC25: USB interface 2, usually /dev/ttyUSB2), or \"auto\" "
           "to find it in sysfs by USB id and interface number",
           CF_FIELD(at_port)),
      Integer("modem.baud", "--baud", "Baud rate of the AT port", CF_FIELD(baud), 1200, 4000000),
      Duration("modem.poll_interval", "--poll-interval",
               "Time between signal samples (e.g. 10s; a bare number is seconds); registration, "
               "SIM and resets come at once by URC",
               CF_FIELD(poll_interval), absl::Milliseconds(200), absl::Hours(1)),
      Text("modem.lock_dir", "--lock-dir", "Directory for UUCP lock files (pppd uses /var/lock)",
           CF_FIELD(lock_dir)),
      Text("server.listen", "--listen", "Address to serve gRPC on (host:port; port 0 picks one)",
           CF_FIELD(listen)),
      Text("server.board_name", "--board-name", "Name reported to clients (default: host name)",
           CF_FIELD(board_name)),
      Boolean("server.insecure", "--insecure", "Allow plaintext gRPC on a non-loopback address",
              CF_FIELD(insecure)),
      Boolean("server.reflection", "--reflection",
              "Serve gRPC server reflection (grpcurl, grpcui): it lists every method to any "
              "caller that reaches the agent",
              CF_FIELD(reflection)),
      Text("security.tls.cert", "--tls-cert", "The agent's TLS certificate (PEM)",
           CF_FIELD(tls.cert)),
      Text("security.tls.key", "--tls-key", "The agent's TLS private key (PEM)", CF_FIELD(tls.key)),
      Text("security.tls.client_ca", "--tls-client-ca",
           "CA of client certificates: turns on mutual TLS", CF_FIELD(tls.client_ca)),
      Text("security.tls.crl_dir", "--tls-crl-dir",
           "Directory of the client CA's revocation lists, by hash name (make-certs.sh writes "
           "DIR/crl/): a revoked client certificate is refused",
           CF_FIELD(tls.crl_dir)),
      Duration("security.tls.reload_interval", "",
               "How often the TLS files are read again: a renewed certificate is served "
               "without a restart",
               CF_FIELD(tls.reload_interval), absl::Seconds(1), absl::Hours(24)),
      Text("security.tls.enrollment_token", "--tls-enrollment-token",
           "A one-time token file (make-certs.sh DIR token NAME): while security.tls.cert "
           "does not exist, the agent serves only its enrollment calls until an operator "
           "installs one (docs/security.md)",
           CF_FIELD(tls.enrollment_token)),
      Structured("security.roles", "Client certificate common name -> viewer or operator",
                 ReadRoles),
      Choice("security.unauthenticated_role", "--unauthenticated-role",
             "Role of callers without a client certificate (default none; above none only on "
             "loopback or with mutual TLS, where no such caller can come from elsewhere)",
             CF_FIELD(unauthenticated_role),
             {{"none", Role::kNone}, {"viewer", Role::kViewer}, {"operator", Role::kOperator}}),
      Text("security.audit_log", "--audit-log", "Append a JSON line per mutating call here",
           CF_FIELD(audit_log)),
      Integer("security.audit_log_max_mb", "--audit-log-max-mb",
              "Size of the audit log, in MiB, past which it is rotated to <audit_log>.1 (the "
              "one before is dropped)",
              CF_FIELD(audit_log_max_mb), 1, 4096),
      Structured("security.at_commands.viewer", "AT command patterns viewers may run",
                 [](const yamlconf::YamlReader& r, const YAML::Node& n, AgentSettings& s) {
                   return ReadAtPatterns(r, n, "viewer", s.at_commands.viewer_allow);
                 }),
      Structured("security.at_commands.operator", "AT command patterns operators may run",
                 [](const yamlconf::YamlReader& r, const YAML::Node& n, AgentSettings& s) {
                   return ReadAtPatterns(r, n, "operator", s.at_commands.operator_allow);
                 }),
      Boolean("security.at_commands.allow_chained", "",
              "Several commands on one line (AT+CSQ;+COPS?), each checked on its own",
              CF_FIELD(at_commands.allow_chained)),
      Text("gateway.address", "--gateway",
           "A cellfleet-gateway's board address (host:port) to dial out to and serve through, "
           "for a board behind carrier NAT",
           CF_FIELD(gateway.address)),
      Text("gateway.ca", "--gateway-ca", "CA of the gateway's certificate (PEM)",
           CF_FIELD(gateway.ca)),
      Text("gateway.server_name", "--gateway-server-name",
           "Name expected in the gateway's certificate, if not the address's host",
           CF_FIELD(gateway.server_name)),
      Duration("gateway.keepalive", "--gateway-keepalive",
               "Idle time before the first keepalive ping to the gateway; it then learns what "
               "the carrier's NAT keeps, within keepalive_min and keepalive_max",
               CF_FIELD(gateway.keepalive), absl::Seconds(1), absl::Hours(2)),
      Duration("gateway.keepalive_min", "", "The shortest keepalive interval learned",
               CF_FIELD(gateway.keepalive_min), absl::Seconds(1), absl::Hours(2)),
      Duration("gateway.keepalive_max", "",
               "The longest keepalive interval learned: a dropped mapping is found within it",
               CF_FIELD(gateway.keepalive_max), absl::Seconds(1), absl::Hours(2)),
      Duration("gateway.keepalive_timeout", "",
               "How long a keepalive ping may go unanswered before the mapping counts as gone",
               CF_FIELD(gateway.keepalive_timeout), absl::Seconds(1), absl::Minutes(5)),
      Text("connection.apn", "--apn", "APN to dial until a config is pushed",
           CF_FIELD(link.settings.apn)),
      Choice("connection.pdp_type", "", "The PDP context's type", CF_FIELD(link.settings.pdp_type),
             {{"IP", PdpType::kIp}, {"IPV6", PdpType::kIpv6}, {"IPV4V6", PdpType::kIpv4v6}}),
      Choice("connection.auth", "", "The APN's authentication", CF_FIELD(link.settings.auth),
             {{"none", Auth::kNone}, {"pap", Auth::kPap}, {"chap", Auth::kChap}}),
      Text("connection.username", "", "User name for PAP or CHAP",
           CF_FIELD(link.settings.username)),
      Text("connection.password", "", "Password for PAP or CHAP", CF_FIELD(link.settings.password)),
      Text("connection.dial_string", "", "Dial string (LTE: *99#)",
           CF_FIELD(link.settings.dial_string)),
      Text("connection.modem_port", "--modem-port",
           "The modem's PPP port (EC25: USB interface 3, usually /dev/ttyUSB3)",
           CF_FIELD(link.settings.modem_port)),
      Integer("connection.baud", "", "Baud rate of the PPP port", CF_FIELD(link.settings.baud),
              1200, 4000000),
      Boolean("connection.default_route", "", "Route by default via ppp0",
              CF_FIELD(link.settings.default_route)),
      Boolean("connection.use_peer_dns", "", "pppd writes the peer's DNS servers",
              CF_FIELD(link.settings.use_peer_dns)),
      Integer("connection.lcp_echo_interval", "", "Seconds between LCP echo requests",
              CF_FIELD(link.settings.lcp_echo_interval_s), 0, 3600),
      Integer("connection.lcp_echo_failure", "", "Unanswered LCP echoes that end the link",
              CF_FIELD(link.settings.lcp_echo_failure), 0, 100),
      Text("connection.state_dir", "--state-dir",
           "Directory the agent owns (pushed config, rendered PPP files)",
           CF_FIELD(link.state_dir)),
      Text("connection.pppd", "--pppd", "The pppd program", CF_FIELD(link.pppd)),
      Boolean("connection.keep_up.enabled", "", "Redial a dropped link",
              CF_FIELD(link.keep_up.enabled)),
      Duration("connection.keep_up.initial_backoff", "", "The first wait before a redial",
               CF_FIELD(link.keep_up.initial_backoff), absl::Seconds(1)),
      Duration("connection.keep_up.max_backoff", "", "The longest wait between redials",
               CF_FIELD(link.keep_up.max_backoff), absl::Seconds(1)),
      Integer("connection.keep_up.max_attempts", "", "Redials before giving up (0: never)",
              CF_FIELD(link.keep_up.max_attempts), 0, INT32_MAX),
      Duration("connection.keep_up.stable_after", "", "A link up this long starts the count afresh",
               CF_FIELD(link.keep_up.stable_after), absl::Seconds(1)),
      Boolean("recovery.enabled", "", "The recovery ladder climbs by itself",
              CF_FIELD(recovery.enabled)),
      Duration("recovery.link_down_after", "", "The link wanted up but failing this long",
               CF_FIELD(recovery.link_down_after), kLadderMin),
      Duration("recovery.unregistered_after", "", "SIM ready but not registered this long",
               CF_FIELD(recovery.unregistered_after), kLadderMin),
      Duration("recovery.unresponsive_after", "", "The modem not answering this long",
               CF_FIELD(recovery.unresponsive_after), kLadderMin),
      Duration("recovery.redial_wait", "", "How long a redial gets to show it worked",
               CF_FIELD(recovery.redial_wait), kLadderMin),
      Duration("recovery.radio_reset_wait", "", "How long a radio reset gets",
               CF_FIELD(recovery.radio_reset_wait), kLadderMin),
      Duration("recovery.reboot_wait", "", "How long a modem reboot gets",
               CF_FIELD(recovery.reboot_wait), kLadderMin),
      Duration("recovery.usb_reset_wait", "", "How long a USB reset gets",
               CF_FIELD(recovery.usb_reset_wait), kLadderMin),
      Duration("recovery.power_cycle_wait", "", "How long a power cycle gets",
               CF_FIELD(recovery.power_cycle_wait), kLadderMin),
      Integer("recovery.max_steps_per_hour", "", "Steps, the ladder's and operators', an hour",
              CF_FIELD(recovery.max_steps_per_hour), 0, 1000),
      Integer("recovery.max_steps_per_day", "", "Steps a day", CF_FIELD(recovery.max_steps_per_day),
              0, 10000),
      Boolean("recovery.usb_reset", "", "Reset the modem's USB device above the reboot",
              CF_FIELD(recovery.usb_reset)),
      Structured("recovery.power_line", "The modem's power line: chip, line, active_low, off_time",
                 ReadPowerLine),
      Integer("history.samples", "--history-samples",
              "Status samples kept on the device (about 1 KB each)", CF_FIELD(history.max_samples),
              1, 1000000),
      Duration("history.interval", "--history-interval", "Time between kept samples",
               CF_FIELD(history.sample_interval), absl::Seconds(1), absl::Hours(24)),
      Integer("history.events", "--history-events", "Events kept on the device",
              CF_FIELD(history.max_events), 1, 1000000),
      Duration("history.flush_interval", "",
               "How often kept entries go to the file: what a power cut can lose",
               CF_FIELD(history.flush_interval), absl::Seconds(1)),
      Duration("usage.save_interval", "", "How often the usage ledger is saved while bytes flow",
               CF_FIELD(usage.save_interval), absl::Seconds(1)),
      Integer("usage.kept_cycles", "", "Past billing cycles kept per SIM",
              CF_FIELD(usage.kept_cycles), 1, 36),
      Choice("log.level", "--log-level", "The least severe messages logged", CF_FIELD(log_level),
             {{"trace", "trace"},
              {"debug", "debug"},
              {"info", "info"},
              {"warn", "warn"},
              {"error", "error"}}),
      Choice("log.target", "--log-target", "Where the log goes", CF_FIELD(log_target),
             {{"stderr", "stderr"}, {"journald", "journald"}}),
  };
}

}  // namespace

const std::vector<Setting>& SettingTable() {
  static const std::vector<Setting>* const kTable = new std::vector<Setting>(MakeTable());
  return *kTable;
}

const std::vector<SectionRule>& SectionRules() {
  static const std::vector<SectionRule>* const kRules = new std::vector<SectionRule>{
      {"security.tls",
       [](const AgentSettings& s) {
         if (s.tls.cert.empty() != s.tls.key.empty()) return Reason("tls needs both cert and key");
         return !s.tls.enrollment_token.empty() && s.tls.cert.empty()
                    ? Reason("enrollment_token needs cert and key: where the certificate goes")
                    : absl::OkStatus();
       }},
      // The operator's TLS ends on the agent: without it, whoever the gateway admits would
      // reach the board as an unauthenticated caller.
      {"gateway",
       [](const AgentSettings& s) {
         if (s.gateway.address.empty()) return absl::OkStatus();
         if (s.tls.cert.empty() || s.tls.client_ca.empty()) {
           return Reason(
               "a dial-out needs the agent's mutual TLS (security.tls cert, key and client_ca): "
               "its certificate names the board at the gateway, and operators' TLS ends on it");
         }
         if (s.gateway.keepalive_min > s.gateway.keepalive_max) {
           return Reason("keepalive_min must not exceed keepalive_max");
         }
         return s.gateway.ca.empty() ? Reason("a dial-out needs gateway.ca") : absl::OkStatus();
       }},
      {"recovery",
       [](const AgentSettings& s) {
         const RecoveryPolicy& p = s.recovery;
         return p.max_steps_per_day < p.max_steps_per_hour
                    ? Reason(
                          "max_steps_per_hour must be 0 or more, and max_steps_per_day at "
                          "least as many")
                    : absl::OkStatus();
       }},
      // The same check a pushed config gets: a file cannot start a version a push refuses.
      {"connection",
       [](const AgentSettings& s) {
         return ValidateLinkConfig(LinkConfig{s.link.settings, s.link.keep_up, {}});
       }},
  };
  return *kRules;
}

#undef CF_FIELD

}  // namespace cellfleet::agent
