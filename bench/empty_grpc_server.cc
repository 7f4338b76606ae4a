// The floor for the agent's idle wakeups: a gRPC server on the same libraries, set up
// as the agent's is (callback API, health service), serving nothing of its own, on a
// loopback port until SIGINT/SIGTERM.
#include <signal.h>

#include <iostream>
#include <memory>

#include "grpcpp/generic/async_generic_service.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"

int main() {
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  grpc::EnableDefaultHealthCheckService(true);
  grpc::CallbackGenericService generic;  // the callback API, as the agent's service uses
  grpc::ServerBuilder builder;
  builder.RegisterCallbackGenericService(&generic);
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) return 1;
  std::cout << "127.0.0.1:" << port << std::endl;
  int signal_number = 0;
  sigwait(&stop, &signal_number);
  server->Shutdown();
  return 0;
}
