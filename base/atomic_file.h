// Replacing files so that readers, a crash or a power cut see the old or the new
// content, whole, never a mix.
#ifndef CELLFLEET_BASE_ATOMIC_FILE_H_
#define CELLFLEET_BASE_ATOMIC_FILE_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace cellfleet::base {

// Stages several files, then replaces them together: every new content is written to a
// temp file beside its target and fsync'd first; only when all are staged are they
// renamed over their targets (renames within one directory do not fail for want of
// space), and the directory is fsync'd. A failure while staging changes nothing.
class AtomicFileSet {
 public:
  AtomicFileSet() = default;
  AtomicFileSet(const AtomicFileSet&) = delete;
  AtomicFileSet& operator=(const AtomicFileSet&) = delete;
  ~AtomicFileSet();  // removes temps that were not committed

  absl::Status Stage(const std::string& path, absl::string_view content, unsigned mode);
  absl::Status Commit();

 private:
  struct Staged {
    std::string path;
    std::string tmp;
  };
  std::vector<Staged> staged_;
};

// One file, the same way (temp beside it, fsync, rename, directory fsync).
absl::Status WriteFileAtomically(const std::string& path, absl::string_view content,
                                 unsigned mode = 0644);

}  // namespace cellfleet::base

#endif  // CELLFLEET_BASE_ATOMIC_FILE_H_
