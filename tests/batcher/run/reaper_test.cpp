// The reaper (batcher/run/reaper.hpp): what a SIGKILLed batcher started is
// stopped whatever the moment of the SIGKILL, and nothing else is.
#include "batcher/run/reaper.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <csignal>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "common/backoff.hpp"
#include "common/proc_info.hpp"
#include "harness/subprocess.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_paths.hpp"

namespace {
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using livegui::SpawnOptions;
using livegui::Subprocess;
using livegui::test_support::binary;
using livegui::test_support::TempDir;

struct Identity {
  pid_t pid = 0;
  std::uint64_t start_time = 0;
  bool alive() const { return livegui::is_same_process(pid, start_time); }
};

/// The pid a shell wrote to `file` (written to a temporary and renamed, so
/// it is whole), with its start time; pid 0 when it did not appear in 20 s.
Identity wait_for_pid_file(const fs::path& file) {
  Identity id;
  if (!livegui::poll_for([&] { return fs::exists(file); }, 20s)) return id;
  std::ifstream(file) >> id.pid;
  if (auto st = livegui::read_proc_stat(id.pid)) id.start_time = st->start_time;
  return id;
}

/// Seconds since `pid` started, from /proc (0 when it is gone).
double age(pid_t pid) {
  auto st = livegui::read_proc_stat(pid);
  double uptime = 0;
  std::ifstream("/proc/uptime") >> uptime;
  long hz = ::sysconf(_SC_CLK_TCK);
  if (!st || hz <= 0) return 0;
  return uptime - static_cast<double>(st->start_time) / static_cast<double>(hz);
}

class ReaperTest : public ::testing::Test {
 protected:
  /// Starts reaper_probe (a stand-in batcher with a reaper of `period`)
  /// running `/bin/sh -c script`.
  Subprocess start_probe(std::chrono::milliseconds period, const std::string& script) {
    SpawnOptions opt;
    opt.executable = binary("tests/batcher/reaper_probe");
    opt.args = {std::to_string(period.count()), "/bin/sh", "-c", script};
    opt.output_file = dir_ / "probe.log";
    opt.env_unset = {"LIVEGUI_RUNS"};
    return Subprocess::spawn(opt);
  }

  /// The script: a detached daemon (its own session: no group of ours holds
  /// it), its pid written to `pid_file` once it runs, then the shell waits.
  std::string daemon_script(const fs::path& pid_file, const std::string& prefix = "",
                            const std::string& then = "exec sleep 300") const {
    return prefix + "setsid sleep 300 & echo $! > " + pid_file.string() + ".tmp && mv " + pid_file.string() + ".tmp " +
           pid_file.string() + " && " + then;
  }

  /// The daemon's identity once the shell wrote its pid and `env`/`setsid`
  /// have exec'd sleep ($! names it from the fork on); pid 0 when not in 30 s.
  static Identity wait_for_daemon(const fs::path& pid_file) {
    Identity id = wait_for_pid_file(pid_file);
    if (id.pid <= 0) return id;
    bool execd = livegui::poll_for(
        [&] {
          auto st = livegui::read_proc_stat(id.pid);
          return st && st->comm == "sleep";
        },
        10s);
    if (!execd) return {};
    if (auto st = livegui::read_proc_stat(id.pid)) id.start_time = st->start_time;
    return id;
  }

  TempDir dir_{"reaper"};
};

TEST_F(ReaperTest, ADaemonForkedJustBeforeTheSigkillIsStoppedThoughNoSnapshotSawIt) {
  // Issue 11 item 4, the flake of batcher_sigkill_file: the reaper's last
  // snapshot predates the process, and the processes it descends from died
  // with the batcher (PDEATHSIG) before the reaper looked. A period of an hour
  // means the only snapshot is taken before the daemon exists.
  Subprocess bystander = [&] {
    SpawnOptions opt;
    opt.executable = "/bin/sleep";
    opt.args = {"300"};
    return Subprocess::spawn(opt);
  }();
  auto bystander_id = livegui::read_proc_stat(bystander.pid());
  ASSERT_TRUE(bystander_id);

  Subprocess probe = start_probe(1h, daemon_script(dir_ / "daemon.pid"));
  Identity daemon = wait_for_pid_file(dir_ / "daemon.pid");
  ASSERT_GT(daemon.pid, 0) << "the probe's shell wrote no daemon pid";
  ASSERT_TRUE(daemon.alive());
  ASSERT_EQ(::kill(probe.pid(), SIGKILL), 0);
  ASSERT_TRUE(probe.wait_for(10s).has_value());
  auto killed = std::chrono::steady_clock::now();
  bool gone = livegui::poll_for([&] { return !daemon.alive(); }, 5s);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - killed);
  if (!gone) ::kill(daemon.pid, SIGKILL);
  EXPECT_TRUE(gone) << "the daemon (pid " << daemon.pid << ") outlived the SIGKILLed probe by 5 s";
  EXPECT_LT(ms, 3s);
  // A process the run did not start is never touched.
  EXPECT_TRUE(livegui::is_same_process(bystander.pid(), bystander_id->start_time));
  bystander.stop(500ms, 2s);
}

TEST_F(ReaperTest, ADaemonWithAScrubbedEnvironmentIsStoppedWhenASnapshotSawIt) {
  // The other way: a process started without LIVEGUI_RUNS is found by the
  // snapshots of the batcher's tree, once one has seen it (observable: its
  // age well beyond the period).
  Subprocess probe = start_probe(20ms, daemon_script(dir_ / "daemon.pid", "env -u LIVEGUI_RUNS "));
  Identity daemon = wait_for_daemon(dir_ / "daemon.pid");
  ASSERT_GT(daemon.pid, 0) << "the probe's shell wrote no daemon pid, or it never exec'd sleep";
  ASSERT_FALSE(livegui::environ_value(daemon.pid, "LIVEGUI_RUNS").has_value());
  // The probe's reaper snapshots every 20 ms: let the daemon be old enough
  // (its age from /proc, bounded) to have been in dozens of them.
  ASSERT_TRUE(livegui::poll_for([&] { return age(daemon.pid) > 1.0; }, 10s));
  ASSERT_EQ(::kill(probe.pid(), SIGKILL), 0);
  ASSERT_TRUE(probe.wait_for(10s).has_value());
  bool gone = livegui::poll_for([&] { return !daemon.alive(); }, 5s);
  if (!gone) ::kill(daemon.pid, SIGKILL);
  EXPECT_TRUE(gone) << "the daemon (pid " << daemon.pid << ") outlived the SIGKILLed probe by 5 s";
}

/// A process of ours (not of the probe's run) that holds `pid`: the kernel's
/// last pid is set to pid - 1 (/proc/sys/kernel/ns_last_pid, root only) right
/// before each spawn; other processes forking in between can take it, so it
/// tries again (bounded). nullopt when the pid could not be had.
std::optional<Subprocess> spawn_holding_pid(pid_t pid) {
  for (int attempt = 0; attempt < 200; ++attempt) {
    {
      std::ofstream last("/proc/sys/kernel/ns_last_pid");
      if (!(last << (pid - 1) << std::flush)) return std::nullopt;
    }
    SpawnOptions opt;
    opt.executable = "/bin/sleep";
    opt.args = {"300"};
    opt.env_unset = {"LIVEGUI_RUNS"};
    Subprocess s = Subprocess::spawn(opt);
    if (s.pid() == pid) return s;
    s.stop(0ms, 2s);
  }
  return std::nullopt;
}

TEST_F(ReaperTest, ARecordedPidNowHeldByAForeignProcessIsLeftAlone) {
  // Issue 11 item 2 for the reaper: its snapshot recorded the run's daemon
  // (pid P, its own group P); the daemon ended and P went to a process the
  // run did not start. The SIGKILLed run's reaper must leave P alone: pid +
  // start time, not the pid, is what it recorded.
  if (::access("/proc/sys/kernel/ns_last_pid", W_OK) != 0) GTEST_SKIP() << "needs root to choose a pid";
  // The shell waits for the daemon, so the daemon's pid is freed (reaped) the
  // moment it dies, while the probe's tree stays as it was.
  Subprocess probe =
      start_probe(1500ms, daemon_script(dir_ / "daemon.pid", "env -u LIVEGUI_RUNS ", "wait; exec sleep 300"));
  Identity daemon = wait_for_daemon(dir_ / "daemon.pid");
  ASSERT_GT(daemon.pid, 0) << "the probe's shell wrote no daemon pid, or it never exec'd sleep";
  // Old enough to be in a snapshot (period 1.5 s); the next one, which would
  // forget it once it is gone, is then most likely more than a second away.
  ASSERT_TRUE(livegui::poll_for([&] { return age(daemon.pid) > 1.6; }, 10s));
  ASSERT_EQ(::kill(daemon.pid, SIGKILL), 0);
  ASSERT_TRUE(livegui::poll_for([&] { return !fs::exists("/proc/" + std::to_string(daemon.pid)); }, 5s))
      << "the shell did not reap the daemon";
  std::optional<Subprocess> foreign = spawn_holding_pid(daemon.pid);
  ASSERT_TRUE(foreign.has_value()) << "could not get pid " << daemon.pid << " for the foreign process";
  auto foreign_id = livegui::read_proc_stat(foreign->pid());
  ASSERT_TRUE(foreign_id);
  ASSERT_EQ(foreign_id->pgid, daemon.pid) << "the foreign process also holds the recorded group id";

  ASSERT_EQ(::kill(probe.pid(), SIGKILL), 0);
  ASSERT_TRUE(probe.wait_for(10s).has_value());
  // The reaper's work is over when it has exited (its pid from the probe's log).
  pid_t reaper = 0;
  {
    std::ifstream log(dir_ / "probe.log");
    std::string word;
    log >> word >> reaper;
  }
  ASSERT_GT(reaper, 0) << "the probe printed no reaper pid";
  ASSERT_TRUE(livegui::poll_for(
      [&] {
        auto st = livegui::read_proc_stat(reaper);
        return !st || st->state == 'Z' || st->comm != "livegui-reaper";
      },
      10s))
      << "the reaper did not finish";
  EXPECT_TRUE(livegui::is_same_process(foreign->pid(), foreign_id->start_time))
      << "the reaper killed pid " << foreign->pid() << ", which the run never started";
  foreign->stop(500ms, 2s);
}

TEST_F(ReaperTest, EveryProcessOfTheRunCarriesItsWordAfterWhatItInherited) {
  // A nested run appends its word: the outer run's reaper still finds what the inner one starts.
  Subprocess probe = [&] {
    SpawnOptions opt;
    opt.executable = binary("tests/batcher/reaper_probe");
    opt.args = {"3600000", "/bin/sh", "-c", daemon_script(dir_ / "daemon.pid")};
    opt.output_file = dir_ / "probe.log";
    opt.env_set = {{"LIVEGUI_RUNS", "1:2"}};
    return Subprocess::spawn(opt);
  }();
  Identity daemon = wait_for_daemon(dir_ / "daemon.pid");
  ASSERT_GT(daemon.pid, 0);
  // Between the exec's switch of name and its setting up of the new
  // environment, /proc/<pid>/environ is empty: wait (bounded) for it.
  livegui::poll_for([&] { return livegui::environ_value(daemon.pid, "LIVEGUI_RUNS").has_value(); }, 5s);
  auto probe_stat = livegui::read_proc_stat(probe.pid());
  ASSERT_TRUE(probe_stat);
  EXPECT_EQ(livegui::environ_value(daemon.pid, "LIVEGUI_RUNS").value_or("unset"),
            "1:2 " + std::to_string(probe.pid()) + ":" + std::to_string(probe_stat->start_time));
  probe.stop(500ms, 2s);
  bool gone = livegui::poll_for([&] { return !daemon.alive(); }, 5s);
  if (!gone) ::kill(daemon.pid, SIGKILL);
  EXPECT_TRUE(gone);
}

}  // namespace
