// Two standalone owners on one state directory — two pytest sessions started
// by hand, each running a livegui-aut, with the default state file — never
// write one record: the second finds aut-state.json held by the first (its
// flock) and records its AUT in a file of its own, locked while it lives.
// So when one of them is SIGKILLed, what it left is still found and
// reported by the next livegui-batch run (trial13b N1).
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <fstream>
#include <regex>

#include <gtest/gtest.h>

#include "common/proc_info.hpp"
#include "common/text.hpp"
#include "harness/state_file.hpp"
#include "harness/state_file_lock.hpp"
#include "harness/subprocess.hpp"
#include "tests/e2e/e2e_support.hpp"
#include "tests/support/poll.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_paths.hpp"

namespace livegui::test_support {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class StandaloneOwnersE2E : public ::testing::Test {
 protected:
  // Orphans of the owners become ours, so the leak check below sees them.
  static void SetUpTestSuite() { ::prctl(PR_SET_CHILD_SUBREAPER, 1); }
  void TearDown() override {
    std::vector<pid_t> left;
    eventually([&] { return (left = leftover_processes()).empty(); }, 5s);
    EXPECT_TRUE(left.empty()) << "left behind: " << describe_pids(left);
  }

  /// A livegui-aut under a shell that holds its stdin open, asked for the AUT.
  struct Owner {
    Subprocess shell;
    ProcessIdentity id;  ///< the livegui-aut
    pid_t aut = 0;
  };

  fs::path state() const { return dir_ / "state" / "aut-state.json"; }

  Owner start_owner(const std::string& name) {
    const fs::path spec = dir_ / "aut.toml";
    if (!fs::exists(spec))
      std::ofstream(spec) << "[aut]\nexecutable = \"" << built("sample_app/sample_app")
                          << "\"\nargs = [\"--headless\"]\ndisplay = \"none\"\nterm_grace = \"1s\"\n"
                          << "state_file = \"" << state().string() << "\"\nlog_dir = \"" << (dir_ / "logs").string()
                          << "\"\n";
    Owner o;
    SpawnOptions opt;
    opt.executable = "/bin/sh";
    opt.args = {"-c", "{ echo '{\"cmd\":\"ensure\",\"test\":\"" + name + ".py::t\"}'; exec sleep 300; } | exec " +
                          built("harness/livegui-aut") + " --spec " + spec.string()};
    opt.output_file = dir_ / (name + ".out");
    o.shell = Subprocess::spawn(opt);
    std::smatch m;
    const std::regex started("\"kind\":\"started\".*\"pid\":(\\d+)");
    std::string out;
    EXPECT_TRUE(eventually([&] { return std::regex_search(out = tail_file(opt.output_file), m, started); }, 60s))
        << out;
    if (m.empty()) return o;
    o.aut = std::stoi(m[1]);
    for (pid_t p : descendants_of(o.shell.pid()))
      if (auto st = read_proc_stat(p); st && st->comm == "livegui-aut") o.id = {p, st->start_time};
    EXPECT_GT(o.id.pid, 0) << "no livegui-aut under the shell";
    return o;
  }

  TempDir dir_{"standalone-owners"};
};

TEST_F(StandaloneOwnersE2E, TwoNeverShareARecordAndWhatAKilledOneLeftIsReported) {
  Owner a = start_owner("a");
  ASSERT_GT(a.aut, 0);
  Owner b = start_owner("b");
  ASSERT_GT(b.aut, 0);
  ASSERT_NE(a.aut, b.aut);

  // a's record is still a's: b did not write over it.
  auto shared = read_state_file(state());
  ASSERT_TRUE(shared && shared->aut);
  EXPECT_EQ(shared->aut->pid, a.aut);
  EXPECT_EQ(shared->owner, a.id);
  // b's is its own, named after it, and locked while it lives.
  const fs::path own = state().parent_path() / run_state_file_name(b.id);
  auto mine = read_state_file(own);
  ASSERT_TRUE(mine && mine->aut) << own << " does not record b's AUT";
  EXPECT_EQ(mine->aut->pid, b.aut);
  EXPECT_EQ(mine->owner, b.id);
  const int fd = try_lock_file(lock_file_for(own));
  EXPECT_LT(fd, 0) << "b's lock is free while b lives";
  if (fd >= 0) ::close(fd);

  // b is SIGKILLed (its reaper stops its AUT): its file stays, its lock is free.
  ASSERT_TRUE(is_same_process(b.id.pid, b.id.start_time));  // not reaped yet: still b
  ASSERT_EQ(::kill(b.id.pid, SIGKILL), 0);
  EXPECT_TRUE(eventually([&] { return processes_in_group(b.aut).empty(); }, 10s))
      << describe_pids(processes_in_group(b.aut));
  b.shell.stop(500ms, 2s);

  // The next run reports what b left, and leaves a (alive) alone.
  const fs::path plan = dir_ / "plan.toml";
  std::ofstream(plan) << "[[tiers]]\nname = \"live\"\nuses_aut = true\n"
                      << "aut = { executable = \"" << built("sample_app/sample_app")
                      << "\", args = [\"--headless\"], display = \"none\" }\n"
                      << "[[tiers.entries]]\nname = \"e1\"\ncommand = [\"/bin/true\"]\n";
  auto r = run_livegui_batch({plan.string(), "-v", "--report-dir", (dir_ / "reports").string(), "--state-dir",
                              state().parent_path().string()},
                             dir_.path());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("a previous run (livegui-aut, pid " + std::to_string(b.id.pid)), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("ended without cleaning up (" + own.string() + ")"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("of another live process (livegui-aut, pid " + std::to_string(a.id.pid) +
                          ") runs with its own state file " + state().string()),
            std::string::npos)
      << r.output;
  shared = read_state_file(state());
  ASSERT_TRUE(shared && shared->aut);
  EXPECT_EQ(shared->aut->pid, a.aut);
  EXPECT_TRUE(inspect_state(*shared).aut_alive) << "a's AUT did not survive the run: " << r.output;

  // a ends cleanly (SIGTERM, as a pytest session stopped by Ctrl-C): its
  // AUT stopped, its record says so, its lock is gone.
  a.shell.stop(5s, 5s);
  EXPECT_TRUE(eventually([&] { return processes_in_group(a.aut).empty(); }, 10s));
  shared = read_state_file(state());
  ASSERT_TRUE(shared);
  EXPECT_EQ(shared->status, AutStatus::Stopped);
  EXPECT_FALSE(fs::exists(lock_file_for(state())));
}

}  // namespace
}  // namespace livegui::test_support
