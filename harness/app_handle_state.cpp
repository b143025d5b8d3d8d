// AppHandle's state recording and attribution: what the state file says at
// every transition, who is blamed for a death or a degradation, and how a
// session guest and its parent (the batcher) complete each other's record of
// an AUT's death. See app_handle_impl.hpp for how AppHandle is split.
#include "harness/app_handle_impl.hpp"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <algorithm>
#include <cstdlib>

#include "common/environment.hpp"
#include "common/log.hpp"
#include "common/proc_info.hpp"
#include "harness/file_watch.hpp"
#include "harness/state_file_lock.hpp"

namespace livegui {
using Clock = std::chrono::steady_clock;

namespace {

/// How long a session guest that saw the AUT die waits for its parent (the
/// batcher) to complete the record with the status only a parent knows.
constexpr std::chrono::milliseconds kParentRecordWait{1000};

}  // namespace

bool AppHandle::Impl::stand_in(const std::string& test) { return is_batcher_stand_in(test); }

void AppHandle::Impl::write_state(bool durable) {
  // A session guest records a death whose status it cannot know (the AUT
  // is not its child); the batcher, its parent, records the status. Keep
  // the parent's record rather than writing over it with ours.
  if (state.last_exit && state.last_exit->code == -1) adopt_parents_exit_record();
  if (owns && !was_guest && !claimed_state_file) claim_state_file();
  if (!looked_for_dead_owner) clean_up_after_dead_owner();
  try {
    write_state_file(state_path, state, durable);
    wrote_state = true;
    last_state_error.clear();
  } catch (const StateFileError& e) {
    // The state file is a record for others; the AUT works without it. Say
    // so once per distinct problem rather than failing the tests.
    if (last_state_error != e.what()) logger("harness")->error("{}", e.what());
    last_state_error = e.what();
  }
}

void AppHandle::Impl::claim_state_file() {
  claimed_state_file = true;
  if (run_of_state_file(state_path)) return;  // a batcher's: it holds the lock
  try {
    ensure_state_dir(state_path.parent_path());
  } catch (const StateFileError&) {
    return;  // write_state says why the record cannot be written
  }
  const std::filesystem::path lock = lock_file_for(state_path);
  int fd = try_lock_file(lock);
  const int lock_errno = fd < 0 ? errno : 0;
  if (fd < 0 && lock_errno != EWOULDBLOCK) {
    // No lock to be had here (a read-only lock file, an odd file system):
    // the record is still worth writing, unguarded, as before locks.
    logger("harness")->debug("{}: cannot lock {} ({}); writing it unlocked", state_path.string(), lock.string(),
                             std::strerror(lock_errno));
    return;
  }
  std::optional<StateFile> there;
  try {
    there = read_state_file(state_path);
  } catch (const StateFileError&) {
    // Unusable: nothing in it names a live owner.
  }
  const bool live_other = there && !(there->owner == state.owner) && !there->owner_ended &&
                          there->status != AutStatus::Stopped && inspect_state(*there).owner_alive;
  if (fd >= 0 && !live_other) {
    state_lock_fd = fd;
    state_lock_path = lock;
    return;
  }
  if (fd >= 0) ::close(fd);  // a live owner that takes no lock writes it
  // Named after us; a second handle of this process at once gets "-2", … .
  std::filesystem::path own;
  int own_fd = -1;
  for (int n = 1; n <= 16 && own_fd < 0; ++n) {
    own = state_path.parent_path() / run_state_file_name(state.owner, n == 1 ? "" : "-" + std::to_string(n));
    own_fd = try_lock_file(lock_file_for(own));
    if (own_fd < 0 && errno != EWOULDBLOCK) break;
  }
  if (own_fd < 0) {
    logger("harness")->warn("{} is another live owner's and no file of our own can be locked beside it ({}): this "
                            "AUT is not recorded",
                            state_path.string(), std::strerror(errno));
    return;
  }
  const std::string who = there ? " (" + (there->owner_name.empty() ? std::string() : there->owner_name + ", ") +
                                      "pid " + std::to_string(there->owner.pid) + ")"
                                : std::string();
  logger("harness")->info("{} is held by another live owner{}; this AUT is recorded in {}", state_path.string(), who,
                          own.string());
  state_path = own;
  state_lock_fd = own_fd;
  state_lock_path = lock_file_for(own);
  own_state_file = true;
  looked_for_dead_owner = true;  // a new file: nobody's record to take over
}

void AppHandle::Impl::release_state_file() {
  if (state_lock_fd < 0) return;
  // As a batcher's per-run file: one outlives only an owner that did not end cleanly.
  if (own_state_file) remove_owned_state_file(state_path);
  std::error_code ec;
  // Unlinked while held: whoever opened it before finds it gone once it has
  // the lock (try_lock_file), and opens the new one.
  std::filesystem::remove(state_lock_path, ec);
  ::close(state_lock_fd);
  state_lock_fd = -1;
}

void AppHandle::Impl::clean_up_after_dead_owner() {
  looked_for_dead_owner = true;
  std::optional<StateFile> earlier;
  try {
    earlier = read_state_file(state_path);
  } catch (const StateFileError&) {
    return;  // an unusable file names nothing we could prove was its owner's
  }
  if (!earlier || earlier->owner == state.owner) return;
  const StateInspection seen = inspect_state(*earlier);
  if (seen.owner_alive) return;
  // What a livegui-batch run reports before its first AUT entry (a killed
  // owner, what is left of its AUT), said here for a standalone owner, in its
  // log; nothing is signalled: no proof makes the dead owner's processes ours.
  std::vector<std::string> said;
  if (!earlier->owner_ended && earlier->status != AutStatus::Stopped && earlier->aut) {
    const AutRecord& a = *earlier->aut;
    std::string aut = "its AUT (pid " + std::to_string(a.pid) + ") was " + to_string(earlier->status) +
                      (earlier->current_test ? " during " + earlier->current_test->full() : std::string());
    if (seen.aut_alive) {
      aut += " and still runs; left alone (a livegui-batch run on this state directory stops it)";
    } else {
      std::string members;
      std::size_t count = 0;
      auto leader = read_proc_stat(a.pgid);
      if (leader && leader->start_time != a.start_time) {
        // As the batcher says it (state_check): the id was handed on.
        aut += " and is gone; pid " + std::to_string(a.pgid) + " now belongs to another process (" + leader->comm +
               "); left alone";
      } else {
        for (pid_t p : processes_in_group(a.pgid)) {
          auto st = read_proc_stat(p);
          members += (members.empty() ? "" : ", ") + std::string("pid ") + std::to_string(p) + " (" +
                     (st ? st->comm : std::string("?")) + ")";
          ++count;
        }
        aut += members.empty() ? " and is gone"
                               : " and is gone; " + members + " of its process group still " +
                                     (count == 1 ? "runs; nothing proves it is" : "run; nothing proves they are") +
                                     " its AUT's: left alone";
      }
    }
    said.push_back("its owner (" + earlier->owner_name + ", pid " + std::to_string(earlier->owner.pid) +
                   ") ended without cleaning up; " + aut);
  }
  if (std::string removed = remove_dead_x_server(*earlier); !removed.empty()) said.push_back(removed);
  if (said.empty()) return;
  std::string line;
  for (const auto& s : said) line += (line.empty() ? "" : "; ") + s;
  logger("harness")->warn("{}: {}", state_path.string(), line);
}

void AppHandle::Impl::set_status(AutStatus status, std::vector<std::string> reasons, bool at_test_start) {
  if (state.status == status && state.degraded_reasons == reasons) return;
  // Who to blame stays with the first sighting; the reasons may still change.
  if (status != AutStatus::Degraded) {
    state.degraded_during.clear();
    state.degraded_blame.reset();
    left_stalled_by.clear();
  } else if (state.status != AutStatus::Degraded) {
    // The batcher's own pseudo-test ("livegui-batch.<entry>") is nobody to blame.
    state.degraded_during = blame(at_test_start);
    if (stand_in(state.degraded_during)) state.degraded_during.clear();
    state.degraded_blame = first_blame();
  }
  state.status = status;
  state.degraded_reasons = std::move(reasons);
  write_state();
}

std::optional<DegradedBlame> AppHandle::Impl::first_blame() {
  if (!aut) return std::nullopt;
  // Another writer (a guest during its test, the batcher between entries)
  // may have recorded this AUT degraded first: its record stands.
  try {
    auto disk = read_state_file(state_path);
    if (disk && disk->aut && disk->aut->pid == aut->pid && disk->status == AutStatus::Degraded &&
        disk->degraded_blame && disk->degraded_blame->aut_pid == aut->pid) {
      if (state.degraded_during.empty()) state.degraded_during = disk->degraded_during;
      return disk->degraded_blame;
    }
  } catch (const StateFileError&) {
    // An unusable file has nothing to add.
  }
  // The stacks this sighting captured (capture_stall_stacks runs first):
  // whoever reports the stall later links them.
  const std::string stacks = stacks_pid == aut->pid ? stacks_file.string() : std::string();
  if (blame_on) {
    DegradedBlame b = *blame_on;
    b.aut_pid = aut->pid;
    b.stacks = stacks;
    return b;
  }
  if (state.degraded_during.empty()) return std::nullopt;
  return DegradedBlame{aut->pid, own_entry_name(), state.degraded_during, false, stacks};
}

std::string AppHandle::Impl::own_entry_name() {
  const char* name = std::getenv(env::kBatchEntryName);
  return name ? name : "";
}

void AppHandle::Impl::note_test_ended(const TestRef& test, Clock::time_point at) {
  previous_test = test;
  previous_test_ended = at;
  const bool used = current_test_used_aut && current_test && current_test->full() == test.full();
  ended_tests.push_back({test, at, used});
  if (ended_tests.size() > kEndedTestsKept) ended_tests.pop_front();
  current_test_used_aut = false;
}

std::string AppHandle::Impl::blame(bool at_test_start) const {
  if (stalled_in) return stalled_in->full();
  if (!at_test_start && current_test) return current_test->full();
  return previous_test ? previous_test->full() : std::string();
}

std::optional<TestRef> AppHandle::Impl::stalled_before_current_test(const HealthReading& h,
                                                                   Clock::time_point answered_at) const {
  if (!current_test || !previous_test || previous_test_ended == Clock::time_point{}) return std::nullopt;
  // Busy executing a queued action is alive; an age of 0 says nothing.
  if (h.busy_ms > 0 || h.last_frame_age_ms <= 0) return std::nullopt;
  // An app that says its main loop stopped (an assert in a frame: the hook
  // protocol's "main loop not running: …") stopped when it says, during the
  // current test; a loaded app may simply have drawn no frame since the
  // previous test ended (CI: PytestDemo.TheNextFileIsWarned… blamed the test before).
  for (const auto& reason : h.reasons)
    if (reason.rfind("main loop not running", 0) == 0) return std::nullopt;
  // answered_at is at or after the reply: the frame is placed no earlier
  // than it was, so a frame just after the previous test's end never counts.
  const Clock::time_point frame_at = answered_at - std::chrono::milliseconds(h.last_frame_age_ms);
  if (frame_at >= previous_test_ended) return std::nullopt;
  // The newest test that used the AUT and ended after that frame: a test
  // that never asked for the AUT (no live_gui) cannot have stalled it. Not
  // "the test running at the frame": a test's end is known only when the
  // next one asks for the AUT, so a frame drawn as a test began may seem to
  // precede the end of the one before.
  // When none of the tests that ended after that frame used the AUT (the
  // hang took effect after its last user ended: a slow frame, a sanitizer
  // build), that last user is still the likeliest cause; never a test that
  // did not touch the app.
  for (auto it = ended_tests.rbegin(); it != ended_tests.rend(); ++it)
    if (it->used_aut) return it->test;
  return previous_test;
}

void AppHandle::Impl::adopt_parents_exit_record() {
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

bool AppHandle::Impl::merge_recorded_exit(ExitRecord& rec, bool status_known) {
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

void AppHandle::Impl::record_exit(const AutExit& exit, const std::string& during) {
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

AutExit AppHandle::Impl::with_recorded_status(const AutExit& exit) {
  if (exit.status_known || !aut || !state.last_exit || state.last_exit->pid != aut->pid) return exit;
  if (state.last_exit->code == -1) adopt_parents_exit_record();
  const ExitRecord& rec = *state.last_exit;
  if (rec.code == -1) return exit;  // the parent has not said (yet)
  return AutExit{rec.signaled ? ExitStatus::killed(rec.signal) : ExitStatus::exited(rec.code), /*status_known=*/true};
}

void AppHandle::Impl::await_parents_exit_record() {
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

}  // namespace livegui
