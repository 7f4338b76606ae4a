// An append-only file of records that a crash or a power cut mid-write cannot corrupt:
// each record is framed by its length and a CRC-32 of its bytes, so a reader keeps every
// whole record and drops a torn or damaged tail instead of reading garbage. Used where
// the agent keeps state across restarts on flash (the history).
#ifndef CELLFLEET_BASE_RECORD_LOG_H_
#define CELLFLEET_BASE_RECORD_LOG_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace cellfleet::base {

// Records longer than this are refused on write and read as damage.
inline constexpr size_t kMaxRecordBytes = 4 << 20;

struct RecordLogContents {
  std::vector<std::string> records;  // in file order
  size_t file_bytes = 0;             // the whole records' bytes: the file's size after repair
  size_t dropped_bytes = 0;          // a torn or damaged tail cut off
};

// Reads every whole record of `path`; a missing file has none. A torn or damaged tail is
// cut off the file (so later appends follow the last whole record) and counted.
absl::StatusOr<RecordLogContents> ReadRecordLog(const std::string& path);

// Appends `records` with one write, then fdatasync; creates the file (`mode`) if needed.
// Returns the bytes written.
absl::StatusOr<size_t> AppendRecords(const std::string& path,
                                     const std::vector<std::string>& records, unsigned mode);

// Replaces the file with `records` atomically (base/atomic_file.h). Returns its size.
absl::StatusOr<size_t> RewriteRecordLog(const std::string& path,
                                        const std::vector<std::string>& records, unsigned mode);

}  // namespace cellfleet::base

#endif  // CELLFLEET_BASE_RECORD_LOG_H_
