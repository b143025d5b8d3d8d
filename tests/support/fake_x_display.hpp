#pragma once
// The files an X server leaves on a display, made by hand under a test's own
// root (never /tmp/.X11-unix): for the code that removes a dead server's.

#include <sys/types.h>

#include <filesystem>

namespace livegui::test_support {

/// A pid that was a process and no longer is: a child, exited and reaped.
pid_t dead_pid();

/// A lock <root>/.X<display>-lock naming `pid` ("%10d\n", as X servers write
/// it) and a socket <root>/.X11-unix/X<display>; `listening` keeps the socket
/// answering (a live server's), else nobody answers on it (a dead server's).
struct FakeXDisplay {
  std::filesystem::path lock, sock;
  int fd = -1;
  FakeXDisplay(const std::filesystem::path& root, int display, pid_t pid, bool listening);
  ~FakeXDisplay();
  FakeXDisplay(const FakeXDisplay&) = delete;
  FakeXDisplay& operator=(const FakeXDisplay&) = delete;
  bool lock_exists() const;
  bool sock_exists() const;
};

}  // namespace livegui::test_support
