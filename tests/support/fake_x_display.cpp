#include "tests/support/fake_x_display.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>

#include <gtest/gtest.h>

namespace livegui::test_support {

namespace fs = std::filesystem;

pid_t dead_pid() {
  pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ::waitpid(child, nullptr, 0);
  return child;
}

FakeXDisplay::FakeXDisplay(const fs::path& root, int display, pid_t pid, bool listening) {
  lock = root / (".X" + std::to_string(display) + "-lock");
  sock = root / ".X11-unix" / ("X" + std::to_string(display));
  fs::create_directories(sock.parent_path());
  char text[16];
  std::snprintf(text, sizeof text, "%10d\n", static_cast<int>(pid));
  std::ofstream(lock) << text;
  fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, sock.c_str(), sizeof addr.sun_path - 1);
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0) << sock;
  if (listening) {
    EXPECT_EQ(::listen(fd, 1), 0);
  } else {
    ::close(fd);  // the socket file stays, nobody answers on it: a dead server's
    fd = -1;
  }
}

FakeXDisplay::~FakeXDisplay() {
  if (fd >= 0) ::close(fd);
}

bool FakeXDisplay::lock_exists() const { return fs::exists(lock); }
bool FakeXDisplay::sock_exists() const { return fs::exists(fs::symlink_status(sock)); }

}  // namespace livegui::test_support
