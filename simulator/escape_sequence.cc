#include "simulator/escape_sequence.h"

namespace cellfleet::simulator {

std::string EscapeSequence::Feed(absl::string_view bytes, absl::Time now) {
  std::string data;
  for (char c : bytes) {
    const bool starts_escape = held_ == 0 && now - last_input_ >= guard_;
    if (c == '+' && held_ < 3 && (held_ > 0 || starts_escape)) {
      ++held_;
    } else {
      data.append(held_, '+');  // not an escape after all: they were data
      held_ = 0;
      data.push_back(c);
    }
    last_input_ = now;
  }
  return data;
}

void EscapeSequence::Restart(absl::Time now) {
  held_ = 0;
  last_input_ = now;
}

}  // namespace cellfleet::simulator
