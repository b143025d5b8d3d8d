#include "batcher/run/executor.hpp"

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <map>
#include <set>

#include "batcher/run/aut_session.hpp"
#include "batcher/run/executor_job.hpp"
#include "batcher/run/gtest_stream.hpp"
#include "batcher/run/hang_forensics.hpp"
#include "batcher/run/in_entry_respawns.hpp"
#include "batcher/run/interrupt_signals.hpp"
#include "batcher/run/log_cap.hpp"
#include "batcher/run/orphans.hpp"
#include "batcher/run/retry.hpp"
#include "batcher/run/state_guard.hpp"
#include "batcher/run/test_watch.hpp"
#include "batcher/select/discovery.hpp"
#include "batcher/warning.hpp"
#include "common/backoff.hpp"
#include "common/environment.hpp"
#include "common/log.hpp"
#include "common/proc_info.hpp"
#include "common/text.hpp"

namespace livegui::batch {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using executor_detail::Phase;
using std::chrono::milliseconds;

std::int64_t unix_ms_now() {
  return std::chrono::duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

namespace {

std::string describe_pids(const std::vector<pid_t>& pids) {
  std::string out;
  for (pid_t p : pids) {
    auto st = read_proc_stat(p);
    out += (out.empty() ? "" : ", ") + std::string("pid ") + std::to_string(p) + " (" + (st ? st->comm : "?") + ")";
  }
  return out;
}

/// The entry's process group as the writers of its log (cap_log): paused
/// with SIGSTOP until every thread of every member is stopped (a write it
/// was making has completed), for at most a second; resumed with SIGCONT.
LogWriters group_writing(Subprocess& proc) {
  auto all_stopped = [&proc] {
    for (pid_t m : proc.group_members())
      if (!all_threads_stopped(m)) return false;
    return true;
  };
  return {[&proc, all_stopped] {
            if (!proc.signal_group(SIGSTOP)) return proc.group_members().empty();  // nothing left to write
            if (poll_for(all_stopped, std::chrono::seconds(1), Backoff(std::chrono::microseconds(100)))) return true;
            proc.signal_group(SIGCONT);  // one is stuck (in D state): go on without the pause
            return false;
          },
          [&proc] { proc.signal_group(SIGCONT); }};
}

}  // namespace

Executor::Executor(ExecutorOptions options, Display& display, InterruptSignals* signals, StateGuard* guard,
                   std::size_t total_units)
    : options_(std::move(options)),
      display_(display),
      signals_(signals),
      guard_(guard),
      total_units_(total_units),
      batch_started_unix_ms_(unix_ms_now()) {
  if (options_.jobs < 1) options_.jobs = 1;
}

Executor::~Executor() {
  // Normally empty; after an exception, stop what still runs (bounded).
  for (auto& job : running_) job->proc.stop(milliseconds(500), milliseconds(1000));
}

std::string Executor::stop_reason() const {
  if (interrupted_) return "not run: interrupted by " + interrupt_reason_;
  return fail_fast_reason_;
}

std::vector<EntryResult> Executor::run_tier(const TierJob& tier, TierResult& tier_result) {
  auto tier_started = Clock::now();
  tier_result.name = tier.name;
  tier_result.uses_aut = tier.uses_aut;
  tier_result_ = &tier_result;
  std::vector<std::optional<EntryResult>> results(tier.units.size());
  std::vector<std::size_t> pending;
  for (std::size_t i = 0; i < tier.units.size(); ++i) pending.push_back(i);
  if (!stopped()) display_.tier_started(tier.name, tier.units.size(), tier.uses_aut);

  for (;;) {
    while (start_next(tier, pending, results)) {}
    if (running_.empty() && (pending.empty() || stopped())) break;
    poll_once(tier, results);
  }
  bool any_aut = std::any_of(tier.units.begin(), tier.units.end(), [](const Unit& u) { return u.entry.uses_aut; });
  if (any_aut && !killed_) end_of_tier_check(tier, tier_result, results);

  std::vector<EntryResult> out;
  for (std::size_t i = 0; i < tier.units.size(); ++i) {
    if (!results[i]) results[i] = UnitRun::not_run(tier.units[i], options_.run, ResultCode::Skipped, stop_reason());
    out.push_back(std::move(*results[i]));
  }
  tier_result.duration = Clock::now() - tier_started;
  tier_result_ = nullptr;
  return out;
}

bool Executor::start_next(const TierJob& tier, std::vector<std::size_t>& pending,
                          std::vector<std::optional<EntryResult>>& results) {
  if (stopped() || running_.size() >= static_cast<std::size_t>(options_.jobs)) return false;
  bool aut_busy = std::any_of(running_.begin(), running_.end(), [](const auto& j) { return j->unit->entry.uses_aut; });
  bool aut_seen = false;
  for (auto it = pending.begin(); it != pending.end(); ++it) {
    const Unit& u = tier.units[*it];
    if (u.entry.uses_aut) {
      // AUT entries run one at a time and in plan order.
      if (aut_busy || aut_seen) {
        aut_seen = true;
        continue;
      }
      aut_seen = true;
    }
    std::size_t index = *it;
    pending.erase(it);
    start_unit(tier, index, results);
    return true;
  }
  return false;
}

void Executor::start_unit(const TierJob& tier, std::size_t index, std::vector<std::optional<EntryResult>>& results) {
  const Unit& u = tier.units[index];
  auto job = std::make_unique<Job>();
  job->index = index;
  job->unit = &u;
  job->run = std::make_unique<UnitRun>(u, options_.run);
  if (u.entry.uses_aut) before_aut_entry(tier, u, *job, &results);
  job->unit_started = Clock::now();
  job->started_unix_ms = unix_ms_now();
  job->deadline = job->unit_started + u.timeout;
  ++started_;
  display_.entry_started({u.id, u.tier, u.name, u.tests.size(), started_, total_units_});
  running_.push_back(std::move(job));
  Job& j = *running_.back();
  if (!u.runs()) {
    finish_job(j, tier, results);
    return;
  }
  if (u.entry.uses_aut) previous_aut_ = {u.name, u.id, j.started_unix_ms};
  if (!spawn_attempt(j)) finish_job(j, tier, results);
}

bool Executor::spawn_attempt(Job& job) {
  AttemptSpec spec = job.run->next_attempt();
  job.status.reset();
  job.cause = StopCause::None;
  job.phase = Phase::Running;
  job.attempt_started = Clock::now();
  // A report left by an earlier run must not be taken for this attempt's.
  std::error_code ec;
  if (!spec.json.empty()) std::filesystem::remove(spec.json, ec);
  if (!spec.premature_exit_file.empty()) std::filesystem::remove(spec.premature_exit_file, ec);
  if (!spec.reports.junit.empty()) std::filesystem::remove(spec.reports.junit, ec);
  if (!spec.reports.events.empty()) std::filesystem::remove(spec.reports.events, ec);
  if (!spec.reports.python_stacks.empty()) std::filesystem::remove(spec.reports.python_stacks, ec);
  job.python_stacks = spec.reports.python_stacks;
  job.stream.reset();
  if (!spec.stream.empty()) {
    // Without a test_timeout no event is needed the moment it is sent:
    // batched, they wake us at the process's exit rather than once each.
    job.stream = GtestStreamSink::open(spec.stream, job.unit->entry.test_timeout ? 1 : kBatchedEvents);
    if (job.stream)
      spec.spawn.args.push_back(stream_flag(job.stream->port()));
    else
      std::filesystem::remove(spec.stream, ec);  // read the markers alone
  }
  fs::path rotated = spec.log;
  rotated += ".1";
  fs::remove(rotated, ec);
  job.log = spec.log;
  job.artifact_dir = spec.spawn.env_set[env::kArtifactDir];
  if (job.unit->entry.uses_aut && previous_aut_.id == job.unit->id) previous_aut_.artifact_dir = job.artifact_dir;
  job.test_watch = job.unit->entry.test_timeout ? watch_for(*job.unit, spec, job.stream != nullptr) : std::nullopt;
  try {
    job.proc = Subprocess::spawn(spec.spawn);
  } catch (const std::exception& e) {
    job.run->spawn_failed(e.what());
    return false;
  }
  job.pid = job.proc.pid();
  if (job.first_start_time == 0) job.first_start_time = job.proc.start_time();
  logger("batcher")->debug("{}: attempt {} started as pid {}", job.unit->id, spec.number, job.proc.pid());
  return true;
}

void Executor::poll_once(const TierJob& tier, std::vector<std::optional<EntryResult>>& results) {
  auto now = Clock::now();
  std::vector<pollfd> fds;
  if (signals_) fds.push_back({signals_->fd(), POLLIN, 0});
  // State file changes wake us, so the AUT timeline sees each transition.
  const int watch = guard_ ? guard_->watch_fd() : -1;
  if (watch >= 0) fds.push_back({watch, POLLIN, 0});
  auto wake = now + options_.tick;
  for (const auto& job : running_) {
    if (job->stream) job->stream->add_poll_fds(fds);
    if (!job->status) {
      fds.push_back({job->proc.pidfd(), POLLIN, 0});
      if (job->phase == Phase::Running) wake = std::min(wake, job->deadline);
    } else {
      wake = std::min(wake, now + milliseconds(5));  // its group is being cleaned up: short back-off
    }
    if (job->phase != Phase::Running) wake = std::min(wake, job->phase_deadline);
  }
  auto timeout = std::chrono::ceil<milliseconds>(wake - now);
  int ms = static_cast<int>(std::clamp<long long>(timeout.count(), 0, 1000));
  ::poll(fds.data(), fds.size(), ms);

  handle_signals();
  reap_stuck();
  reap_orphan_zombies();
  now = Clock::now();
  bool changed = watch >= 0 ? guard_->drain_watch() : (guard_ && now >= next_observe_);
  if (changed) {
    // The session AUT's parent completes a death a guest just recorded (the
    // signal only a parent knows), before the timeline reads it.
    if (tier.session && !tier.session->replaced_by_guest()) tier.session->observe();
    for (const auto& j : running_)
      if (j->unit->entry.uses_aut) guard_->observe(tier.name, j->unit->id);
    next_observe_ = now + std::max(options_.tick, milliseconds(250));
  }
  std::vector<Job*> jobs;
  for (auto& j : running_) jobs.push_back(j.get());
  for (Job* j : jobs) service(*j, tier, results);
  display_.tick();
}

void Executor::handle_signals() {
  if (!signals_) return;
  int before = signals_->count();
  int total = signals_->drain();
  if (total == before) return;
  // The run answers to the first signal (its exit code, its reason); a
  // second one only hurries the stop, and is named as itself.
  std::string sig = signal_name(interrupted_ ? signals_->last_signal() : signals_->first_signal());
  auto now = Clock::now();
  if (!interrupted_) {
    interrupted_ = true;
    interrupt_reason_ = sig;
    display_.warning("[BATCH] " + sig + ": stopping " + std::to_string(running_.size()) + " running entr" +
                     (running_.size() == 1 ? "y" : "ies") +
                     "; everything not run is SKIPPED (interrupt again to kill at once)");
    for (auto& job : running_) {
      if (job->phase != Phase::Running) continue;
      if (job->cause == StopCause::None) job->cause = StopCause::Interrupt;
      job->start_terminating(now, options_.term_grace);
      stopped_an_entry_ = true;
    }
  }
  if (total >= 2 && !killed_) {
    killed_ = true;
    display_.warning("[BATCH] " + signal_name(signals_->last_signal()) + " again: killing the running entries now");
    for (auto& job : running_) {
      if (job->cause == StopCause::None && !job->status) job->cause = StopCause::Interrupt;
      job->start_killing(now, options_.kill_wait);
    }
  }
}

void Executor::Job::start_terminating(Clock::time_point now, milliseconds term_grace) {
  proc.signal_group(SIGTERM);
  proc.signal_group(SIGCONT);
  phase = Phase::Terminating;
  phase_deadline = now + term_grace;
}

void Executor::Job::start_killing(Clock::time_point now, milliseconds kill_wait) {
  proc.signal_group(SIGKILL);
  phase = Phase::Killing;
  phase_deadline = now + kill_wait;
}

void Executor::service(Job& job, const TierJob& tier, std::vector<std::optional<EntryResult>>& results) {
  auto now = Clock::now();
  if (!job.status) job.status = job.proc.try_wait();
  if (job.stream) job.stream->pump();
  if (!job.log.empty()) {
    // Paused while the cap empties the log, the entry loses none of its output
    // (at its end: its last lines, the entry's output tail).
    const LogWriters writers = group_writing(job.proc);
    if (auto dropped = cap_log(job.log, options_.run.max_log_bytes, &writers)) job.run->log_capped(dropped);
  }
  if (job.status) {
    auto members = job.proc.group_members();
    if (members.empty()) {
      complete_attempt(job, tier, results);
      return;
    }
    if (job.phase == Phase::Running) {
      // The entry ended; processes it left in its group did not. Stop them.
      job.warnings.push_back(job.unit->name + " left " + describe_pids(members) +
                             " running in its process group after it exited; stopped them");
      job.start_terminating(now, options_.term_grace);
      stopped_an_entry_ = true;
      return;
    }
  }
  bool test_timed_out = false;
  if (job.phase == Phase::Running && !job.status && job.test_watch) {
    job.test_watch->update(now);
    test_timed_out = job.test_watch->running_for(now) > *job.unit->entry.test_timeout;
  }
  if (job.phase == Phase::Running && !job.status && (now >= job.deadline || test_timed_out)) {
    job.cause = test_timed_out && now < job.deadline ? StopCause::TestTimeout : StopCause::Timeout;
    logger("batcher")->debug("{}: timed out ({}); stopping its process group", job.unit->id,
                             job.cause == StopCause::TestTimeout ? "test_timeout" : human_duration(job.unit->timeout));
    // Hang forensics: where the binary (and its AUT) hung, before stopping it.
    job.hang_stacks =
        capture_hang_stacks(job.proc.pid(), job.artifact_dir,
                            job.unit->entry.uses_aut && guard_ ? guard_->state_file() : std::filesystem::path(),
                            options_.stacks_budget, job.python_stacks);
    job.start_terminating(Clock::now(), options_.term_grace);
    stopped_an_entry_ = true;
  } else if (job.phase == Phase::Terminating && now >= job.phase_deadline) {
    job.start_killing(now, options_.kill_wait);
  } else if (job.phase == Phase::Killing && now >= job.phase_deadline) {
    logger("batcher")->error("{}: pid {} or its group still alive {} after SIGKILL; moving on", job.unit->id,
                             job.proc.pid(), human_duration(options_.kill_wait));
    job.warnings.push_back(
        job.unit->name + " (pid " + std::to_string(job.proc.pid()) + ") did not go away within " +
        human_duration(options_.kill_wait) + " of SIGKILL; moved on without it" +
        (job.status ? std::string(" (its process group)") : std::string("; it is reaped when it finally exits")));
    if (!job.status) {
      job.status = ExitStatus::killed(SIGKILL);
      // Still our child: kept, not stopped or waited for again, and reaped
      // when it finally exits.
      stuck_.push_back(std::move(job.proc));
    }
    complete_attempt(job, tier, results);
  }
}

void Executor::complete_attempt(Job& job, const TierJob& tier, std::vector<std::optional<EntryResult>>& results) {
  auto took = Clock::now() - job.attempt_started;
  if (job.stream) {
    // The group is gone: what its processes sent is all there, short of a
    // process that left the group and still holds the connection.
    job.stream->finish(milliseconds(1000));
    job.stream.reset();
  }
  std::string sig = interrupt_reason_.empty() ? "SIGINT" : interrupt_reason_;
  // Listing is only for what an abnormal end left unnamed (UnitRun decides).
  const Unit& unit = *job.unit;
  bool listing_interrupted = false;
  auto list_tests = [this, &unit, &listing_interrupted]() {
    fs::path dir = options_.run.log_dir / "discovery";
    std::error_code ec;
    fs::create_directories(dir, ec);
    // A binary that hung may hang when listed too: no longer than its own timeout.
    auto timeout = std::min(options_.list_timeout, unit.timeout);
    try {
      return list_gtest_tests(unit.entry, dir / (file_stem(unit.id) + ".list.txt"), timeout,
                              signals_ ? signals_->fd() : -1);
    } catch (const DiscoveryInterrupted&) {
      listing_interrupted = true;
      throw;
    }
  };
  job.run->attempt_finished(*job.status, job.cause, took, job.pid, sig, list_tests);
  // The signal that cut the listing short stops the batch now, before a resume starts.
  if (listing_interrupted) handle_signals();
  if (std::string w = attach_hang_stacks(*job.run, job.unit->name, job.hang_stacks); !w.empty())
    job.warnings.push_back(w);
  // Not asked for (or moved to the artifacts when it was): only the plugin's header is left.
  if (!job.python_stacks.empty()) {
    std::error_code removed;
    std::filesystem::remove(job.python_stacks, removed);
  }
  if (job.run->wants_another_attempt()) {
    if (interrupted_) {
      job.run->abandon(stop_reason());
    } else if (Clock::now() >= job.deadline) {
      job.run->abandon("not run: the entry's time ran out while it was being resumed");
    } else {
      if (job.run->next_attempt_kind() == AttemptKind::WithoutStream)
        display_.note("  " + job.unit->name + ": GoogleTest's event stream aborted it (" + job.status->describe() +
                      "; its main() calls RUN_ALL_TESTS() more than once); running it again without the stream");
      else
        display_.note(
            "  " + job.unit->name +
            (job.cause == StopCause::TestTimeout ? std::string(": a test ran longer than test_timeout")
                                                 : ": the test binary died (" + job.status->describe() + ")") +
            (job.unit->retry > 0
                 ? "; resuming the rest of its retry " + std::to_string(job.unit->retry) + " in a fresh process"
                 : std::string("; resuming the rest of it in a fresh process")));
      if (spawn_attempt(job)) return;
    }
  }
  finish_job(job, tier, results);
}

void Executor::finish_job(Job& job, const TierJob& tier, std::vector<std::optional<EntryResult>>& results) {
  const Unit& u = *job.unit;
  if (u.entry.uses_aut && u.runs()) previous_aut_.ended = Clock::now();
  EntryResult result = u.runs()                ? job.run->finish(Clock::now() - job.unit_started, job.started_unix_ms)
                       : !u.unresolved.empty() ? UnitRun::not_run(u, options_.run, ResultCode::Unresolved, u.unresolved)
                                               : UnitRun::not_run(u, options_.run, ResultCode::Skipped, u.not_run);
  if (!u.runs()) result.started_unix_ms = job.started_unix_ms;
  result.dirty_start = job.dirty_start;
  result.warnings.insert(result.warnings.begin(), job.warnings.begin(), job.warnings.end());
  result.session_aut_unavailable = job.session_aut_unavailable;
  if (u.entry.uses_aut && guard_ && u.runs()) {
    guard_->observe(tier.name, u.id);
    auto counts = guard_->take_counts();
    result.aut_spawns = counts.spawns;
    result.aut_respawns = counts.respawns;
    // File scope: the binary's own AUT, killed by one test and respawned for
    // the next, is a warning of this entry (session scope says it as a guest
    // replacement; a break left unrecovered is the next entry's dirty start).
    if (!tier.session)
      for (auto& w : in_entry_respawn_warnings(
               guard_->timeline(), job.timeline_mark, u.id, u.name,
               u.entry.format == EntryFormat::Pytest ? "pytest's livegui-aut" : "the test binary")) {
        job.warnings.push_back(w);
        result.warnings.push_back(std::move(w));
      }
  }
  if (job.before_retry) {
    EntryResult merged = std::move(*job.before_retry);
    job.before_retry.reset();
    const std::size_t said_before = merged.warnings.size();
    merge_retry(merged, result, job.retry, interrupted_ ? interrupt_reason_ : std::string());
    // What the merge said (a test that passed, then failed when the entry ran
    // again) is the entry's, kept past later retries too (job.warnings).
    std::vector<std::string> said(merged.warnings.begin() + static_cast<std::ptrdiff_t>(said_before),
                                  merged.warnings.end());
    job.warnings.insert(job.warnings.end(), said.begin(), said.end());
    merged.warnings = result.warnings;  // job.warnings: every run's
    merged.warnings.insert(merged.warnings.end(), said.begin(), said.end());
    merged.duration = result.duration;  // since the entry started
    merged.session_aut_unavailable = result.session_aut_unavailable;
    result = std::move(merged);
  }
  if (start_retry(job, tier, result)) {
    if (!spawn_attempt(job)) finish_job(job, tier, results);  // bounded: each retry spends one of `max`
    return;
  }
  std::size_t index = job.index;
  ended_since_sweep_.push_back({job.unit->id, job.unit->name, job.first_start_time});
  running_.erase(std::remove_if(running_.begin(), running_.end(), [&](const auto& j) { return j.get() == &job; }),
                 running_.end());
  if (running_.empty()) sweep_orphans(tier.name, &result, results);
  for (const auto& w : result.warnings) display_.warning(entry_warn_line(tier.name, w));
  ++finished_;
  display_.entry_finished(result, finished_, total_units_);
  if (options_.fail_fast && is_failure(result.code) && !fail_fast_stop_) {
    fail_fast_stop_ = true;
    fail_fast_reason_ = "not run: --fail-fast stopped the batch after " + result.id + " failed";
  }
  results[index] = std::move(result);
}

bool Executor::start_retry(Job& job, const TierJob& tier, EntryResult& result) {
  const Unit& u = *job.unit;
  if (!u.runs() || !u.entry.retry.active() || stopped()) return false;
  std::vector<AutBreak> breaks;
  if (guard_) {
    const auto& tl = guard_->timeline();
    std::vector<TimelineEvent> recent(tl.begin() + std::min(job.timeline_mark, tl.size()), tl.end());
    breaks = aut_breaks_of(recent, u.id);
  }
  RetryDecision d = decide_retry(result, breaks, u.entry.retry, job.retries_done);
  if (d.targets.empty()) return false;
  std::string what;
  for (const auto& t : d.targets) what += (what.empty() ? "" : ", ") + t.test + " (" + to_string(t.why) + ")";
  if (Clock::now() >= job.deadline) {
    // The entry's timeout bounds all its attempts, retries included.
    result.warnings.push_back(u.name + " was not retried (" + what + "): its timeout (" + human_duration(u.timeout) +
                              ") is for all its attempts together and was spent");
    return false;
  }
  display_.note("  " + u.name + ": retrying " + what + (u.entry.uses_aut ? " on a fresh AUT" : "") + " (retry " +
                std::to_string(d.retry) + " of " + std::to_string(u.entry.retry.max) + ")");
  auto unit = std::make_unique<Unit>(u);
  unit->attempt_offset = static_cast<int>(result.attempts.size());
  unit->retry = d.retry;
  if (u.gtest && !d.whole_entry) {
    unit->gtest_filter = d.gtest_filter();
    unit->tests.clear();
    for (const auto& t : d.targets) unit->tests.push_back(t.test);
  }
  ++job.retries_done;
  job.retry = d;
  job.before_retry = std::move(result);
  job.retry_unit = std::move(unit);
  job.unit = job.retry_unit.get();
  job.run = std::make_unique<UnitRun>(*job.unit, options_.run);
  // job.deadline stays: the entry's timeout is a total over its attempts.
  if (guard_) job.timeline_mark = guard_->timeline().size();
  if (job.unit->entry.uses_aut) {
    // A fresh AUT: the session's is stopped (and started again by
    // before_aut_entry); in file scope the binary starts its own.
    if (tier.session) {
      tier.session->stop();
      if (guard_) guard_->observe(tier.name, u.id);
    }
    before_aut_entry(tier, *job.unit, job);
  }
  return true;
}

}  // namespace livegui::batch
