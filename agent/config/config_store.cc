#include "agent/config/config_store.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "base/atomic_file.h"
#include "google/protobuf/util/json_util.h"

namespace cellfleet::agent {

constexpr uint32_t kFormat = 1;

absl::StatusOr<std::optional<StoredConfig>> ConfigStore::Load() const {
  std::ifstream in(path_, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return std::nullopt;
    return absl::UnavailableError(absl::StrCat("cannot read ", path_, ": ", std::strerror(errno)));
  }
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  StoredConfig config;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;  // not ours, or damaged: say so, guess nothing
  if (auto parsed = google::protobuf::util::JsonStringToMessage(text, &config, options);
      !parsed.ok()) {
    return absl::DataLossError(
        absl::StrCat(path_, " is not a cellfleet connection config: ", parsed.ToString()));
  }
  if (config.format() != kFormat || !config.has_current() || config.current().version() == 0) {
    return absl::DataLossError(
        absl::StrCat(path_, ": unknown format ", config.format(), " or no current version"));
  }
  return config;
}

void ConfigStore::RemoveLeftovers() const {
  const std::filesystem::path file(path_);
  const std::string prefix = file.filename().string() + ".tmp-";
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(file.parent_path(), ec)) {
    if (entry.path().filename().string().rfind(prefix, 0) == 0) {
      std::filesystem::remove(entry.path(), ec);
    }
  }
}

absl::Status ConfigStore::Save(const StoredConfig& config) const {
  StoredConfig copy = config;
  copy.set_format(kFormat);
  std::string text;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  if (auto printed = google::protobuf::util::MessageToJsonString(copy, &text, options);
      !printed.ok()) {
    return absl::InternalError(absl::StrCat("cannot encode the config: ", printed.ToString()));
  }
  base::AtomicFileSet file;
  if (absl::Status staged = file.Stage(path_, text, 0600); !staged.ok()) return staged;
  return file.Commit();
}

}  // namespace cellfleet::agent
