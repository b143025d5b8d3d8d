// A private Xvfb, and sample_app windowed on it answering /screenshot.
#include "harness/xvfb.hpp"

#include <signal.h>

#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/proc_info.hpp"
#include "harness/app_handle.hpp"
#include "hookclient/hook_client.hpp"
#include "tests/harness/sample_app_support.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_paths.hpp"

namespace livegui {
namespace {

using namespace std::chrono_literals;
using test_support::TempDir;

#define SKIP_WITHOUT_XVFB()                                         \
  if (!XvfbServer::available())                                     \
  GTEST_SKIP() << "Xvfb is not installed (Debian package 'xvfb'); " \
                  "the private-display tests need it"

TEST(Xvfb, StartsOnAFreeDisplayAndStops) {
  SKIP_WITHOUT_XVFB();
  TempDir dir("xvfb");
  XvfbOptions opt;
  opt.log_file = dir / "xvfb.log";
  auto server = XvfbServer::start(opt);
  ASSERT_TRUE(server.valid());
  EXPECT_THAT(server.display(), ::testing::MatchesRegex(":[0-9]+"));
  EXPECT_TRUE(std::filesystem::exists("/tmp/.X11-unix/X" + std::to_string(server.display_number())));
  EXPECT_EQ(read_proc_stat(server.pid())->pgid, server.pid());
  pid_t pgid = server.pid();
  auto report = server.stop();
  EXPECT_FALSE(report.sent_sigkill);
  auto left = test_support::leftover_processes({pgid});
  EXPECT_TRUE(left.empty()) << test_support::describe_pids(left);
}

TEST(Xvfb, RestartsWhenItDied) {
  SKIP_WITHOUT_XVFB();
  TempDir dir("xvfb");
  XvfbOptions opt;
  opt.log_file = dir / "xvfb.log";
  auto server = XvfbServer::start(opt);
  pid_t first = server.pid();
  EXPECT_FALSE(server.ensure_running());
  ::kill(first, SIGKILL);
  ASSERT_TRUE(test_support::eventually([&] { return !server.running(); }, 5s));
  EXPECT_TRUE(server.ensure_running());
  EXPECT_NE(server.pid(), first);
  EXPECT_TRUE(server.running());
  pid_t second = server.pid();
  server.stop();
  auto left = test_support::leftover_processes({first, second});
  EXPECT_TRUE(left.empty()) << test_support::describe_pids(left);
}

TEST(Xvfb, AServerSomeoneSigkilledLeavesNoSocketOrLockOnceStopped) {
  // Trial11h: a SIGKILLed Xvfb cannot remove /tmp/.X11-unix/X<n> (nor a
  // /tmp/.X<n>-lock; -displayfd takes none); its owner, finding it dead, does.
  SKIP_WITHOUT_XVFB();
  TempDir dir("xvfb");
  XvfbOptions opt;
  opt.log_file = dir / "xvfb.log";
  auto server = XvfbServer::start(opt);
  const std::filesystem::path sock = "/tmp/.X11-unix/X" + std::to_string(server.display_number());
  const std::filesystem::path lock = "/tmp/.X" + std::to_string(server.display_number()) + "-lock";
  ASSERT_TRUE(std::filesystem::exists(sock));
  ::kill(server.pid(), SIGKILL);
  ASSERT_TRUE(test_support::eventually([&] { return !server.running(); }, 5s));
  EXPECT_TRUE(std::filesystem::exists(std::filesystem::symlink_status(sock))) << "SIGKILLed, it could not";
  server.stop();
  EXPECT_FALSE(std::filesystem::exists(std::filesystem::symlink_status(sock)));
  EXPECT_FALSE(std::filesystem::exists(lock));
}

TEST(Xvfb, AMissingExecutableIsAClearError) {
  XvfbOptions opt;
  opt.executable = "/nonexistent/Xvfb";
  try {
    XvfbServer::start(opt);
    FAIL() << "expected XvfbError";
  } catch (const XvfbError& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("/nonexistent/Xvfb not found"));
  }
}

TEST(Xvfb, WindowedSampleAppOnItsOwnDisplayTakesScreenshots) {
  SKIP_WITHOUT_XVFB();
  TempDir dir("xvfb");
  auto spec = test_support::sample_app_spec(dir);
  spec.args = {"--enable-faults"};  // windowed
  spec.display = DisplayMode::Xvfb;
  std::vector<pid_t> groups;
  {
    AppHandle h(spec);
    h.ensure_ready({"Xvfb", "Screenshot"});
    groups.push_back(h.pgid());
    EXPECT_THAT(h.display(), ::testing::MatchesRegex(":[0-9]+"));
    EXPECT_TRUE(h.check().healthy());
    auto png = dir / "shot.png";
    h.hook()->screenshot(png);
    std::ifstream in(png, std::ios::binary);
    std::string head(8, '\0');
    in.read(head.data(), 8);
    EXPECT_EQ(head, std::string("\x89PNG\r\n\x1a\n", 8));
    EXPECT_GT(std::filesystem::file_size(png), 100u);
    // Xvfb runs as a child of ours in its own group, until the handle stops it.
    auto xvfbs = test_support::leftover_processes();
    EXPECT_GE(xvfbs.size(), 2u) << test_support::describe_pids(xvfbs);
    groups.insert(groups.end(), xvfbs.begin(), xvfbs.end());
  }
  auto left = test_support::leftover_processes(groups);
  EXPECT_TRUE(left.empty()) << test_support::describe_pids(left);
}

TEST(Xvfb, TwoOwnersSharingALogFolderEachWriteTheirOwnXvfbLog) {
  SKIP_WITHOUT_XVFB();
  TempDir dir("xvfb");
  auto spec = test_support::sample_app_spec(dir);
  spec.display = DisplayMode::Xvfb;
  std::vector<pid_t> groups;
  {
    auto other = spec;  // another owner: its own state file, the same log folder
    other.state_file = dir / "aut-state-2.json";
    AppHandle first(spec);
    AppHandle second(other);
    first.ensure_ready({"Xvfb", "First"});
    second.ensure_ready({"Xvfb", "Second"});
    groups = {first.pgid(), second.pgid()};
    EXPECT_NE(first.display(), second.display());
    // Named after each owner's own AUT log, never one shared xvfb.log.
    EXPECT_EQ(first.log_file().filename(), "aut-1.log");
    EXPECT_EQ(second.log_file().filename(), "aut-2.log");
    EXPECT_TRUE(std::filesystem::exists(first.log_file().parent_path() / "aut-1.xvfb.log"));
    EXPECT_TRUE(std::filesystem::exists(second.log_file().parent_path() / "aut-2.xvfb.log"));
    EXPECT_FALSE(std::filesystem::exists(first.log_file().parent_path() / "xvfb.log"));
    auto xvfbs = test_support::leftover_processes();
    groups.insert(groups.end(), xvfbs.begin(), xvfbs.end());
  }
  auto left = test_support::leftover_processes(groups);
  EXPECT_TRUE(left.empty()) << test_support::describe_pids(left);
}

}  // namespace
}  // namespace livegui
