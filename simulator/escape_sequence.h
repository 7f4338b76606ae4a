// The V.250 escape from data mode, as an EC25 applies it: a guard time of silence,
// "+++" (chat writes it a byte at a time), and a guard time of silence again. Pluses
// are held back until that is decided; if anything else follows, they were data.
#ifndef CELLFLEET_SIMULATOR_ESCAPE_SEQUENCE_H_
#define CELLFLEET_SIMULATOR_ESCAPE_SEQUENCE_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace cellfleet::simulator {

class EscapeSequence {
 public:
  explicit EscapeSequence(absl::Duration guard_time = absl::Seconds(1)) : guard_(guard_time) {}

  // The client wrote `bytes` at `now`: returns what is data (pluses held back so far
  // included once they turn out to be data).
  std::string Feed(absl::string_view bytes, absl::Time now);
  // Data mode (re)starts at `now`: the guard time before an escape counts from here.
  void Restart(absl::Time now);
  // "+++" was the last input, written at `at`: once the guard time after it has passed
  // with nothing more, the escape is complete.
  bool CompletedAfter(absl::Time at) const { return held_ == 3 && last_input_ == at; }
  bool Pending() const { return held_ == 3; }
  absl::Duration guard_time() const { return guard_; }

 private:
  const absl::Duration guard_;
  int held_ = 0;  // pluses of a possible escape
  absl::Time last_input_ = absl::InfinitePast();
};

}  // namespace cellfleet::simulator

#endif  // CELLFLEET_SIMULATOR_ESCAPE_SEQUENCE_H_
