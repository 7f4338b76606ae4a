// Runs one unary call on many boards: bounded concurrency, a deadline per board, and
// exactly one result per board, in the boards' order, whatever happens to the others.
#ifndef CELLFLEET_FLEET_FANOUT_H_
#define CELLFLEET_FLEET_FANOUT_H_

#include <functional>
#include <memory>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "fleet/board.h"
#include "fleet/channel.h"
#include "grpcpp/grpcpp.h"

namespace cellfleet::fleet {

template <typename Response>
struct BoardResult {
  Board board;
  grpc::Status status;
  Response response;
  absl::Duration latency;
};

struct FanOutOptions {
  int concurrency = 32;
  absl::Duration deadline = absl::Seconds(5);
  ChannelOptions channel;
  // Once the fan-out has taken a second: called on the caller's thread about five times
  // a second with the boards finished so far, and once more at the end.
  std::function<void(size_t finished, size_t total)> progress;
};

// `start` begins the call on `stub` with `context` (deadline already set), writing into
// `response`, and must arrange for `done` to be called exactly once.
template <typename Response>
using StartCall = std::function<void(v1::ModemAgent::Stub* stub, grpc::ClientContext* context,
                                     Response* response, std::function<void(grpc::Status)> done)>;

template <typename Response>
std::vector<BoardResult<Response>> FanOut(const std::vector<Board>& boards,
                                          const FanOutOptions& options, StartCall<Response> start) {
  struct Call {
    std::unique_ptr<v1::ModemAgent::Stub> stub;
    grpc::ClientContext context;
    absl::Time started;
  };
  std::vector<BoardResult<Response>> results(boards.size());
  std::vector<std::unique_ptr<Call>> calls(boards.size());
  absl::Mutex mu;
  size_t next = 0;
  size_t in_flight = 0;
  size_t finished = 0;
  const size_t limit = static_cast<size_t>(std::max(1, options.concurrency));

  // Launches calls while under the concurrency limit; mu must be held.
  std::function<void()> launch = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    while (next < boards.size() && in_flight < limit) {
      const size_t i = next++;
      ++in_flight;
      results[i].board = boards[i];
      auto call = std::make_unique<Call>();
      call->stub = v1::ModemAgent::NewStub(MakeChannel(boards[i].address, options.channel));
      call->context.set_deadline(absl::ToChronoTime(absl::Now() + options.deadline));
      call->started = absl::Now();
      Call* raw = call.get();
      calls[i] = std::move(call);
      // Started without the lock: gRPC may run `done` inline on this thread.
      mu.Unlock();
      start(raw->stub.get(), &raw->context, &results[i].response, [&, i, raw](grpc::Status status) {
        absl::MutexLock lock(&mu);
        results[i].status = std::move(status);
        results[i].latency = absl::Now() - raw->started;
        --in_flight;
        ++finished;
        launch();
      });
      mu.Lock();
    }
  };
  struct AllFinished {
    const size_t* finished;
    size_t total;
    bool Check() const { return *finished == total; }
  } all_finished{&finished, boards.size()};
  absl::MutexLock lock(&mu);
  launch();
  const absl::Time started = absl::Now();
  bool reported = false;
  while (
      !mu.AwaitWithTimeout(absl::Condition(&all_finished, &AllFinished::Check),
                           options.progress ? absl::Milliseconds(200) : absl::InfiniteDuration())) {
    if (absl::Now() - started < absl::Seconds(1)) continue;
    const size_t so_far = finished;
    mu.Unlock();  // the callback prints; the calls go on meanwhile
    options.progress(so_far, boards.size());
    mu.Lock();
    reported = true;
  }
  if (reported) {
    mu.Unlock();
    options.progress(boards.size(), boards.size());
    mu.Lock();
  }
  return results;
}

// A unary RPC in the stub's asynchronous form, e.g.
// &v1::ModemAgent::StubInterface::async_interface::GetStatus.
template <typename Request, typename Response>
using AsyncMethod = void (v1::ModemAgent::StubInterface::async_interface::*)(
    grpc::ClientContext*, const Request*, Response*, std::function<void(grpc::Status)>);

// Calls `method` with the same `request` on every board.
template <typename Request, typename Response>
std::vector<BoardResult<Response>> CallEach(const std::vector<Board>& boards,
                                            const FanOutOptions& options,
                                            AsyncMethod<Request, Response> method,
                                            const Request& request) {
  return FanOut<Response>(
      boards, options,
      [method, &request](v1::ModemAgent::Stub* stub, grpc::ClientContext* context,
                         Response* response, std::function<void(grpc::Status)> done) {
        (stub->async()->*method)(context, &request, response, std::move(done));
      });
}

}  // namespace cellfleet::fleet

#endif  // CELLFLEET_FLEET_FANOUT_H_
