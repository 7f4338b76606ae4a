// The history's unit on disk: a batch of entries, compressed (samples repeat most of
// their fields, so a day of them shrinks several times over: less flash worn).
#ifndef CELLFLEET_AGENT_STATUS_HISTORY_BATCH_H_
#define CELLFLEET_AGENT_STATUS_HISTORY_BATCH_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "cellfleet/v1/history.pb.h"

namespace cellfleet::agent {

std::string EncodeHistoryBatch(const std::vector<v1::HistoryEntry>& entries);
// DATA_LOSS for bytes that are no batch of this format.
absl::StatusOr<std::vector<v1::HistoryEntry>> DecodeHistoryBatch(const std::string& bytes);

}  // namespace cellfleet::agent

#endif  // CELLFLEET_AGENT_STATUS_HISTORY_BATCH_H_
