#include "client/line_editor.h"

#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <cstdio>

namespace cellfleet::client {

LineEditor::LineEditor(std::string prompt, std::string history_path, size_t history_size)
    : prompt_(std::move(prompt)), history_path_(std::move(history_path)) {
  history_ = history_init();
  history(history_, &event_, H_SETSIZE, static_cast<int>(history_size));
  history(history_, &event_, H_SETUNIQUE, 1);
  if (!history_path_.empty()) history(history_, &event_, H_LOAD, history_path_.c_str());
  el_ = el_init("cellfleet", stdin, stdout, stderr);
  el_set(el_, EL_CLIENTDATA, this);
  el_set(el_, EL_EDITOR, "emacs");
  el_set(el_, EL_PROMPT, &LineEditor::Prompt);
  el_set(el_, EL_HIST, history, history_);
  // Ctrl-C is a key while editing (not SIGINT): it clears the line.
  el_set(el_, EL_SETTY, "-d", "-isig", static_cast<const char*>(nullptr));
  el_set(el_, EL_ADDFN, "cf-clear-line", "Clear the line being typed", &LineEditor::OnInterrupt);
  el_set(el_, EL_BIND, "^C", "cf-clear-line", static_cast<const char*>(nullptr));
}

LineEditor::~LineEditor() {
  if (!history_path_.empty()) history(history_, &event_, H_SAVE, history_path_.c_str());
  el_end(el_);
  history_end(history_);
}

LineEditor* LineEditor::Self(EditLine* el) {
  void* data = nullptr;
  el_get(el, EL_CLIENTDATA, &data);
  return static_cast<LineEditor*>(data);
}

const char* LineEditor::Prompt(EditLine* el) { return Self(el)->prompt_.c_str(); }

unsigned char LineEditor::OnInterrupt(EditLine* el, int /*key*/) {
  Self(el)->cleared_ = true;
  std::fputs("^C", stdout);
  return CC_NEWLINE;  // el_gets returns; ReadLine drops the line
}

LineEditor::Read LineEditor::ReadLine(std::string& line) {
  cleared_ = false;
  int count = 0;
  const char* text = el_gets(el_, &count);
  if (text == nullptr || count <= 0) return Read::kEnd;
  if (cleared_) return Read::kCleared;
  line.assign(text, static_cast<size_t>(count));
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  if (!line.empty()) history(history_, &event_, H_ENTER, line.c_str());
  return Read::kLine;
}

InterruptKey::InterruptKey() {
  if (::isatty(STDIN_FILENO) != 1) return;
  if (::tcgetattr(STDIN_FILENO, &saved_) != 0) return;
  termios raw = saved_;
  raw.c_lflag &= ~static_cast<tcflag_t>(ICANON | ECHO | ISIG);
  raw.c_cc[VMIN] = 0;
  raw.c_cc[VTIME] = 0;
  active_ = ::tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
}

InterruptKey::~InterruptKey() {
  if (active_) ::tcsetattr(STDIN_FILENO, TCSANOW, &saved_);
}

bool InterruptKey::Pressed(int wait_ms) {
  if (!active_) {
    if (wait_ms > 0) ::poll(nullptr, 0, wait_ms);
    return false;
  }
  pollfd in = {STDIN_FILENO, POLLIN, 0};
  if (::poll(&in, 1, wait_ms) <= 0) return false;
  char keys[64];
  const ssize_t n = ::read(STDIN_FILENO, keys, sizeof(keys));
  for (ssize_t i = 0; i < n; ++i) {
    if (keys[i] == 0x03) return true;
  }
  return false;
}

}  // namespace cellfleet::client
