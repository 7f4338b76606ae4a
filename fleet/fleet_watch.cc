#include "fleet/fleet_watch.h"

#include <memory>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "base/backoff.h"
#include "base/duration_text.h"
#include "cellfleet/v1/agent_service.grpc.pb.h"
#include "fleet/error_text.h"
#include "fleet/retry_policy.h"

namespace cellfleet::fleet {
namespace {

// WatchStatus alone, registered on no channel: ModemAgent's generated stub registers
// all of the service's methods on its channel, about 3.5 KB a board that a collector
// holds for months. The call is made as the generated stub makes it.
const grpc::internal::RpcMethod& WatchStatusMethod() {
  static const std::string* const kName =
      new std::string(absl::StrCat("/", v1::ModemAgent::service_full_name(), "/WatchStatus"));
  static const grpc::internal::RpcMethod* const kMethod =
      new grpc::internal::RpcMethod(kName->c_str(), grpc::internal::RpcMethod::SERVER_STREAMING);
  return *kMethod;
}

struct BoardState {
  size_t index = 0;
  const Board* board = nullptr;  // the caller's, which outlives the watch
  int received = 0;
  bool active = false;
  bool given_up = false;  // the agent refused in a way asking again cannot change
  absl::Time retry_at = absl::InfinitePast();
  base::Backoff backoff;
  std::shared_ptr<grpc::Channel> channel;
};

class Stream : public grpc::ClientReadReactor<v1::StatusUpdate> {
 public:
  Stream(BoardState* state, const FleetWatchOptions& options, UpdateSink* sink, absl::Mutex* mu,
         absl::CondVar* changed)
      : state_(state),
        request_(options.request),
        count_(options.count),
        clock_(*options.clock),
        sink_(sink),
        mu_(mu),
        changed_(changed) {}

  void Start() {
    grpc::internal::ClientCallbackReaderFactory<v1::StatusUpdate>::Create(
        state_->channel.get(), WatchStatusMethod(), &context_, &request_, this);
    StartRead(&update_);
    StartCall();
  }
  void Cancel() {
    {
      absl::MutexLock lock(mu_);
      cancelled_ = true;
    }
    context_.TryCancel();
  }

  void OnReadDone(bool ok) override {
    if (!ok) return;  // OnDone follows with the status
    sink_->Update(state_->index, *state_->board, update_);
    // Free its parts (Clear keeps them): a stream idles between updates, and a
    // collector's 1,000 idle copies of a status would hold 1.7 MB.
    update_ = v1::StatusUpdate();
    bool enough;
    {
      absl::MutexLock lock(mu_);
      ++state_->received;
      state_->backoff.Reset();  // healthy again
      enough = count_ > 0 && state_->received >= count_;
    }
    if (enough) {
      Cancel();
      return;
    }
    StartRead(&update_);
  }

  void OnDone(const grpc::Status& status) override {
    bool report = false;
    absl::Duration retry_in = absl::InfiniteDuration();
    {
      absl::MutexLock lock(mu_);
      const bool finished = count_ > 0 && state_->received >= count_;
      const bool ours = status.error_code() == grpc::StatusCode::CANCELLED && cancelled_;
      if (!finished && !ours) {
        report = true;
        if (Retryable(status.error_code())) {
          retry_in = state_->backoff.Next();
          state_->retry_at = clock_.Now() + retry_in;
        } else {
          state_->given_up = true;
        }
      }
    }
    // Outside the watch's lock; before done_, which lets the watch end and free the sink.
    if (report) sink_->StreamEnded(state_->index, *state_->board, status, retry_in);
    absl::MutexLock lock(mu_);
    state_->active = false;
    done_ = true;
    changed_->SignalAll();
  }

  bool done() const { return done_; }

 private:
  BoardState* state_;
  v1::WatchStatusRequest request_;
  int count_;
  const base::Clock& clock_;
  UpdateSink* sink_;
  absl::Mutex* mu_;
  absl::CondVar* changed_;
  grpc::ClientContext context_;
  v1::StatusUpdate update_;
  bool done_ = false;       // guarded by *mu_
  bool cancelled_ = false;  // by us (the watch ends); guarded by *mu_
};

}  // namespace

absl::Status AddDeadband(absl::string_view spec, v1::Deadbands& deadbands) {
  std::vector<std::string> parts = absl::StrSplit(spec, absl::MaxSplits('=', 1));
  uint32_t value = 0;
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[1], &value)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--deadband \"", spec, "\": expected metric=dB, e.g. rsrp=3"));
  }
  if (parts[0] == "rsrp") {
    deadbands.set_rsrp_db(value);
  } else if (parts[0] == "rsrq") {
    deadbands.set_rsrq_db(value);
  } else if (parts[0] == "sinr") {
    deadbands.set_sinr_db(value);
  } else if (parts[0] == "rssi") {
    deadbands.set_rssi_db(value);
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("--deadband: unknown metric \"", parts[0], "\" (rsrp, rsrq, sinr, rssi)"));
  }
  return absl::OkStatus();
}

std::string StreamEndedText(const grpc::Status& status, absl::Duration retry_in) {
  if (retry_in == absl::InfiniteDuration()) {
    return absl::StrCat("stream ended: ", ErrorText(status),
                        " (not retried: asking again cannot change this)");
  }
  return absl::StrCat("stream ended: ", ErrorText(status), " (retrying in ",
                      base::DurationText(absl::Trunc(retry_in, absl::Milliseconds(100))), ")");
}

std::vector<int> RunFleetWatch(const std::vector<Board>& boards, const FleetWatchOptions& options,
                               UpdateSink& sink, const absl::Notification& stop) {
  absl::Mutex mu;
  absl::CondVar changed;
  std::vector<std::unique_ptr<BoardState>> states;
  for (const Board& board : boards) {
    auto state = std::make_unique<BoardState>();
    state->index = states.size();
    state->board = &board;
    state->channel = MakeChannel(board, options.channel);
    states.push_back(std::move(state));
  }
  std::vector<std::unique_ptr<Stream>> streams;  // kept until the end: reactors must outlive OnDone

  absl::MutexLock lock(&mu);
  while (true) {
    const bool stopping = stop.HasBeenNotified() || options.clock->Now() >= options.end;
    bool all_finished = true;
    for (auto& state : states) {
      const bool finished =
          state->given_up || (options.count > 0 && state->received >= options.count);
      if (!finished) all_finished = false;
      if (!stopping && !finished && !state->active && options.clock->Now() >= state->retry_at) {
        state->active = true;
        streams.push_back(std::make_unique<Stream>(state.get(), options, &sink, &mu, &changed));
        Stream* stream = streams.back().get();
        mu.Unlock();
        stream->Start();
        mu.Lock();
      }
    }
    if (stopping || all_finished) break;
    // Finished streams are freed as the watch goes (a collector runs for months).
    streams.erase(std::remove_if(streams.begin(), streams.end(),
                                 [](const std::unique_ptr<Stream>& s) { return s->done(); }),
                  streams.end());
    // Wake at least every 100 ms to notice the stop, due retries and keys.
    changed.WaitWithTimeout(&mu, absl::Milliseconds(100));
    mu.Unlock();
    const bool quit = sink.Tick();
    mu.Lock();
    if (quit) break;
  }
  // End every stream and wait for its OnDone.
  for (auto& stream : streams) {
    if (!stream->done()) {
      mu.Unlock();
      stream->Cancel();
      mu.Lock();
    }
  }
  for (auto& stream : streams) {
    while (!stream->done()) changed.WaitWithTimeout(&mu, absl::Milliseconds(100));
  }
  std::vector<int> received;
  for (auto& state : states) received.push_back(state->received);
  return received;
}

}  // namespace cellfleet::fleet
