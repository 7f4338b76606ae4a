// The agent's connection config on disk: one JSON file (mode 0600; it holds the
// secrets) replaced atomically, so after a crash or power cut at any moment the agent
// reads the old or the new content, whole.
#ifndef CELLFLEET_AGENT_CONFIG_CONFIG_STORE_H_
#define CELLFLEET_AGENT_CONFIG_CONFIG_STORE_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "cellfleet/agent/stored_config.pb.h"

namespace cellfleet::agent {

class ConfigStore {
 public:
  explicit ConfigStore(std::string path) : path_(std::move(path)) {}

  // nullopt when no config was ever stored; DATA_LOSS naming the file when it is not a
  // config this agent wrote (it is left in place for inspection).
  absl::StatusOr<std::optional<StoredConfig>> Load() const;
  // Temp file, fsync, rename, fsync of the directory. On error the old file stands.
  absl::Status Save(const StoredConfig& config) const;

  // Removes temp files a writer killed mid-save left beside the file.
  void RemoveLeftovers() const;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace cellfleet::agent

#endif  // CELLFLEET_AGENT_CONFIG_CONFIG_STORE_H_
