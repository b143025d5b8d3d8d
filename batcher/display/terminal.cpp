#include "batcher/display/terminal.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdlib>
#include <vector>

namespace livegui::batch {

TerminalInfo detect_terminal(int fd) {
  TerminalInfo t;
  const char* term = std::getenv("TERM");
  bool tty = ::isatty(fd) == 1;
  t.smart = tty && term && std::string(term) != "dumb";
  const char* no_color = std::getenv("NO_COLOR");
  t.color = tty && !(no_color && *no_color) && !(term && std::string(term) == "dumb");
  winsize ws{};
  if (tty && ::ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
    t.width = ws.ws_col;
  } else if (const char* cols = std::getenv("COLUMNS")) {
    long c = std::strtol(cols, nullptr, 10);
    if (c > 0) t.width = static_cast<std::size_t>(c);
  }
  return t;
}

std::size_t display_width(const std::string& text) {
  std::size_t n = 0;
  for (unsigned char c : text)
    if ((c & 0xC0) != 0x80) ++n;  // count code points, not continuation bytes
  return n;
}

std::string elide_middle(const std::string& text, std::size_t width) {
  if (display_width(text) <= width) return text;
  if (width < 5) return text.substr(0, width);
  // Work on code points so a multi-byte character is never cut in half.
  std::vector<std::string> cps;
  for (std::size_t i = 0; i < text.size();) {
    std::size_t len = 1;
    while (i + len < text.size() && (static_cast<unsigned char>(text[i + len]) & 0xC0) == 0x80) ++len;
    cps.push_back(text.substr(i, len));
    i += len;
  }
  std::size_t keep = width - 3;
  std::size_t head = keep / 2;
  std::size_t tail = keep - head;
  std::string out;
  for (std::size_t i = 0; i < head; ++i) out += cps[i];
  out += "...";
  for (std::size_t i = cps.size() - tail; i < cps.size(); ++i) out += cps[i];
  return out;
}

}  // namespace livegui::batch
