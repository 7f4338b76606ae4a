#include "fleet/board.h"

#include <fstream>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "base/host_port.h"
#include "yamlconf/yaml_reader.h"

namespace cellfleet::fleet {
absl::Status ValidateAddress(absl::string_view address) {
  return base::ParseHostPort(address, "target", 1).status();
}

absl::StatusOr<std::vector<Board>> ParseTargets(absl::string_view targets) {
  std::vector<Board> boards;
  std::set<std::string> seen;
  for (absl::string_view raw : absl::StrSplit(targets, ',')) {
    absl::string_view address = absl::StripAsciiWhitespace(raw);
    if (address.empty()) return absl::InvalidArgumentError("--targets has an empty entry");
    if (absl::Status valid = ValidateAddress(address); !valid.ok()) return valid;
    if (!seen.insert(std::string(address)).second) {
      return absl::InvalidArgumentError(absl::StrCat("target \"", address, "\" is listed twice"));
    }
    boards.push_back(Board{std::string(address), std::string(address), {}});
  }
  return boards;
}

absl::StatusOr<std::vector<Board>> LoadInventory(const std::string& path) {
  const yamlconf::YamlReader r(path);
  absl::StatusOr<YAML::Node> loaded = r.Load();
  if (!loaded.ok()) return loaded.status();
  const YAML::Node root = *loaded;
  if (!root.IsMap() || !root["boards"])
    return r.Error(root, "expected a top-level \"boards:\" list");
  const YAML::Node list = root["boards"];
  if (!list.IsSequence()) return r.Error(list, "\"boards\" must be a list");
  std::vector<Board> boards;
  std::set<std::string> names;
  for (const YAML::Node& node : list) {
    if (absl::Status keys = r.CheckKeys(node, {"name", "address", "via", "labels"}); !keys.ok())
      return keys;
    if (!node["name"]) return r.Error(node, "board has no \"name\"");
    if (!node["address"] && !node["via"]) {
      return r.Error(node,
                     "board has no \"address\" (or \"via\": the gateway it is reached through)");
    }
    Board board;
    if (absl::Status s = r.Get(node, "name", board.name); !s.ok()) return s;
    for (const char* key : {"address", "via"}) {
      if (!node[key]) continue;
      std::string& field = std::string(key) == "via" ? board.via : board.address;
      if (absl::Status s = r.Get(node, key, field); !s.ok()) return s;
      if (absl::Status valid = ValidateAddress(field); !valid.ok()) {
        return r.Error(node[key], valid.message());
      }
    }
    if (!board.via.empty()) board.address = board.name + " via " + board.via;
    if (!names.insert(board.name).second) {
      return r.Error(node["name"], absl::StrCat("board name \"", board.name, "\" is used twice"));
    }
    if (const YAML::Node labels = node["labels"]) {
      if (!labels.IsMap()) return r.Error(labels, "\"labels\" must be a mapping");
      for (const auto& label : labels) {
        absl::StatusOr<std::string> value = r.Scalar<std::string>(label.second, "label value");
        if (!value.ok()) return value.status();
        board.labels[label.first.as<std::string>()] = *value;
      }
    }
    boards.push_back(std::move(board));
  }
  if (boards.empty()) return r.Error(list, "the inventory lists no boards");
  return boards;
}

absl::StatusOr<std::vector<Board>> BoardsVia(absl::string_view names, absl::string_view gateway) {
  if (absl::Status valid = ValidateAddress(gateway); !valid.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("--gateway: ", valid.message()));
  }
  std::vector<Board> boards;
  std::set<std::string> seen;
  for (absl::string_view name : absl::StrSplit(names, ',')) {
    if (name.empty() || absl::StrContains(name, ':') || absl::StrContains(name, ' ')) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--targets with --gateway are board names (as their certificates name them), not \"",
          name, "\""));
    }
    if (!seen.insert(std::string(name)).second) continue;
    Board board;
    board.name = std::string(name);
    board.via = std::string(gateway);
    board.address = absl::StrCat(name, " via ", gateway);
    boards.push_back(std::move(board));
  }
  return boards;
}

absl::StatusOr<std::map<std::string, std::string>> ParseSelectors(
    const std::vector<std::string>& selectors) {
  std::map<std::string, std::string> parsed;
  for (const std::string& selector : selectors) {
    std::vector<std::string> parts = absl::StrSplit(selector, absl::MaxSplits('=', 1));
    if (parts.size() != 2 || parts[0].empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--select \"", selector, "\": expected key=value"));
    }
    parsed[parts[0]] = parts[1];
  }
  return parsed;
}

std::vector<Board> SelectBoards(const std::vector<Board>& boards,
                                const std::map<std::string, std::string>& selectors) {
  std::vector<Board> selected;
  for (const Board& board : boards) {
    bool match = true;
    for (const auto& [key, value] : selectors) {
      auto it = board.labels.find(key);
      if (key == kNameSelector && it == board.labels.end()) {  // the board's own name
        if (board.name != value) {
          match = false;
          break;
        }
        continue;
      }
      if (it == board.labels.end() || it->second != value) {
        match = false;
        break;
      }
    }
    if (match) selected.push_back(board);
  }
  return selected;
}

}  // namespace cellfleet::fleet
