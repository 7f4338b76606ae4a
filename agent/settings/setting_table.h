// Every setting of the agent once: its YAML key, its flag (where it has one), its help,
// how its text is read and checked, and where it lives in AgentSettings. The YAML reader
// (agent_settings.cc), cellfleet-agent's flags (main.cc, and so its man page) and the
// check of the shipped example config all come from this one table.
#ifndef CELLFLEET_AGENT_SETTINGS_SETTING_TABLE_H_
#define CELLFLEET_AGENT_SETTINGS_SETTING_TABLE_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "agent/settings/agent_settings.h"
#include "yaml-cpp/yaml.h"
#include "yamlconf/yaml_reader.h"

namespace cellfleet::agent {

struct Setting {
  std::string key;   // its YAML path: "modem.poll_interval"
  std::string flag;  // "--poll-interval", or "" where only the file sets it
  std::string help;
  std::string value_name = "TEXT";  // in --help: DURATION, N, one of the choices
  bool is_switch = false;           // a flag without a value (--insecure)
  // A single value: its text into `settings`, or why not ("must be at least 200ms"; the
  // caller names the key or flag).
  std::function<absl::Status(absl::string_view text, AgentSettings& settings)> set;
  // Its value as the file would write it (the defaults in --help).
  std::function<std::string(AgentSettings& settings)> show;
  // A list or mapping (security.roles, recovery.power_line), read from its node.
  std::function<absl::Status(const yamlconf::YamlReader& reader, const YAML::Node& node,
                             AgentSettings& settings)>
      read_node;

  // The last part of the key, as errors name it: "poll_interval".
  std::string Name() const { return key.substr(key.rfind('.') + 1); }
};

// In the order of the example config.
const std::vector<Setting>& SettingTable();

// A rule across the settings of one section (both TLS files or none; a ladder's daily
// budget no smaller than its hourly one), checked after the file's section is read and
// again after the flags.
struct SectionRule {
  std::string section;  // "security.tls"
  std::function<absl::Status(const AgentSettings& settings)> check;
};
const std::vector<SectionRule>& SectionRules();

}  // namespace cellfleet::agent

#endif  // CELLFLEET_AGENT_SETTINGS_SETTING_TABLE_H_
