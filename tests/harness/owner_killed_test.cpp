// A test runner killed with SIGKILL (no destructors, no TearDown) leaves no
// AUT behind: the AUT dies with it through PR_SET_PDEATHSIG.
#include <signal.h>

#include <fstream>
#include <regex>

#include <gtest/gtest.h>

#include "common/proc_info.hpp"
#include "common/text.hpp"
#include "harness/state_file.hpp"
#include "harness/subprocess.hpp"
#include "tests/harness/sample_app_support.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_paths.hpp"

namespace livegui {
namespace {

namespace fs = std::filesystem;

using namespace std::chrono_literals;
using test_support::eventually;
using test_support::TempDir;

TEST(OwnerKilled, SigkilledRunnerLeavesNoAut) {
  TempDir dir("owner");
  SpawnOptions opt;
  opt.executable = test_support::binary("tests/harness/aut_owner_helper");
  opt.args = {test_support::binary("sample_app/sample_app").string(), (dir / "state.json").string(),
              (dir / "logs").string()};
  opt.output_file = dir / "owner.log";
  auto owner = Subprocess::spawn(opt);

  std::smatch m;
  const std::regex ready("OWNER_READY aut_pid=(\\d+) aut_pgid=(\\d+)");
  std::string out;
  ASSERT_TRUE(eventually(
      [&] {
        out = tail_file(dir / "owner.log");
        return std::regex_search(out, m, ready) || owner.try_wait().has_value();
      },
      20s))
      << out;
  ASSERT_TRUE(std::regex_search(out, m, ready)) << "the helper did not get its AUT up: " << out;
  pid_t aut = std::stoi(m[1]);
  pid_t aut_pgid = std::stoi(m[2]);
  auto st = read_proc_stat(aut);
  ASSERT_TRUE(st);
  EXPECT_EQ(st->ppid, owner.pid());
  EXPECT_EQ(st->pgid, aut_pgid);
  EXPECT_NE(aut_pgid, owner.pgid());  // the AUT is not in the runner's group: killing that would not reach it

  ASSERT_EQ(::kill(owner.pid(), SIGKILL), 0);
  ASSERT_EQ(owner.wait_for(10s), ExitStatus::killed(SIGKILL));
  EXPECT_TRUE(eventually([&] { return processes_in_group(aut_pgid).empty(); }, 5s))
      << "AUT group " << aut_pgid
      << " outlived its runner: " << test_support::describe_pids(processes_in_group(aut_pgid));

  // The state file the runner left says so too: neither the AUT nor its owner is alive.
  auto state = read_state_file(dir / "state.json");
  ASSERT_TRUE(state);
  ASSERT_TRUE(state->aut);
  EXPECT_EQ(state->aut->pid, aut);
  auto in = inspect_state(*state);
  EXPECT_FALSE(in.aut_alive);
  EXPECT_FALSE(in.owner_alive);

  auto left = test_support::leftover_processes({aut_pgid, owner.pgid()});
  EXPECT_TRUE(left.empty()) << test_support::describe_pids(left);
}

TEST(OwnerKilled, ASigkilledLiveguiAutLeavesNothingItsAutStarted) {
  // Trial13a H1: a standalone livegui-aut (the pytest plugin's AUT owner)
  // SIGKILLed: its AUT died with it (PDEATHSIG), but the AUT's grandchild
  // ran on for good, and no later owner looked for it. Its reaper stops it.
  TempDir dir("owner");
  const fs::path spec = dir / "aut.toml";
  std::ofstream(spec) << "[aut]\nexecutable = \"" << test_support::binary("sample_app/sample_app").string()
                      << "\"\nargs = [\"--headless\", \"--spawn-grandchild\"]\nterm_grace = \"1s\"\n"
                      << "state_file = \"" << (dir / "state" / "aut-state.json").string() << "\"\n";
  SpawnOptions opt;
  opt.executable = "/bin/sh";
  // stdin held open (the shell's sleep) so that livegui-aut keeps its AUT.
  opt.args = {"-c", "{ echo '{\"cmd\":\"ensure\",\"test\":\"t.py::a\"}'; exec sleep 300; } | exec " +
                        test_support::binary("harness/livegui-aut").string() + " --spec " + spec.string()};
  opt.output_file = dir / "replies";
  auto shell = Subprocess::spawn(opt);
  std::smatch m;
  const std::regex started("\"kind\":\"started\".*\"pid\":(\\d+)");
  std::string out;
  ASSERT_TRUE(eventually([&] { return std::regex_search(out = tail_file(dir / "replies"), m, started); }, 30s)) << out;
  const pid_t aut = std::stoi(m[1]);
  std::vector<pid_t> group;
  ASSERT_TRUE(eventually([&] { return (group = processes_in_group(aut)).size() >= 2; }, 10s))
      << "the AUT's grandchild did not appear in its group";
  pid_t owner = 0;
  for (pid_t p : descendants_of(shell.pid()))
    if (auto st = read_proc_stat(p); st && st->comm == "livegui-aut") owner = p;
  ASSERT_GT(owner, 0);
  const auto owner_started = read_proc_stat(owner);
  ASSERT_TRUE(owner_started);
  // The shell has not reaped livegui-aut (its pipeline is still running):
  // the pid is still the livegui-aut we found under it, as its start time says.
  ASSERT_TRUE(is_same_process(owner, owner_started->start_time));
  ASSERT_EQ(::kill(owner, SIGKILL), 0);
  EXPECT_TRUE(eventually([&] { return processes_in_group(aut).empty(); }, 10s))
      << "left running after livegui-aut was SIGKILLed: " << test_support::describe_pids(processes_in_group(aut));
  shell.stop(500ms, 2s);
  auto left = test_support::leftover_processes({aut, shell.pid()});
  EXPECT_TRUE(left.empty()) << test_support::describe_pids(left);
}

}  // namespace
}  // namespace livegui
