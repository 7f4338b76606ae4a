// Runs one unary call on many boards: bounded concurrency, a deadline per board, and
// exactly one result per board, in the boards' order, whatever happens to the others.
#ifndef CELLFLEET_FLEET_FANOUT_H_
#define CELLFLEET_FLEET_FANOUT_H_

#include <functional>
#include <memory>
#include <vector>

#include "absl/time/time.h"
#include "base/clock.h"
#include "fleet/board.h"
#include "fleet/channel.h"
#include "fleet/run_each.h"
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
  ProgressFn progress;  // see run_each.h
};

// `start` begins the call on `stub` with `context` (deadline already set), writing into
// `response`, and must arrange for `done` to be called exactly once.
template <typename Response>
using StartCall = std::function<void(v1::ModemAgent::Stub* stub, grpc::ClientContext* context,
                                     Response* response, std::function<void(grpc::Status)> done)>;

// The same, told which board (its index in `boards`) the call is for.
template <typename Response>
using StartBoardCall =
    std::function<void(size_t board, v1::ModemAgent::Stub* stub, grpc::ClientContext* context,
                       Response* response, std::function<void(grpc::Status)> done)>;

template <typename Response>
std::vector<BoardResult<Response>> FanOutEach(const std::vector<Board>& boards,
                                              const FanOutOptions& options,
                                              StartBoardCall<Response> start) {
  struct Call {
    std::unique_ptr<v1::ModemAgent::Stub> stub;
    grpc::ClientContext context;
    absl::Time started;
  };
  std::vector<BoardResult<Response>> results(boards.size());
  std::vector<std::unique_ptr<Call>> calls(boards.size());
  // gRPC's deadlines are real time: so is a call's latency.
  const base::Clock& clock = base::Clock::Real();
  RunEach(boards.size(), options.concurrency, options.progress,
          [&](size_t i, std::function<void()> done) {
            results[i].board = boards[i];
            calls[i] = std::make_unique<Call>();
            Call* call = calls[i].get();
            call->stub = v1::ModemAgent::NewStub(MakeChannel(boards[i], options.channel));
            call->started = clock.Now();
            call->context.set_deadline(absl::ToChronoTime(call->started + options.deadline));
            start(i, call->stub.get(), &call->context, &results[i].response,
                  [&results, &clock, i, call, done = std::move(done)](grpc::Status status) {
                    results[i].status = std::move(status);
                    results[i].latency = clock.Now() - call->started;
                    done();
                  });
          });
  return results;
}

template <typename Response>
std::vector<BoardResult<Response>> FanOut(const std::vector<Board>& boards,
                                          const FanOutOptions& options, StartCall<Response> start) {
  return FanOutEach<Response>(
      boards, options,
      [&start](size_t /*board*/, v1::ModemAgent::Stub* stub, grpc::ClientContext* context,
               Response* response, std::function<void(grpc::Status)> done) {
        start(stub, context, response, std::move(done));
      });
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

// Calls `method` on every board with its own request: `requests[i]` for `boards[i]`.
template <typename Request, typename Response>
std::vector<BoardResult<Response>> CallEach(const std::vector<Board>& boards,
                                            const FanOutOptions& options,
                                            AsyncMethod<Request, Response> method,
                                            const std::vector<Request>& requests) {
  return FanOutEach<Response>(
      boards, options,
      [method, &requests](size_t board, v1::ModemAgent::Stub* stub, grpc::ClientContext* context,
                          Response* response, std::function<void(grpc::Status)> done) {
        (stub->async()->*method)(context, &requests[board], response, std::move(done));
      });
}

}  // namespace cellfleet::fleet

#endif  // CELLFLEET_FLEET_FANOUT_H_
