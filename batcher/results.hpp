#pragma once
// What a batch produced: one EntryResult per unit (binary, or suite of a
// binary), each with its tests, attempts (a crash is resumed in a fresh
// process), dirty start, and the AUT timeline observed through the state
// file. Reports, the summary and `merge` all read this one model.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "batcher/plan/retry_policy.hpp"
#include "batcher/result_code.hpp"
#include "batcher/state_verdict.hpp"
#include "common/aut_scope.hpp"

namespace livegui::batch {

/// Why a test ran again (TryRecord::retried_for): one of the plan's reasons
/// (RetryOn), or because its whole entry was retried for another test (a
/// pytest or command entry).
enum class RetriedFor { Crash, Timeout, Degraded, Fail, WithItsEntry };
/// "crash", "timeout", "degraded", "fail" (as the plan spells RetryOn), and
/// "entry": results.json's "retried_for" and the reports' "retried for …".
const char* to_string(RetriedFor why);
/// The inverse of to_string(); nullopt for anything else.
std::optional<RetriedFor> retried_for_from_name(std::string_view name);
/// The RetriedFor of a retry the plan's reason `on` asked for.
RetriedFor retried_for(RetryOn on);

/// Who expected an XFAIL result to fail (TestResult::expected_by).
enum class ExpectedBy {
  Plan,     ///< the plan: its `xfail` patterns or `expect = "fail"`
  OwnMain,  ///< the GoogleTest binary's own main(): it exited 0 after the failure (kAcceptedByOwnMain)
  Runner,   ///< the test runner itself: pytest's xfail, a JUnit <skipped> of type pytest.xfail
};
/// "plan", "own-main", "runner" (results.json's "expected_by").
const char* to_string(ExpectedBy who);
/// The inverse of to_string(); nullopt for anything else.
std::optional<ExpectedBy> expected_by_from_name(std::string_view name);

/// Of a FAIL: what its runner calls an *error* rather than a failure (not
/// an assertion: a fixture or the test module raised), and where
/// (TestResult::error_in). pytest reports a test whose body failed and whose
/// tear-down raised as a failure and an error: CallAndTeardown says both.
enum class ErrorIn {
  None,             ///< an assertion's failure (or a result of another code, or not known)
  Setup,            ///< its set-up raised (a fixture): the test's body never ran
  Teardown,         ///< its tear-down raised after a body that passed
  CallAndTeardown,  ///< its body failed (an assertion) and its tear-down raised too
  Collection,       ///< its file could not be collected (SyntaxError, ImportError): `name` is the file
  /// The runner calls it an error and says not where: a JUnit <error> of a
  /// runner other than pytest (Surefire: an unexpected exception, not an
  /// assertion), an event stream's "error" without a phase.
  Unspecified,
};
/// "setup", "teardown", "call-and-teardown", "collection", "unspecified"
/// (results.json's "error_in"); "" for None.
const char* to_string(ErrorIn where);
/// The inverse of to_string() for every value but None; nullopt for anything else ("" included).
std::optional<ErrorIn> error_in_from_name(std::string_view name);

/// One earlier run of a test that was retried (see RetryPolicy).

struct TryRecord {
  int attempt = 1;  ///< the entry's attempt (process) it ran in
  ResultCode code = ResultCode::Fail;
  /// Why it was run again.
  RetriedFor retried_for = RetriedFor::Fail;
  std::string message;      ///< what that run reported
  /// This run was a retry the batch's interrupt cut short: it decided
  /// nothing, the test keeps the failure it was retried for (`retried_for`:
  /// why this retry ran). Listed among the tries in attempt order.
  bool interrupted = false;
  /// Of a FAIL: an error (set-up, tear-down, …) rather than an assertion's
  /// failure, as TestResult::error_in (junit.xml: <flakyError>/<rerunError>).
  ErrorIn error_in = ErrorIn::None;
};

struct TestResult {
  std::string name;  ///< "Suite.Name"; for a command entry, the entry's name
  ResultCode code = ResultCode::Pass;
  std::string message;  ///< why: failure text, "killed by SIGSEGV during this test", "not run: …"
  std::chrono::nanoseconds duration{0};
  int attempt = 1;               ///< which process ran it (2+ = resumed after a crash)
  bool synthetic = false;        ///< stands for the process itself, not a test it reported
  std::string screenshot;        ///< failure screenshot the test recorded, relative to the report dir ("" = none)
  bool disabled = false;         ///< SKIPPED because GoogleTest reports it disabled (DISABLED_ prefix)
  std::string output;            ///< what the test printed between its markers (bounded tail; "" = none)
  std::string stacks;            ///< stacks-<pid>.txt of a hang, relative to the report dir ("" = none)
  /// The other stacks files of the same hang (of a hang both the AUT's and
  /// the test binary's are captured: `stacks` is one, these the rest), same form.
  std::vector<std::string> other_stacks;
  /// The harness found the AUT dead or degraded when this test failed: the
  /// first line of its diagnostic ("" = healthy, or not known). The failure
  /// is the AUT's even when it broke before the test (RetryOn::Degraded).
  std::string aut_unhealthy;
  /// Of an XFAIL: who expected it to fail (the message says it in words;
  /// this is the fact code reads). Meaningless for other codes.
  ExpectedBy expected_by = ExpectedBy::Plan;
  /// Of a FAIL: an error in set-up, tear-down or collection rather than an
  /// assertion's failure (junit.xml's <error>). None for other codes.
  ErrorIn error_in = ErrorIn::None;
  /// The test's other runs when retried, in attempt order: the earlier ones
  /// (FLAKY: passed on the last) and a retry an interrupt cut short.
  std::vector<TryRecord> tries;
  /// The line that reruns this test alone, when the test's id alone does not
  /// make it (a pytest test: the entry's argv with its node id in place of
  /// the files); "" = test_reproduce_line()'s rule (reproduce.hpp).
  std::string reproduce;
};

/// A result the batcher decides itself rather than reads from a report: a
/// test blamed for a timeout or a crash, one "not run" (duration 0, no
/// output, not synthetic).
TestResult decided_result(std::string name, ResultCode code, std::string message, int attempt);

/// Why a process ran for an entry. A resume and a retry are different
/// things: a resume runs the rest of the binary (what a crash or a per-test
/// timeout left unrun) in a fresh process; a retry runs failed tests again
/// (on a fresh AUT when the entry uses one) under the plan's RetryPolicy.
enum class AttemptKind {
  First,   ///< the entry's first process
  Resume,  ///< the rest of the binary after the previous process died or a test timed out
  Retry,   ///< the first process of a retry of failed tests
  /// The whole binary again, without GoogleTest's event stream
  /// (--gtest_stream_result_to): the previous process was aborted by the
  /// stream's listener because its main() calls RUN_ALL_TESTS() more than
  /// once. Not a resume: the binary did not die of itself.
  WithoutStream,
};

/// "first", "resume", "retry", "without-stream" (the results.json spelling).
const char* to_string(AttemptKind kind);
/// The inverse of to_string(); std::nullopt for any other text.
std::optional<AttemptKind> attempt_kind_from_name(std::string_view name);

/// One process run for an entry.
struct AttemptRecord {
  int number = 1;
  std::string filter;       ///< --gtest_filter we added ("" = none), or a runner's own ("--deselect t.py::a")
  std::string exit;         ///< "exit code 1", "killed by SIGSEGV", "could not start: …"
  std::string stopped_for;  ///< "" | "timeout" | "interrupt"
  std::chrono::nanoseconds duration{0};
  std::string log;
  pid_t pid = 0;
  AttemptKind kind = AttemptKind::First;
  int retry = 0;  ///< the retry it is (or resumes) part of: 1 = the first retry; 0 = none
};

/// What a process of an entry was, in the words every report uses:
/// "first run", "resumed in a fresh process", "run again without GoogleTest's
/// event stream", "retry 1 of the failed tests, on a fresh AUT" (`fresh_aut`: the entry uses an AUT; else "in a fresh
/// process"), "resumed retry 1 in a fresh process".
/// `whole_entry`: a retry runs the entry whole (any entry but a GoogleTest
/// binary): "retry 1 of the whole entry, on a fresh AUT".
std::string describe_attempt(const AttemptRecord& attempt, bool fresh_aut, bool whole_entry = false);

/// How many of `attempts` resumed the rest of a binary (AttemptKind::Resume).
int resume_count(const std::vector<AttemptRecord>& attempts);

/// The resumes of an entry's reason, each by what ended the process before
/// it: "resumed 1x after the binary died" ("the process" for a non-GoogleTest
/// entry), "resumed 1x after a test ran longer than test_timeout", or both
/// counted: "resumed 3x (2 after the binary died, 1 after a test ran longer
/// than test_timeout)". A run again without the event stream is no resume:
/// "run again without GoogleTest's event stream (its main() calls
/// RUN_ALL_TESTS() more than once)", after the resumes if any. Empty without
/// either.
std::string resume_phrase(const std::vector<AttemptRecord>& attempts, bool gtest);

/// The entry did not start on a clean AUT: what the previous entry left.
struct DirtyStart {
  StateVerdictKind kind = StateVerdictKind::Dead;  ///< never Clean or EndedWithEntry
  std::string message;         ///< the [BATCH-WARN] line, without the prefix
  std::string previous_entry;  ///< "" when left by a previous run
  pid_t aut_pid = 0;
  /// The entry started on that AUT, still degraded (session scope, respawn
  /// policy "never"): its failures are the AUT's (RetryOn::Degraded).
  /// results.json's dirty_start "kept".
  bool kept = false;
  /// The stalled AUT's stacks, captured when the batcher found the stall
  /// between entries (stacks-<pid>.txt in the artifact dir of the entry
  /// that left it), relative to the report dir; "" = none. results.json's
  /// dirty_start "stacks", junit's livegui.stacks property.
  std::string stacks;
};

struct EntryResult {
  std::string id;  ///< "tier/name" (unique in a batch)
  std::string tier;
  std::string name;
  std::string executable;
  std::vector<std::string> args;           ///< as planned (our --gtest_filter not included)
  std::map<std::string, std::string> env;  ///< what a reproduction needs
  std::string cwd;
  std::string gtest_filter;  ///< the unit's own filter (suite split / --filter); "" = all
  bool gtest = false;
  bool uses_aut = false;
  bool expect_fail = false;
  ResultCode code = ResultCode::Pass;
  std::string reason;  ///< one line: why this result
  std::chrono::nanoseconds duration{0};
  std::int64_t started_unix_ms = 0;
  std::vector<AttemptRecord> attempts;
  std::vector<TestResult> tests;
  std::string output_tail;  ///< the failing attempt's output tail (failing entries only)
  std::string output_log;   ///< the log that tail comes from
  int output_attempt = 0;   ///< the attempt (AttemptRecord::number) that log is of; 0 = no tail
  std::string reproduce;    ///< pasteable command for the whole entry
  std::optional<DirtyStart> dirty_start;
  int aut_spawns = 0;                 ///< AUT processes started while this entry ran (state file)
  int aut_respawns = 0;               ///< of which respawns
  std::vector<std::string> warnings;  ///< e.g. processes it left behind
  /// Session scope: the batcher could not start the tier's AUT for this entry
  /// (its test binary started its own). Not written to results.json.
  bool session_aut_unavailable = false;
};

/// What happened to an AUT, as the batch's timeline records it
/// (docs/results.md, "aut_timeline").
enum class TimelineKind { Spawn, Respawn, Death, Degraded, Stopped, LeakStopped, Stale, Corrupt };

/// "spawn", "respawn", "death", "degraded", "stopped", "leak-stopped",
/// "stale", "corrupt" (the results.json spelling).
const char* to_string(TimelineKind kind);
/// The inverse of to_string(); std::nullopt for any other text.
std::optional<TimelineKind> timeline_kind_from_name(std::string_view name);

struct TimelineEvent {
  std::int64_t unix_ms = 0;
  TimelineKind event = TimelineKind::Spawn;
  pid_t pid = 0;
  std::string reason;
  std::string tier;
  std::string entry;  ///< the entry it happened in (or was noticed before)
  std::string test;   ///< death/degraded: the test that was running ("" = unknown)
};

struct TierResult {
  std::string name;
  bool uses_aut = false;
  std::chrono::nanoseconds duration{0};
  std::vector<std::string> warnings;  ///< [BATCH-WARN] lines not tied to a next entry
  /// Session scope: the tier's AUT session could not be set up at all (its
  /// entries own their AUT). Not written to results.json.
  bool no_session = false;
};

/// A failure of an earlier run that a --last-failed run did not select (its
/// entry outside the run's --tier, --filter or shard, or gone from the plan):
/// kept in the record so that the next --last-failed still finds it. Not a
/// result of the run that carries it: no count, no exit code.
struct CarriedFailure {
  std::string id;                      ///< the entry's id, "tier/name"
  ResultCode code = ResultCode::Fail;  ///< its result when it last ran
  std::vector<std::string> tests;      ///< its failing tests; empty = the whole entry
};

struct BatchResults {
  static constexpr int kSchemaVersion = 1;
  std::vector<std::string> command_line;
  std::string plan;  ///< plan file, "" for the quick form
  AutScope aut_scope = AutScope::File;
  std::int64_t started_unix_ms = 0;
  std::chrono::nanoseconds duration{0};
  int shard_index = 0;
  int shard_count = 1;
  bool interrupted = false;
  std::string interrupt_reason;
  std::vector<TierResult> tiers;
  std::vector<EntryResult> entries;  ///< plan order
  std::vector<TimelineEvent> aut_timeline;
  std::vector<std::string> notes;  ///< e.g. "session scope not available: …"
  int exit_code = 0;
  std::vector<CarriedFailure> not_selected;  ///< --last-failed: earlier failures it did not run
};

/// Per-tier figures for the summary and the reports (tests are counted; an
/// entry without tests counts as one).
struct TierCounts {
  std::map<ResultCode, int> tests;
  int entries = 0;
  int failing_entries = 0;
  int dirty_starts = 0;
  int aut_respawns = 0;
  int disabled = 0;  ///< of the SKIPPED tests, those GoogleTest reports disabled
  std::chrono::nanoseconds duration{0};
  int count(ResultCode c) const {
    auto it = tests.find(c);
    return it == tests.end() ? 0 : it->second;
  }
  int total_tests() const;
  int failures() const;
  /// The SKIPPED tests GoogleTest counts as skipped: all but the disabled
  /// ones, which it counts apart (its report's "disabled"), as every report does.
  int skipped() const { return count(ResultCode::Skipped) - disabled; }
};

/// "1 PASS, 1 FAIL, 1 SKIPPED, 3 disabled": `tests` counted by result code,
/// disabled tests apart from the skipped ones (as TierCounts::skipped()).
std::string tally_of(const std::vector<TestResult>& tests);

/// The closing tally every report prints: "3 passed (1 flaky), 1 failed, 2
/// skipped, 1 disabled, 1 dirty start" (FLAKY counts as passed and is said
/// apart; GoogleTest's disabled tests apart from the skipped ones).
std::string outcome_tally(const TierCounts& total);

/// The run's one-word verdict: INTERRUPTED, FAILED, INCOMPLETE (no test
/// failed but the results are not whole: exit code not 0, e.g. a merge with
/// shards missing) or PASSED.
std::string verdict_word(const BatchResults& results);

TierCounts count_tier(const BatchResults& results, const std::string& tier);
TierCounts count_all(const BatchResults& results);

/// 0 when nothing failed, 1 otherwise, 130 when interrupted.
int exit_code_for(const BatchResults& results);

}  // namespace livegui::batch
