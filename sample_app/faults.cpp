#include "sample_app/faults.hpp"

#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <utility>

namespace sample_app {

std::optional<FaultKind> parse_fault_kind(const std::string& name) {
  if (name == "assert") return FaultKind::Assert;
  if (name == "crash") return FaultKind::Crash;
  if (name == "segv") return FaultKind::Segv;
  if (name == "hang") return FaultKind::Hang;
  if (name == "exit") return FaultKind::Exit;
  if (name == "ignore-sigterm") return FaultKind::IgnoreSigterm;
  if (name == "spawn-grandchild") return FaultKind::SpawnGrandchild;
  return std::nullopt;
}

const char* to_string(FaultKind kind) {
  switch (kind) {
    case FaultKind::Assert: return "assert";
    case FaultKind::Crash: return "crash";
    case FaultKind::Segv: return "segv";
    case FaultKind::Hang: return "hang";
    case FaultKind::Exit: return "exit";
    case FaultKind::IgnoreSigterm: return "ignore-sigterm";
    case FaultKind::SpawnGrandchild: return "spawn-grandchild";
  }
  return "?";
}

std::string fault_kind_list() { return "assert, crash, segv, hang, exit, ignore-sigterm, spawn-grandchild"; }

void FaultInjector::schedule(FaultKind kind, int exit_code) {
  std::lock_guard lock(mutex_);
  pending_ = kind;
  exit_code_ = exit_code;
}

void FaultInjector::fire_pending() {
  std::optional<FaultKind> kind;
  int code = 3;
  {
    std::lock_guard lock(mutex_);
    kind = std::exchange(pending_, std::nullopt);
    code = exit_code_;
  }
  if (!kind) return;
  std::fprintf(stderr, "sample_app: injected fault '%s' fires now\n", to_string(*kind));
  std::fflush(stderr);
  switch (*kind) {
    case FaultKind::Assert: {
      bool simulation_state_consistent = false;  // what the injected fault breaks
      SAMPLE_ASSERT(simulation_state_consistent);
      break;
    }
    case FaultKind::Crash:
      std::abort();
    case FaultKind::Segv: {
      ::signal(SIGSEGV, SIG_DFL);
      ::raise(SIGSEGV);
      break;
    }
    case FaultKind::Hang:
      hang_main_loop_forever();
    case FaultKind::Exit:
      std::fflush(nullptr);
      std::_Exit(code);
    case FaultKind::IgnoreSigterm:
      ignore_sigterm();
      break;
    case FaultKind::SpawnGrandchild:
      spawn_grandchild();
      break;
  }
}

void hang_main_loop_forever() {
  // The main loop blocks for good (a deadlock on the GUI thread). Signal
  // handlers still run, but nothing here looks at their flags. Its own
  // function, so that the stacks livegui captures of a stalled app name it.
  std::mutex never;
  never.lock();
  for (;;) ::pause();
}

void ignore_sigterm() { ::signal(SIGTERM, SIG_IGN); }

pid_t spawn_grandchild() {
  pid_t pid = ::fork();
  if (pid == 0) {
    // Only async-signal-safe calls after fork in a threaded process.
    ::signal(SIGTERM, SIG_IGN);
    for (;;) ::pause();
  }
  return pid;
}

}  // namespace sample_app
