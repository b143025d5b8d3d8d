// remove_dead_x_server_files(): the lock and socket of an X server that was
// ours and is dead go; anything that may belong to a live server stays.
#include "common/x_display_files.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include <gtest/gtest.h>

#include "tests/support/fake_x_display.hpp"
#include "tests/support/temp_dir.hpp"

namespace livegui {
namespace {

namespace fs = std::filesystem;
using test_support::TempDir;

using test_support::dead_pid;
using FakeDisplay = test_support::FakeXDisplay;

TEST(XDisplayFiles, TheSocketAndLockOfOurDeadServerAreRemoved) {
  TempDir root;
  const pid_t ours = dead_pid();
  FakeDisplay d(root.path(), 7, ours, /*listening=*/false);
  auto recorded = x_display_socket(7, root.path());
  ASSERT_TRUE(recorded.has_value());
  EXPECT_NE(remove_dead_x_server_files(*recorded, ours, root.path()), "");
  EXPECT_FALSE(d.lock_exists());
  EXPECT_FALSE(d.sock_exists());
}

TEST(XDisplayFiles, TheFilesOfADisplayWhoseLockNamesALiveProcessNotOursAreLeftInPlace) {
  TempDir root;
  // A live process that is not the one we started (our parent, the runner),
  // serving display 8: its lock names it and its socket answers.
  const pid_t foreign = ::getppid();
  FakeDisplay d(root.path(), 8, foreign, /*listening=*/true);
  auto seen = x_display_socket(8, root.path());
  ASSERT_TRUE(seen.has_value());
  EXPECT_EQ(remove_dead_x_server_files(*seen, dead_pid(), root.path()), "") << "the lock names another, live pid";
  EXPECT_EQ(remove_dead_x_server_files(*seen, foreign, root.path()), "") << "that pid is alive";
  EXPECT_TRUE(d.lock_exists());
  EXPECT_TRUE(d.sock_exists());
}

TEST(XDisplayFiles, ASocketFileThatIsNoLongerTheRecordedOneIsLeftInPlace) {
  TempDir root;
  const pid_t ours = dead_pid();
  XDisplaySocket recorded;
  {
    FakeDisplay first(root.path(), 9, ours, /*listening=*/false);
    recorded = *x_display_socket(9, root.path());
  }
  // Another server took display 9 since (unlink + bind: a new file), and died too.
  fs::remove(root / ".X11-unix" / "X9");
  fs::remove(root / ".X9-lock");
  std::ofstream(root / "spacer") << "x";  // so the new file does not reuse the inode
  const pid_t other = dead_pid();
  FakeDisplay second(root.path(), 9, other, /*listening=*/false);
  ASSERT_NE(x_display_socket(9, root.path())->inode, recorded.inode);
  EXPECT_EQ(remove_dead_x_server_files(recorded, ours, root.path()), "");
  EXPECT_TRUE(second.sock_exists());
  EXPECT_TRUE(second.lock_exists());
}

TEST(XDisplayFiles, TheDisplayAProcessListensOnIsFoundThroughItsSockets) {
  TempDir root;
  EXPECT_FALSE(x_display_socket_of(::getpid(), root.path()).has_value());
  FakeDisplay d(root.path(), 11, ::getpid(), /*listening=*/true);
  auto found = x_display_socket_of(::getpid(), root.path());
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->display, 11);
  EXPECT_EQ(found->inode, x_display_socket(11, root.path())->inode);
  EXPECT_EQ(remove_dead_x_server_files(*found, ::getpid(), root.path()), "") << "alive: nothing is removed";
  EXPECT_TRUE(d.sock_exists());
}

}  // namespace
}  // namespace livegui
