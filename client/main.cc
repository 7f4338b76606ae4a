// cellfleet: the fleet CLI. main() wires signals to the library's Run().
#include <iostream>
#include <thread>

#include "base/lock_order_checks.h"
#include "base/stop_signals.h"
#include "client/cli.h"

int main(int argc, char** argv) {
  cellfleet::base::SkipLockOrderChecks();
  // SIGINT/SIGTERM end long-running commands cleanly (streams cancelled, exit code kept).
  const cellfleet::base::StopSignals stop_signals;
  cellfleet::client::CancelSignal cancel;
  std::thread([&] {
    stop_signals.Wait();
    cancel.Notify();
  }).detach();

  std::vector<std::string> args(argv + 1, argv + argc);
  const int code = cellfleet::client::Run(args, std::cin, std::cout, std::cerr, cancel);
  std::cout.flush();
  // The signal thread may still be waiting; leave without joining it.
  std::_Exit(code);
}
