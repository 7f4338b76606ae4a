#include "fleet/rollout.h"

#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "base/duration_text.h"
#include "fleet/error_text.h"
#include "proto/time_convert.h"

namespace cellfleet::fleet {
namespace {

// Pushes to one board, start to end, on the calling thread.
class BoardPush {
 public:
  BoardPush(const Board& board, const RolloutOptions& options,
            const std::function<void(const std::string&)>& progress)
      : board_(board),
        options_(options),
        progress_(progress),
        stub_(v1::ModemAgent::NewStub(MakeChannel(board.address, options.channel))) {}

  BoardOutcome Run() {
    const absl::Time started = absl::Now();
    BoardOutcome outcome = Push();
    outcome.board = board_;
    outcome.took = absl::Now() - started;
    progress_(absl::StrCat(RolloutResultName(outcome.result),
                           outcome.version ? absl::StrCat(" version ", outcome.version) : "",
                           outcome.detail.empty() ? "" : absl::StrCat(": ", outcome.detail)));
    return outcome;
  }

 private:
  BoardOutcome Push() {
    BoardOutcome outcome;
    v1::ApplyConfigResponse applied;
    {
      grpc::ClientContext context;
      context.set_deadline(absl::ToChronoTime(absl::Now() + options_.rpc_timeout));
      grpc::Status status = stub_->ApplyConfig(&context, options_.request, &applied);
      if (!status.ok()) return Failed(RolloutResult::kFailed, ErrorText(status));
    }
    outcome.version = applied.version();
    const bool confirm_window = options_.request.has_confirm_within();
    if (!confirm_window) {
      outcome.result = RolloutResult::kApplied;
      outcome.detail = applied.redialing() ? "redialing (no confirm window)" : "";
      return outcome;
    }
    const absl::Duration window = FromProtoDuration(options_.request.confirm_within());
    if (options_.manual_confirm) {
      outcome.result = RolloutResult::kPending;
      outcome.detail = absl::StrCat("confirm within ", base::DurationText(window),
                                    " (cellfleet config confirm), else it rolls back to version ",
                                    applied.pending().rollback_to_version());
      return outcome;
    }
    if (applied.redialing()) {
      progress_(absl::StrCat("applied version ", applied.version(),
                             "; redialing, confirming once the link is back (window ",
                             base::DurationText(window), ")"));
      std::string why;
      const WaitResult back = WaitForNewLink(applied.version(), absl::Now() + window, why);
      if (back == WaitResult::kRolledBack) {
        outcome.result = RolloutResult::kRolledBack;
        outcome.detail = why;
        return outcome;
      }
      if (back == WaitResult::kTimedOut) {
        outcome.result = RolloutResult::kFailed;
        outcome.detail = absl::StrCat("not back on version ", applied.version(), " within ",
                                      base::DurationText(window),
                                      "; the board rolls back by itself (", why, ")");
        return outcome;
      }
      progress_(absl::StrCat("back on version ", applied.version(), " (", why, "); confirming"));
    } else {
      progress_(absl::StrCat("applied version ", applied.version(), "; no link to redial"));
    }
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + options_.rpc_timeout));
    v1::ConfirmConfigRequest confirm;
    confirm.set_version(applied.version());
    v1::ConfirmConfigResponse confirmed;
    grpc::Status status = stub_->ConfirmConfig(&context, confirm, &confirmed);
    if (status.error_code() == grpc::StatusCode::FAILED_PRECONDITION) {
      outcome.result = RolloutResult::kRolledBack;  // the window closed first
      outcome.detail = status.error_message();
      return outcome;
    }
    if (!status.ok()) {
      outcome.result = RolloutResult::kFailed;
      outcome.detail = absl::StrCat("confirm failed (", ErrorText(status),
                                    "); the board rolls back when its window closes");
      return outcome;
    }
    outcome.result = RolloutResult::kConfirmed;
    return outcome;
  }

  enum class WaitResult { kBack, kRolledBack, kTimedOut };

  // Polls the board's status until its link is up on `version`, it has rolled back, or
  // `deadline`. Unreachable while it redials is expected: retried.
  WaitResult WaitForNewLink(uint64_t version, absl::Time deadline, std::string& why) {
    why = "no answer yet";
    while (absl::Now() < deadline) {
      grpc::ClientContext context;
      context.set_deadline(
          absl::ToChronoTime(std::min(deadline, absl::Now() + options_.rpc_timeout)));
      v1::GetStatusResponse response;
      grpc::Status status = stub_->GetStatus(&context, v1::GetStatusRequest(), &response);
      if (status.ok()) {
        const v1::ModemStatus& s = response.status();
        for (const v1::ConfigStep& step : s.config().recent_steps()) {
          if (step.kind() == v1::CONFIG_STEP_KIND_ROLLED_BACK && step.version() == version) {
            why = step.detail();
            return WaitResult::kRolledBack;
          }
        }
        if (s.config().version() == version &&
            s.connection().state() == v1::CONNECTION_STATE_CONNECTED &&
            s.connection().config_version() == version) {
          why = absl::StrCat(s.connection().interface_name(), " ", s.connection().local_address());
          return WaitResult::kBack;
        }
        why = absl::StrCat("link ", ShortEnumName(v1::ConnectionState_Name(s.connection().state()),
                                                  "CONNECTION_STATE_"));
        if (!s.connection().failure_detail().empty())
          absl::StrAppend(&why, ": ", s.connection().failure_detail());
      } else {
        why = ErrorText(status);
      }
      absl::SleepFor(std::min(options_.status_interval, deadline - absl::Now()));
    }
    return WaitResult::kTimedOut;
  }

  BoardOutcome Failed(RolloutResult result, std::string detail) {
    BoardOutcome outcome;
    outcome.result = result;
    outcome.detail = std::move(detail);
    return outcome;
  }

  const Board& board_;
  const RolloutOptions& options_;
  const std::function<void(const std::string&)>& progress_;
  std::unique_ptr<v1::ModemAgent::Stub> stub_;
};

// Pushes to boards[begin, end) with at most `concurrency` at once.
void PushRange(const std::vector<Board>& boards, size_t begin, size_t end,
               const RolloutOptions& options, std::vector<BoardOutcome>& outcomes) {
  absl::Mutex mu;
  size_t next = begin;
  auto worker = [&] {
    while (true) {
      size_t i;
      {
        absl::MutexLock lock(&mu);
        if (next >= end) return;
        i = next++;
      }
      const std::function<void(const std::string&)> progress = [&, i](const std::string& step) {
        if (!options.progress) return;
        absl::MutexLock lock(&mu);
        options.progress(boards[i], step);
      };
      outcomes[i] = BoardPush(boards[i], options, progress).Run();
    }
  };
  const size_t threads =
      std::min(end - begin, static_cast<size_t>(std::max(1, options.concurrency)));
  std::vector<std::thread> pool;
  for (size_t t = 0; t < threads; ++t) pool.emplace_back(worker);
  for (std::thread& thread : pool) thread.join();
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
