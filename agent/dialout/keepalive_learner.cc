#include "agent/dialout/keepalive_learner.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace cellfleet::agent {
namespace {

// Lengthening by half each time: from 4 minutes to an hour in seven answered pings.
constexpr double kGrowth = 1.5;
// The search ends when the bounds are this close (relative to the dropped one).
constexpr double kCloseEnough = 0.1;

std::string Seconds(absl::Duration d) {
  return d == absl::InfiniteDuration() ? "inf" : absl::StrCat(absl::ToInt64Seconds(d), "s");
}

}  // namespace

KeepaliveLearner::KeepaliveLearner(KeepaliveBounds bounds)
    : bounds_(bounds), interval_(Clamp(bounds.start)) {}

absl::Duration KeepaliveLearner::Clamp(absl::Duration d) const {
  return std::clamp(d, bounds_.floor, std::max(bounds_.floor, bounds_.ceiling));
}

void KeepaliveLearner::Survived(absl::Duration idle) {
  longest_survived_ = std::max(longest_survived_, idle);
  // The carrier keeps longer now than it once did: what was lost is no bound any more.
  if (shortest_dropped_ <= longest_survived_) shortest_dropped_ = absl::InfiniteDuration();
  absl::Duration next = std::max(interval_, idle) * kGrowth;
  if (shortest_dropped_ != absl::InfiniteDuration()) {
    const absl::Duration gap = shortest_dropped_ - longest_survived_;
    // Halfway into the unknown, or, once it is narrow, the longest that survived.
    next = gap < shortest_dropped_ * kCloseEnough ? longest_survived_ : longest_survived_ + gap / 2;
  }
  interval_ = Clamp(next);
}

void KeepaliveLearner::Dropped(absl::Duration idle) {
  shortest_dropped_ = std::min(shortest_dropped_, idle);
  // What survived as long once does not now: the carrier (or the SIM's) changed.
  if (longest_survived_ >= shortest_dropped_) longest_survived_ = shortest_dropped_ / 2;
  interval_ = Clamp(longest_survived_ > absl::ZeroDuration() ? longest_survived_ : idle / 2);
}

std::string KeepaliveLearner::Save() const {
  return absl::StrCat("interval=", Seconds(interval_), " survived=", Seconds(longest_survived_),
                      " dropped=", Seconds(shortest_dropped_));
}

absl::StatusOr<KeepaliveLearner> KeepaliveLearner::Restore(const std::string& text,
                                                           KeepaliveBounds bounds) {
  KeepaliveLearner learner(bounds);
  std::vector<absl::Duration*> fields = {&learner.interval_, &learner.longest_survived_,
                                         &learner.shortest_dropped_};
  std::vector<std::string> words = absl::StrSplit(text, ' ', absl::SkipWhitespace());
  const char* names[] = {"interval=", "survived=", "dropped="};
  if (words.size() != 3) return absl::InvalidArgumentError("not a keepalive state");
  for (size_t i = 0; i < 3; ++i) {
    if (!absl::StartsWith(words[i], names[i]) ||
        !absl::ParseDuration(words[i].substr(std::string(names[i]).size()), fields[i]) ||
        *fields[i] < absl::ZeroDuration()) {
      return absl::InvalidArgumentError(absl::StrCat("not a keepalive state: \"", text, "\""));
    }
  }
  learner.interval_ = learner.Clamp(learner.interval_);
  return learner;
}

}  // namespace cellfleet::agent
