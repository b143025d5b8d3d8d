#pragma once
// What stdout is: a smart terminal (a TTY whose TERM is not "dumb"), its
// width, and whether colour is wanted (NO_COLOR unset, https://no-color.org).

#include <cstddef>
#include <string>

namespace livegui::batch {

struct TerminalInfo {
  bool smart = false;
  bool color = false;
  std::size_t width = 80;
};

/// Looks at `fd` and the environment (TERM, NO_COLOR, COLUMNS).
TerminalInfo detect_terminal(int fd);

/// Columns `text` takes (UTF-8 aware; escape sequences are not expected).
std::size_t display_width(const std::string& text);

/// Shortens `text` to `width` columns by replacing its middle with "...".
std::string elide_middle(const std::string& text, std::size_t width);

}  // namespace livegui::batch
