// cellfleet: the fleet CLI. main() wires signals to the library's Run().
#include <iostream>
#include <thread>

#include "absl/debugging/failure_signal_handler.h"
#include "absl/debugging/symbolize.h"
#include "base/lock_order_checks.h"
#include "base/stop_signals.h"
#include "client/cli.h"

int main(int argc, char** argv) {
  cellfleet::base::SkipLockOrderChecks();
  // A crash says where, on stderr: a user's report, or a test's failure, carries it.
  absl::InitializeSymbolizer(argv[0]);
  absl::InstallFailureSignalHandler(absl::FailureSignalHandlerOptions());
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
