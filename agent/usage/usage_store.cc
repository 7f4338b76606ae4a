#include "agent/usage/usage_store.h"

#include <cerrno>
#include <cstring>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "base/atomic_file.h"

namespace cellfleet::agent {

constexpr uint32_t kFormat = 1;

absl::StatusOr<StoredUsage> LoadUsage(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return StoredUsage();
    return absl::UnavailableError(absl::StrCat("cannot read ", path, ": ", std::strerror(errno)));
  }
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  StoredUsage usage;
  if (!usage.ParseFromString(bytes) || usage.format() != kFormat) {
    return absl::DataLossError(absl::StrCat(path, " is not a cellfleet usage ledger (",
                                            bytes.size(), " bytes, format ", usage.format(), ")"));
  }
  return usage;
}

absl::StatusOr<size_t> SaveUsage(const std::string& path, const StoredUsage& usage) {
  StoredUsage copy = usage;
  copy.set_format(kFormat);
  std::string bytes;
  if (!copy.SerializeToString(&bytes)) return absl::InternalError("cannot encode the ledger");
  if (absl::Status written = base::WriteFileAtomically(path, bytes, 0600); !written.ok())
    return written;
  return bytes.size();
}

}  // namespace cellfleet::agent
