// AppHandle's public calls (harness/app_handle.hpp); its state and locked
// steps are in app_handle_impl.hpp, which says how the rest is split.
#include "harness/app_handle.hpp"

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <utility>

#include "common/environment.hpp"
#include "common/log.hpp"
#include "common/text.hpp"
#include "harness/app_handle_impl.hpp"
#include "harness/respawn_policy.hpp"
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

std::string seconds_text(std::chrono::nanoseconds d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f s", std::chrono::duration<double>(d).count());
  return buf;
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
  out += "AUT pid " + std::to_string(old_pid) + (replaced == AutHealth::Degraded ? " degraded" : " died");
  if (!during_test.empty()) out += " during " + during_test;
  out += " (" + cause_detail + "); respawned for " + for_test + " as pid " + std::to_string(pid) + " in " +
         seconds_text(took);
  return out;
}

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
  im.was_guest = true;
  im.ever_started = true;
  im.state = *st;                    // the owner stays the one recorded
  im.state.respawn_reasons.clear();  // only the respawns of the owner that writes next
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
  try {
    std::lock_guard lock(impl_->mutex);
    impl_->release_state_file();
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

void AppHandle::next_respawn_reason(std::string reason) {
  std::lock_guard lock(impl_->mutex);
  impl_->next_respawn_reason = std::move(reason);
}

void AppHandle::blame_degradation_on(std::optional<DegradedBlame> blame) {
  std::lock_guard lock(impl_->mutex);
  impl_->blame_on = std::move(blame);
}

void AppHandle::stall_stacks_to(std::filesystem::path dir) {
  std::lock_guard lock(impl_->mutex);
  impl_->stall_stacks_dir = std::move(dir);
}

std::filesystem::path AppHandle::stall_stacks() const {
  std::lock_guard lock(impl_->mutex);
  const Impl& im = *impl_;
  return im.aut && im.stacks_pid == im.aut->pid ? im.stacks_file : std::filesystem::path();
}

CheckResult AppHandle::check() {
  std::lock_guard lock(impl_->mutex);
  return impl_->check_locked(false);
}

ReadyEvent AppHandle::ensure_ready(const TestRef& test) {
  Impl& im = *impl_;
  std::lock_guard lock(im.mutex);
  if (!im.current_test || im.current_test->full() != test.full()) {
    if (im.current_test) im.note_test_ended(*im.current_test, std::chrono::steady_clock::now());
    im.current_test = test;
    // The batcher's stand-in is nobody's test: the file keeps what a guest wrote.
    if (!Impl::stand_in(test.full())) {
      im.state.current_test = test;
      im.write_state(false);
    }
  }
  im.current_test_used_aut = true;
  if (im.consecutive_failed_starts >= im.spec.max_consecutive_failed_starts)
    throw AutUnavailable(im.cap_message("for " + test.full()));

  const auto t0 = Clock::now();
  const std::string told_reason = std::exchange(im.next_respawn_reason, std::string());
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

  const std::string fresh = fresh_aut_reason(im.spec.respawn, im.tests_served, im.started_for_suite, test);

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
      ev.replaced = AutHealth::Dead;
      ev.cause_detail = c.exit ? c.exit->brief() : std::string("exited");
      std::string how = c.exit ? c.exit->describe() : std::string("exited");
      if ((!c.exit || !c.exit->status_known) && im.state.last_exit && im.state.last_exit->pid == ev.old_pid) {
        // Not our child (a session guest): the batcher, its parent, may have
        // recorded how it ended in the state file since we saw it go.
        if (im.state.last_exit->code == -1) im.adopt_parents_exit_record();
        const ExitRecord& seen = *im.state.last_exit;
        if (seen.code != -1) {
          how = seen.status;
          ev.cause_detail = seen.signaled ? signal_name(seen.signal) : "exit code " + std::to_string(seen.code);
        }
      }
      ev.cause = ev.cause_detail;
      ev.reason = who + " died" + (ev.during_test.empty() ? "" : " during " + ev.during_test) + " (" + how + ")";
    } else {
      // The test it was first seen degraded in, not whichever test ran last
      // (under respawn "never", later tests fail fast on the same AUT).
      ev.during_test = !im.state.degraded_during.empty() ? im.state.degraded_during : im.blame(true);
      if (Impl::stand_in(ev.during_test)) ev.during_test.clear();
      ev.replaced = AutHealth::Degraded;
      ev.cause_detail = join(c.reasons, "; ");
      ev.cause = "degraded: " + ev.cause_detail;
      ev.reason = who + " degraded" + (ev.during_test.empty() ? "" : " during " + ev.during_test) + ": " +
                  join(c.reasons, "; ");
      // Left so by another entry (or found between entries after its last
      // test): that entry is named, as recorded where it was found — not
      // the test of ours that ran before this one.
      const auto& b = im.state.degraded_blame;
      if (b && b->aut_pid == ev.old_pid && !b->entry.empty() &&
          (b->between_entries || b->entry != Impl::own_entry_name())) {
        ev.during_test = b->between_entries ? std::string() : b->test;
        ev.reason = left_degraded_text(*b) + ": " + join(c.reasons, "; ");
      }
    }
    if (!told_reason.empty()) ev.reason = told_reason;
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
  if (im.current_test) im.note_test_ended(*im.current_test, std::chrono::steady_clock::now());
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
  im.note_test_ended(test, std::chrono::steady_clock::now());
  im.current_test.reset();
  im.state.current_test.reset();
  std::optional<AutExit> exit;
  if (im.launcher->has_process() && im.aut) {
    exit = im.launcher->exited();
    if (exit) {
      im.record_exit(*exit, test.full());
      exit = im.with_recorded_status(*exit);
    }
    im.log_cap.enforce();
  }
  return exit;
}

std::optional<AutExit> AppHandle::wait_for_exit(std::chrono::milliseconds timeout) {
  std::lock_guard lock(impl_->mutex);
  if (!impl_->launcher->has_process()) return std::nullopt;
  auto exit = impl_->launcher->wait_exit(timeout);
  if (exit) {
    impl_->record_exit(*exit, impl_->blame(false));
    exit = impl_->with_recorded_status(*exit);
  }
  return exit;
}

StopReport AppHandle::stop(StopFor why) {
  std::lock_guard lock(impl_->mutex);
  Impl& im = *impl_;
  // A runner that went away mid-test did not finish it: the record keeps it.
  auto end_current_test = [&] {
    im.current_test.reset();
    if (why != StopFor::RunnerGone) im.state.current_test.reset();
  };
  if (!im.launcher->has_process()) {
    // Nothing to stop (the AUT never started, or died and was recorded), but
    // the owner's end is still news: without it the next reader takes the
    // file for a run that vanished mid-test.
    if (im.owns && im.wrote_state && !im.state.owner_ended) {
      end_current_test();
      im.state.owner_ended = true;
      im.write_state();
    }
    return {};
  }
  if (!im.owns) {
    im.stop_locked(false, false);
    end_current_test();
    im.write_state();
    return {};
  }
  CheckResult last = im.check_locked(false);
  StopReport report = im.stop_locked(/*graceful=*/last.healthy(), false);
  end_current_test();
  // A dead AUT stays recorded as dead, a degraded one as degraded (with its
  // reasons): the next reader learns what this owner left behind.
  // Unless the owner has said so already (StopFor::Reported).
  if (last.state == AutHealth::Healthy || why == StopFor::Reported) im.state.status = AutStatus::Stopped;
  im.state.owner_ended = true;
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

namespace {

/// How long a client's "no answer" waits for the kernel to report a death
/// in progress (SubprocessLauncher::probe() waits as long).
constexpr std::chrono::milliseconds kUnreachableExitWait{100};

/// The diagnostic of check result `c`; unlocks `lock` before adding the context (which locks).
std::string diagnostic_of(AppHandle::Impl& im, const CheckResult& c, std::unique_lock<std::mutex>& lock) {
  if (c.state == AutHealth::Healthy || c.state == AutHealth::NotStarted) return {};
  DegradedInfo info;
  info.pid = c.pid;
  if (c.health) {
    info.last_frame = c.health->frame;
    info.frame_age = std::chrono::milliseconds(c.health->last_frame_age_ms);
  }
  if (c.state == AutHealth::Dead) {
    info.cause = DegradedCause::ProcessExited;
    info.exit_status = im.state.last_exit && im.state.last_exit->pid == c.pid ? im.state.last_exit->status
                       : c.exit                                               ? c.exit->describe()
                                                                              : std::string("exited");
  } else if (!c.health) {
    info.cause = DegradedCause::Unreachable;
    info.detail = join(c.reasons, "; ");
  } else if (!c.health->ok) {
    info.cause = DegradedCause::ReportsDegraded;
    info.app_status = "degraded";
    info.app_reasons = c.health->reasons;
  } else {
    // The app says "ok": quote that, and put what we observed (its frame not
    // advancing, another pid on the port) apart from what it reported.
    info.app_status = "ok";
    info.app_reasons = c.health->reasons;
    auto unchanged_for = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - im.heartbeat.seen_at);
    info.frame_age = std::max(info.frame_age, unchanged_for);
    if (c.health->busy_ms == 0 && info.frame_age > im.spec.heartbeat_threshold)
      info.cause = DegradedCause::StoppedAdvancingFrames;
    info.detail = "observed: " + join(c.reasons, "; ");
  }
  lock.unlock();
  im.add_context(info, c.pid);
  return SubprocessDegraded::format(info);
}

}  // namespace

std::string AppHandle::degraded_diagnostic() {
  std::unique_lock lock(impl_->mutex);
  return diagnostic_of(*impl_, impl_->check_locked(false), lock);
}

std::string AppHandle::degraded_diagnostic(const ClientSighting& seen) {
  auto t0 = Clock::now();
  std::unique_lock lock(impl_->mutex);
  Impl& im = *impl_;
  Probe p;  // the client's sighting stands in for the probe; the kernel still has the first word
  if (im.launcher->has_process()) {
    // Unreachable while alive is often a process on its way out: give the
    // kernel a moment to say so (as SubprocessLauncher::probe() does).
    p.exited = seen.health ? im.launcher->exited() : im.launcher->wait_exit(kUnreachableExitWait);
    p.health = seen.health;
    p.unreachable = seen.unreachable.empty() ? "the client got no answer" : seen.unreachable;
  }
  std::optional<EarlierReading> earlier;
  // Read at or after `now - age`: the age was measured before the request reached us.
  if (!seen.health && seen.last_health) earlier = EarlierReading{*seen.last_health, t0 - seen.last_health_age};
  return diagnostic_of(im, im.judge_locked(p, false, /*defer_stacks=*/true, t0, earlier), lock);
}

std::string AppHandle::left_stalled_by() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->left_stalled_by;
}

void AppHandle::capture_deferred_stacks() {
  std::lock_guard lock(impl_->mutex);
  impl_->capture_deferred_stacks_locked();
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
