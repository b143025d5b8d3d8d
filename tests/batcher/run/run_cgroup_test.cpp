// The run's cgroup (batcher/run/run_cgroup.hpp): created and joined, torn
// down with everything in it (a re-forking daemon with a scrubbed
// environment too), and a dead run's cgroup found by a later one — never a
// live owner's. Skipped, saying why, only where no cgroup2 is writable.
#include "batcher/run/run_cgroup.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <system_error>

#include "common/backoff.hpp"
#include "common/proc_info.hpp"
#include "harness/subprocess.hpp"
#include "tests/support/temp_dir.hpp"

namespace {
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using livegui::ProcessIdentity;
using livegui::SpawnOptions;
using livegui::Subprocess;
using livegui::test_support::TempDir;
using namespace livegui::batch;

/// Live processes whose command line contains `marker`.
std::vector<pid_t> processes_with_marker(const std::string& marker) {
  std::vector<pid_t> out;
  for (const auto& e : fs::directory_iterator("/proc")) {
    const std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(e.path() / "cmdline", std::ios::binary);
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (cmdline.find(marker) == std::string::npos) continue;
    auto st = livegui::read_proc_stat(std::stoi(name));
    if (st && st->state != 'Z') out.push_back(st->pid);
  }
  return out;
}

bool write_file(const fs::path& file, const std::string& text) {
  std::ofstream out(file);
  out << text;
  out.flush();
  return static_cast<bool>(out);
}

ProcessIdentity identity_of(pid_t pid) {
  auto st = livegui::read_proc_stat(pid);
  return ProcessIdentity{pid, st ? st->start_time : 0};
}

class RunCgroupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    auto own = own_cgroup_dir(&why);
    if (!own) GTEST_SKIP() << "no cgroup2 here: " << why;
    static int n = 0;
    parent_ = *own / ("livegui-test-" + std::to_string(::getpid()) + "-" + std::to_string(++n));
    if (::mkdir(parent_.c_str(), 0755) != 0)
      GTEST_SKIP() << "cgroup2 is not writable here: creating " << parent_ << ": " << std::strerror(errno);
  }

  void TearDown() override {
    if (parent_.empty() || !fs::exists(parent_)) return;
    auto t = tear_down_cgroup(parent_, 5s);
    // The test's own housekeeping, not the product's claim (each test asserts
    // what its cgroup left): under load a process the test stopped can still
    // be listed for a moment (seen once in CI); say what, do not fail on it.
    for (const auto& p : t.killed)
      std::cout << "[ note ] left in the test's cgroup: pid " << p.pid << " (" << p.comm << ")\n";
    EXPECT_TRUE(t.removed) << t.error;
  }

  /// A shell that waits until `go` (a FIFO) is written, then runs `script`.
  Subprocess start_shell(const std::string& script) {
    fs::path go = dir_ / ("go-" + std::to_string(++shells_));
    EXPECT_EQ(::mkfifo(go.c_str(), 0600), 0);
    SpawnOptions opt;
    opt.executable = "/bin/sh";
    opt.args = {"-c", "read x < " + go.string() + "; " + script};
    opt.output_file = dir_ / "shell.log";
    return Subprocess::spawn(opt);
  }

  /// Lets the shell started last go on (it blocks in `read` until then).
  void release_shell() { EXPECT_TRUE(write_file(dir_ / ("go-" + std::to_string(shells_)), "go\n")); }

  /// A detached daemon with an empty environment, whose every generation
  /// ignores SIGTERM, forks the next after 20 ms into a session of its own
  /// and exits; each one's command line holds `marker`.
  static std::string reforking_daemon(const std::string& marker) {
    return "s=': " + marker +
           "; trap \"\" TERM; /bin/sleep 0.02; /usr/bin/setsid /bin/sh -c \"$0\" \"$0\" & exit 0'; "
           "/usr/bin/env -i /usr/bin/setsid /bin/sh -c \"$s\" \"$s\" & ";
  }

  TempDir dir_;
  fs::path parent_;
  int shells_ = 0;
};

TEST(RunCgroupName, NamesItsOwnerAndNothingElse) {
  ProcessIdentity owner{4121, 987654321};
  EXPECT_EQ(run_cgroup_name(owner), "livegui-run-4121-987654321");
  auto back = run_cgroup_owner(run_cgroup_name(owner));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, owner);
  for (const char* other : {"livegui-run-4121", "livegui-run--5", "livegui-run-a-1", "livegui-run-1-2x",
                            "livegui-test-1-2", "user.slice", "livegui-run-0-5"})
    EXPECT_FALSE(run_cgroup_owner(other).has_value()) << other;
}

TEST(OwnCgroupDir, IsTheCgroupThatListsThisProcess) {
  std::string why;
  auto own = own_cgroup_dir(&why);
  if (!own) GTEST_SKIP() << "no cgroup2 here: " << why;
  std::ifstream procs(*own / "cgroup.procs");
  bool listed = false;
  for (long pid = 0; procs >> pid;) listed = listed || pid == ::getpid();
  EXPECT_TRUE(listed) << *own;
  EXPECT_FALSE(own_run_cgroup().has_value()) << "a test process is in no run cgroup of its own";
}

TEST_F(RunCgroupTest, WhatTheOwnerStartsAfterJoiningIsKilledWhenItLeavesAndTheCgroupIsRemoved) {
  const std::string marker = (dir_ / "daemon-marker").string();
  Subprocess owner = start_shell(reforking_daemon(marker) + "exec /bin/sleep 300");
  std::optional<RunCgroup> cgroup;
  ASSERT_NO_THROW(cgroup.emplace(parent_, identity_of(owner.pid())));
  EXPECT_TRUE(cgroup_processes(cgroup->path()).empty()) << "created, not joined yet";
  ASSERT_NO_THROW(cgroup->join());
  EXPECT_EQ(cgroup->path(), parent_ / run_cgroup_name(identity_of(owner.pid())));
  release_shell();
  ASSERT_TRUE(livegui::poll_for([&] { return !processes_with_marker(marker).empty(); }, 20s));
  auto in_cgroup = [&](auto match) {
    for (const auto& p : cgroup_processes(cgroup->path()))
      if (match(p.pid)) return true;
    return false;
  };
  EXPECT_TRUE(in_cgroup([&](pid_t p) { return p == owner.pid(); }));
  EXPECT_TRUE(livegui::poll_for(
      [&] {
        auto daemon = processes_with_marker(marker);
        return in_cgroup([&](pid_t p) { return std::find(daemon.begin(), daemon.end(), p) != daemon.end(); });
      },
      5s))
      << "the daemon (setsid, env -i) is in the owner's cgroup";
  auto t = cgroup->close(5s);
  EXPECT_TRUE(t.emptied) << t.error;
  EXPECT_TRUE(t.removed) << t.error;
  EXPECT_FALSE(fs::exists(cgroup->path()));
  // Killed ones may still be leaving /proc for a moment; one that survived would stay.
  EXPECT_TRUE(livegui::poll_for([&] { return processes_with_marker(marker).empty(); }, 2s))
      << "a generation of the daemon outlived the teardown";
  EXPECT_TRUE(livegui::is_same_process(owner.pid(), identity_of(owner.pid()).start_time))
      << "the owner left the cgroup before it was killed";
  for (const auto& p : t.killed) EXPECT_NE(p.pid, owner.pid());
  owner.stop(1s, 2s);
  EXPECT_TRUE(cgroup->close(1s).removed) << "close() is idempotent";
}

TEST_F(RunCgroupTest, TearDownKillsEveryGenerationOfAReforkingDaemonAtOnce) {
  const std::string marker = (dir_ / "daemon-marker").string();
  Subprocess owner = start_shell(reforking_daemon(marker) + "exec /bin/sleep 300");
  const fs::path cgroup = parent_ / run_cgroup_name(identity_of(owner.pid()));
  ASSERT_EQ(::mkdir(cgroup.c_str(), 0755), 0);
  ASSERT_TRUE(write_file(cgroup / "cgroup.procs", std::to_string(owner.pid())));
  release_shell();
  ASSERT_TRUE(livegui::poll_for([&] { return !processes_with_marker(marker).empty(); }, 20s));
  auto started = std::chrono::steady_clock::now();
  auto t = tear_down_cgroup(cgroup, 5s);
  auto took = std::chrono::steady_clock::now() - started;
  EXPECT_TRUE(t.removed) << t.error;
  EXPECT_TRUE(livegui::poll_for([&] { return processes_with_marker(marker).empty(); }, 2s));
  EXPECT_LT(took, 3s);
  EXPECT_TRUE(owner.wait_for(5s).has_value()) << "the owner was in it too";
  std::cout << "[ MEASURED ] cgroup with a re-forking daemon emptied and removed in "
            << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms\n";
}

// The one-by-one kill of kernels without cgroup.kill (< 5.14), run here on
// purpose: a listed pid is signalled only while it is still the process the
// listing saw (its start time) and still a member.
TEST_F(RunCgroupTest, OneByOneKillSignalsOnlyAListedProcessThatIsStillThatMember) {
  Subprocess member = start_shell("exec /bin/sleep 300");
  Subprocess outsider = start_shell("exec /bin/sleep 300");
  const fs::path cgroup = parent_ / "members";
  ASSERT_EQ(::mkdir(cgroup.c_str(), 0755), 0);
  ASSERT_TRUE(write_file(cgroup / "cgroup.procs", std::to_string(member.pid())));
  auto member_stat = livegui::read_proc_stat(member.pid());
  auto outsider_stat = livegui::read_proc_stat(outsider.pid());
  ASSERT_TRUE(member_stat && outsider_stat);

  // A listing that names a process outside the cgroup (its pid reused by a
  // process elsewhere), and one whose start time is not the member's (the
  // member's pid reused inside): neither is signalled.
  EXPECT_EQ(kill_cgroup_members(cgroup, {*outsider_stat}), 0u);
  auto reused = *member_stat;
  reused.start_time += 1;
  EXPECT_EQ(kill_cgroup_members(cgroup, {reused}), 0u);
  EXPECT_TRUE(member.running());
  EXPECT_TRUE(outsider.running());

  EXPECT_EQ(kill_cgroup_members(cgroup, {*member_stat}), 1u);
  auto status = member.wait_for(5s);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->signal, SIGKILL);
  EXPECT_TRUE(outsider.running());
  outsider.stop(1s, 2s);
}

TEST_F(RunCgroupTest, OneByOneTearDownKillsEveryGenerationOfAReforkingDaemon) {
  const std::string marker = (dir_ / "daemon-marker").string();
  Subprocess owner = start_shell(reforking_daemon(marker) + "exec /bin/sleep 300");
  const fs::path cgroup = parent_ / run_cgroup_name(identity_of(owner.pid()));
  ASSERT_EQ(::mkdir(cgroup.c_str(), 0755), 0);
  ASSERT_TRUE(write_file(cgroup / "cgroup.procs", std::to_string(owner.pid())));
  release_shell();
  ASSERT_TRUE(livegui::poll_for([&] { return !processes_with_marker(marker).empty(); }, 20s));
  auto t = tear_down_cgroup(cgroup, 5s, CgroupKill::OneByOne);
  EXPECT_TRUE(t.emptied) << t.error;
  EXPECT_TRUE(t.removed) << t.error;
  EXPECT_TRUE(livegui::poll_for([&] { return processes_with_marker(marker).empty(); }, 2s));
  EXPECT_TRUE(owner.wait_for(5s).has_value()) << "the owner was in it too";
}

TEST_F(RunCgroupTest, AStaleScanTearsDownDeadOwnersCgroupsAndLeavesALiveOnesAlone) {
  Subprocess live_owner = start_shell("exec /bin/sleep 300");
  release_shell();
  Subprocess orphan = start_shell("exec /bin/sleep 300");
  release_shell();
  const fs::path live = parent_ / run_cgroup_name(identity_of(live_owner.pid()));
  // Dead owners: a pid that cannot exist, and a live pid with another start time (reused).
  const ProcessIdentity gone{4194305 + 7, 12345};
  const ProcessIdentity reused{::getpid(), identity_of(::getpid()).start_time + 1};
  const fs::path dead = parent_ / run_cgroup_name(gone);
  const fs::path dead_empty = parent_ / run_cgroup_name(reused);
  const fs::path not_a_run = parent_ / "livegui-other";
  for (const auto& c : {live, dead, dead_empty, not_a_run}) ASSERT_EQ(::mkdir(c.c_str(), 0755), 0) << c;
  ASSERT_TRUE(write_file(live / "cgroup.procs", std::to_string(live_owner.pid())));
  ASSERT_TRUE(write_file(dead / "cgroup.procs", std::to_string(orphan.pid())));

  auto stale = clean_stale_run_cgroups(parent_, 5s);

  ASSERT_EQ(stale.size(), 2u);
  std::sort(stale.begin(), stale.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
  const StaleRunCgroup& with_one = stale[0].path == dead ? stale[0] : stale[1];
  const StaleRunCgroup& empty = stale[0].path == dead ? stale[1] : stale[0];
  EXPECT_EQ(with_one.owner, gone);
  ASSERT_EQ(with_one.teardown.killed.size(), 1u);
  EXPECT_EQ(with_one.teardown.killed[0].pid, orphan.pid());
  EXPECT_TRUE(orphan.wait_for(5s).has_value());
  EXPECT_FALSE(fs::exists(dead));
  EXPECT_FALSE(fs::exists(dead_empty));
  const std::string said = with_one.describe();
  EXPECT_NE(said.find("a previous run (livegui-batch, pid " + std::to_string(gone.pid)), std::string::npos) << said;
  EXPECT_NE(said.find("ended without cleaning up (cgroup " + dead.string() +
                      "); 1 of its processes was still "
                      "running: pid " +
                      std::to_string(orphan.pid()) + " ("),
            std::string::npos)
      << said;
  EXPECT_NE(said.find("); killed it (cgroup.kill) and removed the cgroup"), std::string::npos) << said;
  EXPECT_NE(empty.describe().find("nothing of it was left running; removed the cgroup"), std::string::npos)
      << empty.describe();
  // The live owner's cgroup and what is in it are untouched; so is a cgroup that is no run's.
  EXPECT_TRUE(fs::exists(live));
  EXPECT_TRUE(fs::exists(not_a_run));
  EXPECT_TRUE(livegui::is_same_process(live_owner.pid(), identity_of(live_owner.pid()).start_time));
  EXPECT_EQ(cgroup_processes(live).size(), 1u);
  live_owner.stop(1s, 2s);
}

TEST_F(RunCgroupTest, ADeadRunsCgroupWhoseReaperHoldsItsLockIsLeftToTheReaper) {
  // A RunCgroup made for a dead owner: its lock is held as a reaper holds it.
  const ProcessIdentity gone{4194305 + 8, 777};
  std::optional<RunCgroup> held;
  ASSERT_NO_THROW(held.emplace(parent_, gone));
  EXPECT_TRUE(clean_stale_run_cgroups(parent_, 1s).empty()) << "its reaper is still at work";
  EXPECT_TRUE(fs::exists(held->path()));
  // Another holder (a second scanner) is kept out as well, and once the lock is free the scan takes it.
  int other = ::open(held->path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(other, 0);
  EXPECT_NE(::flock(other, LOCK_EX | LOCK_NB), 0);
  ::close(other);
  // join() drops this process's copy of the lock first; then it cannot move a pid that does not exist.
  EXPECT_THROW(held->join(), std::system_error);
  auto stale = clean_stale_run_cgroups(parent_, 1s);
  ASSERT_EQ(stale.size(), 1u);
  EXPECT_EQ(stale[0].path, held->path());
  EXPECT_NE(stale[0].describe().find("nothing of it was left running; removed the cgroup"), std::string::npos)
      << stale[0].describe();
  EXPECT_FALSE(fs::exists(held->path()));
}

}  // namespace
