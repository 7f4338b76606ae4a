#include "modem/line_framer.h"

namespace cellfleet::modem {

void LineFramer::Feed(absl::string_view bytes,
                      const std::function<void(absl::string_view line)>& on_line) {
  for (char c : bytes) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\r' || c == '\n') {
      if (!discarding_ && !partial_.empty()) on_line(partial_);
      partial_.clear();
      discarding_ = false;
      continue;
    }
    if (u < 0x20 && c != '\t') {
      ++discarded_bytes_;
      continue;
    }
    if (discarding_) {
      ++discarded_bytes_;
      continue;
    }
    if (partial_.size() >= max_line_bytes_) {
      discarded_bytes_ += partial_.size() + 1;
      ++overlong_lines_;
      partial_.clear();
      discarding_ = true;
      continue;
    }
    partial_.push_back(c);
  }
}

void LineFramer::Reset() {
  partial_.clear();
  discarding_ = false;
}

}  // namespace cellfleet::modem
