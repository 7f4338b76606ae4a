#include "agent/recovery/recovery_manager.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "base/duration_text.h"
#include "modem/replies/command_line.h"
#include "modem/replies/command_timeouts.h"
#include "spdlog/spdlog.h"

namespace cellfleet::agent {
namespace {

constexpr char kLadderCaller[] = "recovery ladder";
// AT+CFUN=0 to AT+CFUN=1: long enough for the modem to detach from the network.
constexpr absl::Duration kRadioOffTime = absl::Seconds(5);

}  // namespace

RecoveryManager::RecoveryManager(RecoveryPolicy policy, RecoveryHardware hardware,
                                 ModemPoller* poller, LinkManager* link, AtPassthrough* at,
                                 StatusHub* hub, AuditLog* audit, base::Clock& clock)
    : ladder_(policy),
      hardware_(std::move(hardware)),
      poller_(poller),
      link_(link),
      at_(at),
      hub_(hub),
      audit_(audit),
      clock_(clock),
      executor_("cf-recovery", clock) {
  status_ = ladder_.Status(clock_.Now());
}

RecoveryManager::~RecoveryManager() { Stop(); }

void RecoveryManager::Start() {
  subscription_ = hub_->Subscribe([this](const StatusPtr& sample) {
    if (sample == nullptr) return;  // the hub closed
    executor_.Post([this, sample](absl::Status status) {
      if (status.ok()) Observe(sample);
    });
  });
}

void RecoveryManager::Stop() {
  if (subscription_ != 0) hub_->Unsubscribe(subscription_);  // waits for a running listener
  subscription_ = 0;
  executor_.Stop();
}

v1::RecoveryStatus RecoveryManager::Status() const {
  absl::MutexLock lock(&mu_);
  return status_;
}

void RecoveryManager::Observe(const StatusPtr& sample) {
  if (carrying_) return;  // a step's own effects are not evidence yet
  const v1::RecoveryStatus before = ladder_.Status(clock_.Now());
  std::optional<v1::RecoveryStep> step =
      ladder_.Observe(*sample, LinkWanted(sample->connection()), clock_.Now());
  if (step) {
    Take(*step, kLadderCaller, nullptr);
    return;
  }
  const v1::RecoveryStatus after = ladder_.Status(clock_.Now());
  // Only a change worth a sample: the outcome, what holds the ladder, the problem's start.
  if (after.last().outcome() != before.last().outcome() || after.held() != before.held() ||
      after.problem().empty() != before.problem().empty()) {
    if (after.last().outcome() != before.last().outcome()) {
      spdlog::warn("recovery: {}", convert::DescribeRecoveryAction(after.last()));
    }
    Publish();
  } else {
    absl::MutexLock lock(&mu_);
    status_ = after;  // the problem's age, for the next sample
  }
}

bool RecoveryManager::LinkWanted(const v1::ConnectionStatus& link) const {
  // A link that keep-up gave up on is still wanted: the ladder takes over from it.
  return link_ != nullptr && link.dial_blocked().empty() &&
         (link_->WantsUp() ||
          (link_->KeepUpEnabled() && link.state() == v1::CONNECTION_STATE_FAILED));
}

void RecoveryManager::RunStep(v1::RecoveryStep step, const std::string& requested_by, Done done) {
  executor_.Post([this, step, requested_by, done](absl::Status status) {
    if (!status.ok()) {
      done(absl::UnavailableError("the agent is stopping; call again once it is back"));
      return;
    }
    if (carrying_) {
      done(absl::FailedPreconditionError(
          absl::StrCat("a recovery step is being carried out (",
                       convert::RecoveryStepName(ladder_.Status(clock_.Now()).last().step()),
                       "); call again once it is done (cellfleet status shows it)")));
      return;
    }
    const bool link_step = step == v1::RECOVERY_STEP_REDIAL || step == v1::RECOVERY_STEP_PDP_RESET;
    if (link_step && link_ != nullptr && !LinkWanted(link_->Status())) {
      done(absl::FailedPreconditionError(absl::StrCat(
          convert::RecoveryStepName(step),
          " redials a link that should be up, and nobody wants this board's link up (never "
          "dialed, hung up, or held at its data cap): bring it up with cellfleet dial")));
      return;
    }
    Take(step, requested_by, done);
  });
}

void RecoveryManager::Take(v1::RecoveryStep step, const std::string& requested_by, Done started) {
  carrying_ = true;
  const v1::RecoveryAction action = ladder_.Taken(step, clock_.Now(), requested_by);
  spdlog::warn("recovery: {}", convert::DescribeRecoveryAction(action));
  if (requested_by == kLadderCaller) {  // an operator's step is audited as the call it is
    audit_->Record(Caller{"cellfleet-agent", "local", Role::kOperator}, "Recover",
                   action.ShortDebugString(), grpc::Status::OK);
  }
  Publish();
  if (started) started(action);
  Carry(step, [this, step, requested_by](absl::Status carried) {
    carrying_ = false;
    if (!carried.ok()) {
      spdlog::error("recovery: {} could not be carried out: {}", convert::RecoveryStepName(step),
                    std::string(carried.message()));
      ladder_.Failed(std::string(carried.message()));
      if (requested_by == kLadderCaller) {
        audit_->Record(Caller{"cellfleet-agent", "local", Role::kOperator}, "Recover",
                       convert::RecoveryStepName(step),
                       grpc::Status(grpc::StatusCode::UNAVAILABLE, std::string(carried.message())));
      }
    }
    Publish();
  });
}

std::function<void()> RecoveryManager::OnThread(std::function<void()> task) {
  return [this, task = std::move(task)] {
    executor_.Post([task](absl::Status status) {
      if (status.ok()) task();
    });
  };
}

void RecoveryManager::Carry(v1::RecoveryStep step, std::function<void(absl::Status)> finished) {
  // Every callback below comes back on the manager's thread.
  auto here = [this](std::function<void()> task) { return OnThread(std::move(task)); };
  auto dial = [this, finished, here] {
    link_->Dial(base::Clock::Real().Now() + modem::kDialTimeLimit,  // a dial is real time
                [this, here, finished](const absl::StatusOr<v1::ConnectionStatus>& link) {
                  // A dial that fails is the step's outcome (not recovered, and why), not a
                  // step that could not be taken.
                  const std::string failure = link.ok() ? "" : std::string(link.status().message());
                  here([this, finished, failure] {
                    if (!failure.empty()) ladder_.NotRecovered(failure);
                    finished(absl::OkStatus());
                  })();
                });
  };
  switch (step) {
    case v1::RECOVERY_STEP_REDIAL:
    case v1::RECOVERY_STEP_PDP_RESET:
      if (link_ == nullptr) {
        finished(absl::FailedPreconditionError("no PPP connection on this agent"));
        return;
      }
      link_->HangUp([this, step, dial, finished, here](const v1::ConnectionStatus&) {
        if (step == v1::RECOVERY_STEP_REDIAL) {
          dial();
          return;
        }
        here([this, dial, finished] {
          // The context ATD*99# activated; an ERROR when it is down already is fine.
          SendAt("AT+CGACT=0,1", [dial, finished](absl::Status sent) {
            if (!sent.ok() && sent.code() != absl::StatusCode::kAborted) {
              finished(sent);
              return;
            }
            dial();
          });
        })();
      });
      return;
    case v1::RECOVERY_STEP_RADIO_RESET:
      SendAt("AT+CFUN=0", [this, finished](absl::Status off) {
        if (!off.ok()) {
          finished(off);
          return;
        }
        executor_.PostAfter(kRadioOffTime, [this, finished](absl::Status status) {
          if (!status.ok()) return;
          SendAt("AT+CFUN=1", finished);
        });
      });
      return;
    case v1::RECOVERY_STEP_MODEM_REBOOT:
      SendAt("AT+CFUN=1,1", finished);
      return;
    case v1::RECOVERY_STEP_USB_RESET:
      ResetUsb(std::move(finished));
      return;
    case v1::RECOVERY_STEP_POWER_CYCLE:
      CyclePower(std::move(finished));
      return;
    default:
      finished(absl::InvalidArgumentError(
          absl::StrCat("no such recovery step: ", v1::RecoveryStep_Name(step))));
  }
}

void RecoveryManager::SendAt(const std::string& command, std::function<void(absl::Status)> done) {
  absl::StatusOr<modem::CommandLine> line = modem::ParseCommandLine(command);
  if (!line.ok()) {
    done(line.status());
    return;
  }
  // Through the operators' path: a command that takes the modem away ends the link and
  // holds its redials first, and the poller reports RESETTING meanwhile.
  at_->Run(*line, std::nullopt, kLadderCaller,
           [this, command, done](absl::StatusOr<v1::RunAtCommandResponse> reply) {
             absl::Status result = absl::OkStatus();
             if (!reply.ok()) {
               result = reply.status();
             } else if (!reply->ok()) {
               result = absl::AbortedError(
                   absl::StrCat("the modem answered ", reply->final_result(), " to ", command));
             }
             executor_.Post([done, result](absl::Status status) {
               if (status.ok()) done(result);
             });
           });
}

void RecoveryManager::TakeModemAway(const std::string& why, absl::Duration hold,
                                    std::function<void()> then) {
  const absl::Time until = clock_.Now() + hold;
  poller_->ExpectOutage(why, until);
  if (link_ == nullptr) {
    then();
    return;
  }
  link_->PrepareForModemOutage(until, OnThread(std::move(then)));
}

void RecoveryManager::EndOutage() { poller_->ExpectOutage("", absl::InfinitePast()); }

void RecoveryManager::ResetUsb(std::function<void(absl::Status)> finished) {
  if (!hardware_.reset_usb) {
    finished(absl::FailedPreconditionError("no USB reset on this agent"));
    return;
  }
  // Held no longer than the step's wait: the ladder judges the modem then anyway.
  const absl::Duration hold =
      std::min(AtPassthrough::kOutageHold, ladder_.WaitFor(v1::RECOVERY_STEP_USB_RESET));
  TakeModemAway("recovery ladder: USB reset", hold, [this, finished] {
    absl::Status reset = hardware_.reset_usb();  // this thread's own wait, well under a second
    if (!reset.ok()) EndOutage();
    finished(reset);
  });
}

void RecoveryManager::CyclePower(std::function<void(absl::Status)> finished) {
  if (hardware_.power == nullptr) {
    finished(absl::FailedPreconditionError(hardware_.power_unavailable));
    return;
  }
  const absl::Duration off_time = hardware_.power_off_time;
  const absl::Duration hold = std::min(off_time + AtPassthrough::kOutageHold,
                                       ladder_.WaitFor(v1::RECOVERY_STEP_POWER_CYCLE));
  TakeModemAway("recovery ladder: power cycle", hold, [this, finished, off_time] {
    if (absl::Status off = hardware_.power->SetPower(false); !off.ok()) {
      EndOutage();
      finished(off);
      return;
    }
    spdlog::warn("recovery: modem power off ({}) for {}", hardware_.power->Describe(),
                 base::DurationText(off_time));
    executor_.PostAfter(off_time, [this, finished](absl::Status status) {
      // Even when the agent stops meanwhile: never leave the modem off.
      absl::Status on = hardware_.power->SetPower(true);
      if (status.ok()) finished(on);
    });
  });
}

void RecoveryManager::Publish() {
  {
    absl::MutexLock lock(&mu_);
    status_ = ladder_.Status(clock_.Now());
  }
  poller_->RequestSample();
}

}  // namespace cellfleet::agent
