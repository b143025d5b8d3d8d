// A SIGKILLed livegui-batch leaves no X display behind: the private Xvfb of
// its session AUT dies with it (PR_SET_PDEATHSIG, or the run's reaper), and
// the reaper removes the socket (and lock) file that a SIGKILLed X server cannot.
#include <sys/prctl.h>

#include <csignal>
#include <fstream>
#include <optional>

#include <gtest/gtest.h>

#include "common/executable_path.hpp"
#include "common/proc_info.hpp"
#include "common/x_display_files.hpp"
#include "tests/e2e/e2e_support.hpp"
#include "tests/support/batch_process.hpp"
#include "tests/support/poll.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_paths.hpp"

namespace livegui::test_support {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class XvfbSigkillE2E : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ::prctl(PR_SET_CHILD_SUBREAPER, 1); }
  void TearDown() override {
    std::vector<pid_t> left;
    test_support::eventually([&] { return (left = leftover_processes()).empty(); }, 5s);
    EXPECT_TRUE(left.empty()) << "left behind: " << describe_pids(left);
  }
  TempDir dir_;
};

TEST_F(XvfbSigkillE2E, ASigkilledBatchersPrivateDisplayLeavesNoSocketOrLock) {
  // Trial11h: SIGKILL the batcher while its session AUT runs on a private
  // Xvfb; /tmp/.X11-unix/X<n> stayed for ever, the next run did not remove it.
  if (find_executable("Xvfb").empty()) GTEST_SKIP() << "Xvfb is not installed (Debian package 'xvfb')";
  const fs::path marker = dir_ / "entry.started";
  const fs::path plan = dir_ / "plan.toml";
  std::ofstream(plan) << "[[tiers]]\nname = \"live\"\nuses_aut = true\ntimeout = \"120s\"\n"
                      << "aut = { executable = \"" << built("sample_app/sample_app")
                      << "\", display = \"xvfb\", term_grace = \"1s\" }\n"
                      << "[[tiers.entries]]\nname = \"hold\"\ncommand = [\"/bin/sh\", \"-c\", \"touch "
                      << marker.string() << "; exec sleep 300\"]\n";
  BatchProcess batch({plan.string(), "--aut-scope", "session", "--report-dir", (dir_ / "reports").string(),
                      "--state-dir", (dir_ / "state").string()},
                     dir_.path(), dir_ / "out.txt");
  ASSERT_TRUE(eventually([&] { return fs::exists(marker); }, 60s)) << batch.output();
  pid_t xvfb = 0;
  for (pid_t p : descendants_of(batch.pid()))
    if (auto st = read_proc_stat(p); st && st->comm == "Xvfb") xvfb = p;
  ASSERT_GT(xvfb, 0) << "no Xvfb under the batcher; " << batch.output();
  std::optional<XDisplaySocket> x;
  ASSERT_TRUE(eventually([&] { return (x = x_display_socket_of(xvfb)).has_value(); }, 10s))
      << "Xvfb pid " << xvfb << " listens on no /tmp/.X11-unix/X<n>";
  const int display = x->display;
  // Xvfb -displayfd takes no lock file; a server that does must lose it too.
  const fs::path lock = "/tmp/.X" + std::to_string(display) + "-lock";
  const fs::path sock = "/tmp/.X11-unix/X" + std::to_string(display);
  ASSERT_TRUE(fs::exists(sock));

  ASSERT_EQ(::kill(batch.pid(), SIGKILL), 0);
  ASSERT_TRUE(batch.wait(10s).has_value());
  bool gone = eventually([&] { return !fs::exists(fs::symlink_status(sock)) && !fs::exists(lock); }, 10s);
  EXPECT_TRUE(gone) << "display :" << display << " of the SIGKILLed run's Xvfb (pid " << xvfb << ") still has "
                    << (fs::exists(fs::symlink_status(sock)) ? sock.string() + " " : "")
                    << (fs::exists(lock) ? lock.string() : "");
}

TEST_F(XvfbSigkillE2E, ARunKilledWithItsReaperAndXvfbLeavesNoSocketOnceTheNextRunLooked) {
  // Trial12b: `kill -9` of the batcher, its reaper and its Xvfb at once left
  // /tmp/.X11-unix/X<n> for good: the next run reported the dead run (its
  // cgroup, its state file) but not the display.
  if (find_executable("Xvfb").empty()) GTEST_SKIP() << "Xvfb is not installed (Debian package 'xvfb')";
  const fs::path marker = dir_ / "entry.started";
  const std::string app = built("sample_app/sample_app");
  const fs::path plan = dir_ / "plan.toml";
  std::ofstream(plan) << "[[tiers]]\nname = \"live\"\nuses_aut = true\ntimeout = \"120s\"\n"
                      << "aut = { executable = \"" << app << "\", display = \"xvfb\", term_grace = \"1s\" }\n"
                      << "[[tiers.entries]]\nname = \"hold\"\ncommand = [\"/bin/sh\", \"-c\", \"touch "
                      << marker.string() << "; exec sleep 300\"]\n";
  const std::vector<std::string> state = {"--state-dir", (dir_ / "state").string()};
  auto with = [&](std::vector<std::string> a) {
    a.insert(a.end(), state.begin(), state.end());
    return a;
  };
  BatchProcess batch(with({plan.string(), "--aut-scope", "session", "--report-dir", (dir_ / "reports").string()}),
                     dir_.path(), dir_ / "out.txt");
  ASSERT_TRUE(eventually([&] { return fs::exists(marker); }, 60s)) << batch.output();
  pid_t xvfb = 0, reaper = 0;
  for (pid_t p : descendants_of(batch.pid())) {
    auto st = read_proc_stat(p);
    if (st && st->comm == "Xvfb") xvfb = p;
    if (st && st->comm == "livegui-reaper") reaper = p;
  }
  ASSERT_GT(xvfb, 0) << "no Xvfb under the batcher; " << batch.output();
  ASSERT_GT(reaper, 0) << "no livegui-reaper under the batcher";
  std::optional<XDisplaySocket> x;
  ASSERT_TRUE(eventually([&] { return (x = x_display_socket_of(xvfb)).has_value(); }, 10s));
  const fs::path sock = "/tmp/.X11-unix/X" + std::to_string(x->display);
  const auto reaper_started = read_proc_stat(reaper), xvfb_started = read_proc_stat(xvfb);
  ASSERT_TRUE(reaper_started && xvfb_started);
  // Stopped first, so that the batcher cannot see its Xvfb die; then all
  // three SIGKILLed. Both are the stopped batcher's children: until it reaps
  // them their pids cannot be reused, and their start times prove them ours.
  ASSERT_EQ(::kill(batch.pid(), SIGSTOP), 0);
  ASSERT_TRUE(is_same_process(reaper, reaper_started->start_time));
  ASSERT_TRUE(is_same_process(xvfb, xvfb_started->start_time));
  ASSERT_EQ(::kill(reaper, SIGKILL), 0);
  ASSERT_EQ(::kill(xvfb, SIGKILL), 0);
  ASSERT_EQ(::kill(batch.pid(), SIGKILL), 0);
  ASSERT_TRUE(batch.wait(10s).has_value());
  ASSERT_TRUE(eventually([&] {
    auto st = read_proc_stat(xvfb);
    return !st || st->state == 'Z';
  }));
  ASSERT_TRUE(fs::exists(fs::symlink_status(sock))) << "a SIGKILLed Xvfb leaves its socket";

  const fs::path next = dir_ / "next.toml";
  std::ofstream(next) << "[[tiers]]\nname = \"next\"\nuses_aut = true\n"
                      << "aut = { executable = \"" << app << "\", args = [\"--headless\"], display = \"none\" }\n"
                      << "[[tiers.entries]]\nname = \"nothing\"\ncommand = [\"/bin/true\"]\n";
  auto r = run_livegui_batch(with({next.string(), "--report-dir", (dir_ / "next-reports").string()}), dir_.path());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_FALSE(fs::exists(fs::symlink_status(sock))) << sock << " outlived the next run:\n" << r.output;
  EXPECT_NE(r.output.find("removed what its dead X server (pid " + std::to_string(xvfb) + ", display :" +
                          std::to_string(x->display) + ") left: " + sock.string()),
            std::string::npos)
      << r.output;
}

}  // namespace
}  // namespace livegui::test_support
