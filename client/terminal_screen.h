// A full-screen view on the terminal through ncurses: lines drawn in place, the size
// read again when the terminal is resized. Only the thread that made it may use it.
#ifndef CELLFLEET_CLIENT_TERMINAL_SCREEN_H_
#define CELLFLEET_CLIENT_TERMINAL_SCREEN_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace cellfleet::client {

class TerminalScreen {
 public:
  // FAILED_PRECONDITION when stdout is not a terminal ncurses can drive.
  static absl::StatusOr<std::unique_ptr<TerminalScreen>> Open();
  TerminalScreen(const TerminalScreen&) = delete;
  TerminalScreen& operator=(const TerminalScreen&) = delete;
  ~TerminalScreen();  // gives the terminal back as it was

  size_t width() const;
  size_t height() const;
  // Replaces what is shown; the first line is drawn in bold.
  void Draw(const std::vector<std::string>& lines);
  // Reads pending keys without waiting; true when the user asked to quit ('q').
  bool QuitRequested();

 private:
  TerminalScreen() = default;
  void* screen_ = nullptr;  // ncurses' SCREEN, kept out of this header
};

}  // namespace cellfleet::client

#endif  // CELLFLEET_CLIENT_TERMINAL_SCREEN_H_
