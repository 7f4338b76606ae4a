// Line editing and history for the AT console, by libedit (BSD licensed, Debian's
// libedit-dev): emacs keys, arrows through history, the history kept across runs.
// Ctrl-C clears the line being typed; Ctrl-D on an empty line ends input.
#ifndef CELLFLEET_CLIENT_LINE_EDITOR_H_
#define CELLFLEET_CLIENT_LINE_EDITOR_H_

#include <histedit.h>
#include <termios.h>

#include <string>

namespace cellfleet::client {

class LineEditor {
 public:
  // `history_path` "" keeps no history file. Reads stdin, writes stdout (a terminal).
  LineEditor(std::string prompt, std::string history_path, size_t history_size = 1000);
  LineEditor(const LineEditor&) = delete;
  LineEditor& operator=(const LineEditor&) = delete;
  ~LineEditor();  // saves the history

  enum class Read { kLine, kCleared, kEnd };
  // kLine: `line` holds what was typed (without the newline) and joins the history.
  Read ReadLine(std::string& line);

 private:
  static const char* Prompt(EditLine* el);
  static unsigned char OnInterrupt(EditLine* el, int key);
  static LineEditor* Self(EditLine* el);

  const std::string prompt_;
  const std::string history_path_;
  EditLine* el_ = nullptr;
  History* history_ = nullptr;
  HistEvent event_{};
  bool cleared_ = false;
};

// While it lives, a Ctrl-C typed on the terminal (stdin) is read as a key rather than
// raising SIGINT, so the console can cancel the command in flight and go on.
class InterruptKey {
 public:
  InterruptKey();
  InterruptKey(const InterruptKey&) = delete;
  InterruptKey& operator=(const InterruptKey&) = delete;
  ~InterruptKey();  // the terminal as it was

  // Waits up to `wait` for Ctrl-C; other keys typed meanwhile are dropped.
  bool Pressed(int wait_ms);

 private:
  bool active_ = false;
  termios saved_{};
};

}  // namespace cellfleet::client

#endif  // CELLFLEET_CLIENT_LINE_EDITOR_H_
