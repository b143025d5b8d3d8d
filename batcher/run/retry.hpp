#pragma once
// Retry on infrastructure failure: which failed tests of a finished entry are
// run again (on a fresh AUT) under the plan's RetryPolicy, and how the
// retry's results fold into the entry's. Pure decisions, no processes: the
// executor runs what they say.
//
// A test is retried for "crash" (the binary died during it), "timeout" (it
// was stopped for running too long), "degraded" (it failed because the AUT
// broke: the AUT died or degraded during it, as the state file recorded, or
// the harness found the AUT dead or degraded when it failed — the test
// started on or hit an AUT an earlier test broke) or — only when listed —
// "fail" (an assertion failure on a healthy AUT). Expected failures are never
// retried. A test that passes on a retry is FLAKY.

#include <string>
#include <vector>

#include "batcher/plan/retry_policy.hpp"
#include "batcher/results.hpp"

namespace livegui::batch {

/// The AUT died or degraded while `test` ran ("" = while the entry ran, test unknown).
struct AutBreak {
  std::string test;
  std::string what;  ///< "AUT pid 4121: killed by SIGABRT", "main loop stalled …"
};

/// The AUT breaks of `entry_id` in a timeline (death and degraded events).
std::vector<AutBreak> aut_breaks_of(const std::vector<TimelineEvent>& timeline, const std::string& entry_id);

/// Why `test` failed, in the policy's terms: Crash, Timeout, Degraded (a
/// failure the harness recorded on a dead or degraded AUT — TestResult::
/// aut_unhealthy, whenever the AUT broke — or with an AUT break during it,
/// or during a command entry, or — the break's test unknown — when it is
/// the entry's `only_failure`, or the entry started on a degraded AUT the
/// batcher kept: `started_on_broken_aut`, DirtyStart::kept) or Fail.
/// std::nullopt when it did not fail (or was expected to).
std::optional<RetryOn> failure_kind(const TestResult& test, bool command_entry, const std::vector<AutBreak>& breaks,
                                    bool only_failure, bool started_on_broken_aut = false);

struct RetryTarget {
  std::string test;  ///< test name (the entry's name for a command entry)
  RetryOn why = RetryOn::Fail;
  /// Which test of that name (0 = the first): a binary may run several
  /// tests of one full name (TEST in two namespaces), which a filter cannot
  /// tell apart; the n-th of the retry's run is the n-th of the entry's.
  int occurrence = 0;
};

struct RetryDecision {
  std::vector<RetryTarget> targets;  ///< empty: no retry
  bool whole_entry = false;          ///< a command entry (or a process-level failure): run it all again
  int retry = 0;                     ///< which retry of the entry this is (1 = the first); 0 = no retry
  /// The --gtest_filter of the retry: each target's reproduce_filter_for, joined with ':'.
  std::string gtest_filter() const;
};

/// What to run again after `entry` finished, its `retries_done` retries
/// spent. Never more than policy.max retries; nothing for an interrupted
/// batch or an entry that never ran.
RetryDecision decide_retry(const EntryResult& entry, const std::vector<AutBreak>& breaks, const RetryPolicy& policy,
                           int retries_done);

/// Folds the retry run's results into the entry: each retried test takes
/// the retry's result (PASS becomes FLAKY) and keeps the earlier run in its
/// `tries`; the retry's attempts are appended (renumbered); the entry's code
/// and reason are recomputed. `retry` ran only the decision's targets — and
/// their twins (tests of the same full name, which its filter selects too):
/// tests of one name are matched by their order of appearance, so a twin
/// keeps its own result (one the resume could not run, "not run: …", takes
/// the retry's; one that passed stays PASS unless it failed in the retry).
/// `interrupted_by` ("SIGINT", "SIGTERM"; "" = not interrupted): the batch
/// was interrupted during the retry, so a test the retry did not finish
/// (SKIPPED or UNRESOLVED there) keeps the failure it was retried for, its
/// message saying so — an interrupt never turns a failure into a pass — and
/// the interrupted run joins its `tries` (TryRecord::interrupted). The
/// entry's reason counts the retries that ran (an interrupted one too) and
/// says which was interrupted: "…; retried 1x on a fresh AUT, interrupted by SIGTERM".
void merge_retry(EntryResult& entry, const EntryResult& retry, const RetryDecision& decision,
                 const std::string& interrupted_by = "");

}  // namespace livegui::batch
