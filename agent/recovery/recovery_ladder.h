// The recovery ladder's rules: from status samples, whether the board has lost data
// service, and which step to take next, one at a time, each given time to show that it
// worked before the next. Pure: the caller feeds samples and times and carries the steps
// out (agent/recovery/recovery_manager.h).
#ifndef CELLFLEET_AGENT_RECOVERY_RECOVERY_LADDER_H_
#define CELLFLEET_AGENT_RECOVERY_RECOVERY_LADDER_H_

#include <deque>
#include <optional>
#include <string>

#include "absl/time/time.h"
#include "cellfleet/v1/modem_status.pb.h"
#include "cellfleet/v1/recovery.pb.h"
#include "convert/recovery_words.h"

namespace cellfleet::agent {

struct RecoveryPolicy {
  bool enabled = true;
  // How long a loss of service lasts before the first step.
  absl::Duration link_down_after = absl::Minutes(5);      // wanted up, not up (keep-up first)
  absl::Duration unregistered_after = absl::Minutes(10);  // SIM ready, not registered
  absl::Duration unresponsive_after = absl::Minutes(3);   // no answers, or a SIM failure
  // How long a step gets to show it worked: the link up again, or registered again, or
  // the modem back and registered (an EC25 reboots and registers in about 30 s).
  absl::Duration redial_wait = absl::Minutes(2);
  absl::Duration radio_reset_wait = absl::Minutes(3);
  absl::Duration reboot_wait = absl::Minutes(4);
  absl::Duration usb_reset_wait = absl::Minutes(3);
  absl::Duration power_cycle_wait = absl::Minutes(5);
  // The steps beyond AT: a USB reset of the modem's device (the package's udev rule lets
  // the agent do it), and a power cycle, only where a power line is configured.
  bool usb_reset = true;
  bool power_cycle = false;
  // Steps taken (the ladder's and operators') within the last hour and day, at most.
  int max_steps_per_hour = 3;
  int max_steps_per_day = 10;
};

class RecoveryLadder {
 public:
  explicit RecoveryLadder(RecoveryPolicy policy) : policy_(policy) {}

  // Judges a sample taken at `now`. `link_wanted`: the link should be up (an operator
  // dialed, or keep-up is on). Returns the step to take now, if any; the caller then
  // reports Taken or Failed.
  std::optional<v1::RecoveryStep> Observe(const v1::ModemStatus& sample, bool link_wanted,
                                          absl::Time now);

  // `step` was started at `now` by `requested_by` (the ladder, or an operator by hand).
  const v1::RecoveryAction& Taken(v1::RecoveryStep step, absl::Time now,
                                  const std::string& requested_by);
  // The step just taken could not be carried out; the next sample escalates.
  void Failed(std::string why);
  // The step was carried out and its own result shows it did not help (a redial whose
  // dial failed): judged now, not after its wait; the next sample escalates.
  void NotRecovered(std::string why);

  v1::RecoveryStatus Status(absl::Time now) const;

  // How long `step` gets to show that it worked.
  absl::Duration WaitFor(v1::RecoveryStep step) const;

 private:
  enum class Problem { kNone, kLink, kRegistration, kModem, kGone };
  struct Judgement {
    Problem problem = Problem::kNone;
    bool healthy = false;  // neither a problem nor in passing (resetting, dialing...)
    std::string what;      // the problem, or the cause no reset fixes
    bool resettable = true;
  };
  Judgement Judge(const v1::ModemStatus& s, bool link_wanted) const;
  bool Available(v1::RecoveryStep step) const;
  absl::Duration TriggerAfter(Problem problem) const;
  int StepsWithin(absl::Duration window, absl::Time now) const;
  std::optional<v1::RecoveryStep> NextStep() const;
  void EndEpisode();
  void SetOutcome(v1::RecoveryOutcome outcome);
  void Judged(v1::RecoveryOutcome outcome, std::string why);  // the outcome, at once

  const RecoveryPolicy policy_;
  Problem problem_ = Problem::kNone;
  std::string problem_what_;
  absl::Time problem_since_ = absl::InfiniteFuture();
  std::string held_;
  // The highest step taken for this loss of service; the next is the one above it.
  v1::RecoveryStep climbed_to_ = v1::RECOVERY_STEP_UNSPECIFIED;
  bool waiting_ = false;
  absl::Time wait_until_ = absl::InfinitePast();
  // The last few steps taken, oldest first; the back is the current one.
  std::deque<v1::RecoveryAction> recent_;
  std::deque<absl::Time> steps_;  // when each step of the last day was taken
};

}  // namespace cellfleet::agent

#endif  // CELLFLEET_AGENT_RECOVERY_RECOVERY_LADDER_H_
