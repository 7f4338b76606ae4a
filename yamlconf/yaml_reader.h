// Reading YAML settings files (agent config, simulator scenarios, CLI inventories) so
// that every error names the file and the line: "agent.yaml:7: unknown key \"x\"".
#ifndef CELLFLEET_YAMLCONF_YAML_READER_H_
#define CELLFLEET_YAMLCONF_YAML_READER_H_

#include <initializer_list>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "yaml-cpp/yaml.h"

namespace cellfleet::yamlconf {

class YamlReader {
 public:
  explicit YamlReader(std::string name) : name_(std::move(name)) {}

  // Parses `text`; a syntax error names the line.
  absl::StatusOr<YAML::Node> Parse(const std::string& text) const;
  // Reads and parses the file at `name`.
  absl::StatusOr<YAML::Node> Load() const;

  absl::Status Error(const YAML::Node& node, absl::string_view what) const;
  // Refuses keys other than `allowed` (typos must not be silently ignored).
  absl::Status CheckKeys(const YAML::Node& map, std::initializer_list<const char*> allowed) const;

  template <typename T>
  absl::StatusOr<T> Scalar(const YAML::Node& node, absl::string_view what) const {
    if (!node.IsScalar()) return Error(node, absl::StrCat(what, " must be a single value"));
    try {
      return node.as<T>();
    } catch (const YAML::Exception&) {
      return Error(node, absl::StrCat(what, " has the wrong type: \"", node.Scalar(), "\""));
    }
  }
  // Sets `out` from map[key] when present; leaves it alone otherwise.
  template <typename T>
  absl::Status Get(const YAML::Node& map, const char* key, T& out) const {
    if (!map[key]) return absl::OkStatus();
    absl::StatusOr<T> value = Scalar<T>(map[key], key);
    if (!value.ok()) return value.status();
    out = *std::move(value);
    return absl::OkStatus();
  }

  // "5s", "250ms", "2m", or a bare number of seconds; never negative.
  absl::StatusOr<absl::Duration> Duration(const YAML::Node& node, absl::string_view what) const;
  absl::Status GetDuration(const YAML::Node& map, const char* key, absl::Duration& out,
                           absl::Duration min = absl::ZeroDuration()) const;

  const std::string& name() const { return name_; }

 private:
  std::string name_;
};

}  // namespace cellfleet::yamlconf

#endif  // CELLFLEET_YAMLCONF_YAML_READER_H_
