#include "client/terminal_screen.h"

#include <curses.h>
#include <unistd.h>

#include <algorithm>

namespace cellfleet::client {

absl::StatusOr<std::unique_ptr<TerminalScreen>> TerminalScreen::Open() {
  if (::isatty(STDOUT_FILENO) != 1 || ::isatty(STDIN_FILENO) != 1) {
    return absl::FailedPreconditionError("stdout is not a terminal");
  }
  // newterm, not initscr: an unknown TERM is an error to report, not an exit.
  SCREEN* screen = newterm(nullptr, stdout, stdin);
  if (screen == nullptr) {
    return absl::FailedPreconditionError("ncurses cannot drive this terminal (is TERM set?)");
  }
  set_term(screen);
  cbreak();  // keys at once; Ctrl-C still stops the watch
  noecho();
  nodelay(stdscr, TRUE);
  keypad(stdscr, TRUE);
  curs_set(0);
  std::unique_ptr<TerminalScreen> opened(new TerminalScreen());
  opened->screen_ = screen;
  return opened;
}

TerminalScreen::~TerminalScreen() {
  endwin();
  delscreen(static_cast<SCREEN*>(screen_));
}

size_t TerminalScreen::width() const { return static_cast<size_t>(std::max(COLS, 1)); }
size_t TerminalScreen::height() const { return static_cast<size_t>(std::max(LINES, 1)); }

void TerminalScreen::Draw(const std::vector<std::string>& lines) {
  erase();
  for (size_t i = 0; i < lines.size() && static_cast<int>(i) < LINES; ++i) {
    if (i == 0) attron(A_BOLD);
    mvaddnstr(static_cast<int>(i), 0, lines[i].c_str(), COLS);
    if (i == 0) attroff(A_BOLD);
  }
  refresh();
}

bool TerminalScreen::QuitRequested() {
  bool quit = false;
  for (int key = getch(); key != ERR; key = getch()) {
    // KEY_RESIZE: ncurses has updated COLS and LINES; the next Draw uses them.
    if (key == 'q' || key == 'Q') quit = true;
  }
  return quit;
}

}  // namespace cellfleet::client
