#include "yamlconf/yaml_reader.h"

#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/str_join.h"
#include "base/file_contents.h"

namespace cellfleet::yamlconf {

absl::StatusOr<YAML::Node> YamlReader::Parse(const std::string& text) const {
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(name_, ":", e.mark.line + 1, ": ", e.msg));
  }
}

absl::StatusOr<YAML::Node> YamlReader::Load() const {
  absl::StatusOr<std::string> text = base::ReadFileContents(name_);
  if (!text.ok()) return text.status();
  return Parse(*text);
}

absl::Status YamlReader::Error(const YAML::Node& node, absl::string_view what) const {
  const YAML::Mark mark = node.Mark();
  if (mark.line >= 0)
    return absl::InvalidArgumentError(absl::StrCat(name_, ":", mark.line + 1, ": ", what));
  return absl::InvalidArgumentError(absl::StrCat(name_, ": ", what));
}

absl::Status YamlReader::CheckKeys(const YAML::Node& map,
                                   std::initializer_list<const char*> allowed) const {
  if (!map.IsMap()) return Error(map, "expected a mapping");
  std::set<std::string> ok(allowed.begin(), allowed.end());
  for (const auto& entry : map) {
    std::string key = entry.first.as<std::string>("");
    if (ok.count(key) == 0) {
      return Error(entry.first, absl::StrCat("unknown key \"", key, "\" (expected one of: ",
                                             absl::StrJoin(allowed, ", "), ")"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<absl::Duration> YamlReader::Duration(const YAML::Node& node,
                                                    absl::string_view what) const {
  if (!node.IsScalar())
    return Error(node, absl::StrCat(what, " must be a duration such as 5s or 250ms"));
  const std::string text = node.Scalar();
  absl::Duration d;
  if (absl::ParseDuration(text, &d) || absl::ParseDuration(text + "s", &d)) {
    if (d < absl::ZeroDuration()) return Error(node, absl::StrCat(what, " must not be negative"));
    return d;
  }
  return Error(node, absl::StrCat(what, " \"", text, "\" is not a duration (e.g. 5s, 250ms, 2m)"));
}

absl::Status YamlReader::GetDuration(const YAML::Node& map, const char* key, absl::Duration& out,
                                     absl::Duration min) const {
  if (!map[key]) return absl::OkStatus();
  absl::StatusOr<absl::Duration> d = Duration(map[key], key);
  if (!d.ok()) return d.status();
  if (*d < min)
    return Error(map[key], absl::StrCat(key, " must be at least ", absl::FormatDuration(min)));
  out = *d;
  return absl::OkStatus();
}

}  // namespace cellfleet::yamlconf
