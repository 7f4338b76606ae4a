#include "agent/settings/agent_settings.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <regex>
#include <set>
#include <sstream>

#include "agent/settings/setting_table.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "modem/testing/status_matchers.h"

namespace cellfleet::agent {
namespace {

using ::cellfleet::testing::IsOk;
using ::cellfleet::testing::StatusIs;
using ::testing::HasSubstr;

TEST(AgentConfigTest, ReadsEverySection) {
  AgentSettings s;
  ASSERT_THAT(ParseAgentSettings(R"(
modem: {at_port: auto, baud: 921600, poll_interval: 5s, lock_dir: /run/lock}
server: {listen: "0.0.0.0:50051", board_name: rock-001}
security:
  tls: {cert: /etc/cellfleet/agent.crt, key: /etc/cellfleet/agent.key, client_ca: /etc/cellfleet/ca.crt}
  roles: {ops: operator, grafana: viewer}
  unauthenticated_role: none
  audit_log: /var/lib/cellfleet/audit.log
  at_commands: {viewer: [AT+CSQ], operator: ['AT+QCFG="band",*'], allow_chained: true}
history: {samples: 100, interval: 30s, events: 50}
log: {level: debug, target: journald}
)",
                                 "agent.yaml", s),
              IsOk());
  EXPECT_EQ(s.at_port, "auto");
  EXPECT_EQ(s.baud, 921600);
  EXPECT_EQ(s.poll_interval, absl::Seconds(5));
  EXPECT_EQ(s.listen, "0.0.0.0:50051");
  EXPECT_EQ(s.tls.client_ca, "/etc/cellfleet/ca.crt");
  EXPECT_EQ(s.roles.at("ops"), Role::kOperator);
  EXPECT_EQ(s.roles.at("grafana"), Role::kViewer);
  EXPECT_EQ(s.unauthenticated_role, Role::kNone);
  EXPECT_EQ(s.history.max_samples, 100u);
  EXPECT_EQ(s.history.sample_interval, absl::Seconds(30));
  EXPECT_EQ(s.log_target, "journald");
  EXPECT_THAT(s.at_commands.viewer_allow, ::testing::ElementsAre("AT+CSQ"));
  EXPECT_THAT(s.at_commands.operator_allow, ::testing::ElementsAre("AT+QCFG=\"band\",*"));
  EXPECT_TRUE(s.at_commands.allow_chained);
}

TEST(AgentConfigTest, ShippedExampleIsValid) {
  AgentSettings s;
  ASSERT_THAT(LoadAgentSettings(CELLFLEET_EXAMPLE_CONFIG, s), IsOk());
  EXPECT_EQ(s.at_port, "auto");
  EXPECT_EQ(s.link.settings.apn, "internet.example");
  EXPECT_EQ(s.link.settings.modem_port, "/dev/ttyUSB3");
  EXPECT_EQ(s.roles.at("ops-laptop"), Role::kOperator);
  EXPECT_TRUE(s.link.keep_up.enabled);
  EXPECT_EQ(s.link.keep_up.max_backoff, absl::Minutes(5));
  EXPECT_TRUE(s.recovery.enabled);
  EXPECT_EQ(s.recovery.unregistered_after, RecoveryPolicy().unregistered_after);
  EXPECT_EQ(s.recovery.max_steps_per_hour, RecoveryPolicy().max_steps_per_hour);
}

// The setting keys a config text names: each leaf the table knows, the settings
// commented out as "# key: value" included (the example's way to show a setting that is
// off by default).
std::set<std::string> KeysNamedIn(std::string text) {
  text = std::regex_replace(text, std::regex(R"(\n( *)# ([a-z_]+: ))"), "\n$1$2");
  std::set<std::string> table;
  for (const Setting& setting : SettingTable()) table.insert(setting.key);
  std::set<std::string> named;
  std::function<void(const YAML::Node&, const std::string&)> walk = [&](const YAML::Node& map,
                                                                        const std::string& path) {
    for (const auto& entry : map) {
      const std::string key = (path.empty() ? "" : path + ".") + entry.first.as<std::string>();
      if (table.count(key) || !entry.second.IsMap()) {
        named.insert(key);
      } else {
        walk(entry.second, key);
      }
    }
  };
  walk(YAML::Load(text), "");
  return named;
}

TEST(AgentConfigTest, TheShippedExampleListsExactlyTheSettingsOfTheTable) {
  std::ifstream file(CELLFLEET_EXAMPLE_CONFIG);
  std::stringstream text;
  text << file.rdbuf();
  std::set<std::string> table;
  for (const Setting& setting : SettingTable()) table.insert(setting.key);
  const std::set<std::string> example = KeysNamedIn(text.str());
  std::vector<std::string> missing, unknown;
  std::set_difference(table.begin(), table.end(), example.begin(), example.end(),
                      std::back_inserter(missing));
  std::set_difference(example.begin(), example.end(), table.begin(), table.end(),
                      std::back_inserter(unknown));
  EXPECT_THAT(missing, ::testing::IsEmpty()) << "settings the example does not show";
  EXPECT_THAT(unknown, ::testing::IsEmpty()) << "example keys the table lacks";
  // Control: a setting left out of the example, and a key the table lacks, are seen.
  std::set<std::string> named = KeysNamedIn(text.str() + "extra:\n  knob: 1\n");
  EXPECT_EQ(named.count("extra.knob"), 1u);
  named = KeysNamedIn(std::regex_replace(text.str(), std::regex(R"(\n  lock_dir: [^\n]*)"), ""));
  EXPECT_EQ(named.count("modem.lock_dir"), 0u);
}

// One validation for the file and the flags: the same reason, named as each names it;
// and every default the table shows in --help is a value it accepts.
TEST(AgentConfigTest, FileAndFlagsShareEachSettingsRuleAndDefaults) {
  AgentSettings from_file;
  EXPECT_THAT(ParseAgentSettings("modem:\n  poll_interval: 50ms\n", "a.yaml", from_file),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("a.yaml:2: poll_interval must be at least 200ms")));
  AgentSettings from_flag;
  EXPECT_THAT(ApplyFlag("modem.poll_interval", "50ms", from_flag),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--poll-interval must be at least 200ms")));
  EXPECT_THAT(ApplyFlag("modem.poll_interval", "0.5", from_flag), IsOk());  // bare seconds
  EXPECT_EQ(from_flag.poll_interval, absl::Milliseconds(500));
  for (const Setting& setting : SettingTable()) {
    if (!setting.set) continue;
    AgentSettings defaults;
    const std::string shown = setting.show(defaults);
    if (shown.empty()) continue;  // no default (board name, TLS files, ...)
    AgentSettings again;
    EXPECT_THAT(setting.set(shown, again), IsOk()) << setting.key << " = " << shown;
    EXPECT_EQ(setting.show(again), shown) << setting.key;
  }
}

TEST(AgentConfigTest, APowerLineAddsThePowerCycleToTheLadder) {
  AgentSettings s;
  EXPECT_FALSE(s.recovery.power_cycle) << "off unless a line is set";
  EXPECT_TRUE(s.recovery.usb_reset);
  ASSERT_THAT(ParseAgentSettings("recovery:\n  usb_reset: false\n  power_cycle_wait: 6m\n"
                                 "  power_line: {chip: gpiochip2, line: 17, active_low: true, "
                                 "off_time: 15s}\n",
                                 "a.yaml", s),
              IsOk());
  EXPECT_FALSE(s.recovery.usb_reset);
  EXPECT_TRUE(s.recovery.power_cycle);
  EXPECT_EQ(s.recovery.power_cycle_wait, absl::Minutes(6));
  ASSERT_TRUE(s.power_line.has_value());
  EXPECT_EQ(s.power_line->chip, "gpiochip2");
  EXPECT_EQ(s.power_line->offset, 17u);
  EXPECT_TRUE(s.power_line->active_low);
  EXPECT_EQ(s.power_line->off_time, absl::Seconds(15));
}

TEST(AgentConfigTest, ConnectionSettingsAreValidatedWithTheirLine) {
  AgentSettings s;
  EXPECT_THAT(ParseAgentSettings("connection:\n  apn: \"bad apn\"\n", "a.yaml", s),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("a.yaml:2: apn:")));
  EXPECT_THAT(ParseAgentSettings("connection:\n  auth: kerberos\n", "a.yaml", s),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("a.yaml:2: auth must be none, pap or chap")));
}

// The file's keep-up gets the push's limits: it cannot start a version 1 that a push of
// the same values would be refused.
TEST(AgentConfigTest, KeepUpLimitsAreThoseOfAPush) {
  AgentSettings s;
  EXPECT_THAT(ParseAgentSettings("connection:\n  keep_up:\n    initial_backoff: 2h\n", "a.yaml", s),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("a.yaml:2: keep_up.initial_backoff: 1 s .. 1 h")));
  EXPECT_THAT(ParseAgentSettings("connection:\n  keep_up:\n    initial_backoff: 10s\n"
                                 "    max_backoff: 5s\n",
                                 "a.yaml", s),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("keep_up.max_backoff: from initial_backoff up to 24 h")));
  EXPECT_THAT(
      ParseAgentSettings("connection:\n  keep_up:\n    max_attempts: 2000000\n", "a.yaml", s),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("keep_up.max_attempts")));
  AgentSettings ok;
  EXPECT_THAT(ParseAgentSettings("connection:\n  keep_up:\n    initial_backoff: 1h\n"
                                 "    max_backoff: 2h\n",
                                 "a.yaml", ok),
              IsOk());
}

TEST(AgentConfigTest, ErrorsNameLineAndReason) {
  struct Case {
    const char* yaml;
    const char* expected;
  };
  for (const Case& c : std::vector<Case>{
           {"modem:\n  poll_interval: fast\n",
            "a.yaml:2: poll_interval \"fast\" is not a duration"},
           {"modem:\n  poll_interval: 10ms\n", "a.yaml:2: poll_interval must be at least 200ms"},
           {"security:\n  roles:\n    ops: admin\n", "a.yaml:3: role \"admin\""},
           {"security:\n  tls: {cert: /x}\n", "a.yaml:2: tls needs both cert and key"},
           {"log:\n  level: loud\n", "a.yaml:2: level must be"},
           {"security:\n  at_commands:\n    operator: [+CSQ]\n",
            "a.yaml:3: AT pattern \"+CSQ\" must start with AT"},
           {"security:\n  at_commands:\n    viewer: AT+CSQ\n",
            "a.yaml:3: viewer must be a list of AT command patterns"},
           {"security:\n  at_commands: {admin: []}\n", "a.yaml:2: unknown key \"admin\""},
           {"server:\n  listen: [1, 2]\n", "a.yaml:2: listen must be a single value"},
           {"modem:\n  baud: fast\n", "a.yaml:2: baud has the wrong type"},
           {"moden: {}\n", "a.yaml:1: unknown key \"moden\""},
           {"modem: [\n", "a.yaml:"},
           {"recovery:\n  link_down_after: 10s\n", "a.yaml:2: link_down_after must be at least 1m"},
           {"recovery:\n  max_steps_per_hour: 5\n  max_steps_per_day: 2\n",
            "max_steps_per_day at least as many"},
           {"recovery: {reset_usb: true}\n", "a.yaml:1: unknown key \"reset_usb\""},
           {"recovery:\n  power_line: {chip: gpiochip0}\n",
            "a.yaml:2: power_line needs chip and line"},
           {"recovery:\n  power_line: {chip: gpiochip0, line: -1}\n", "line has the wrong type"},
           {"recovery:\n  power_line: {chip: gpiochip0, line: 3, off_time: 10m}\n",
            "off_time is at most 5m"},
           {"recovery:\n  power_line: {chip: gpiochip0, line: 3, off_time: 100ms}\n",
            "off_time must be at least 1s"},
       }) {
    AgentSettings s;
    EXPECT_THAT(ParseAgentSettings(c.yaml, "a.yaml", s),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.expected)))
        << c.yaml;
  }
}

}  // namespace
}  // namespace cellfleet::agent
