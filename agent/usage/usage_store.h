// The usage ledger on disk (<state_dir>/usage.pb): a binary StoredUsage, replaced whole
// and atomically, so a crash or power cut leaves the previous or the new ledger.
#ifndef CELLFLEET_AGENT_USAGE_USAGE_STORE_H_
#define CELLFLEET_AGENT_USAGE_USAGE_STORE_H_

#include <string>

#include "absl/status/statusor.h"
#include "cellfleet/agent/stored_usage.pb.h"

namespace cellfleet::agent {

// An empty ledger when there is no file; DATA_LOSS for a file that is not a ledger
// (the caller moves it aside: usage.pb.corrupt-<time>), UNAVAILABLE when unreadable.
absl::StatusOr<StoredUsage> LoadUsage(const std::string& path);
// The bytes written, for the flash-wear figure.
absl::StatusOr<size_t> SaveUsage(const std::string& path, const StoredUsage& usage);

}  // namespace cellfleet::agent

#endif  // CELLFLEET_AGENT_USAGE_USAGE_STORE_H_
