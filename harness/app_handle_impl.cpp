// AppHandle's locked steps: check (the kernel, then /health judged by the
// heartbeat rules), start / stop / retire, hang forensics, and the hook
// client's liveness and context callbacks. See app_handle_impl.hpp for how
// AppHandle is split.
#include "harness/app_handle_impl.hpp"

#include <fstream>

#include <unistd.h>

#include <algorithm>

#include "common/environment.hpp"
#include "common/keep_newest.hpp"
#include "common/log.hpp"
#include "common/proc_info.hpp"
#include "common/text.hpp"
#include "harness/aut_log.hpp"
#include "harness/stack_capture.hpp"

namespace livegui {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::string own_process_name() {
  auto st = read_proc_stat(::getpid());
  return st ? st->comm : std::string("?");
}

AppHandle::Impl::Impl(AppSpec s, std::unique_ptr<Launcher> l) : spec(std::move(s)), launcher(std::move(l)) {
  state_path = spec.resolved_state_file();
  state.owner = self_identity();
  state.owner_name = own_process_name();
  state.status = AutStatus::Stopped;
}

CheckResult AppHandle::Impl::check_locked(bool at_test_start) {
  auto t0 = Clock::now();
  // No AUT: nothing to probe (judge_locked says NotStarted).
  if (!launcher->has_process() || !aut) return judge_locked(Probe{}, at_test_start, /*defer_stacks=*/false, t0);
  log_cap.enforce();
  return judge_locked(launcher->probe(), at_test_start, /*defer_stacks=*/false, t0);
}

CheckResult AppHandle::Impl::judge_locked(const Probe& p, bool at_test_start, bool defer_stacks, Clock::time_point t0,
                                          const std::optional<EarlierReading>& earlier) {
  CheckResult r;
  if (!launcher->has_process() || !aut) {
    r.took = Clock::now() - t0;
    return last_check = r;
  }
  r.pid = aut->pid;
  if (p.exited) {
    r.state = AutHealth::Dead;
    record_exit(*p.exited, blame(at_test_start));
    r.exit = with_recorded_status(*p.exited);
    r.took = Clock::now() - t0;
    return last_check = r;
  }
  if (p.health) {
    const HealthReading& h = *p.health;
    r.health = h;
    r.reasons = heartbeat_reasons(h, spec.heartbeat_threshold, heartbeat, t0);
    if (h.pid != aut->pid) {
      auto st = read_proc_stat(h.pid);
      if (!st || st->pgid != aut->pgid)
        r.reasons.push_back("port " + std::to_string(aut->port) + " answers for pid " + std::to_string(h.pid) +
                            ", not for the AUT (pid " + std::to_string(aut->pid) + ")");
    }
  } else {
    r.reasons.push_back("hook server unreachable on port " + std::to_string(aut->port) + ": " + p.unreachable);
  }
  r.state = r.reasons.empty() ? AutHealth::Healthy : AutHealth::Degraded;
  if (r.state == AutHealth::Degraded)  // stalled, degraded or not answering: where is it stuck?
    capture_stall_stacks(join(r.reasons, "; "), defer_stacks, r.health.has_value());
  // A heartbeat that stopped before the previous test ended is that test's
  // stall, found only now (the threshold had not passed when this test began).
  // An app that did not answer at all is judged by the client's last reading
  // of this test: no frame from before the previous test's end until then.
  std::optional<TestRef> stalled_earlier;
  if (!r.healthy() && p.health) {
    stalled_earlier = stalled_before_current_test(*p.health, Clock::now());
  } else if (!r.healthy() && earlier && earlier->read_at >= previous_test_ended) {
    stalled_earlier = stalled_before_current_test(earlier->health, earlier->read_at);
  }
  const bool newly_degraded = !r.healthy() && state.status != AutStatus::Degraded;
  stalled_in = stalled_earlier;
  set_status(r.healthy() ? AutStatus::Healthy : AutStatus::Degraded,
             r.healthy() ? std::vector<std::string>{} : r.reasons, at_test_start || stalled_earlier.has_value());
  stalled_in.reset();
  // Said with the current test's failure: not its doing (the blame is the first sighting's).
  if (newly_degraded && stalled_earlier && !at_test_start && state.degraded_during == stalled_earlier->full())
    left_stalled_by = state.degraded_during;
  r.took = Clock::now() - t0;
  return last_check = r;
}

fs::path AppHandle::Impl::capture_stall_stacks(const std::string& why, bool defer, bool app_answers) {
  if (!aut) return {};
  if (stacks_pid == aut->pid) return stacks_file;
  stacks_pid = aut->pid;
  StackCaptureOptions o;
  o.dir = !stall_stacks_dir.empty() ? stall_stacks_dir : artifact_dir_or(spec.resolved_log_dir());
  // Only where no report links them (the state directory, when nothing else
  // is given) are old captures pruned.
  if (o.dir == spec.resolved_state_file().parent_path()) o.keep_files = kKeptFiles;
  o.hook_port = app_answers ? aut->port : -1;
  o.hook_token = spec.token;
  // Found by the batcher between entries: after whose test, not during its stand-in.
  const std::string when = blame_on                                          ? " (" + describe_blame(*blame_on) + ")"
                           : current_test && !stand_in(current_test->full()) ? " during " + current_test->full()
                                                                             : std::string();
  o.title = "AUT pid " + std::to_string(aut->pid) + " stalled" + when + ": " + why;
  if (defer) {
    // Named now (the diagnostic says where), written later: reserved, so no
    // other capture of this pid takes the name meanwhile.
    o.file = reserve_stacks_file(o.dir, aut->pid, o.keep_files);
    if (o.file.empty()) return stacks_file = fs::path();
    deferred_stacks = o;
    return stacks_file = o.file;
  }
  StackCapture c = launcher->capture_stacks(o);
  stacks_file = c.file;
  return stacks_file;
}

void AppHandle::Impl::capture_deferred_stacks_locked() {
  if (!deferred_stacks) return;
  StackCaptureOptions o = std::move(*deferred_stacks);
  deferred_stacks.reset();
  if (!aut || stacks_pid != aut->pid || launcher->exited()) {
    logger("harness")->info("stacks of AUT pid {} not captured: it is gone", stacks_pid);
    // The diagnostic named the file: it says why it holds no stacks.
    std::ofstream(o.file) << o.title << "\nstacks of pid " << stacks_pid
                          << " not captured: the AUT was gone before they could be read\n";
    return;
  }
  launcher->capture_stacks(o);
}

std::string AppHandle::Impl::cap_message(const std::string& for_what) const {
  return "not starting the AUT " + for_what + ": its last " + std::to_string(consecutive_failed_starts) +
         " starts failed in a row (max_consecutive_failed_starts = " +
         std::to_string(spec.max_consecutive_failed_starts) + "); last error: " + last_start_error;
}

void AppHandle::Impl::start_locked(const std::string& reason, const std::optional<TestRef>& for_test) {
  if (consecutive_failed_starts >= spec.max_consecutive_failed_starts)
    throw AutUnavailable(cap_message(for_test ? "for " + for_test->full() : std::string()));
  const int n = state.spawn_count + 1;
  fs::path log_dir = spec.resolved_log_dir();
  std::error_code ec;
  fs::create_directories(log_dir, ec);
  LaunchRequest req{n, claim_aut_log(log_dir, n)};

  hook.reset();
  aut.reset();
  exit_recorded = false;
  heartbeat = HeartbeatMemory{};
  left_stalled_by.clear();
  state.spawn_count = n;
  state.last_respawn_reason = reason;
  if (n > 1 && state.respawn_reasons.size() < StateFile::kMaxRespawnReasons) state.respawn_reasons.push_back(reason);
  state.status = AutStatus::Starting;
  state.degraded_reasons.clear();
  state.owner_ended = false;
  write_state(/*durable=*/false);  // transient; the outcome below is written durably

  LaunchedAut launched;
  try {
    launched = launcher->start(spec, req);
  } catch (const StartError& e) {
    ++consecutive_failed_starts;
    last_start_error = e.what();
    pending_reason = reason;  // the next attempt happens for the same reason
    state.status = AutStatus::Dead;
    write_state();
    if (consecutive_failed_starts >= spec.max_consecutive_failed_starts)
      throw StartError(e.kind(),
                       std::string(e.what()) + "\n(" + std::to_string(consecutive_failed_starts) +
                           " failed starts in a row: giving up on the AUT; later tests fail fast)",
                       e.exit());
    throw;
  }
  consecutive_failed_starts = 0;
  last_start_error.clear();
  pending_reason.clear();
  ever_started = true;
  aut = launched;
  log_cap = LogCap(launched.log_file, spec.max_log_bytes);
  owns = true;
  last_time_to_ready = launched.time_to_ready;
  started_for_suite = for_test ? std::optional<std::string>(for_test->suite) : std::nullopt;
  tests_served = for_test ? 1 : 0;
  state.owner = self_identity();
  state.owner_name = own_process_name();
  state.aut = AutRecord{launched.pid,        launched.pgid,
                        launched.start_time, spec.executable.string(),
                        launched.port,       launched.log_file.string(),
                        launched.display,    launched.x_server};
  state.status = AutStatus::Healthy;
  write_state();
}

StopReport AppHandle::Impl::stop_locked(bool graceful, bool take_over) {
  if (!launcher->has_process()) return {};
  capture_deferred_stacks_locked();  // the stacks a diagnostic named, before the AUT goes
  hook.reset();
  if (!owns && !take_over) {
    launcher->release();
    aut.reset();
    return {};
  }
  StopReport report = launcher->stop(spec, graceful);
  if (report.already_exited && aut && !exit_recorded) record_exit(AutExit{report.status, owns}, blame(false));
  aut.reset();
  return report;
}

void AppHandle::Impl::retire_locked() {
  capture_deferred_stacks_locked();  // the stacks a diagnostic named, before the AUT goes
  hook.reset();
  StopReport report = launcher->retire(spec);
  if (report.already_exited && aut && !exit_recorded) record_exit(AutExit{report.status, owns}, blame(false));
  aut.reset();
}

std::optional<std::string> AppHandle::Impl::exit_description_for(pid_t pid) {
  std::lock_guard lock(mutex);
  if (aut && aut->pid == pid) {
    if (auto e = launcher->exited()) {
      record_exit(*e, blame(false));
      if (state.last_exit && state.last_exit->pid == pid) return state.last_exit->status;  // completed by the parent
      return e->describe();
    }
    return std::nullopt;
  }
  if (state.last_exit && state.last_exit->pid == pid) return state.last_exit->status;
  return std::string("stopped by the harness");
}

void AppHandle::Impl::add_context(DegradedInfo& info, pid_t pid) {
  std::lock_guard lock(mutex);
  if (!info.pid) info.pid = pid;
  if (current_test) info.current_test = current_test->full();
  if (aut && aut->pid == pid) info.left_stalled_by = left_stalled_by;
  fs::path log;
  if (aut && aut->pid == pid)
    log = aut->log_file;
  else if (state.aut && state.aut->pid == pid)
    log = state.aut->log_file;
  if (!log.empty()) {
    info.log_file = log.string();
    info.log_tail = tail_file(log, 20);
  }
  if (info.exit_status.empty() && state.last_exit && state.last_exit->pid == pid)
    info.exit_status = state.last_exit->status;
  if (info.cause != DegradedCause::ProcessExited) {  // alive but stalled or degraded: where is it stuck?
    // Named now, written later (at the latest before the AUT is stopped or
    // replaced): a debugger's seconds must not delay the client's verdict,
    // which comes within about the heartbeat threshold.
    if (aut && aut->pid == pid && !launcher->exited())
      info.stacks_file = capture_stall_stacks(std::string(to_string(info.cause)), /*defer=*/true,
                                              /*app_answers=*/info.cause != DegradedCause::Unreachable)
                             .string();
  } else if (stacks_pid == pid && !stacks_file.empty()) {
    info.stacks_file = stacks_file.string();
  }
}

}  // namespace livegui
