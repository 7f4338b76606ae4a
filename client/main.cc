// cellfleet: the fleet CLI. main() wires signals to the library's Run().
#include <signal.h>

#include <iostream>
#include <thread>

#include "client/cli.h"

int main(int argc, char** argv) {
  // SIGINT/SIGTERM end long-running commands cleanly (streams cancelled, exit code kept).
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  cellfleet::client::CancelSignal cancel;
  std::thread([&] {
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    cancel.Notify();
  }).detach();

  std::vector<std::string> args(argv + 1, argv + argc);
  const int code = cellfleet::client::Run(args, std::cin, std::cout, std::cerr, cancel);
  std::cout.flush();
  // The signal thread may still be waiting; leave without joining it.
  std::_Exit(code);
}
