#include "batcher/run/retry.hpp"

#include <algorithm>
#include <map>

#include "batcher/reproduce.hpp"
#include "batcher/run/classify.hpp"
#include "harness/app_handle.hpp"

namespace livegui::batch {
namespace {

std::string first_line(const std::string& text) {
  auto nl = text.find('\n');
  return nl == std::string::npos ? text : text.substr(0, nl);
}

/// "FLAKY: passed on attempt 2 (attempt 1: CRASH, retried for crash: …)".
std::string flaky_message(const TestResult& t) {
  std::string out = "passed on attempt " + std::to_string(t.attempt) + " after ";
  for (std::size_t i = 0; i < t.tries.size(); ++i) {
    const TryRecord& r = t.tries[i];
    out += (i ? "; " : "") + std::string("attempt ") + std::to_string(r.attempt) + ": " + name(r.code) +
           " (retried for " + std::string(to_string(r.retried_for)) + ")" + (r.message.empty() ? "" : ": " + r.message);
  }
  return out;
}

/// The entry's one-line reason after its `retries`th retry: the worst test
/// speaks, the tally follows (resumes and retries apart: they are different things).
std::string describe_after_retry(const EntryResult& e, int retries, const std::string& interrupted_by) {
  const TestResult* worst_test = nullptr;
  for (const auto& t : e.tests)
    if (!worst_test || severity(t.code) > severity(worst_test->code)) worst_test = &t;
  std::string tally = tally_of(e.tests);
  if (auto resumed = resume_phrase(e.attempts, e.gtest); !resumed.empty()) tally += "; " + resumed;
  tally += "; retried " + std::to_string(retries) + "x" + (e.uses_aut ? " on a fresh AUT" : "");
  if (!interrupted_by.empty()) tally += ", interrupted by " + interrupted_by;
  if (!worst_test || worst_test->code == ResultCode::Pass || worst_test->code == ResultCode::Skipped) return tally;
  return worst_test->name + ": " + first_line(worst_test->message) + " (" + tally + ")";
}

/// The `n`-th test (0-based) named `name` among `tests`, not counting
/// process-level records; tests.end() when there are fewer.
template <typename Tests>
auto nth_named(Tests& tests, const std::string& name, int n) {
  return std::find_if(tests.begin(), tests.end(),
                      [&](const TestResult& t) { return !t.synthetic && t.name == name && n-- == 0; });
}

/// A result the batcher decided without running the test ("not run: …",
/// add_not_run): a twin the resume's filter could not select.
bool never_ran(const TestResult& t) { return t.code == ResultCode::Unresolved && t.message.rfind("not run: ", 0) == 0; }

}  // namespace

std::vector<AutBreak> aut_breaks_of(const std::vector<TimelineEvent>& timeline, const std::string& entry_id) {
  std::vector<AutBreak> out;
  for (const auto& ev : timeline) {
    if (ev.entry != entry_id || (ev.event != TimelineKind::Death && ev.event != TimelineKind::Degraded)) continue;
    // The batcher's own checks name themselves "livegui-batch.<entry>": no test known.
    bool ours = is_batcher_stand_in(ev.test);
    out.push_back({ours ? std::string() : ev.test, ev.reason});
  }
  return out;
}

std::optional<RetryOn> failure_kind(const TestResult& test, bool command_entry, const std::vector<AutBreak>& breaks,
                                    bool only_failure, bool started_on_broken_aut) {
  switch (test.code) {
    case ResultCode::Crash: return RetryOn::Crash;
    case ResultCode::Timeout: return RetryOn::Timeout;
    case ResultCode::Fail: {
      // The harness found the AUT dead or degraded when the test failed: it
      // broke during the test, or the test started on (or hit) an AUT an
      // earlier test had broken — respawn "never", a session AUT left
      // degraded. Either way the failure is the AUT's, not the test's.
      if (!test.aut_unhealthy.empty() || started_on_broken_aut) return RetryOn::Degraded;
      bool broke = std::any_of(breaks.begin(), breaks.end(), [&](const AutBreak& b) {
        // A command entry is one test: any break while it ran is its own. A
        // break with no test recorded is blamed only on the entry's one failure.
        return b.test == test.name || (command_entry && test.synthetic) || (b.test.empty() && only_failure);
      });
      return broke ? RetryOn::Degraded : RetryOn::Fail;
    }
    default: return std::nullopt;  // passed, skipped, expected, or could not tell
  }
}

std::string RetryDecision::gtest_filter() const {
  std::string out;
  for (const auto& t : targets) out += (out.empty() ? "" : ":") + reproduce_filter_for(t.test);
  return out;
}

RetryDecision decide_retry(const EntryResult& entry, const std::vector<AutBreak>& breaks, const RetryPolicy& policy,
                           int retries_done) {
  RetryDecision d;
  if (!policy.active() || retries_done >= policy.max || entry.expect_fail) return d;
  const bool command_entry = !entry.gtest;
  const auto failures = std::count_if(entry.tests.begin(), entry.tests.end(),
                                      [](const TestResult& t) { return is_failure(t.code) && !t.synthetic; });
  // The entry's first run started on a degraded AUT the batcher kept; a
  // retry runs on a fresh one, and its failures are judged on their own.
  const bool on_broken_aut = retries_done == 0 && entry.dirty_start && entry.dirty_start->kept;
  std::map<std::string, int> seen;  // tests of each name so far: twins share one
  for (const auto& t : entry.tests) {
    // A gtest entry's process-level record ("x (process)") is not a test a
    // filter can select; the tests it affected carry their own codes.
    if (!command_entry && t.synthetic) continue;
    const int occurrence = seen[t.name]++;
    auto why = failure_kind(t, command_entry, breaks, failures == 1, on_broken_aut);
    if (why && policy.allows(*why)) d.targets.push_back({t.name, *why, occurrence});
  }
  d.whole_entry = command_entry && !d.targets.empty();
  if (!d.targets.empty()) d.retry = retries_done + 1;
  return d;
}

void merge_retry(EntryResult& entry, const EntryResult& retry, const RetryDecision& decision,
                 const std::string& interrupted_by) {
  // The retry's unit continued the numbering (Unit::attempt_offset).
  for (const auto& a : retry.attempts) entry.attempts.push_back(a);
  // An interrupted retry decided nothing: a test it did not finish keeps the
  // failure it was retried for (never a pass, and --last-failed selects it).
  const int retry_attempt = retry.attempts.empty() ? 0 : retry.attempts.back().number;
  bool cut_short =
      !interrupted_by.empty() && std::any_of(retry.attempts.begin(), retry.attempts.end(),
                                             [](const AttemptRecord& a) { return a.stopped_for == "interrupt"; });
  for (const auto& target : decision.targets) {
    // A command entry's one record is synthetic: matched by name alone.
    const bool whole = decision.whole_entry;
    auto old = whole ? std::find_if(entry.tests.begin(), entry.tests.end(),
                                    [&](const TestResult& t) { return t.name == target.test; })
                     : nth_named(entry.tests, target.test, target.occurrence);
    auto now = whole ? std::find_if(retry.tests.begin(), retry.tests.end(),
                                    [&](const TestResult& t) { return t.name == target.test; })
                     : nth_named(retry.tests, target.test, target.occurrence);
    if (old == entry.tests.end() || now == retry.tests.end()) continue;
    if (!interrupted_by.empty() && (now->code == ResultCode::Skipped || now->code == ResultCode::Unresolved)) {
      old->message += (old->message.empty() ? "" : "\n") + std::string("its retry (attempt ") +
                      std::to_string(retry_attempt) + ") was interrupted by " + interrupted_by +
                      " before it finished: " + first_line(now->message);
      // The retry happened: it is one of the test's tries, said as such,
      // in attempt order among the earlier ones (newcomer trial: it left none).
      old->tries.push_back(
          {now->attempt, now->code, retried_for(target.why), first_line(now->message), true, now->error_in});
      std::stable_sort(old->tries.begin(), old->tries.end(),
                       [](const TryRecord& a, const TryRecord& b) { return a.attempt < b.attempt; });
      cut_short = true;
      continue;
    }
    TestResult merged = *now;
    merged.tries = old->tries;
    merged.tries.push_back(
        {old->attempt, old->code, retried_for(target.why), first_line(old->message), false, old->error_in});
    if (merged.code == ResultCode::Pass) {
      merged.code = ResultCode::Flaky;
      merged.message = flaky_message(merged);
    }
    // Every stacks file of every run stays named (the earlier hang's too).
    std::vector<std::string> earlier = old->other_stacks;
    if (!old->stacks.empty()) earlier.insert(earlier.begin(), old->stacks);
    for (const auto& s : earlier) {
      if (merged.stacks.empty())
        merged.stacks = s;
      else if (s != merged.stacks &&
               std::find(merged.other_stacks.begin(), merged.other_stacks.end(), s) == merged.other_stacks.end())
        merged.other_stacks.push_back(s);
    }
    *old = std::move(merged);
  }
  // A whole-entry retry ran the entry's other tests again too, and every
  // run that tells something is recorded (TryRecord, RetriedFor::WithItsEntry):
  //  - one that had passed and now failed both passed and failed — FLAKY, as
  //    a test that passes on a retry (counted as passed, listed apart in
  //    every report), with the failing run among its tries and a warning of
  //    the entry; never a plain PASS (newcomer trials: the failure showed
  //    only in a log, then only in a message);
  //  - one that had failed for a reason the policy does not list (not a
  //    target) keeps its failure, whatever it did in the retry: the retry's
  //    run is among its tries, its message says it (trial16: a pass there was
  //    recorded nowhere).
  //  - a twin of a target (same full name: the retry's filter selected it
  //    too) is the test of its own order of appearance; one the resume could
  //    not run ("not run: …") takes the retry's result as its first run.
  std::map<std::string, int> seen;  // the retry's tests of each name so far
  if (!cut_short)
    for (const auto& now : retry.tests) {
      if (now.synthetic) continue;
      const int occurrence = seen[now.name]++;
      const bool retried = std::any_of(decision.targets.begin(), decision.targets.end(), [&](const RetryTarget& t) {
        return t.test == now.name && (decision.whole_entry || t.occurrence == occurrence);
      });
      if (retried) continue;  // it took the retry's result above
      const bool twin = std::any_of(decision.targets.begin(), decision.targets.end(),
                                    [&](const RetryTarget& t) { return t.test == now.name; });
      if (!decision.whole_entry && !twin) continue;
      auto old = nth_named(entry.tests, now.name, occurrence);
      if (old == entry.tests.end()) continue;
      if (never_ran(*old)) {
        *old = now;  // its first run: PASS stays PASS
        continue;
      }
      const std::string again = std::string(decision.whole_entry ? " when the entry was run again"
                                                                 : " when a test of the same name was retried") +
                                " (retry " + std::to_string(decision.retry) + ", attempt " +
                                std::to_string(now.attempt) + ")";
      if (old->code == ResultCode::Pass && is_failure(now.code)) {
        const std::string said = now.name + " passed in attempt " + std::to_string(old->attempt) + " but was " +
                                 std::string(name(now.code)) + again + ": " + first_line(now.message);
        old->code = ResultCode::Flaky;
        old->tries.push_back(
            {now.attempt, now.code, RetriedFor::WithItsEntry, first_line(now.message), false, now.error_in});
        old->message += (old->message.empty() ? "" : "\n") + said;
        entry.warnings.push_back(said);
      } else if (is_failure(old->code) && old->code != ResultCode::Flaky) {
        const std::string said = now.name + " was " + std::string(name(now.code)) + again + "; it keeps its " +
                                 name(old->code) + " of attempt " + std::to_string(old->attempt) +
                                 ": the plan's retry does not list its failure";
        old->tries.push_back(
            {now.attempt, now.code, RetriedFor::WithItsEntry, first_line(now.message), false, now.error_in});
        std::stable_sort(old->tries.begin(), old->tries.end(),
                         [](const TryRecord& a, const TryRecord& b) { return a.attempt < b.attempt; });
        old->message += (old->message.empty() ? "" : "\n") + said;
      }
    }
  // Process-level records of the retry (it could not start, crashed in set-up…).
  for (const auto& t : retry.tests)
    if (t.synthetic && !decision.whole_entry) entry.tests.push_back(t);
  entry.aut_spawns += retry.aut_spawns;
  entry.aut_respawns += retry.aut_respawns;
  entry.code = rollup(entry.tests);
  // Every retry that ran counts, an interrupted one too.
  int retries = decision.retry;
  for (const auto& t : entry.tests) retries = std::max<int>(retries, static_cast<int>(t.tries.size()));
  entry.reason = describe_after_retry(entry, retries, cut_short ? interrupted_by : std::string());
  // The tail that matters is the one of the attempt the worst failure ran
  // in: the retry's when a retried test still fails there, else the earlier
  // run's (a test that was not retried, or the failure a FLAKY test overcame).
  const TestResult* worst_failure = nullptr;
  for (const auto& t : entry.tests)
    if (is_failure(t.code) && (!worst_failure || severity(t.code) > severity(worst_failure->code))) worst_failure = &t;
  if (worst_failure && retry.output_attempt != 0 && worst_failure->attempt == retry.output_attempt) {
    entry.output_tail = retry.output_tail;
    entry.output_log = retry.output_log;
    entry.output_attempt = retry.output_attempt;
  }
}

}  // namespace livegui::batch
