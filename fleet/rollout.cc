#include "fleet/rollout.h"

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "base/clock.h"
#include "base/duration_text.h"
#include "base/serial_executor.h"
#include "fleet/error_text.h"
#include "fleet/run_each.h"
#include "proto/time_convert.h"

namespace cellfleet::fleet {
namespace {

// Pushes to one board, start to end, one asynchronous call at a time: apply, poll the
// board's status until it is back on its new link, confirm. Destroyed by its rollout
// on the rollout's thread, never in a callback: its stub owns a channel, and the last
// channel's end joins the gRPC threads the callbacks run on.
class BoardPush {
 public:
  using Progress = std::function<void(const std::string&)>;
  using Finished = std::function<void(BoardOutcome)>;

  // `timer` runs the waits between status polls.
  BoardPush(const Board& board, const RolloutOptions& options, base::SerialExecutor& timer,
            Progress progress, Finished finished)
      : board_(board),
        options_(options),
        timer_(timer),
        progress_(std::move(progress)),
        finished_(std::move(finished)),
        stub_(v1::ModemAgent::NewStub(MakeChannel(board, options.channel))),
        started_(Now()) {}

  void Start() {
    stub_->async()->ApplyConfig(NewContext(Now() + options_.rpc_timeout), &options_.request,
                                &applied_, [this](grpc::Status status) { OnApplied(status); });
  }

 private:
  // Rollouts wait on gRPC deadlines, which are real time.
  static absl::Time Now() { return base::Clock::Real().Now(); }

  // A fresh context per call (gRPC allows one call each). Asked for in the callback of
  // the call before, whose context is kept until then: not destroyed under its callback.
  grpc::ClientContext* NewContext(absl::Time deadline) {
    previous_context_ = std::move(context_);
    context_ = std::make_unique<grpc::ClientContext>();
    context_->set_deadline(absl::ToChronoTime(deadline));
    return context_.get();
  }

  void OnApplied(const grpc::Status& status) {
    if (!status.ok()) return Finish(RolloutResult::kFailed, ErrorText(status));
    version_ = applied_.version();
    if (!options_.request.has_confirm_within()) {
      return Finish(RolloutResult::kApplied,
                    applied_.redialing() ? "redialing (no confirm window)" : "");
    }
    window_ = FromProtoDuration(options_.request.confirm_within());
    if (options_.manual_confirm) {
      return Finish(RolloutResult::kPending,
                    absl::StrCat("confirm within ", base::DurationText(window_),
                                 " (cellfleet config confirm), else it rolls back to version ",
                                 applied_.pending().rollback_to_version()));
    }
    if (!applied_.redialing()) {
      progress_(absl::StrCat("applied version ", version_, "; no link to redial"));
      return Confirm();
    }
    progress_(absl::StrCat("applied version ", version_,
                           "; redialing, confirming once the link is back (window ",
                           base::DurationText(window_), ")"));
    back_by_ = Now() + window_;
    why_ = "no answer yet";
    PollStatus();
  }

  // Asks the board's status until its link is up on the new version, it has rolled
  // back, or the window closes. Unreachable while it redials is expected: asked again.
  void PollStatus() {
    status_ = v1::GetStatusResponse();
    stub_->async()->GetStatus(NewContext(std::min(back_by_, Now() + options_.rpc_timeout)),
                              &kStatusRequest, &status_,
                              [this](grpc::Status status) { OnStatus(status); });
  }

  void OnStatus(const grpc::Status& status) {
    if (status.ok()) {
      const v1::ModemStatus& s = status_.status();
      for (const v1::ConfigStep& step : s.config().recent_steps()) {
        if (step.kind() == v1::CONFIG_STEP_KIND_ROLLED_BACK && step.version() == version_) {
          return Finish(RolloutResult::kRolledBack, step.detail());
        }
      }
      if (s.config().version() == version_ &&
          s.connection().state() == v1::CONNECTION_STATE_CONNECTED &&
          s.connection().config_version() == version_) {
        progress_(absl::StrCat("back on version ", version_, " (", s.connection().interface_name(),
                               " ", s.connection().local_address(), "); confirming"));
        return Confirm();
      }
      why_ = absl::StrCat("link ", ShortEnumName(v1::ConnectionState_Name(s.connection().state()),
                                                 "CONNECTION_STATE_"));
      if (!s.connection().failure_detail().empty())
        absl::StrAppend(&why_, ": ", s.connection().failure_detail());
    } else {
      why_ = ErrorText(status);
    }
    const absl::Duration left = back_by_ - Now();
    if (left <= absl::ZeroDuration()) {
      return Finish(
          RolloutResult::kFailed,
          absl::StrCat("not back on version ", version_, " within ", base::DurationText(window_),
                       "; the board rolls back by itself (", why_, ")"));
    }
    timer_.PostAfter(std::min(options_.status_interval, left), [this](absl::Status timer) {
      if (timer.ok()) return PollStatus();
      Finish(RolloutResult::kFailed, absl::StrCat("rollout stopped while waiting (", why_, ")"));
    });
  }

  void Confirm() {
    confirm_.set_version(version_);
    stub_->async()->ConfirmConfig(NewContext(Now() + options_.rpc_timeout), &confirm_, &confirmed_,
                                  [this](grpc::Status status) { OnConfirmed(status); });
  }

  void OnConfirmed(const grpc::Status& status) {
    if (status.error_code() == grpc::StatusCode::FAILED_PRECONDITION) {
      return Finish(RolloutResult::kRolledBack, status.error_message());  // the window closed
    }
    if (!status.ok()) {
      return Finish(RolloutResult::kFailed,
                    absl::StrCat("confirm failed (", ErrorText(status),
                                 "); the board rolls back when its window closes"));
    }
    Finish(RolloutResult::kConfirmed, "");
  }

  void Finish(RolloutResult result, std::string detail) {
    BoardOutcome outcome;
    outcome.board = board_;
    outcome.result = result;
    outcome.version = version_;  // 0 until applied
    outcome.detail = std::move(detail);
    outcome.took = Now() - started_;
    progress_(absl::StrCat(RolloutResultName(outcome.result),
                           outcome.version ? absl::StrCat(" version ", outcome.version) : "",
                           outcome.detail.empty() ? "" : absl::StrCat(": ", outcome.detail)));
    finished_(std::move(outcome));
  }

  static inline const v1::GetStatusRequest kStatusRequest;

  const Board& board_;
  const RolloutOptions& options_;
  base::SerialExecutor& timer_;
  const Progress progress_;
  const Finished finished_;
  const std::unique_ptr<v1::ModemAgent::Stub> stub_;
  const absl::Time started_;
  std::unique_ptr<grpc::ClientContext> context_;
  std::unique_ptr<grpc::ClientContext> previous_context_;
  v1::ApplyConfigResponse applied_;
  v1::GetStatusResponse status_;
  v1::ConfirmConfigRequest confirm_;
  v1::ConfirmConfigResponse confirmed_;
  uint64_t version_ = 0;
  absl::Duration window_;
  absl::Time back_by_;
  std::string why_;
};

// Pushes to boards[begin, end) with at most `concurrency` at once, on the fan-out engine.
void PushRange(const std::vector<Board>& boards, size_t begin, size_t end,
               const RolloutOptions& options, std::vector<BoardOutcome>& outcomes) {
  absl::Mutex progress_mu;  // one progress call at a time, as RolloutOptions promises
  std::vector<std::unique_ptr<BoardPush>> pushes(end - begin);
  base::SerialExecutor timer("rollout-timer", base::Clock::Real());  // stops before pushes go
  RunEach(end - begin, options.concurrency, nullptr, [&](size_t index, std::function<void()> done) {
    const size_t i = begin + index;
    auto progress = [&, i](const std::string& step) {
      if (!options.progress) return;
      absl::MutexLock lock(&progress_mu);
      options.progress(boards[i], step);
    };
    auto finished = [&outcomes, i, done = std::move(done)](BoardOutcome outcome) {
      outcomes[i] = std::move(outcome);
      done();
    };
    (new BoardPush(boards[i], options, timer, std::move(progress), std::move(finished)))->Start();
  });
}

bool Succeeded(const BoardOutcome& outcome) {
  return outcome.result == RolloutResult::kConfirmed || outcome.result == RolloutResult::kApplied ||
         outcome.result == RolloutResult::kPending;
}

}  // namespace

std::string RolloutResultName(RolloutResult result) {
  switch (result) {
    case RolloutResult::kConfirmed:
      return "CONFIRMED";
    case RolloutResult::kApplied:
      return "APPLIED";
    case RolloutResult::kPending:
      return "PENDING";
    case RolloutResult::kRolledBack:
      return "ROLLED_BACK";
    case RolloutResult::kFailed:
      return "FAILED";
    case RolloutResult::kSkipped:
      return "SKIPPED";
  }
  return "FAILED";
}

std::vector<BoardOutcome> Rollout(const std::vector<Board>& boards, const RolloutOptions& options) {
  std::vector<BoardOutcome> outcomes(boards.size());
  for (size_t i = 0; i < boards.size(); ++i) outcomes[i].board = boards[i];
  const size_t canary = std::min(boards.size(), static_cast<size_t>(std::max(0, options.canary)));
  if (canary > 0) {
    PushRange(boards, 0, canary, options, outcomes);
    for (size_t i = 0; i < canary; ++i) {
      if (Succeeded(outcomes[i])) continue;
      for (size_t j = canary; j < boards.size(); ++j) {
        outcomes[j].detail = absl::StrCat("not pushed: canary ", boards[i].name, " ended ",
                                          RolloutResultName(outcomes[i].result));
      }
      return outcomes;
    }
  }
  PushRange(boards, canary, boards.size(), options, outcomes);
  return outcomes;
}

}  // namespace cellfleet::fleet
