#include "harness/port_holder.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

namespace livegui {
namespace {

/// A socket bound to 127.0.0.1 on a free port; listening when asked.
struct Socket {
  explicit Socket(bool listening) {
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    if (listening) ::listen(fd, 4);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    port = ntohs(addr.sin_port);
  }
  ~Socket() { ::close(fd); }
  int fd = -1;
  int port = 0;
};

TEST(PortHolder, FindsTheListeningProcess) {
  Socket s(true);
  ASSERT_GT(s.port, 0);
  EXPECT_TRUE(port_accepts_connections(s.port));
  auto holder = find_port_holder(s.port);
  ASSERT_TRUE(holder);
  EXPECT_EQ(*holder, ::getpid());
  EXPECT_EQ(describe_port_holder(s.port).rfind("held by pid " + std::to_string(::getpid()) + " (", 0), 0u);
}

TEST(PortHolder, ABoundButSilentPortHasNoListener) {
  Socket s(false);
  EXPECT_FALSE(port_accepts_connections(s.port));
  EXPECT_FALSE(find_port_holder(s.port));
  EXPECT_EQ(describe_port_holder(s.port), "holder unknown");
}

TEST(PortHolder, InvalidPorts) {
  EXPECT_FALSE(port_accepts_connections(0));
  EXPECT_FALSE(port_accepts_connections(70000));
}

}  // namespace
}  // namespace livegui
