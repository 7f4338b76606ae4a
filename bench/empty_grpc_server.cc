// The floor for the agent's idle wakeups: a gRPC server on the same libraries, set up
// as the agent's is (callback API, health service, the same keepalive settings),
// serving nothing of its own, on a loopback port until SIGINT/SIGTERM. Any call it gets
// (for example `cellfleet watch`'s WatchStatus) is held open and never answered: an
// idle stream, to measure what gRPC itself costs while a client watches.
#include <iostream>
#include <memory>

#include "base/lock_order_checks.h"
#include "base/stop_signals.h"
#include "grpcpp/generic/async_generic_service.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "proto/listener.h"

namespace {

// Holds a call open until the client cancels it or the server shuts down.
class IdleCall : public grpc::ServerGenericBidiReactor {
 public:
  IdleCall() { StartRead(&request_); }
  // One request, then one (empty) reply message, as a watch's first update; then quiet.
  void OnReadDone(bool ok) override {
    if (ok && !wrote_) {
      wrote_ = true;
      grpc::Slice empty("", 0);  // an empty message (a default StatusUpdate)
      reply_ = grpc::ByteBuffer(&empty, 1);
      StartWrite(&reply_);
    }
  }
  void OnWriteDone(bool) override {}
  void OnCancel() override { Finish(grpc::Status::CANCELLED); }
  void OnDone() override { delete this; }

 private:
  grpc::ByteBuffer request_;
  grpc::ByteBuffer reply_;
  bool wrote_ = false;
};

class IdleService : public grpc::CallbackGenericService {
  grpc::ServerGenericBidiReactor* CreateReactor(grpc::GenericCallbackServerContext*) override {
    return new IdleCall();
  }
};

}  // namespace

int main() {
  cellfleet::base::SkipLockOrderChecks();           // as the agent, whose floor this is
  const cellfleet::base::StopSignals stop_signals;  // before any thread starts
  grpc::EnableDefaultHealthCheckService(true);
  IdleService generic;  // the callback API, as the agent's service uses
  grpc::ServerBuilder builder;
  builder.RegisterCallbackGenericService(&generic);
  // The agent's keepalive settings (agent/agent.cc), so a held stream costs the same.
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 120 * 1000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 20 * 1000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 60 * 1000);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  cellfleet::RefuseSharedPort(builder);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) return 1;
  std::cout << "127.0.0.1:" << port << std::endl;
  stop_signals.Wait();
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  return 0;
}
