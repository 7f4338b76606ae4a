// Splits the byte stream from an AT port into lines, with bounded memory.
#ifndef CELLFLEET_MODEM_LINE_FRAMER_H_
#define CELLFLEET_MODEM_LINE_FRAMER_H_

#include <cstddef>
#include <functional>
#include <string>

#include "absl/strings/string_view.h"

namespace cellfleet::modem {

// Lines end at CR or LF; empty lines are dropped. NUL and other control bytes (except
// TAB) are dropped. A line longer than `max_line_bytes` is discarded up to its end, so
// garbage never grows the buffer.
class LineFramer {
 public:
  static constexpr size_t kDefaultMaxLineBytes = 4096;

  explicit LineFramer(size_t max_line_bytes = kDefaultMaxLineBytes)
      : max_line_bytes_(max_line_bytes) {}

  void Feed(absl::string_view bytes, const std::function<void(absl::string_view line)>& on_line);
  // Drops any partial line (after a timeout or a port reset).
  void Reset();

  size_t buffered_bytes() const { return partial_.size(); }
  size_t discarded_bytes() const { return discarded_bytes_; }
  size_t overlong_lines() const { return overlong_lines_; }

 private:
  size_t max_line_bytes_;
  std::string partial_;
  bool discarding_ = false;
  size_t discarded_bytes_ = 0;
  size_t overlong_lines_ = 0;
};

}  // namespace cellfleet::modem

#endif  // CELLFLEET_MODEM_LINE_FRAMER_H_
