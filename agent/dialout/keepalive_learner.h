// How long the board's attachment may stay idle before a keepalive ping, learned from
// what its carrier's NAT keeps: the interval lengthens while pings after it are answered
// and shortens when one is not (the mapping was dropped), searching between the longest
// idle spell known to survive and the shortest known to lose the mapping. Each ping
// costs about 230 IP bytes, so the longest safe interval is worth finding: 4 minutes
// costs 3.5 KB an hour, 30 minutes under 0.5 KB. Pure: the link feeds it what it saw,
// and its state is a line of text kept across restarts.
#ifndef CELLFLEET_AGENT_DIALOUT_KEEPALIVE_LEARNER_H_
#define CELLFLEET_AGENT_DIALOUT_KEEPALIVE_LEARNER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace cellfleet::agent {

struct KeepaliveBounds {
  absl::Duration start = absl::Minutes(4);  // before anything is known
  absl::Duration floor = absl::Seconds(15);
  absl::Duration ceiling = absl::Hours(1);  // a silent drop is found within this
};

class KeepaliveLearner {
 public:
  explicit KeepaliveLearner(KeepaliveBounds bounds);

  absl::Duration interval() const { return interval_; }
  absl::Duration longest_survived() const { return longest_survived_; }
  absl::Duration shortest_dropped() const { return shortest_dropped_; }  // infinite: none

  // A ping after `idle` was answered: the mapping outlived that.
  void Survived(absl::Duration idle);
  // A ping after `idle` went unanswered: the mapping was gone.
  void Dropped(absl::Duration idle);

  // "interval=240s survived=180s dropped=inf": what Restore reads back.
  std::string Save() const;
  // A learner with the state `text` describes, within `bounds`; INVALID_ARGUMENT for text
  // that is not one (then start afresh).
  static absl::StatusOr<KeepaliveLearner> Restore(const std::string& text, KeepaliveBounds bounds);

 private:
  absl::Duration Clamp(absl::Duration d) const;

  KeepaliveBounds bounds_;
  absl::Duration interval_;
  absl::Duration longest_survived_ = absl::ZeroDuration();
  absl::Duration shortest_dropped_ = absl::InfiniteDuration();
};

}  // namespace cellfleet::agent

#endif  // CELLFLEET_AGENT_DIALOUT_KEEPALIVE_LEARNER_H_
