#include "agent/settings/agent_settings.h"

#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "agent/settings/setting_table.h"
#include "base/file_contents.h"
#include "base/status_macros.h"
#include "yamlconf/yaml_reader.h"

namespace cellfleet::agent {
namespace {

const Setting* FindSetting(const std::string& key) {
  for (const Setting& setting : SettingTable()) {
    if (setting.key == key) return &setting;
  }
  return nullptr;
}

// The keys the table allows right under `section` ("" for the top), in table order.
std::vector<std::string> KeysUnder(const std::string& section) {
  const std::string prefix = section.empty() ? "" : section + ".";
  std::vector<std::string> keys;
  for (const Setting& setting : SettingTable()) {
    if (!absl::StartsWith(setting.key, prefix)) continue;
    const std::string rest = setting.key.substr(prefix.size());
    const std::string key = rest.substr(0, rest.find('.'));
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
  }
  return keys;
}

// Reads the mapping `map` at `section` into `s`: each key a setting of the table or a
// section holding some; then the section's rules.
absl::Status ReadSection(const yamlconf::YamlReader& r, const YAML::Node& map,
                         const std::string& section, AgentSettings& s) {
  if (!map.IsMap()) return r.Error(map, "expected a mapping");
  const std::vector<std::string> allowed = KeysUnder(section);
  for (const auto& entry : map) {
    const std::string key = entry.first.as<std::string>("");
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      return r.Error(entry.first, absl::StrCat("unknown key \"", key, "\" (expected one of: ",
                                               absl::StrJoin(allowed, ", "), ")"));
    }
    const std::string path = section.empty() ? key : absl::StrCat(section, ".", key);
    const Setting* setting = FindSetting(path);
    if (setting == nullptr) {
      RETURN_IF_ERROR(ReadSection(r, entry.second, path, s));
    } else if (setting->read_node) {
      RETURN_IF_ERROR(setting->read_node(r, entry.second, s));
    } else if (!entry.second.IsScalar()) {
      return r.Error(entry.second, absl::StrCat(key, " must be a single value"));
    } else if (absl::Status set = setting->set(entry.second.Scalar(), s); !set.ok()) {
      return r.Error(entry.second, absl::StrCat(key, " ", set.message()));
    }
  }
  for (const SectionRule& rule : SectionRules()) {
    if (rule.section != section) continue;
    if (absl::Status ok = rule.check(s); !ok.ok()) return r.Error(map, ok.message());
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ParseAgentSettings(const std::string& yaml, const std::string& name,
                                AgentSettings& s) {
  const yamlconf::YamlReader r(name);
  absl::StatusOr<YAML::Node> parsed = r.Parse(yaml);
  if (!parsed.ok()) return parsed.status();
  if (parsed->IsNull()) return absl::OkStatus();
  return ReadSection(r, *parsed, "", s);
}

absl::Status LoadAgentSettings(const std::string& path, AgentSettings& settings) {
  absl::StatusOr<std::string> text = base::ReadFileContents(path, "config file");
  if (!text.ok()) return text.status();
  return ParseAgentSettings(*text, path, settings);
}

absl::Status ApplyFlag(const std::string& key, absl::string_view text, AgentSettings& settings) {
  const Setting* setting = FindSetting(key);
  if (setting == nullptr || !setting->set) {
    return absl::InternalError(absl::StrCat("no single-valued setting ", key));
  }
  if (absl::Status set = setting->set(text, settings); !set.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(setting->flag, " ", set.message()));
  }
  return absl::OkStatus();
}

absl::Status CheckSectionRules(const AgentSettings& settings) {
  for (const SectionRule& rule : SectionRules()) {
    if (absl::Status ok = rule.check(settings); !ok.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(rule.section, ": ", ok.message()));
    }
  }
  return absl::OkStatus();
}

}  // namespace cellfleet::agent
