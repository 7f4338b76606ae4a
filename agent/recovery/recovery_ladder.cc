#include "agent/recovery/recovery_ladder.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "base/duration_text.h"
#include "proto/time_convert.h"

namespace cellfleet::agent {
namespace {

// The ladder, lowest step first. A loss of service starts at the first step that can
// cure it: a link problem at a redial, a registration problem at the radio, a modem
// that does not answer (or a failed SIM) at a reboot, a modem gone from USB at a USB
// reset.
constexpr v1::RecoveryStep kLadderSteps[] = {
    v1::RECOVERY_STEP_REDIAL,       v1::RECOVERY_STEP_PDP_RESET, v1::RECOVERY_STEP_RADIO_RESET,
    v1::RECOVERY_STEP_MODEM_REBOOT, v1::RECOVERY_STEP_USB_RESET, v1::RECOVERY_STEP_POWER_CYCLE};

constexpr size_t kRecentSteps = 4;

bool Registered(const v1::Registration& r) {
  return r.state() == v1::REGISTRATION_STATE_HOME || r.state() == v1::REGISTRATION_STATE_ROAMING;
}

// Link failures that a reset cannot fix: the network refusing the APN or the
// credentials, and the board's own setup.
bool ResetCannotFix(v1::ConnectionFailure failure) {
  switch (failure) {
    case v1::CONNECTION_FAILURE_NO_CARRIER:
    case v1::CONNECTION_FAILURE_MODEM_ERROR:
    case v1::CONNECTION_FAILURE_AUTH_REJECTED:
    case v1::CONNECTION_FAILURE_PEER_AUTH_FAILED:
    case v1::CONNECTION_FAILURE_PORT_LOCKED:
    case v1::CONNECTION_FAILURE_PORT_OPEN_FAILED:
    case v1::CONNECTION_FAILURE_NO_KERNEL_SUPPORT:
    case v1::CONNECTION_FAILURE_NOT_PRIVILEGED:
    case v1::CONNECTION_FAILURE_OPTION_ERROR:
      return true;
    default:
      return false;
  }
}

}  // namespace

bool RecoveryLadder::Available(v1::RecoveryStep step) const {
  if (step == v1::RECOVERY_STEP_USB_RESET) return policy_.usb_reset;
  if (step == v1::RECOVERY_STEP_POWER_CYCLE) return policy_.power_cycle;
  return true;
}

RecoveryLadder::Judgement RecoveryLadder::Judge(const v1::ModemStatus& s, bool link_wanted) const {
  Judgement j;
  switch (s.modem_state()) {
    case v1::MODEM_STATE_READY:
      break;
    case v1::MODEM_STATE_UNRESPONSIVE:
      j.problem = Problem::kModem;
      j.what = "the modem does not answer";
      return j;
    case v1::MODEM_STATE_ABSENT:
      j.problem = Problem::kGone;
      j.what = "the modem is gone from USB";
      // No AT step reaches it; a USB reset or a power cycle may.
      if (!policy_.usb_reset && !policy_.power_cycle) {
        j.what += ": no USB reset or power line is set up to bring it back";
        j.resettable = false;
      }
      return j;
    default:
      return j;  // initialising or resetting: in passing
  }
  switch (s.sim_state()) {
    case v1::SIM_STATE_READY:
      break;
    case v1::SIM_STATE_FAILURE:
      j.problem = Problem::kModem;
      j.what = "SIM failure";  // often cured by a modem reset
      return j;
    case v1::SIM_STATE_NOT_INSERTED:
    case v1::SIM_STATE_PIN_REQUIRED:
    case v1::SIM_STATE_PUK_REQUIRED:
    case v1::SIM_STATE_OTHER_LOCK:
      j.problem = Problem::kRegistration;
      j.what = absl::StrCat(absl::StripPrefix(v1::SimState_Name(s.sim_state()), "SIM_STATE_"),
                            ": a SIM problem no reset fixes");
      j.resettable = false;
      return j;
    default:
      return j;  // busy, or not read yet
  }
  const v1::Registration& eps = s.eps_registration();
  const v1::Registration& cs = s.cs_registration();
  if (!Registered(eps) && !Registered(cs)) {
    const v1::RegistrationState state =
        eps.state() != v1::REGISTRATION_STATE_UNSPECIFIED ? eps.state() : cs.state();
    j.problem = Problem::kRegistration;
    const std::string name(
        absl::StripPrefix(v1::RegistrationState_Name(state), "REGISTRATION_STATE_"));
    if (state == v1::REGISTRATION_STATE_DENIED || state == v1::REGISTRATION_STATE_SMS_ONLY_HOME ||
        state == v1::REGISTRATION_STATE_SMS_ONLY_ROAMING ||
        state == v1::REGISTRATION_STATE_EMERGENCY_ONLY) {
      j.what = absl::StrCat("registration ", name,
                            ": the network refuses data service, no reset fixes it");
      j.resettable = false;
    } else {
      j.what = absl::StrCat("not registered (", name, ")");
    }
    return j;
  }
  const v1::ConnectionStatus& link = s.connection();
  if (link_wanted && link.state() != v1::CONNECTION_STATE_CONNECTED) {
    if (link.state() != v1::CONNECTION_STATE_FAILED) return j;  // dialing, in passing
    j.problem = Problem::kLink;
    const std::string failure(
        absl::StripPrefix(v1::ConnectionFailure_Name(link.failure()), "CONNECTION_FAILURE_"));
    if (ResetCannotFix(link.failure())) {
      j.what = absl::StrCat("the link fails with ", failure,
                            ": the network refuses the APN or credentials, or the board's "
                            "setup is wrong; no reset fixes it");
      j.resettable = false;
    } else {
      j.what = absl::StrCat("the link is down (", failure, ")");
    }
    return j;
  }
  j.healthy = true;
  return j;
}

absl::Duration RecoveryLadder::TriggerAfter(Problem problem) const {
  switch (problem) {
    case Problem::kLink:
      return policy_.link_down_after;
    case Problem::kRegistration:
      return policy_.unregistered_after;
    default:
      return policy_.unresponsive_after;
  }
}

absl::Duration RecoveryLadder::WaitFor(v1::RecoveryStep step) const {
  switch (step) {
    case v1::RECOVERY_STEP_REDIAL:
    case v1::RECOVERY_STEP_PDP_RESET:
      return policy_.redial_wait;
    case v1::RECOVERY_STEP_RADIO_RESET:
      return policy_.radio_reset_wait;
    case v1::RECOVERY_STEP_USB_RESET:
      return policy_.usb_reset_wait;
    case v1::RECOVERY_STEP_POWER_CYCLE:
      return policy_.power_cycle_wait;
    default:
      return policy_.reboot_wait;
  }
}

int RecoveryLadder::StepsWithin(absl::Duration window, absl::Time now) const {
  return static_cast<int>(std::count_if(steps_.begin(), steps_.end(),
                                        [&](absl::Time at) { return now - at < window; }));
}

std::optional<v1::RecoveryStep> RecoveryLadder::NextStep() const {
  // The step above the highest taken, and at least the first that can cure the problem.
  v1::RecoveryStep first = v1::RECOVERY_STEP_MODEM_REBOOT;
  if (problem_ == Problem::kLink) first = v1::RECOVERY_STEP_REDIAL;
  if (problem_ == Problem::kRegistration) first = v1::RECOVERY_STEP_RADIO_RESET;
  if (problem_ == Problem::kGone) first = v1::RECOVERY_STEP_USB_RESET;
  for (v1::RecoveryStep step : kLadderSteps) {
    if (step >= first && step > climbed_to_ && Available(step)) return step;
  }
  return std::nullopt;
}

void RecoveryLadder::EndEpisode() {
  problem_ = Problem::kNone;
  problem_what_.clear();
  problem_since_ = absl::InfiniteFuture();
  held_.clear();
  climbed_to_ = v1::RECOVERY_STEP_UNSPECIFIED;
  waiting_ = false;
}

std::optional<v1::RecoveryStep> RecoveryLadder::Observe(const v1::ModemStatus& sample,
                                                        bool link_wanted, absl::Time now) {
  while (!steps_.empty() && now - steps_.front() >= absl::Hours(24)) steps_.pop_front();
  const Judgement j = Judge(sample, link_wanted);
  if (j.healthy) {
    if (waiting_) SetOutcome(v1::RECOVERY_OUTCOME_RECOVERED);
    EndEpisode();
    return std::nullopt;
  }
  if (j.problem == Problem::kNone) return std::nullopt;  // in passing: keep waiting
  if (problem_ == Problem::kNone) problem_since_ = now;
  problem_ = j.problem;
  problem_what_ = j.what;
  held_.clear();
  if (!j.resettable) {
    held_ = j.what;
    return std::nullopt;
  }
  if (waiting_) {
    if (now < wait_until_) return std::nullopt;
    waiting_ = false;
    SetOutcome(v1::RECOVERY_OUTCOME_NOT_RECOVERED);
  }
  if (!policy_.enabled) return std::nullopt;
  if (climbed_to_ == v1::RECOVERY_STEP_UNSPECIFIED && now - problem_since_ < TriggerAfter(problem_))
    return std::nullopt;
  const std::optional<v1::RecoveryStep> next = NextStep();
  if (!next) {
    held_ = absl::StrCat("the top of the ladder (", convert::RecoveryStepName(climbed_to_),
                         ") did not help: stopped; an operator must look (cellfleet doctor)");
    return std::nullopt;
  }
  const int hour = StepsWithin(absl::Hours(1), now);
  const int day = StepsWithin(absl::Hours(24), now);
  if (hour >= policy_.max_steps_per_hour || day >= policy_.max_steps_per_day) {
    held_ = absl::StrCat("budget spent: ", hour, " steps in the last hour (at most ",
                         policy_.max_steps_per_hour, "), ", day, " in the last day (at most ",
                         policy_.max_steps_per_day, ")");
    return std::nullopt;
  }
  return next;
}

const v1::RecoveryAction& RecoveryLadder::Taken(v1::RecoveryStep step, absl::Time now,
                                                const std::string& requested_by) {
  v1::RecoveryAction action;
  action.set_sequence(recent_.empty() ? 1 : recent_.back().sequence() + 1);
  action.set_step(step);
  action.set_outcome(v1::RECOVERY_OUTCOME_WAITING);
  *action.mutable_started_at() = ToProtoTime(now);
  action.set_requested_by(requested_by);
  action.set_problem(problem_what_);
  recent_.push_back(std::move(action));
  if (recent_.size() > kRecentSteps) recent_.pop_front();
  steps_.push_back(now);
  climbed_to_ = std::max(climbed_to_, step);
  waiting_ = true;
  wait_until_ = now + WaitFor(step);
  if (problem_ == Problem::kNone) problem_since_ = now;  // an operator's step on a healthy board
  return recent_.back();
}

void RecoveryLadder::SetOutcome(v1::RecoveryOutcome outcome) {
  if (!recent_.empty()) recent_.back().set_outcome(outcome);
}

void RecoveryLadder::Failed(std::string why) {
  Judged(v1::RECOVERY_OUTCOME_FAILED, std::move(why));
}

void RecoveryLadder::NotRecovered(std::string why) {
  Judged(v1::RECOVERY_OUTCOME_NOT_RECOVERED, std::move(why));
}

void RecoveryLadder::Judged(v1::RecoveryOutcome outcome, std::string why) {
  SetOutcome(outcome);
  if (!recent_.empty()) recent_.back().set_detail(std::move(why));
  waiting_ = false;
}

v1::RecoveryStatus RecoveryLadder::Status(absl::Time now) const {
  v1::RecoveryStatus status;
  status.set_enabled(policy_.enabled);
  if (problem_ != Problem::kNone) {
    status.set_problem(
        absl::StrCat(problem_what_, " for ",
                     base::DurationText(absl::Trunc(now - problem_since_, absl::Seconds(1)))));
  }
  status.set_held(held_);
  if (held_.empty() && problem_ != Problem::kNone) {
    if (std::optional<v1::RecoveryStep> next = NextStep()) status.set_next_step(*next);
  }
  for (const v1::RecoveryAction& action : recent_) *status.add_recent() = action;
  if (!recent_.empty()) *status.mutable_last() = recent_.back();
  status.set_steps_last_hour(static_cast<uint32_t>(StepsWithin(absl::Hours(1), now)));
  status.set_steps_last_day(static_cast<uint32_t>(StepsWithin(absl::Hours(24), now)));
  return status;
}

}  // namespace cellfleet::agent
