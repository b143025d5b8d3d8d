// SpawnOptions::inherit_fds: the child gets exactly the fds it was given.
#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "common/text.hpp"
#include "harness/subprocess.hpp"
#include "tests/support/temp_dir.hpp"

namespace livegui {
namespace {

using namespace std::chrono_literals;
using test_support::TempDir;

TEST(SubprocessFds, InheritsTheGivenFdsUnderTheSameNumbers) {
  TempDir dir("fds");
  int p[2];
  ASSERT_EQ(::pipe2(p, O_CLOEXEC), 0);
  SpawnOptions opt;
  opt.executable = "sh";
  opt.args = {"-c", "echo through-the-pipe >&" + std::to_string(p[1])};
  opt.output_file = dir / "out.log";
  opt.inherit_fds = {p[1]};
  auto child = Subprocess::spawn(opt);
  ::close(p[1]);
  ASSERT_EQ(child.wait_for(10s), ExitStatus::exited(0)) << tail_file(dir / "out.log");
  char buf[64] = {};
  ssize_t n = ::read(p[0], buf, sizeof buf - 1);
  ::close(p[0]);
  EXPECT_EQ(std::string(buf, n > 0 ? static_cast<std::size_t>(n) : 0), "through-the-pipe\n");
}

TEST(SubprocessFds, OtherFdsAreNotInherited) {
  TempDir dir("fds");
  // Not close-on-exec, and still not passed on: the launcher closes it.
  int fd = ::open("/dev/null", O_RDONLY);
  ASSERT_GE(fd, 0);
  SpawnOptions opt;
  opt.executable = "sh";
  opt.args = {"-c", "if [ -e /proc/self/fd/" + std::to_string(fd) + " ]; then echo open; else echo closed; fi"};
  opt.output_file = dir / "out.log";
  auto child = Subprocess::spawn(opt);
  ASSERT_EQ(child.wait_for(10s), ExitStatus::exited(0));
  ::close(fd);
  EXPECT_EQ(tail_file(dir / "out.log"), "closed");
}

}  // namespace
}  // namespace livegui
