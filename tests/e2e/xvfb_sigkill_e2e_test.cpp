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
#include "common/text.hpp"
#include "common/x_display_files.hpp"
#include "harness/subprocess.hpp"
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
  // Gone, or a new file of another test's X server that took the display
  // number meanwhile (ctest -j2): never the dead server's file.
  EXPECT_NE(x_display_socket(x->display), x) << sock << " outlived the next run:\n" << r.output;
  EXPECT_NE(r.output.find("removed what its dead X server (pid " + std::to_string(xvfb) + ", display :" +
                          std::to_string(x->display) + ") left: " + sock.string()),
            std::string::npos)
      << r.output;
}

TEST_F(XvfbSigkillE2E, AStandaloneOwnerKilledWithItsXvfbLeavesNoSocketOnceTheNextOwnerStarts) {
  // Issue 11 item 6, without a batcher: a standalone livegui-aut (what the
  // pytest plugin runs) SIGKILLed with its reaper and its private Xvfb left
  // /tmp/.X11-unix/X<n>, and the next standalone owner of the same state
  // file did not remove it; only a livegui-batch run did.
  if (find_executable("Xvfb").empty()) GTEST_SKIP() << "Xvfb is not installed (Debian package 'xvfb')";
  const std::string app = built("sample_app/sample_app");
  const std::string aut = built("harness/livegui-aut");
  const fs::path state = dir_ / "state" / "aut-state.json";
  auto spec = [&](const std::string& name, const std::string& display_args) {
    const fs::path f = dir_ / name;
    std::ofstream(f) << "[aut]\nexecutable = \"" << app << "\"\n" << display_args << "term_grace = \"1s\"\n"
                     << "state_file = \"" << state.string() << "\"\nlog_dir = \"" << (dir_ / "logs").string() << "\"\n";
    return f.string();
  };
  const std::string windowed = spec("windowed.toml", "display = \"xvfb\"\n");
  const fs::path replies = dir_ / "first.out";
  // stdin held open (the shell's sleep) so that livegui-aut keeps its AUT.
  SpawnOptions first;
  first.executable = "/bin/sh";
  first.args = {"-c", "{ echo '{\"cmd\":\"ensure\",\"test\":\"t.py::a\"}'; exec sleep 300; } | exec " + aut +
                          " --spec " + windowed};
  first.output_file = replies;
  Subprocess shell = Subprocess::spawn(first);
  // livegui-aut greets ({"ok":true,"ready":true}), then answers the ensure.
  ASSERT_TRUE(eventually([&] { return tail_file(replies).find("\"kind\":\"started\"") != std::string::npos; }, 60s))
      << tail_file(replies);
  pid_t owner = 0, xvfb = 0, reaper = 0;
  for (pid_t p : descendants_of(shell.pid())) {
    auto st = read_proc_stat(p);
    if (st && st->comm == "livegui-aut") owner = p;
    if (st && st->comm == "Xvfb") xvfb = p;
    if (st && st->comm == "livegui-reaper") reaper = p;
  }
  ASSERT_GT(owner, 0) << "no livegui-aut under the shell";
  ASSERT_GT(xvfb, 0) << "no Xvfb under livegui-aut; " << tail_file(replies);
  ASSERT_GT(reaper, 0) << "no livegui-reaper under livegui-aut";
  std::optional<XDisplaySocket> x;
  ASSERT_TRUE(eventually([&] { return (x = x_display_socket_of(xvfb)).has_value(); }, 10s));
  const fs::path sock = "/tmp/.X11-unix/X" + std::to_string(x->display);
  // livegui-aut's reaper would clean up after it: all three die at once
  // (livegui-aut stopped first, so it sees nothing). The shell has not reaped
  // livegui-aut (its pipeline still runs), nor livegui-aut its children: their
  // pids are still the ones we found, their start times say so.
  const auto reaper_started = read_proc_stat(reaper), xvfb_started = read_proc_stat(xvfb),
             owner_started = read_proc_stat(owner);
  ASSERT_TRUE(reaper_started && xvfb_started && owner_started);
  ASSERT_TRUE(is_same_process(owner, owner_started->start_time));
  ASSERT_EQ(::kill(owner, SIGSTOP), 0);
  ASSERT_TRUE(is_same_process(reaper, reaper_started->start_time));
  ASSERT_TRUE(is_same_process(xvfb, xvfb_started->start_time));
  ASSERT_EQ(::kill(reaper, SIGKILL), 0);
  ASSERT_EQ(::kill(xvfb, SIGKILL), 0);
  ASSERT_EQ(::kill(owner, SIGKILL), 0);
  // Its AUT dies with it (PR_SET_PDEATHSIG); the Xvfb cannot clean up.
  ASSERT_TRUE(eventually([&] {
    auto st = read_proc_stat(xvfb);
    return !st || st->state == 'Z';
  }));
  shell.stop(500ms, 2s);
  ASSERT_TRUE(fs::exists(fs::symlink_status(sock))) << "a SIGKILLed Xvfb leaves its socket";

  const std::string headless = spec("headless.toml", "args = [\"--headless\"]\ndisplay = \"none\"\n");
  SpawnOptions next;
  next.executable = "/bin/sh";
  next.args = {"-c", "echo '{\"cmd\":\"ensure\",\"test\":\"t.py::b\"}' | exec " + aut + " --spec " + headless};
  next.output_file = dir_ / "next.out";
  Subprocess second = Subprocess::spawn(next);
  auto ended = second.wait_for(60s);
  ASSERT_TRUE(ended.has_value()) << "the second livegui-aut did not end at the end of its input";
  EXPECT_NE(tail_file(dir_ / "next.out").find("\"kind\":\"started\""), std::string::npos)
      << tail_file(dir_ / "next.out");
  EXPECT_FALSE(fs::exists(fs::symlink_status(sock))) << sock << " outlived the next standalone owner";
  std::string logs;
  for (const auto& e : fs::directory_iterator(dir_ / "logs"))
    if (e.path().filename().string().rfind("livegui-aut-", 0) == 0) logs += tail_file(e.path(), 2000);
  // What a livegui-batch run would report of the killed owner, in the log.
  EXPECT_NE(logs.find("its owner (livegui-aut, pid " + std::to_string(owner) +
                      ") ended without cleaning up; its AUT (pid "),
            std::string::npos)
      << logs;
  EXPECT_NE(logs.find(" during t.py::a and is gone; removed what its dead X server (pid " + std::to_string(xvfb) +
                      ", display :" + std::to_string(x->display) + ") left: " + sock.string()),
            std::string::npos)
      << logs;
}

}  // namespace
}  // namespace livegui::test_support
