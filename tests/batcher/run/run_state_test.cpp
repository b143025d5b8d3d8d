// Per-run state files (batcher/run/run_state.hpp) and what the guard does
// with the files of runs that are over (StateGuard::check_left_overs):
// issue 11 items 1–3.
#include "batcher/run/run_state.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <fstream>

#include <gtest/gtest.h>

#include "batcher/run/state_guard.hpp"
#include "common/backoff.hpp"
#include "common/proc_info.hpp"
#include "common/x_display_files.hpp"
#include "harness/subprocess.hpp"
#include "tests/support/fake_x_display.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_paths.hpp"

namespace livegui::batch {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using test_support::TempDir;

class BatcherRunState : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_path_ = dir_ / "state";
    ensure_state_dir(dir_path_);
  }
  void TearDown() override {
    auto left = test_support::leftover_processes();
    EXPECT_TRUE(left.empty()) << test_support::describe_pids(left);
  }
  StateCheckContext ctx() {
    StateCheckContext c;
    c.tier = "live";
    c.next_entry = "first";
    c.self = self_identity();
    return c;
  }
  /// An identity that names no live process: a run or AUT that is over.
  static ProcessIdentity gone(pid_t pid = 999999) { return {pid, 7}; }

  /// A state file as a run SIGKILLed mid-test leaves it: healthy, test running.
  StateFile killed_run_state(const ProcessIdentity& aut) {
    StateFile s;
    s.status = AutStatus::Healthy;
    s.aut = AutRecord{aut.pid, aut.pid, aut.start_time, "/bin/sample_app", 4000, "", ""};
    s.owner = gone();
    s.owner_name = "livegui-batch";
    s.spawn_count = 1;
    s.current_test = TestRef{"Live", "Workflow"};
    return s;
  }
  std::vector<fs::path> files_named(const std::string& part) {
    std::vector<fs::path> out;
    for (const auto& f : fs::directory_iterator(dir_path_))
      if (f.path().filename().string().find(part) != std::string::npos) out.push_back(f.path());
    return out;
  }

  /// This directory's left-over scan (as a run's first AUT entry makes it):
  /// one warning, which names the group member `pid` (a sleep) and says it
  /// was stopped, and the member is gone. Returns the warning.
  std::string expect_one_left_over_stopping(pid_t pid, std::uint64_t start_time) {
    StateGuard guard({dir_path_ / "aut-state-mine.json", 2s, 2s});
    auto outcomes = guard.check_left_overs(ctx());
    EXPECT_EQ(outcomes.size(), 1u);
    if (outcomes.size() != 1) return {};
    const std::string w = outcomes[0].warning;
    EXPECT_NE(w.find("pid " + std::to_string(pid) + " (sleep)"), std::string::npos) << w;
    EXPECT_NE(w.find("stopped it"), std::string::npos) << w;
    EXPECT_TRUE(poll_for([&] { return !is_same_process(pid, start_time); }, 5s)) << w;
    return w;
  }

  TempDir dir_{"run-state"};
  fs::path dir_path_;
};

TEST_F(BatcherRunState, EachRunHasItsOwnLockedFileAndRemovesBothAtACleanEnd) {
  ProcessIdentity self = self_identity();
  fs::path state, lock;
  {
    RunState a(dir_path_, self, "");
    RunState b(dir_path_, self, "-shard-2-of-3");
    state = a.state_file();
    lock = a.lock_file();
    EXPECT_EQ(state.filename().string(),
              "aut-state-" + std::to_string(self.pid) + "-" + std::to_string(self.start_time) + ".json");
    EXPECT_NE(a.state_file(), b.state_file()) << "shards of one run have their own file";
    EXPECT_TRUE(fs::exists(lock));
    // Another open file description cannot take the lock while the run lives.
    int fd = ::open(lock.c_str(), O_RDWR | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    EXPECT_NE(::flock(fd, LOCK_EX | LOCK_NB), 0);
    ::close(fd);
    write_state_file(state, killed_run_state(gone(999998)));
    // And a later run's scan leaves a live run's file alone, unread.
    EXPECT_TRUE(take_left_overs(dir_path_, dir_path_ / "aut-state-other.json").empty());
    EXPECT_TRUE(fs::exists(state));
  }
  EXPECT_FALSE(fs::exists(state));
  EXPECT_FALSE(fs::exists(lock));
  EXPECT_TRUE(fs::is_empty(dir_path_)) << "a clean end leaves nothing in the state directory";
}

// A writer stopped between its write and its rename (a harness stopped at a
// timeout) leaves a temporary file beside the state file: a clean end
// removes it too, and only those of its own state file.
TEST_F(BatcherRunState, ARunWithTheSamePidAndStartTimeGetsAFileOfItsOwn) {
  // Trial14b: two runs in separate pid namespaces sharing /dev/shm, both
  // pid 2, started in one clock tick: the second's lock replaced the first's
  // (rename), and both drove one state file. Two RunStates of one identity
  // in one process stand for them (flock locks are per open file).
  const ProcessIdentity twin{2, 1596694};
  {
    RunState first(dir_path_, twin, "");
    RunState second(dir_path_, twin, "");
    EXPECT_EQ(first.state_file(), dir_path_ / "aut-state-2-1596694.json");
    EXPECT_EQ(second.state_file(), dir_path_ / "aut-state-2-1596694-n2.json");
    EXPECT_EQ(run_of_state_file(second.state_file()), twin);
    // Both locks are held, each by its own run: neither file is a left-over.
    EXPECT_TRUE(take_left_overs(dir_path_, dir_path_ / "aut-state-other.json").empty());
  }
  EXPECT_TRUE(fs::is_empty(dir_path_));
}

TEST_F(BatcherRunState, ACleanEndRemovesTheTemporaryFilesOfUnfinishedWrites) {
  ProcessIdentity self = self_identity();
  fs::path own_tmp, other_tmp;
  {
    RunState run(dir_path_, self, "");
    own_tmp = dir_path_ / ("." + run.state_file().filename().string() + ".tmp-999995-2-839968275");
    other_tmp = dir_path_ / ".aut-state-1-2.json.tmp-999995-0-1";
    std::ofstream(own_tmp) << "{\"half\": ";
    std::ofstream(other_tmp) << "{";
  }
  EXPECT_FALSE(fs::exists(own_tmp)) << "left after the run: " << own_tmp;
  EXPECT_TRUE(fs::exists(other_tmp)) << "another run's file is not ours to remove";
}

TEST_F(BatcherRunState, ARunThatIsOverIsTakenOnceAndLocksWithoutStateAreRemoved) {
  fs::path dead = dir_path_ / "aut-state-999999-7.json";
  write_state_file(dead, killed_run_state(gone(999997)));
  std::ofstream(dir_path_ / "aut-state-999999-7.lock").flush();  // its lock, free
  std::ofstream(dir_path_ / "aut-state-999996-7.lock").flush();  // a run that never wrote state
  auto first = take_left_overs(dir_path_, dir_path_ / "aut-state-mine.json");
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].state_file(), dead);
  EXPECT_FALSE(fs::exists(dir_path_ / "aut-state-999996-7.lock"));
  // While we hold it, a concurrent scanner does not get it.
  EXPECT_TRUE(take_left_overs(dir_path_, dir_path_ / "aut-state-other.json").empty());
  first[0].release();
  EXPECT_FALSE(fs::exists(dir_path_ / "aut-state-999999-7.lock"));
}

// A writer SIGKILLed between its write and its rename (a guest killed with
// its runner) leaves a temporary file; a run that never scans for left-overs
// (no AUT tier) leaves its lock when killed. Any later run removes both —
// but never the temporary file of a writer that is alive.
TEST_F(BatcherRunState, TemporaryFilesOfGoneWritersAndFreeLocksAreSweptByAnyLaterRun) {
  // A writer that is gone: a child of ours, reaped.
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) ::_exit(0);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  const fs::path gone_tmp = dir_path_ / (".aut-state-27642-310850.json.tmp-" + std::to_string(child) + "-1-933512490");
  const fs::path live_tmp = dir_path_ / (".aut-state-27642-310850.json.tmp-" + std::to_string(::getpid()) + "-1-5");
  const fs::path odd_tmp = dir_path_ / ".aut-state-27642-310850.json.tmp-notapid";
  const fs::path free_lock = dir_path_ / "aut-state-999994-7.lock";  // a killed run without an AUT tier
  for (const auto& f : {gone_tmp, live_tmp, odd_tmp, free_lock}) std::ofstream(f) << "{";
  {
    RunState later(dir_path_, self_identity(), "");
    EXPECT_FALSE(fs::exists(gone_tmp)) << "its writer is gone: nobody renames it";
    EXPECT_FALSE(fs::exists(free_lock));
    EXPECT_TRUE(fs::exists(live_tmp)) << "its writer lives: it may still rename it";
    EXPECT_TRUE(fs::exists(odd_tmp)) << "not a name we write";
  }
  EXPECT_EQ(sweep_state_dir(dir_path_, {}), 0) << "nothing more to sweep";
  EXPECT_TRUE(fs::exists(live_tmp));
}

TEST_F(BatcherRunState, AKilledRunsStateIsReportedBeforeTheFirstAutEntryAndMovedAside) {
  // Item 3: the runner and its AUT both dead, the file still says healthy with a test running.
  fs::path dead = dir_path_ / "aut-state-999999-7.json";
  write_state_file(dead, killed_run_state(gone(999995)));
  StateGuard guard({dir_path_ / "aut-state-mine.json", 200ms, 1s});
  auto outcomes = guard.check_left_overs(ctx());
  ASSERT_EQ(outcomes.size(), 1u);
  const auto& out = outcomes[0];
  EXPECT_EQ(out.verdict.kind, StateVerdictKind::Stale);
  for (const char* part :
       {"[BATCH-WARN] live: a previous run (livegui-batch, pid 999999", "ended without cleaning up",
        "its AUT (pid 999995) was healthy during Live.Workflow and went down with its owner",
        "nothing of it is left running", "moved it aside to ", ".stale-", "first starts on a fresh AUT"})
    EXPECT_NE(out.warning.find(part), std::string::npos) << part << "\n" << out.warning;
  ASSERT_TRUE(out.dirty_start.has_value());
  EXPECT_EQ(out.dirty_start->kind, StateVerdictKind::Stale);
  EXPECT_FALSE(fs::exists(dead));
  EXPECT_EQ(files_named(".stale-").size(), 1u);
  EXPECT_TRUE(guard.check_left_overs(ctx()).empty()) << "reported once";
  StateGuard next({dir_path_ / "aut-state-next.json", 200ms, 1s});
  EXPECT_TRUE(next.check_left_overs(ctx()).empty()) << "a file moved aside is history, not news";
}

TEST_F(BatcherRunState, TheSocketAndLockADeadRunsXServerLeftAreRemovedAndALiveOnesAreKept) {
  // Trial12b: a run SIGKILLed together with its Xvfb (and its reaper) left
  // /tmp/.X11-unix/X0 for good; the next run reported the run but not that.
  TempDir x_root("x-root");
  const pid_t x_dead = test_support::dead_pid();
  test_support::FakeXDisplay dead_display(x_root.path(), 5, x_dead, /*listening=*/false);
  StateFile s = killed_run_state(gone(999995));
  s.aut->display = ":5";
  s.aut->x_server = XServerRecord{{x_dead, 7}, *x_display_socket(5, x_root.path())};
  write_state_file(dir_path_ / "aut-state-999999-7.json", s);
  // A run whose X server still runs (here: this process stands for it).
  test_support::FakeXDisplay live_display(x_root.path(), 6, ::getpid(), /*listening=*/true);
  StateFile live = killed_run_state(gone(999996));
  live.aut->x_server = XServerRecord{self_identity(), *x_display_socket(6, x_root.path())};
  write_state_file(dir_path_ / "aut-state-999998-7.json", live);

  StateGuard guard({dir_path_ / "aut-state-mine.json", 200ms, 1s, x_root.path()});
  auto outcomes = guard.check_left_overs(ctx());
  ASSERT_EQ(outcomes.size(), 2u);
  std::string warnings = outcomes[0].warning + "\n" + outcomes[1].warning;
  EXPECT_NE(warnings.find("removed what its dead X server (pid " + std::to_string(x_dead) + ", display :5) left: " +
                          dead_display.sock.string() + " and " + dead_display.lock.string()),
            std::string::npos)
      << warnings;
  EXPECT_FALSE(dead_display.sock_exists());
  EXPECT_FALSE(dead_display.lock_exists());
  EXPECT_TRUE(live_display.sock_exists()) << "its server runs";
  EXPECT_TRUE(live_display.lock_exists());
  EXPECT_EQ(warnings.find("display :6"), std::string::npos) << warnings;
}

TEST_F(BatcherRunState, ALongDeadStandaloneOwnersFileIsReportedWithHowItsAutDied) {
  StateFile s = killed_run_state(gone(999994));
  s.status = AutStatus::Dead;
  s.current_test.reset();
  s.owner_name = "test_live";
  s.last_exit = ExitRecord{999994, "killed by SIGSEGV", true, 0, SIGSEGV, "Live.Crash"};
  write_state_file(dir_path_ / "aut-state.json", s);
  StateGuard guard({dir_path_ / "aut-state-mine.json", 200ms, 1s});
  auto outcomes = guard.check_left_overs(ctx());
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_NE(outcomes[0].warning.find("its AUT (pid 999994) was killed by SIGSEGV during Live.Crash"), std::string::npos)
      << outcomes[0].warning;
  EXPECT_FALSE(fs::exists(dir_path_ / "aut-state.json"));
}

TEST_F(BatcherRunState, ALiveStandaloneAutIsSaidOnceAsNotThisRunsAndIsNoDirtyStart) {
  // Trial11h: a livegui-aut started by hand (or a test binary run alone) in
  // the same state directory made a run warn "next may find the AUT in use";
  // the run has its own state file and never uses that AUT.
  SpawnOptions opt;
  opt.executable = "/bin/sleep";
  opt.args = {"300"};
  Subprocess aut = Subprocess::spawn(opt);
  Subprocess owner = Subprocess::spawn(opt);
  StateFile s = killed_run_state({aut.pid(), aut.start_time()});
  s.owner = {owner.pid(), owner.start_time()};
  s.owner_name = "livegui-aut";
  const fs::path standalone = dir_path_ / "aut-state.json";
  write_state_file(standalone, s);
  StateGuard guard({dir_path_ / "aut-state-mine.json", 200ms, 1s});
  auto outcomes = guard.check_left_overs(ctx());
  ASSERT_EQ(outcomes.size(), 1u);
  const CheckOutcome& out = outcomes[0];
  EXPECT_EQ(out.warning, "") << "not a warning: " << out.warning;
  EXPECT_FALSE(out.dirty_start.has_value()) << "not a dirty start of the next entry";
  EXPECT_EQ(out.note, "live: the AUT (pid " + std::to_string(aut.pid()) +
                          ") of another live process (livegui-aut, pid " + std::to_string(owner.pid()) +
                          ") runs with its own state file " + standalone.string() +
                          "; this run uses a state file of its own and will not touch that AUT.");
  EXPECT_TRUE(guard.check_left_overs(ctx()).empty()) << "said once";
  EXPECT_TRUE(fs::exists(standalone)) << "its owner's file is left alone";
  EXPECT_TRUE(is_same_process(aut.pid(), aut.start_time())) << "its AUT is never signalled";
  aut.stop(500ms, 2s);
  owner.stop(500ms, 2s);
}

TEST_F(BatcherRunState, AReusedPidIsReportedAndNeverSignalled) {
  // Item 2: an unrelated process (its own group leader, like `setsid sleep 300`)
  // now holds the recorded pid and pgid; the start time does not match.
  SpawnOptions opt;
  opt.executable = "/bin/sleep";
  opt.args = {"300"};
  Subprocess sleeper = Subprocess::spawn(opt);
  ProcessIdentity wrong{sleeper.pid(), sleeper.start_time() + 12345};
  write_state_file(dir_path_ / "aut-state.json", killed_run_state(wrong));
  StateGuard guard({dir_path_ / "aut-state-mine.json", 200ms, 1s});
  auto outcomes = guard.check_left_overs(ctx());
  ASSERT_EQ(outcomes.size(), 1u);
  const std::string& w = outcomes[0].warning;
  EXPECT_EQ(outcomes[0].verdict.kind, StateVerdictKind::Stale) << w;
  EXPECT_NE(w.find("pid " + std::to_string(sleeper.pid()) + " now belongs to another process (sleep); left alone"),
            std::string::npos)
      << w;
  EXPECT_EQ(w.find("still running"), std::string::npos) << w;
  EXPECT_EQ(w.find("stopped"), std::string::npos) << w;
  EXPECT_TRUE(sleeper.running()) << "the unrelated process was signalled: " << w;
  sleeper.signal_group(SIGKILL);
  EXPECT_TRUE(sleeper.wait_for(5s).has_value());
}

TEST_F(BatcherRunState, ALeftOverAutThatIsProvablyOursIsStoppedThenTheFileMovedAside) {
  SpawnOptions opt;
  opt.executable = test_support::binary("tests/support/fake_app");
  Subprocess aut = Subprocess::spawn(opt);
  ProcessIdentity id{aut.pid(), aut.start_time()};
  write_state_file(dir_path_ / "aut-state-999999-7.json", killed_run_state(id));
  StateGuard guard({dir_path_ / "aut-state-mine.json", 2s, 2s});
  auto outcomes = guard.check_left_overs(ctx());
  ASSERT_EQ(outcomes.size(), 1u);
  const std::string& w = outcomes[0].warning;
  EXPECT_EQ(outcomes[0].verdict.kind, StateVerdictKind::Leaked) << w;
  EXPECT_NE(w.find("ended without cleaning up"), std::string::npos) << w;
  EXPECT_NE(w.find("its AUT (pid " + std::to_string(id.pid) + ") was still running; stopped it"), std::string::npos)
      << w;
  EXPECT_TRUE(aut.wait_for(5s).has_value());
  EXPECT_EQ(files_named(".stale-").size(), 1u);
}

TEST_F(BatcherRunState, AStandaloneOwnersCleanStopIsNotNews) {
  StateFile s = killed_run_state(gone(999993));
  s.status = AutStatus::Stopped;
  s.current_test.reset();
  write_state_file(dir_path_ / "aut-state.json", s);
  StateGuard guard({dir_path_ / "aut-state-mine.json", 200ms, 1s});
  EXPECT_TRUE(guard.check_left_overs(ctx()).empty());
  EXPECT_TRUE(fs::exists(dir_path_ / "aut-state.json")) << "a cleanly stopped standalone record is left as it is";
}

TEST_F(BatcherRunState, AStandaloneOwnerThatEndedWithItsAutNeverStartedOrDeadIsNotNews) {
  // livegui-aut or a test binary run by hand: its AUT never started (or died
  // and was recorded), then it ended cleanly. Not a run that vanished.
  StateFile never = killed_run_state(gone(999992));
  never.aut.reset();
  never.status = AutStatus::Dead;
  never.last_respawn_reason = "never started";
  never.current_test.reset();
  never.owner_ended = true;
  write_state_file(dir_path_ / "aut-state.json", never);
  StateGuard guard({dir_path_ / "aut-state-mine.json", 200ms, 1s});
  EXPECT_TRUE(guard.check_left_overs(ctx()).empty());

  StateFile died = killed_run_state(gone(999991));
  died.status = AutStatus::Dead;
  died.last_exit = ExitRecord{999991, "killed by SIGSEGV", true, 0, SIGSEGV, "Live.Workflow"};
  died.current_test.reset();
  died.owner_ended = true;
  write_state_file(dir_path_ / "aut-state.json", died);
  EXPECT_TRUE(guard.check_left_overs(ctx()).empty());

  // The same record without the owner's end is a run that vanished: reported.
  never.owner_ended = false;
  never.current_test = TestRef{"Live", "Workflow"};
  write_state_file(dir_path_ / "aut-state.json", never);
  StateGuard next_run({dir_path_ / "aut-state-next.json", 200ms, 1s});
  auto outcomes = next_run.check_left_overs(ctx());
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_NE(outcomes[0].warning.find("ended without cleaning up"), std::string::npos) << outcomes[0].warning;
  EXPECT_NE(outcomes[0].warning.find("during Live.Workflow"), std::string::npos) << outcomes[0].warning;
}

TEST_F(BatcherRunState, AKilledRunIsNamedByItsBatcherNotByTheTestBinaryThatLastOwnedItsAut) {
  // Found by a newcomer: in file scope the recorded owner is the entry's test
  // binary (or livegui-aut); the run that did not end cleanly is the batcher
  // whose per-run file it is.
  StateFile s = killed_run_state(gone(999990));
  s.owner = gone(4242);
  s.owner_name = "livegui-aut";
  write_state_file(dir_path_ / "aut-state-999999-7.json", s);
  StateGuard guard({dir_path_ / "aut-state-mine.json", 200ms, 1s});
  auto outcomes = guard.check_left_overs(ctx());
  ASSERT_EQ(outcomes.size(), 1u);
  const std::string& w = outcomes[0].warning;
  EXPECT_NE(w.find("a previous run (livegui-batch, pid 999999"), std::string::npos) << w;
  EXPECT_EQ(w.find("pid 4242"), std::string::npos) << w;
  EXPECT_FALSE(run_of_state_file(dir_path_ / "aut-state.json").has_value());
  auto run = run_of_state_file(dir_path_ / "aut-state-4100-123456-shard-2-of-4.json.stale-20261201T081627.745");
  ASSERT_TRUE(run.has_value());
  EXPECT_EQ(run->pid, 4100);
  EXPECT_EQ(run->start_time, 123456u);
}

/// A `sleep 300` left alone in a process group whose leader has exited (as a
/// dead AUT's child would be), with `env` added to its environment; its pid
/// and the group's id; pid 0 when it did not appear in 20 s.
struct Orphaned {
  pid_t pid = 0;
  pid_t pgid = 0;
};
Orphaned orphan_in_leaderless_group(const fs::path& dir, const std::string& env) {
  const fs::path pid_file = dir / "member.pid";
  SpawnOptions opt;
  opt.executable = "/bin/sh";
  opt.args = {"-c", env + " setsid sh -c 'sleep 300 & echo $! > " + pid_file.string() + ".tmp; mv " +
                        pid_file.string() + ".tmp " + pid_file.string() + "'"};
  opt.env_unset = {"LIVEGUI_RUNS"};
  Subprocess starter = Subprocess::spawn(opt);
  starter.wait_for(20s);
  Orphaned o;
  if (!poll_for([&] { return fs::exists(pid_file); }, 20s)) return o;
  std::ifstream(pid_file) >> o.pid;
  if (auto st = read_proc_stat(o.pid)) o.pgid = st->pgid;
  return o;
}

TEST_F(BatcherRunState, AMemberOfARecordedGroupThatCarriesNoProofIsReportedAndNeverSignalled) {
  // Issue 11 item 2, found by a newcomer: the record names a group (pid =
  // pgid = G, a wrong start time, owner gone, "healthy", written now) whose
  // leader has exited; an unrelated process of the user's is in group G and
  // started inside the record's window. The window holds only for a truthful
  // record: without the run's LIVEGUI_RUNS word, it is left alone.
  Orphaned o = orphan_in_leaderless_group(dir_path_, "");
  ASSERT_GT(o.pid, 0);
  ASSERT_NE(o.pgid, o.pid);
  auto id = read_proc_stat(o.pid);
  ASSERT_TRUE(id);
  StateFile s = killed_run_state({o.pgid, 12345});
  write_state_file(dir_path_ / "aut-state.json", s);
  StateGuard guard({dir_path_ / "aut-state-mine.json", 200ms, 1s});
  auto outcomes = guard.check_left_overs(ctx());
  ASSERT_EQ(outcomes.size(), 1u);
  const std::string& w = outcomes[0].warning;
  EXPECT_NE(w.find("pid " + std::to_string(o.pid) +
                   " (sleep) is in its process group, but nothing proves it is the "
                   "AUT's"),
            std::string::npos)
      << w;
  EXPECT_NE(w.find("left alone"), std::string::npos) << w;
  EXPECT_EQ(w.find("stopped it"), std::string::npos) << w;
  // Trial13b N3: not "nothing of it is left running" beside that note.
  EXPECT_EQ(w.find("nothing of it is left running"), std::string::npos) << w;
  EXPECT_TRUE(is_same_process(o.pid, id->start_time)) << "an unproven group member was signalled: " << w;
  ::kill(o.pid, SIGKILL);
}

TEST_F(BatcherRunState, AMemberOfARecordedGroupThatCarriesTheRunsWordIsStopped) {
  // The converse: the file is the per-run file of run 999999:7 (its name says
  // so), and the member inherited that run's word: it is the AUT's, stopped.
  Orphaned o = orphan_in_leaderless_group(dir_path_, "LIVEGUI_RUNS='1:2 999999:7'");
  ASSERT_GT(o.pid, 0);
  ASSERT_NE(o.pgid, o.pid);
  auto id = read_proc_stat(o.pid);
  ASSERT_TRUE(id);
  // A truthful record: the AUT (the group's leader) started before its member.
  StateFile s = killed_run_state({o.pgid, id->start_time});
  write_state_file(dir_path_ / "aut-state-999999-7.json", s);
  expect_one_left_over_stopping(o.pid, id->start_time);
}

TEST_F(BatcherRunState, AMemberOfAStandaloneRecordsGroupThatCarriesItsOwnersWordIsStopped) {
  // Trial13b N2: a standalone aut-state.json written by livegui-aut (which
  // adds its own word to LIVEGUI_RUNS, for its reaper), livegui-aut and its
  // reaper SIGKILLed: the AUT's grandchild carries the recorded owner's word,
  // "<owner pid>:<owner start time>", yet was "no LIVEGUI_RUNS word of the
  // run that wrote the file; left alone", for good.
  StateFile s = killed_run_state({0, 0});
  s.owner_name = "livegui-aut";
  const std::string word = std::to_string(s.owner.pid) + ":" + std::to_string(s.owner.start_time);
  Orphaned o = orphan_in_leaderless_group(dir_path_, "LIVEGUI_RUNS='1:2 " + word + "'");
  ASSERT_GT(o.pid, 0);
  ASSERT_NE(o.pgid, o.pid);
  auto id = read_proc_stat(o.pid);
  ASSERT_TRUE(id);
  s.aut = AutRecord{o.pgid, o.pgid, id->start_time, "/bin/sample_app", 4000, "", ""};
  write_state_file(dir_path_ / "aut-state.json", s);
  const std::string w = expect_one_left_over_stopping(o.pid, id->start_time);
  EXPECT_EQ(w.find("nothing proves"), std::string::npos) << w;
}

}  // namespace
}  // namespace livegui::batch
