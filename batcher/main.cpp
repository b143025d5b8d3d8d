// livegui-batch: see cli.cpp for the command line and batch.cpp for the run.
#include <csignal>
#include <iostream>
#include <memory>

#include "batcher/cli.hpp"
#include "batcher/run/interrupt_signals.hpp"
#include "batcher/run/orphans.hpp"
#include "batcher/run/reaper.hpp"
#include "common/log.hpp"

int main(int argc, char** argv) {
  using namespace livegui::batch;
  // First of all, while we have one thread: the reaper, which stops what this
  // run started if the batcher itself is SIGKILLed or crashes.
  Reaper reaper(std::chrono::milliseconds(50));
  if (reaper.running()) exclude_from_orphans(reaper.pid());
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
  try {
    return cli_main(argc, argv, std::cout, std::cerr, signals.get());
  } catch (const std::exception& e) {
    std::cerr << "livegui-batch: internal error: " << e.what() << "\n";
    return 2;
  }
}
