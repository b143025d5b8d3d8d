#include "harness/app_handle.hpp"

#include <algorithm>
#include <cstdlib>
#include <mutex>

#include <poll.h>

#include "common/environment.hpp"
#include "common/log.hpp"
#include "common/proc_info.hpp"
#include "common/text.hpp"
#include "harness/file_watch.hpp"
#include "harness/log_rotation.hpp"
#include "harness/stack_capture.hpp"
#include "harness/subprocess_launcher.hpp"
#include "hookclient/hook_client.hpp"

namespace livegui {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

const char* to_string(AutHealth h) {
  switch (h) {
    case AutHealth::NotStarted: return "not started";
    case AutHealth::Healthy: return "healthy";
    case AutHealth::Degraded: return "degraded";
    case AutHealth::Dead: return "dead";
  }
  return "?";
}

namespace {

/// How long a session guest that saw the AUT die waits for its parent (the
/// batcher) to complete the record with the status only a parent knows.
constexpr std::chrono::milliseconds kParentRecordWait{1000};

std::string seconds_text(std::chrono::nanoseconds d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f s", std::chrono::duration<double>(d).count());
  return buf;
}

std::string own_name() {
  auto st = read_proc_stat(::getpid());
  return st ? st->comm : std::string("?");
}

}  // namespace

std::string CheckResult::describe() const {
  switch (state) {
    case AutHealth::NotStarted: return "not started";
    case AutHealth::Healthy: return "healthy";
    case AutHealth::Degraded: return "degraded: " + join(reasons, "; ");
    case AutHealth::Dead: return "dead: " + (exit ? exit->describe() : std::string("exited"));
  }
  return "?";
}

std::string ReadyEvent::summary() const {
  std::string out = "[livegui] ";
  switch (kind) {
    case Kind::AlreadyReady: return out + "AUT pid " + std::to_string(pid) + " ready for " + for_test;
    case Kind::Started:
      return out + "started AUT pid " + std::to_string(pid) + " for " + for_test + " in " + seconds_text(took) + " (" +
             reason + ")";
    case Kind::Fresh:
      return out + reason + ": replaced AUT pid " + std::to_string(old_pid) + " with pid " + std::to_string(pid) +
             " in " + seconds_text(took);
    case Kind::Respawned: break;
  }
  bool died = cause.rfind("degraded", 0) != 0;
  out += "AUT pid " + std::to_string(old_pid) + (died ? " died" : " degraded");
  if (!during_test.empty()) out += " during " + during_test;
  std::string why = died ? cause : cause.substr(std::min<std::size_t>(cause.size(), 10));  // drop "degraded: "
  out += " (" + why + "); respawned for " + for_test + " as pid " + std::to_string(pid) + " in " + seconds_text(took);
  return out;
}

// ---- Impl ------------------------------------------------------------------

struct AppHandle::Impl : std::enable_shared_from_this<AppHandle::Impl> {
  Impl(AppSpec s, std::unique_ptr<Launcher> l) : spec(std::move(s)), launcher(std::move(l)) {
    state_path = spec.resolved_state_file();
    state.owner = self_identity();
    state.owner_name = own_name();
    state.status = AutStatus::Stopped;
  }

  AppSpec spec;
  std::unique_ptr<Launcher> launcher;
  mutable std::mutex mutex;

  fs::path state_path;
  StateFile state;  ///< what we write at every transition
  std::string last_state_error;

  bool owns = true;  ///< false while attached as a guest to another owner's AUT
  bool ever_started = false;
  std::optional<LaunchedAut> aut;  ///< set while the launcher has a process
  bool exit_recorded = false;      ///< last_exit describes the current AUT
  std::shared_ptr<HookClient> hook;
  LogCap log_cap;  ///< on the current AUT's log

  std::optional<TestRef> current_test;
  std::optional<TestRef> previous_test;  ///< the test that ran before the current one
  std::optional<std::string> started_for_suite;
  int tests_served = 0;  ///< tests that ran on the current AUT

  int respawns = 0;
  int consecutive_failed_starts = 0;
  std::string last_start_error;
  std::string pending_reason;  ///< why the next start happens (set by attach_or_start)
  std::optional<ReadyEvent> last_respawn;
  std::chrono::nanoseconds last_time_to_ready{0};

  // Frame heartbeat across checks.
  std::int64_t seen_frame = -1;
  Clock::time_point seen_frame_at{};
  CheckResult last_check;

  // Hang forensics: stacks are captured once per stalled AUT.
  pid_t stacks_pid = 0;
  fs::path stacks_file;

  /// Every thread's stack of the current AUT, the first time it is seen
  /// stalled or degraded while alive (the client's or our own check); bounded by a few
  /// seconds. The file goes to LIVEGUI_ARTIFACT_DIR (the batcher's report),
  /// else the AUT log directory. Returns the file ("" when none).
  fs::path capture_stall_stacks(const std::string& why) {
    if (!aut) return {};
    if (stacks_pid == aut->pid) return stacks_file;
    stacks_pid = aut->pid;
    StackCaptureOptions o;
    o.dir = artifact_dir_or(spec.resolved_log_dir());
    o.hook_port = aut->port;
    o.hook_token = spec.token;
    o.title = "AUT pid " + std::to_string(aut->pid) + " stalled" +
              (current_test ? " during " + current_test->full() : std::string()) + ": " + why;
    StackCapture c = launcher->capture_stacks(o);
    stacks_file = c.file;
    return stacks_file;
  }

  // ---- state file --------------------------------------------------------

  /// `durable`: fsync (status transitions); current-test updates, written
  /// twice per test, skip it (see write_state_file).
  void write_state(bool durable = true) {
    // A session guest records a death whose status it cannot know (the AUT
    // is not its child); the batcher, its parent, records the status. Keep
    // the parent's record rather than writing over it with ours.
    if (state.last_exit && state.last_exit->code == -1) adopt_parents_exit_record();
    try {
      write_state_file(state_path, state, durable);
      last_state_error.clear();
    } catch (const StateFileError& e) {
      // The state file is a record for others; the AUT works without it. Say
      // so once per distinct problem rather than failing the tests.
      if (last_state_error != e.what()) logger("harness")->error("{}", e.what());
      last_state_error = e.what();
    }
  }

  void set_status(AutStatus status, std::vector<std::string> reasons = {}) {
    if (state.status == status && state.degraded_reasons == reasons) return;
    // Who to blame stays with the first sighting; the reasons may still change.
    if (status != AutStatus::Degraded)
      state.degraded_during.clear();
    else if (state.status != AutStatus::Degraded) {
      // The batcher's own pseudo-test ("livegui-batch.<entry>") is nobody to blame.
      state.degraded_during = blame(false);
      if (stand_in(state.degraded_during)) state.degraded_during.clear();
    }
    state.status = status;
    state.degraded_reasons = std::move(reasons);
    write_state();
  }

  // ---- attribution -------------------------------------------------------

  /// The test to blame for what a check finds now. At the start of a test
  /// (ensure_ready), nothing of the current test has run yet.
  std::string blame(bool at_test_start) const {
    if (!at_test_start && current_test) return current_test->full();
    return previous_test ? previous_test->full() : std::string();
  }

  /// Takes how the last AUT ended from the state file when its parent has
  /// recorded a status we do not know (keeping the test we blamed).
  void adopt_parents_exit_record() {
    try {
      auto disk = read_state_file(state_path);
      if (!disk || !disk->last_exit || disk->last_exit->pid != state.last_exit->pid || disk->last_exit->code == -1)
        return;
      ExitRecord& ours = *state.last_exit;
      const ExitRecord& seen = *disk->last_exit;
      ours.status = seen.status;
      ours.signaled = seen.signaled;
      ours.code = seen.code;
      ours.signal = seen.signal;
      if (ours.during_test.empty()) ours.during_test = seen.during_test;
    } catch (const StateFileError&) {
      // An unusable file has nothing to add.
    }
  }

  /// The batcher's stand-in test ("livegui-batch.<entry>"): nobody to blame.
  static bool stand_in(const std::string& test) { return test.rfind(kBatcherSuite + std::string("."), 0) == 0; }

  /// Completes `rec` (the death of our AUT) with what the state file holds:
  /// the test a guest recorded it in, or the status its parent recorded.
  /// False when the file records another AUT since (a guest replaced ours):
  /// its owner's record is not ours to overwrite.
  bool merge_recorded_exit(ExitRecord& rec, bool status_known) {
    try {
      auto disk = read_state_file(state_path);
      if (!disk) return true;
      if (disk->aut && disk->aut->pid != rec.pid) return false;
      if (disk->last_exit && disk->last_exit->pid == rec.pid) {
        const ExitRecord& seen = *disk->last_exit;
        if (stand_in(rec.during_test) && !seen.during_test.empty()) rec.during_test = seen.during_test;
        if (!status_known && seen.code != -1) {
          rec.status = seen.status;
          rec.signaled = seen.signaled;
          rec.code = seen.code;
          rec.signal = seen.signal;
        }
      } else if (stand_in(rec.during_test) && disk->current_test && !stand_in(disk->current_test->full())) {
        rec.during_test = disk->current_test->full();  // the guest's test, running when it died
      }
    } catch (const StateFileError&) {
      // An unusable file has nothing to add; ours replaces it.
    }
    return true;
  }

  void record_exit(const AutExit& exit, const std::string& during) {
    if (exit_recorded || !aut) return;
    exit_recorded = true;
    ExitRecord rec;
    rec.pid = aut->pid;
    rec.status = exit.describe();
    rec.signaled = exit.status_known && exit.status.signaled;
    rec.code = exit.status_known ? exit.status.code : -1;
    rec.signal = exit.status_known ? exit.status.signal : 0;
    rec.during_test = during;
    // In session scope the death may be seen twice: by a guest test binary,
    // which knows the test but not the status (it is not the AUT's parent),
    // and by the owner (the batcher), which knows the status but only its own
    // stand-in test. Whoever writes second keeps the best of both.
    const bool ours_to_write = merge_recorded_exit(rec, exit.status_known);
    if (stand_in(rec.during_test)) rec.during_test.clear();
    state.last_exit = rec;
    state.status = AutStatus::Dead;
    state.degraded_reasons.clear();
    if (ours_to_write) write_state();
    if (rec.code == -1 && !owns) await_parents_exit_record();
    logger("harness")->warn("AUT pid {} died{} ({})", aut->pid,
                            state.last_exit->during_test.empty() ? "" : " during " + state.last_exit->during_test,
                            state.last_exit->status);
  }

  /// A session guest saw the death first: its parent (the batcher, woken by
  /// our write) completes the record with the status. Waits for that, bounded
  /// by kParentRecordWait: woken by the parent's write (the state file is
  /// replaced by a rename into its directory, so the directory is watched);
  /// without inotify, rechecked every 5 ms.
  void await_parents_exit_record() {
    if (!expected_session_owner()) return;  // no parent of ours that records it
    FileWatch watch;
    const int w = watch.fd() >= 0 ? watch.add(state_path.parent_path(), /*directory=*/true) : -1;
    const auto until = Clock::now() + kParentRecordWait;
    adopt_parents_exit_record();
    while (state.last_exit->code == -1 && Clock::now() < until) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count() + 1;
      pollfd p{w >= 0 ? watch.fd() : -1, POLLIN, 0};
      ::poll(&p, 1, static_cast<int>(w >= 0 ? left : std::min<long long>(left, 5)));
      if (w >= 0) watch.drain();
      adopt_parents_exit_record();
    }
    if (w >= 0) watch.remove(w);
  }

  // ---- check -------------------------------------------------------------

  CheckResult check_locked(bool at_test_start) {
    auto t0 = Clock::now();
    CheckResult r;
    if (!launcher->has_process() || !aut) {
      r.took = Clock::now() - t0;
      return last_check = r;
    }
    r.pid = aut->pid;
    log_cap.enforce();
    Probe p = launcher->probe();
    if (p.exited) {
      r.state = AutHealth::Dead;
      r.exit = p.exited;
      record_exit(*p.exited, blame(at_test_start));
      r.took = Clock::now() - t0;
      return last_check = r;
    }
    const auto threshold = spec.heartbeat_threshold.count();
    if (p.health) {
      const HealthReading& h = *p.health;
      r.health = h;
      if (!h.ok) {
        r.reasons = h.reasons;
        if (r.reasons.empty()) r.reasons.push_back("the app reports status degraded");
      } else if (h.busy_ms > 0) {
        // Its GUI thread is executing a queued action: busy, not stalled (the
        // app's own status turns degraded when one action runs too long).
      } else if (h.last_frame_age_ms > threshold) {
        r.reasons.push_back("heartbeat stalled: no frame for " + std::to_string(h.last_frame_age_ms) +
                            " ms (last frame " + std::to_string(h.frame) + ")");
      } else if (seen_frame == h.frame && t0 - seen_frame_at > spec.heartbeat_threshold) {
        // The app's own age says fresh, but the frame did not move between our checks.
        auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t0 - seen_frame_at).count();
        r.reasons.push_back("heartbeat stalled: frame " + std::to_string(h.frame) + " did not advance in " +
                            std::to_string(ms) + " ms");
      }
      if (h.frame != seen_frame || h.busy_ms > 0) {
        seen_frame = h.frame;
        seen_frame_at =
            h.busy_ms > 0 ? t0 : t0 - std::chrono::milliseconds(std::max<std::int64_t>(0, h.last_frame_age_ms));
      }
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
      capture_stall_stacks(join(r.reasons, "; "));
    set_status(r.healthy() ? AutStatus::Healthy : AutStatus::Degraded,
               r.healthy() ? std::vector<std::string>{} : r.reasons);
    r.took = Clock::now() - t0;
    return last_check = r;
  }

  // ---- start / stop ------------------------------------------------------

  std::string cap_message(const std::string& for_what) const {
    return "not starting the AUT " + for_what + ": its last " + std::to_string(consecutive_failed_starts) +
           " starts failed in a row (max_consecutive_failed_starts = " +
           std::to_string(spec.max_consecutive_failed_starts) + "); last error: " + last_start_error;
  }

  void start_locked(const std::string& reason, const std::optional<TestRef>& for_test) {
    if (consecutive_failed_starts >= spec.max_consecutive_failed_starts)
      throw AutUnavailable(cap_message(for_test ? "for " + for_test->full() : std::string()));
    const int n = state.spawn_count + 1;
    fs::path log_dir = spec.resolved_log_dir();
    std::error_code ec;
    fs::create_directories(log_dir, ec);
    LaunchRequest req{n, log_dir / ("aut-" + std::to_string(n) + ".log")};

    hook.reset();
    aut.reset();
    exit_recorded = false;
    seen_frame = -1;
    state.spawn_count = n;
    state.last_respawn_reason = reason;
    state.status = AutStatus::Starting;
    state.degraded_reasons.clear();
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
    state.owner_name = own_name();
    state.aut = AutRecord{launched.pid,        launched.pgid,
                          launched.start_time, spec.executable.string(),
                          launched.port,       launched.log_file.string(),
                          launched.display};
    state.status = AutStatus::Healthy;
    write_state();
  }

  /// Stops the current AUT. `take_over`: stop it even when it belongs to
  /// another owner (we are about to replace it).
  StopReport stop_locked(bool graceful, bool take_over) {
    if (!launcher->has_process()) return {};
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

  /// Begins stopping the current (owned, degraded) AUT without waiting; the
  /// caller starts the next one, then calls launcher->finish_retired().
  void retire_locked() {
    hook.reset();
    StopReport report = launcher->retire(spec);
    if (report.already_exited && aut && !exit_recorded) record_exit(AutExit{report.status, owns}, blame(false));
    aut.reset();
  }

  // ---- hook client plumbing ----------------------------------------------

  std::optional<std::string> exit_description_for(pid_t pid) {
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

  void add_context(DegradedInfo& info, pid_t pid) {
    std::lock_guard lock(mutex);
    if (!info.pid) info.pid = pid;
    if (current_test) info.current_test = current_test->full();
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
    if (info.cause != "process exited") {  // alive but stalled or degraded: where is it stuck?
      if (aut && aut->pid == pid && !launcher->exited()) info.stacks_file = capture_stall_stacks(info.cause).string();
    } else if (stacks_pid == pid && !stacks_file.empty()) {
      info.stacks_file = stacks_file.string();
    }
  }
};

// ---- AppHandle -------------------------------------------------------------

AppHandle::AppHandle(AppSpec spec, std::unique_ptr<Launcher> launcher) {
  spec.validate();
  if (!launcher) launcher = std::make_unique<SubprocessLauncher>();
  impl_ = std::make_shared<Impl>(std::move(spec), std::move(launcher));
}

std::optional<ProcessIdentity> expected_session_owner() {
  const char* v = std::getenv(env::kAutOwner);
  if (!v || !*v) return std::nullopt;
  ProcessIdentity id;
  char* end = nullptr;
  long pid = std::strtol(v, &end, 10);
  if (end == v || *end != ':' || pid <= 0) return std::nullopt;
  const char* rest = end + 1;
  id.start_time = std::strtoull(rest, &end, 10);
  if (end == rest || *end != '\0') return std::nullopt;
  id.pid = static_cast<pid_t>(pid);
  return id;
}

std::unique_ptr<AppHandle> AppHandle::attach_or_start(AppSpec spec, std::unique_ptr<Launcher> launcher) {
  auto handle = std::make_unique<AppHandle>(std::move(spec), std::move(launcher));
  Impl& im = *handle->impl_;
  std::lock_guard lock(im.mutex);
  const std::string file = im.state_path.string();
  std::optional<StateFile> st;
  try {
    st = read_state_file(im.state_path);
  } catch (const StateFileError& e) {
    logger("harness")->warn("session AUT: {}; starting our own AUT", e.what());
    im.pending_reason = std::string("the state file was unusable: ") + e.what();
    return handle;
  }
  if (!st) {
    im.pending_reason = "no AUT recorded in " + file;
    return handle;
  }
  // Continue the lineage whatever happens next.
  im.state.spawn_count = st->spawn_count;
  im.state.last_exit = st->last_exit;
  im.state.last_respawn_reason = st->last_respawn_reason;
  if (!st->aut) {
    im.pending_reason = "no AUT recorded in " + file;
    return handle;
  }
  const std::string who = "AUT pid " + std::to_string(st->aut->pid) + " recorded in " + file;
  // Under livegui-batch, only the AUT of the run that started us is ours to use.
  if (auto expected = expected_session_owner();
      expected && !(st->owner == *expected) && st->status != AutStatus::Stopped && st->status != AutStatus::Dead) {
    im.pending_reason = who + " belongs to pid " + std::to_string(st->owner.pid) +
                        ", not to the livegui-batch run (pid " + std::to_string(expected->pid) +
                        ") that started us; left it alone";
    logger("harness")->warn("session AUT: {}; starting our own AUT", im.pending_reason);
    // Not its lineage: start our own count.
    im.state.spawn_count = 0;
    im.state.last_exit.reset();
    im.state.last_respawn_reason.clear();
    return handle;
  }
  if (st->status == AutStatus::Stopped) {
    im.pending_reason = who + " was stopped by its owner";
    return handle;
  }
  if (!inspect_state(*st).aut_is_ours()) {
    im.pending_reason = who + " is gone" +
                        (st->last_exit && st->last_exit->pid == st->aut->pid ? " (" + st->last_exit->status + ")"
                                                                             : std::string(" (or its pid was reused)"));
    return handle;
  }
  try {
    im.aut = im.launcher->attach(im.spec, *st->aut);
  } catch (const StartError& e) {
    im.pending_reason = e.what();
    return handle;
  }
  im.log_cap = LogCap(im.aut->log_file, im.spec.max_log_bytes);
  im.owns = false;
  im.ever_started = true;
  im.state = *st;  // the owner stays the one recorded
  im.exit_recorded = false;
  logger("harness")->info("attached to AUT pid {} (port {}) of {} (pid {})", st->aut->pid, st->aut->port,
                          st->owner_name, st->owner.pid);
  return handle;
}

std::unique_ptr<AppHandle> AppHandle::attach_or_start(AppSpec spec, const fs::path& state_file) {
  spec.state_file = state_file;
  return attach_or_start(std::move(spec), std::unique_ptr<Launcher>());
}

AppHandle::~AppHandle() {
  try {
    stop();
  } catch (...) {}
  try {
    std::lock_guard lock(impl_->mutex);
    impl_->launcher->shutdown();
  } catch (...) {}
}

const AppSpec& AppHandle::spec() const { return impl_->spec; }

void AppHandle::start() {
  std::lock_guard lock(impl_->mutex);
  if (impl_->launcher->has_process()) return;
  std::string reason = !impl_->pending_reason.empty() ? impl_->pending_reason
                       : impl_->ever_started          ? std::string("AUT was stopped")
                                                      : std::string("never started");
  impl_->start_locked(reason, impl_->current_test);
}

CheckResult AppHandle::check() {
  std::lock_guard lock(impl_->mutex);
  return impl_->check_locked(false);
}

ReadyEvent AppHandle::ensure_ready(const TestRef& test) {
  Impl& im = *impl_;
  std::lock_guard lock(im.mutex);
  if (!im.current_test || im.current_test->full() != test.full()) {
    if (im.current_test) im.previous_test = im.current_test;
    im.current_test = test;
    // The batcher's stand-in is nobody's test: the file keeps what a guest wrote.
    if (!Impl::stand_in(test.full())) {
      im.state.current_test = test;
      im.write_state(false);
    }
  }
  if (im.consecutive_failed_starts >= im.spec.max_consecutive_failed_starts)
    throw AutUnavailable(im.cap_message("for " + test.full()));

  const auto t0 = Clock::now();
  ReadyEvent ev;
  ev.for_test = test.full();
  if (!im.launcher->has_process()) {
    ev.kind = ReadyEvent::Kind::Started;
    ev.reason = !im.pending_reason.empty() ? im.pending_reason
                : im.ever_started          ? std::string("AUT was stopped")
                                           : std::string("never started");
    im.start_locked(ev.reason, test);
    ev.pid = im.aut->pid;
    ev.took = Clock::now() - t0;
    ev.respawn_count = im.respawns;
    return ev;
  }

  std::string fresh;
  if (im.spec.respawn == RespawnPolicy::PerTest && im.tests_served > 0)
    fresh = "fresh AUT for " + test.full() + " (respawn policy per_test)";
  else if (im.spec.respawn == RespawnPolicy::PerSuite && im.started_for_suite && *im.started_for_suite != test.suite)
    fresh = "fresh AUT for suite " + test.suite + " (respawn policy per_suite)";

  CheckResult c = im.check_locked(true);
  ev.pid = im.aut->pid;
  if (c.healthy() && fresh.empty()) {
    ++im.tests_served;
    ev.respawn_count = im.respawns;
    return ev;
  }
  ev.old_pid = im.aut->pid;
  if (c.healthy()) {
    ev.kind = ReadyEvent::Kind::Fresh;
    ev.reason = fresh;
  } else {
    ev.kind = ReadyEvent::Kind::Respawned;
    const std::string who = "AUT pid " + std::to_string(ev.old_pid);
    if (c.state == AutHealth::Dead) {
      const ExitRecord* rec =
          im.state.last_exit && im.state.last_exit->pid == ev.old_pid ? &*im.state.last_exit : nullptr;
      ev.during_test = rec ? rec->during_test : im.blame(true);
      if (Impl::stand_in(ev.during_test)) ev.during_test.clear();
      ev.cause = c.exit ? c.exit->brief() : std::string("exited");
      std::string how = c.exit ? c.exit->describe() : std::string("exited");
      if ((!c.exit || !c.exit->status_known) && im.state.last_exit && im.state.last_exit->pid == ev.old_pid) {
        // Not our child (a session guest): the batcher, its parent, may have
        // recorded how it ended in the state file since we saw it go.
        if (im.state.last_exit->code == -1) im.adopt_parents_exit_record();
        const ExitRecord& seen = *im.state.last_exit;
        if (seen.code != -1) {
          how = seen.status;
          ev.cause = seen.signaled ? signal_name(seen.signal) : "exit code " + std::to_string(seen.code);
        }
      }
      ev.reason = who + " died" + (ev.during_test.empty() ? "" : " during " + ev.during_test) + " (" + how + ")";
    } else {
      ev.during_test = im.blame(true);
      if (Impl::stand_in(ev.during_test)) ev.during_test.clear();
      ev.cause = "degraded: " + join(c.reasons, "; ");
      ev.reason = who + " degraded" + (ev.during_test.empty() ? "" : " during " + ev.during_test) + ": " +
                  join(c.reasons, "; ");
    }
    if (im.spec.respawn == RespawnPolicy::Never) {
      std::string tail = im.aut ? tail_file(im.aut->log_file, 15) : std::string();
      throw AutUnavailable(ev.reason + "; the respawn policy is 'never', so " + test.full() + " gets no AUT" +
                           (tail.empty()
                                ? std::string()
                                : "; last lines of " + im.aut->log_file.string() + ":\n" + indent(tail, "  | ")));
    }
  }
  // A degraded AUT of ours on a port of its own choosing need not be gone
  // before its successor starts: its stop overlaps the new start (issue 13).
  // A fixed port must be free first; a healthy one is asked to shut down.
  if (c.state == AutHealth::Degraded && im.owns && im.spec.port == 0) {
    im.retire_locked();
    try {
      im.start_locked(ev.reason, test);
    } catch (...) {
      im.launcher->finish_retired(im.spec);
      throw;
    }
    im.launcher->finish_retired(im.spec);
  } else {
    im.stop_locked(/*graceful=*/c.healthy(), /*take_over=*/true);
    im.start_locked(ev.reason, test);
  }
  ev.pid = im.aut->pid;
  ev.took = Clock::now() - t0;
  if (ev.kind == ReadyEvent::Kind::Respawned) {
    ++im.respawns;
    im.last_respawn = ev;
  }
  ev.respawn_count = im.respawns;
  if (ev.kind == ReadyEvent::Kind::Respawned) im.last_respawn->respawn_count = im.respawns;
  return ev;
}

void AppHandle::test_started(const TestRef& test) {
  std::lock_guard lock(impl_->mutex);
  Impl& im = *impl_;
  if (im.current_test && im.current_test->full() == test.full()) return;
  if (im.current_test) im.previous_test = im.current_test;
  im.current_test = test;
  im.state.current_test = test;
  im.write_state(false);
}

std::optional<AutExit> AppHandle::test_finished(const TestRef& test) {
  std::lock_guard lock(impl_->mutex);
  Impl& im = *impl_;
  // The test's end is not written on its own: one state-file write per test
  // (issue 13). The file names this test until the next one starts or a
  // transition is written; a death during the test is one, written here
  // (durably, by record_exit) with current_test already cleared.
  im.previous_test = test;
  im.current_test.reset();
  im.state.current_test.reset();
  std::optional<AutExit> exit;
  if (im.launcher->has_process() && im.aut) {
    exit = im.launcher->exited();
    if (exit) im.record_exit(*exit, test.full());
    im.log_cap.enforce();
  }
  return exit;
}

std::optional<AutExit> AppHandle::wait_for_exit(std::chrono::milliseconds timeout) {
  std::lock_guard lock(impl_->mutex);
  if (!impl_->launcher->has_process()) return std::nullopt;
  auto exit = impl_->launcher->wait_exit(timeout);
  if (exit) impl_->record_exit(*exit, impl_->blame(false));
  return exit;
}

StopReport AppHandle::stop() {
  std::lock_guard lock(impl_->mutex);
  Impl& im = *impl_;
  if (!im.launcher->has_process()) return {};
  if (!im.owns) {
    im.stop_locked(false, false);
    im.state.current_test.reset();
    im.current_test.reset();
    im.write_state();
    return {};
  }
  CheckResult last = im.check_locked(false);
  StopReport report = im.stop_locked(/*graceful=*/last.healthy(), false);
  im.current_test.reset();
  im.state.current_test.reset();
  // A dead AUT stays recorded as dead, a degraded one as degraded (with its
  // reasons): the next reader learns what this owner left behind.
  if (last.state == AutHealth::Healthy) im.state.status = AutStatus::Stopped;
  im.write_state();
  return report;
}

std::shared_ptr<HookClient> AppHandle::hook() {
  std::lock_guard lock(impl_->mutex);
  Impl& im = *impl_;
  if (!im.launcher->has_process() || !im.aut)
    throw AutUnavailable("no AUT is running for " +
                         (im.current_test ? im.current_test->full() : std::string("this test")) +
                         " (call ensure_ready() first)" +
                         (im.last_start_error.empty() ? std::string() : "; last start error: " + im.last_start_error));
  if (!im.hook) {
    HookClientOptions opt;
    opt.port = im.aut->port;
    opt.token = im.spec.token;
    opt.heartbeat_threshold = im.spec.heartbeat_threshold;
    im.hook = std::make_shared<HookClient>(opt);
    std::weak_ptr<Impl> weak = im.shared_from_this();
    pid_t pid = im.aut->pid;
    im.hook->set_liveness_probe([weak, pid]() -> std::optional<std::string> {
      auto self = weak.lock();
      if (!self) return std::string("the AUT handle is gone");
      return self->exit_description_for(pid);
    });
    im.hook->set_context_provider([weak, pid](DegradedInfo& info) {
      if (auto self = weak.lock()) self->add_context(info, pid);
    });
  }
  return im.hook;
}

std::string AppHandle::degraded_diagnostic() {
  std::unique_lock lock(impl_->mutex);
  Impl& im = *impl_;
  CheckResult c = im.check_locked(false);
  if (c.state == AutHealth::Healthy || c.state == AutHealth::NotStarted) return {};
  DegradedInfo info;
  info.pid = c.pid;
  if (c.health) {
    info.last_frame = c.health->frame;
    info.frame_age = std::chrono::milliseconds(c.health->last_frame_age_ms);
  }
  if (c.state == AutHealth::Dead) {
    info.cause = "process exited";
    info.exit_status = im.state.last_exit && im.state.last_exit->pid == c.pid ? im.state.last_exit->status
                       : c.exit                                               ? c.exit->describe()
                                                                              : std::string("exited");
  } else if (!c.health) {
    info.cause = "unreachable";
    info.detail = join(c.reasons, "; ");
  } else if (!c.health->ok) {
    info.cause = "reports degraded";
    info.app_status = "degraded";
    info.app_reasons = c.health->reasons;
  } else {
    // The app says "ok": quote that, and put what we observed (its frame not
    // advancing, another pid on the port) apart from what it reported.
    info.app_status = "ok";
    info.app_reasons = c.health->reasons;
    auto unchanged_for = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - im.seen_frame_at);
    info.frame_age = std::max(info.frame_age, unchanged_for);
    if (c.health->busy_ms == 0 && info.frame_age > im.spec.heartbeat_threshold) info.cause = "stopped advancing frames";
    info.detail = "observed: " + join(c.reasons, "; ");
  }
  lock.unlock();
  im.add_context(info, c.pid);
  return SubprocessDegraded::format(info);
}

pid_t AppHandle::pid() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->aut ? impl_->aut->pid : 0;
}
pid_t AppHandle::pgid() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->aut ? impl_->aut->pgid : 0;
}
int AppHandle::port() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->aut ? impl_->aut->port : 0;
}
std::string AppHandle::display() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->aut ? impl_->aut->display : std::string();
}
fs::path AppHandle::log_file() const {
  std::lock_guard lock(impl_->mutex);
  if (impl_->aut) return impl_->aut->log_file;
  return impl_->state.aut ? fs::path(impl_->state.aut->log_file) : fs::path();
}
std::string AppHandle::log_tail(std::size_t lines) const { return tail_file(log_file(), lines); }
int AppHandle::spawn_count() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->state.spawn_count;
}
int AppHandle::respawn_count() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->respawns;
}
bool AppHandle::owns_aut() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->owns;
}
std::chrono::nanoseconds AppHandle::last_time_to_ready() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->last_time_to_ready;
}
std::optional<ReadyEvent> AppHandle::last_respawn() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->last_respawn;
}
fs::path AppHandle::state_file() const { return impl_->state_path; }
std::optional<TestRef> AppHandle::current_test() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->current_test;
}

}  // namespace livegui
