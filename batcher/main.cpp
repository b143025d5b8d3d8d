// livegui-batch: see cli.cpp for the command line and batch.cpp for the run.
#include <csignal>
#include <iostream>
#include <memory>
#include <optional>

#include "batcher/cli.hpp"
#include "batcher/run/interrupt_signals.hpp"
#include "batcher/run/orphans.hpp"
#include "batcher/run/reaper.hpp"
#include "batcher/run/run_cgroup.hpp"
#include "common/log.hpp"

namespace {

/// Leaves the run's cgroup and removes it, killing what is still in it (said
/// on stderr: nothing should be by now).
void close_run_cgroup(livegui::batch::RunCgroup& cgroup) {
  auto t = cgroup.close(std::chrono::seconds(2));
  auto log = livegui::logger("batcher");
  for (const auto& p : t.killed)
    log->warn("pid {} ({}) was still running in the run's cgroup at the end; killed it", p.pid, p.comm);
  if (!t.removed) log->warn("could not remove the run's cgroup {}: {}", cgroup.path().string(), t.error);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace livegui::batch;
  // First of all, while we have one thread: the run's cgroup (created, not
  // yet joined); the reaper, which stops what this run started if the
  // batcher itself is SIGKILLed or crashes, and stays outside the cgroup;
  // then the batcher joins it, and all it starts is in it.
  std::string no_cgroup;
  std::optional<RunCgroup> cgroup;
  try {
    if (auto home = own_cgroup_dir(&no_cgroup)) cgroup.emplace(*home, livegui::self_identity());
  } catch (const std::exception& e) {
    no_cgroup = e.what();
  }
  // The reaper inherits the cgroup's lock: a later run leaves the cgroup to it while it works.
  Reaper reaper(std::chrono::milliseconds(50), std::chrono::seconds(5),
                cgroup ? cgroup->path() : std::filesystem::path{});
  if (reaper.running()) exclude_from_orphans(reaper.pid());
  try {
    if (cgroup) cgroup->join();
  } catch (const std::exception& e) {
    no_cgroup = e.what();
    close_run_cgroup(*cgroup);
    cgroup.reset();
  }
  if (!cgroup)
    defer_startup_note("no run cgroup (" + no_cgroup +
                       "); what the run starts is found by LIVEGUI_RUNS and the reaper's snapshots instead");
  // Before anything else (and any thread): SIGINT/SIGTERM/SIGHUP become data.
  std::unique_ptr<InterruptSignals> signals;
  try {
    signals = std::make_unique<InterruptSignals>();
  } catch (const std::exception& e) {
    std::cerr << "livegui-batch: " << e.what() << "; Ctrl-C will not stop entries cleanly\n";
  }
  // A reader that went away (`livegui-batch … | head -1`) must not end the
  // run without its reports and clean-up: a write to the closed pipe fails
  // (EPIPE) instead of killing us. Every child gets SIGPIPE back at its
  // default (harness/subprocess.cpp), so none inherits this.
  ::signal(SIGPIPE, SIG_IGN);
  // Orphaned grandchildren become ours, so they can be reaped and stopped.
  if (!become_child_subreaper())
    livegui::logger("batcher")->warn("PR_SET_CHILD_SUBREAPER failed; orphans of entries will not be cleaned up");
  int code = 2;
  try {
    code = cli_main(argc, argv, std::cout, std::cerr, signals.get());
  } catch (const std::exception& e) {
    std::cerr << "livegui-batch: internal error: " << e.what() << "\n";
  }
  // The orphan sweeps have stopped and charged what entries left; this is the backstop.
  if (cgroup) close_run_cgroup(*cgroup);
  // The exit code is decided (128 + the first interrupt's number, when there
  // was one): an interrupt that arrives from now on — a second Ctrl-C while
  // the reports were written — must not end us by its signal instead. So the
  // signals stay blocked until we are gone: restoring the mask (the
  // destructor) would deliver the pending ones at their default, fatal action.
  // Kept in a static, not dropped: still reachable, so LeakSanitizer (on
  // by default under ASan, e.g. in Bazel's sandbox, which does not pass our
  // ASAN_OPTIONS) does not call it a leak (volatile: a store never read is
  // otherwise dropped by the optimizer, and the pointer with it).
  static InterruptSignals* volatile kept_blocked = nullptr;
  kept_blocked = signals.release();
  return code;
}
