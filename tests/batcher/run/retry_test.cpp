// Retry on infrastructure failure (batcher/run/retry): which failures are
// retried under which policy, and how a retry folds into the entry (FLAKY).
#include <gtest/gtest.h>

#include "batcher/run/retry.hpp"

namespace livegui::batch {
namespace {

TestResult test(const std::string& name, ResultCode code, const std::string& message = "", int attempt = 1) {
  TestResult t;
  t.name = name;
  t.code = code;
  t.message = message;
  t.attempt = attempt;
  return t;
}

EntryResult gtest_entry(std::vector<TestResult> tests) {
  EntryResult e;
  e.id = "live/test_x";
  e.name = "test_x";
  e.gtest = true;
  e.tests = std::move(tests);
  AttemptRecord a;
  a.number = 1;
  e.attempts.push_back(a);
  return e;
}

RetryPolicy infra(int max = 1) {
  RetryPolicy p;
  p.on = {RetryOn::Crash, RetryOn::Timeout, RetryOn::Degraded};
  p.max = max;
  return p;
}

// A run that erred (a fixture raised in set-up) keeps its phase among the
// test's tries, so junit.xml files it as an error (<flakyError>), not an
// assertion's failure.
TEST(BatcherRetry, ATryKeepsThePhaseOfItsError) {
  TestResult erred = test("t.py::test_a", ResultCode::Fail, "error in set-up: RuntimeError: boom");
  erred.error_in = ErrorIn::Setup;
  EntryResult e = gtest_entry({erred});
  RetryPolicy on_fail;
  on_fail.on = {RetryOn::Fail};
  on_fail.max = 1;
  RetryDecision d = decide_retry(e, {}, on_fail, 0);
  ASSERT_EQ(d.targets.size(), 1u);
  EntryResult retry = gtest_entry({test("t.py::test_a", ResultCode::Pass, "", 2)});
  retry.attempts[0].number = 2;
  merge_retry(e, retry, d);
  EXPECT_EQ(e.tests[0].code, ResultCode::Flaky);
  ASSERT_EQ(e.tests[0].tries.size(), 1u);
  EXPECT_EQ(e.tests[0].tries[0].error_in, ErrorIn::Setup);
}

TEST(BatcherRetry, CrashTimeoutAndDegradedAreRetriedButAnAssertionFailureIsNot) {
  EntryResult e = gtest_entry({test("S.Crashed", ResultCode::Crash), test("S.TimedOut", ResultCode::Timeout),
                               test("S.AutDied", ResultCode::Fail, "subprocess degraded: AUT pid 7 exited"),
                               test("S.Assert", ResultCode::Fail, "t.cpp:3: Expected: 1 == 2"),
                               test("S.Passed", ResultCode::Pass)});
  std::vector<AutBreak> breaks = {{"S.AutDied", "AUT pid 7: killed by SIGABRT"}};
  RetryDecision d = decide_retry(e, breaks, infra(), 0);
  ASSERT_EQ(d.targets.size(), 3u);
  EXPECT_EQ(d.targets[0].test, "S.Crashed");
  EXPECT_EQ(d.targets[0].why, RetryOn::Crash);
  EXPECT_EQ(d.targets[1].test, "S.TimedOut");
  EXPECT_EQ(d.targets[1].why, RetryOn::Timeout);
  EXPECT_EQ(d.targets[2].test, "S.AutDied");
  EXPECT_EQ(d.targets[2].why, RetryOn::Degraded);
  EXPECT_EQ(d.gtest_filter(), "S.Crashed:S.TimedOut:S.AutDied");
  EXPECT_FALSE(d.whole_entry);
}

// The rule of "degraded": a failure is the AUT's when the AUT broke during
// the test (a break recorded with its name) OR the test started on or hit an
// AUT already broken — the harness recorded it dead or degraded when the test
// failed (aut_unhealthy), or the entry started on a degraded AUT the batcher
// kept (respawn "never"). Both tests of that input are retried (newcomer
// trial item 1: only the first was).
TEST(BatcherRetry, ATestThatFailsOnAnAutAnEarlierTestBrokeIsRetriedLikeTheTestThatBrokeIt) {
  TestResult later = test("S.B_Later", ResultCode::Fail, "subprocess degraded: AUT pid 7 stopped advancing frames");
  later.aut_unhealthy = "subprocess degraded: AUT pid 7 stopped advancing frames 1.2 s ago";
  EntryResult e = gtest_entry({test("S.A_Stalls", ResultCode::Fail, "subprocess degraded: AUT pid 7 …"), later,
                               test("S.C_Assert", ResultCode::Fail, "t.cpp:3: Expected: 1 == 2")});
  RetryPolicy degraded_only;
  degraded_only.on = {RetryOn::Degraded};
  degraded_only.max = 1;
  RetryDecision d = decide_retry(e, {{"S.A_Stalls", "main loop stalled"}}, degraded_only, 0);
  ASSERT_EQ(d.targets.size(), 2u);
  EXPECT_EQ(d.targets[0].test, "S.A_Stalls");
  EXPECT_EQ(d.targets[0].why, RetryOn::Degraded);
  EXPECT_EQ(d.targets[1].test, "S.B_Later");
  EXPECT_EQ(d.targets[1].why, RetryOn::Degraded);
  EXPECT_EQ(d.gtest_filter(), "S.A_Stalls:S.B_Later");
  // Both pass on the fresh AUT: both FLAKY, the entry too.
  EntryResult retry =
      gtest_entry({test("S.A_Stalls", ResultCode::Pass, "", 2), test("S.B_Later", ResultCode::Pass, "", 2)});
  retry.attempts[0].number = 2;
  merge_retry(e, retry, d);
  EXPECT_EQ(e.tests[0].code, ResultCode::Flaky);
  EXPECT_EQ(e.tests[1].code, ResultCode::Flaky);
  ASSERT_EQ(e.tests[1].tries.size(), 1u);
  EXPECT_EQ(e.tests[1].tries[0].retried_for, RetriedFor::Degraded);
  EXPECT_EQ(e.tests[2].code, ResultCode::Fail) << "an assertion failure on a healthy AUT is not retried";

  // A command entry (no harness to say so) that started on the degraded AUT
  // the batcher kept (respawn "never") failed because of it.
  EntryResult cmd;
  cmd.id = "t/cmd";
  cmd.name = "cmd";
  TestResult c = test("cmd", ResultCode::Fail, "exit code 1");
  c.synthetic = true;
  cmd.tests = {c};
  DirtyStart left;
  left.kind = StateVerdictKind::Degraded;
  cmd.dirty_start = left;
  EXPECT_TRUE(decide_retry(cmd, {}, degraded_only, 0).targets.empty()) << "respawned: it started on a fresh AUT";
  cmd.dirty_start->kept = true;
  RetryDecision dc = decide_retry(cmd, {}, degraded_only, 0);
  ASSERT_EQ(dc.targets.size(), 1u);
  EXPECT_EQ(dc.targets[0].why, RetryOn::Degraded);
}

TEST(BatcherRetry, AFailureWithTheAutHealthyIsRetriedOnlyWhenFailIsListed) {
  EntryResult e = gtest_entry({test("S.Assert", ResultCode::Fail, "subprocess degraded: but no break recorded")});
  EXPECT_TRUE(decide_retry(e, {}, infra(), 0).targets.empty());
  // A break during another test does not make this failure infrastructure.
  EXPECT_TRUE(decide_retry(e, {{"S.Other", "died"}}, infra(), 0).targets.empty());
  RetryPolicy with_fail = infra();
  with_fail.on.insert(RetryOn::Fail);
  RetryDecision d = decide_retry(e, {}, with_fail, 0);
  ASSERT_EQ(d.targets.size(), 1u);
  EXPECT_EQ(d.targets[0].why, RetryOn::Fail);
}

TEST(BatcherRetry, NeverMoreThanMaxNorWithoutAPolicyNorForExpectedFailures) {
  EntryResult e = gtest_entry({test("S.Crashed", ResultCode::Crash)});
  EXPECT_TRUE(decide_retry(e, {}, RetryPolicy{}, 0).targets.empty());
  EXPECT_EQ(decide_retry(e, {}, infra(2), 1).targets.size(), 1u);
  EXPECT_TRUE(decide_retry(e, {}, infra(2), 2).targets.empty());
  EXPECT_TRUE(decide_retry(e, {}, infra(1), 1).targets.empty());
  RetryPolicy only_timeout;
  only_timeout.on = {RetryOn::Timeout};
  only_timeout.max = 1;
  EXPECT_TRUE(decide_retry(e, {}, only_timeout, 0).targets.empty());
  e.expect_fail = true;
  EXPECT_TRUE(decide_retry(e, {}, infra(), 0).targets.empty());
  EntryResult x = gtest_entry({test("S.Known", ResultCode::XFail)});
  EXPECT_TRUE(decide_retry(x, {}, infra(), 0).targets.empty());
}

TEST(BatcherRetry, ABreakWithNoTestRecordedIsBlamedOnlyOnTheEntrysOneFailure) {
  std::vector<AutBreak> unknown = {{"", "AUT pid 7: killed by SIGABRT"}};
  EntryResult one = gtest_entry({test("S.Died", ResultCode::Fail), test("S.Ok", ResultCode::Pass)});
  RetryDecision d = decide_retry(one, unknown, infra(), 0);
  ASSERT_EQ(d.targets.size(), 1u);
  EXPECT_EQ(d.targets[0].why, RetryOn::Degraded);
  EntryResult two = gtest_entry({test("S.Died", ResultCode::Fail), test("S.Assert", ResultCode::Fail)});
  EXPECT_TRUE(decide_retry(two, unknown, infra(), 0).targets.empty());
  // The batcher's own check names itself: no test known.
  std::vector<TimelineEvent> tl(1);
  tl[0] = {1, TimelineKind::Death, 7, "AUT pid 7: killed by SIGABRT", "live", "live/test_x", "livegui-batch.test_x"};
  auto b = aut_breaks_of(tl, "live/test_x");
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].test, "");
}

TEST(BatcherRetry, ACommandEntryIsRetriedWholeWhenTheAutBrokeWhileItRan) {
  EntryResult e;
  e.id = "t/cmd";
  e.name = "cmd";
  TestResult t = test("cmd", ResultCode::Fail, "exit code 1");
  t.synthetic = true;
  e.tests = {t};
  EXPECT_TRUE(decide_retry(e, {}, infra(), 0).targets.empty());
  RetryDecision d = decide_retry(e, {{"", "AUT pid 9: killed by SIGSEGV"}}, infra(), 0);
  ASSERT_EQ(d.targets.size(), 1u);
  EXPECT_EQ(d.targets[0].why, RetryOn::Degraded);
  EXPECT_TRUE(d.whole_entry);
}

TEST(BatcherRetry, AWholeEntryRetrySaysATestThatPassedBeforeAndFailsNow) {
  // A pytest entry: test_crash_once kills pytest (retried, whole entry); in
  // the retry test_pass_then_fail, which had passed, fails.
  EntryResult e;
  e.id = "py/test_q";
  e.name = "test_q";
  e.tests = {test("t.py::test_pass_then_fail", ResultCode::Pass),
             test("t.py::test_crash_once", ResultCode::Crash, "the pytest process was killed by SIGKILL")};
  e.attempts.resize(1);
  e.attempts[0].number = 1;
  e.code = ResultCode::Crash;
  RetryDecision d = decide_retry(e, {}, infra(), 0);
  ASSERT_TRUE(d.whole_entry);
  EntryResult retry;
  retry.tests = {test("t.py::test_pass_then_fail", ResultCode::Fail, "AssertionError: fails when run again", 2),
                 test("t.py::test_crash_once", ResultCode::Pass, "", 2)};
  retry.attempts.resize(1);
  retry.attempts[0].number = 2;
  merge_retry(e, retry, d);
  EXPECT_EQ(e.tests[1].code, ResultCode::Flaky);
  // It passed and then failed: FLAKY (counted as passed, listed apart), never a plain PASS.
  EXPECT_EQ(e.tests[0].code, ResultCode::Flaky);
  ASSERT_EQ(e.tests[0].tries.size(), 1u);
  EXPECT_EQ(e.tests[0].tries[0].attempt, 2);
  EXPECT_EQ(e.tests[0].tries[0].code, ResultCode::Fail);
  EXPECT_EQ(e.tests[0].tries[0].retried_for, RetriedFor::WithItsEntry);
  const std::string said =
      "t.py::test_pass_then_fail passed in attempt 1 but was FAIL when the entry was run again (retry 1, attempt 2): "
      "AssertionError: fails when run again";
  EXPECT_NE(e.tests[0].message.find(said), std::string::npos) << e.tests[0].message;
  ASSERT_EQ(e.warnings.size(), 1u);
  EXPECT_EQ(e.warnings[0], said);
}

// Trial16 finding 3: a whole-entry retry ran a test that had failed an
// assertion on a healthy AUT (not retried: "fail" is not listed), and it
// passed then. That run was recorded nowhere. It stays FAIL (the policy did
// not retry it), and the retry's run is one of its tries, with the reason.
TEST(BatcherRetry, AWholeEntryRetryRecordsTheRunOfATestItDidNotRetryForItsFailure) {
  EntryResult e;
  e.id = "py/test_q";
  e.name = "test_q";
  e.tests = {test("t.py::test_asserts_once", ResultCode::Fail, "AssertionError: assert 1 == 2"),
             test("t.py::test_crash_once", ResultCode::Crash, "the pytest process was killed by SIGKILL"),
             test("t.py::test_fails_twice", ResultCode::Fail, "AssertionError: always")};
  e.attempts.resize(1);
  e.attempts[0].number = 1;
  RetryDecision d = decide_retry(e, {}, infra(), 0);
  ASSERT_TRUE(d.whole_entry);
  ASSERT_EQ(d.targets.size(), 1u);
  EntryResult retry;
  retry.tests = {test("t.py::test_asserts_once", ResultCode::Pass, "", 2),
                 test("t.py::test_crash_once", ResultCode::Pass, "", 2),
                 test("t.py::test_fails_twice", ResultCode::Fail, "AssertionError: always", 2)};
  retry.attempts.resize(1);
  retry.attempts[0].number = 2;
  merge_retry(e, retry, d);
  const TestResult& once = e.tests[0];
  EXPECT_EQ(once.code, ResultCode::Fail) << "an assertion failure is not retried unless \"fail\" is listed";
  EXPECT_EQ(once.attempt, 1);
  ASSERT_EQ(once.tries.size(), 1u);
  EXPECT_EQ(once.tries[0].attempt, 2);
  EXPECT_EQ(once.tries[0].code, ResultCode::Pass);
  EXPECT_EQ(once.tries[0].retried_for, RetriedFor::WithItsEntry);
  EXPECT_NE(once.message.find("t.py::test_asserts_once was PASS when the entry was run again (retry 1, attempt 2); "
                              "it keeps its FAIL of attempt 1: the plan's retry does not list its failure"),
            std::string::npos)
      << once.message;
  // Failing again is a run too.
  const TestResult& twice = e.tests[2];
  EXPECT_EQ(twice.code, ResultCode::Fail);
  ASSERT_EQ(twice.tries.size(), 1u);
  EXPECT_EQ(twice.tries[0].attempt, 2);
  EXPECT_EQ(twice.tries[0].code, ResultCode::Fail);
  EXPECT_EQ(e.tests[1].code, ResultCode::Flaky);
  ASSERT_EQ(e.tests[1].tries.size(), 1u) << "the retried test is not recorded twice";
  EXPECT_EQ(e.code, ResultCode::Fail);
}

TEST(BatcherRetry, AutBreaksAreTheEntrysDeathAndDegradedEvents) {
  std::vector<TimelineEvent> tl(4);
  tl[0] = {1, TimelineKind::Spawn, 7, "started", "live", "live/test_x", ""};
  tl[1] = {2, TimelineKind::Death, 7, "AUT pid 7: killed by SIGABRT", "live", "live/test_x", "S.AutDied"};
  tl[2] = {3, TimelineKind::Degraded, 8, "main loop stalled", "live", "live/test_y", "S.Other"};
  tl[3] = {4, TimelineKind::Degraded, 9, "heartbeat stalled", "live", "live/test_x", ""};
  auto b = aut_breaks_of(tl, "live/test_x");
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[0].test, "S.AutDied");
  EXPECT_EQ(b[1].test, "");
}

TEST(BatcherRetry, APassOnTheRetryIsFlakyWithEveryAttemptsReasonAndTheEntryPasses) {
  EntryResult e =
      gtest_entry({test("S.Crashed", ResultCode::Crash, "the test binary was killed by SIGSEGV during this test"),
                   test("S.Passed", ResultCode::Pass)});
  e.code = ResultCode::Crash;
  RetryDecision d = decide_retry(e, {}, infra(), 0);
  EntryResult retry = gtest_entry({test("S.Crashed", ResultCode::Pass, "", 2)});
  retry.attempts[0].number = 2;
  merge_retry(e, retry, d);
  EXPECT_EQ(e.code, ResultCode::Flaky);
  EXPECT_FALSE(is_failure(e.code));
  ASSERT_EQ(e.tests.size(), 2u);
  const TestResult& t = e.tests[0];
  EXPECT_EQ(t.code, ResultCode::Flaky);
  EXPECT_EQ(t.attempt, 2);
  ASSERT_EQ(t.tries.size(), 1u);
  EXPECT_EQ(t.tries[0].attempt, 1);
  EXPECT_EQ(t.tries[0].code, ResultCode::Crash);
  EXPECT_EQ(t.tries[0].retried_for, RetriedFor::Crash);
  EXPECT_EQ(t.tries[0].message, "the test binary was killed by SIGSEGV during this test");
  EXPECT_NE(t.message.find("passed on attempt 2 after attempt 1: CRASH (retried for crash)"), std::string::npos)
      << t.message;
  ASSERT_EQ(e.attempts.size(), 2u);
  EXPECT_EQ(e.attempts[1].number, 2);
  EXPECT_NE(e.reason.find("retried 1x"), std::string::npos) << e.reason;
  EXPECT_EQ(e.reason.find("fresh AUT"), std::string::npos) << "no AUT: " << e.reason;
  EntryResult live = gtest_entry({test("S.Crashed", ResultCode::Crash, "killed")});
  live.uses_aut = true;
  merge_retry(live, retry, decide_retry(live, {}, infra(), 0));
  EXPECT_NE(live.reason.find("retried 1x on a fresh AUT"), std::string::npos) << live.reason;
}

TEST(BatcherRetry, AFailureOnTheRetryStaysAFailureAndKeepsTheEarlierRun) {
  EntryResult e = gtest_entry({test("S.AutDied", ResultCode::Fail, "subprocess degraded: AUT pid 7 exited")});
  RetryDecision d = decide_retry(e, {{"S.AutDied", "died"}}, infra(), 0);
  EntryResult retry = gtest_entry({test("S.AutDied", ResultCode::Fail, "subprocess degraded: again", 2)});
  retry.output_tail = "tail of attempt 2";
  retry.output_attempt = 2;
  merge_retry(e, retry, d);
  EXPECT_EQ(e.code, ResultCode::Fail);
  EXPECT_EQ(e.tests[0].message, "subprocess degraded: again");
  ASSERT_EQ(e.tests[0].tries.size(), 1u);
  EXPECT_EQ(e.tests[0].tries[0].retried_for, RetriedFor::Degraded);
  EXPECT_EQ(e.output_tail, "tail of attempt 2");
}

// A SIGTERM or Ctrl-C during the retry: the retry decided nothing, so the
// test keeps the failure it was retried for (never a pass), the entry stays
// a failure and --last-failed selects it again.
TEST(BatcherRetry, AnInterruptedRetryKeepsTheFailureItWasRetriedFor) {
  EntryResult e =
      gtest_entry({test("S.Hangs", ResultCode::Timeout, "timed out: this test ran longer than test_timeout"),
                   test("S.Passed", ResultCode::Pass)});
  e.attempts[0].stopped_for = "test_timeout";
  e.code = ResultCode::Timeout;
  RetryDecision d = decide_retry(e, {}, infra(), 0);
  ASSERT_EQ(d.targets.size(), 1u);
  EntryResult retry = gtest_entry({test("S.Hangs", ResultCode::Skipped, "interrupted by SIGTERM while running", 2)});
  retry.attempts[0].number = 2;
  retry.attempts[0].stopped_for = "interrupt";
  merge_retry(e, retry, d, "SIGTERM");
  EXPECT_EQ(e.code, ResultCode::Timeout);
  EXPECT_TRUE(is_failure(e.code));
  EXPECT_EQ(e.tests[0].code, ResultCode::Timeout);
  EXPECT_EQ(e.tests[0].attempt, 1);
  EXPECT_NE(
      e.tests[0].message.find("its retry (attempt 2) was interrupted by SIGTERM before it finished: interrupted by "
                              "SIGTERM while running"),
      std::string::npos)
      << e.tests[0].message;
  ASSERT_EQ(e.attempts.size(), 2u);
  EXPECT_EQ(e.attempts[1].stopped_for, "interrupt");
  // Every attempt of the test is recorded: the interrupted retry is one of
  // its tries, said as such (newcomer trial item 2: it left no tries at all).
  ASSERT_EQ(e.tests[0].tries.size(), 1u);
  EXPECT_EQ(e.tests[0].tries[0].attempt, 2);
  EXPECT_EQ(e.tests[0].tries[0].code, ResultCode::Skipped);
  EXPECT_EQ(e.tests[0].tries[0].retried_for, RetriedFor::Timeout);
  EXPECT_EQ(e.tests[0].tries[0].message, "interrupted by SIGTERM while running");
  EXPECT_TRUE(e.tests[0].tries[0].interrupted);
  // The same for an interrupted retry that reports the test UNRESOLVED.
  EntryResult e2 = gtest_entry({test("S.Crashed", ResultCode::Crash, "killed by SIGSEGV during this test")});
  RetryDecision d2 = decide_retry(e2, {}, infra(), 0);
  EntryResult retry2 = gtest_entry({test("S.Crashed", ResultCode::Unresolved, "interrupted during this test", 2)});
  merge_retry(e2, retry2, d2, "SIGINT");  // e.g. interrupted between two attempts of the retry
  EXPECT_EQ(e2.tests[0].code, ResultCode::Crash);
  EXPECT_EQ(e2.code, ResultCode::Crash);
  // A retry that finished the test before the interrupt came still counts.
  EntryResult e3 = gtest_entry({test("S.Crashed", ResultCode::Crash, "killed by SIGSEGV during this test")});
  RetryDecision d3 = decide_retry(e3, {}, infra(), 0);
  EntryResult retry3 = gtest_entry({test("S.Crashed", ResultCode::Pass, "", 2)});
  merge_retry(e3, retry3, d3, "SIGINT");
  EXPECT_EQ(e3.tests[0].code, ResultCode::Flaky);
}

// max = 2: the first retry failed again, the second was interrupted. The
// test keeps the first retry's failure; its tries hold the run before it and
// the interrupted one, in attempt order — no attempt is lost.
TEST(BatcherRetry, AnInterruptedSecondRetryKeepsEveryEarlierAttemptInTheTries) {
  EntryResult e = gtest_entry({test("S.AutDied", ResultCode::Fail, "subprocess degraded: AUT pid 7 exited")});
  RetryDecision d1 = decide_retry(e, {{"S.AutDied", "died"}}, infra(2), 0);
  EntryResult retry1 = gtest_entry({test("S.AutDied", ResultCode::Fail, "subprocess degraded: again", 2)});
  retry1.attempts[0].number = 2;
  merge_retry(e, retry1, d1);
  RetryDecision d2 = decide_retry(e, {{"S.AutDied", "died"}}, infra(2), 1);
  ASSERT_EQ(d2.retry, 2);
  EntryResult retry2 = gtest_entry({test("S.AutDied", ResultCode::Unresolved, "interrupted during this test", 3)});
  retry2.attempts[0].number = 3;
  retry2.attempts[0].stopped_for = "interrupt";
  merge_retry(e, retry2, d2, "SIGINT");
  const TestResult& t = e.tests[0];
  EXPECT_EQ(t.code, ResultCode::Fail);
  EXPECT_EQ(t.attempt, 2);
  ASSERT_EQ(t.tries.size(), 2u);
  EXPECT_EQ(t.tries[0].attempt, 1);
  EXPECT_EQ(t.tries[0].code, ResultCode::Fail);
  EXPECT_EQ(t.tries[1].attempt, 3);
  EXPECT_EQ(t.tries[1].code, ResultCode::Unresolved);
  EXPECT_EQ(t.tries[1].message, "interrupted during this test");
  EXPECT_FALSE(t.tries[0].interrupted);
  EXPECT_TRUE(t.tries[1].interrupted);
  EXPECT_EQ(e.attempts.size(), 3u);
}

// A SIGTERM during the retry: the retry ran (1x), and the entry's line says
// it was interrupted — never "retried 0x" because no test kept a try of it.
TEST(BatcherRetry, AnInterruptedRetryIsCountedAndTheReasonSaysItWasInterrupted) {
  EntryResult e =
      gtest_entry({test("S.Hangs", ResultCode::Timeout, "timed out: this test ran longer than test_timeout"),
                   test("S.Passed", ResultCode::Pass)});
  e.uses_aut = true;
  e.code = ResultCode::Timeout;
  RetryDecision d = decide_retry(e, {}, infra(), 0);
  ASSERT_EQ(d.targets.size(), 1u);
  EntryResult retry =
      gtest_entry({test("S.Hangs", ResultCode::Unresolved, "interrupted by SIGTERM during this test", 2)});
  retry.attempts[0].number = 2;
  retry.attempts[0].stopped_for = "interrupt";
  merge_retry(e, retry, d, "SIGTERM");
  EXPECT_EQ(e.reason,
            "S.Hangs: timed out: this test ran longer than test_timeout (1 PASS, 1 TIMEOUT; retried 1x on a fresh AUT, "
            "interrupted by SIGTERM)");
  // A retry that ran to its end is not said to be interrupted.
  EntryResult done =
      gtest_entry({test("S.Hangs", ResultCode::Timeout, "timed out: this test ran longer than test_timeout")});
  EntryResult again = gtest_entry({test("S.Hangs", ResultCode::Timeout, "timed out again", 2)});
  merge_retry(done, again, decide_retry(done, {}, infra(), 0));
  EXPECT_EQ(done.reason, "S.Hangs: timed out again (1 TIMEOUT; retried 1x)");
}

// A resume (the rest of the binary after it died) and a retry (failed tests
// run again) are different things, and the entry's reason counts them apart.
TEST(BatcherRetry, TheReasonCountsResumesAndRetriesApart) {
  EntryResult e = gtest_entry({test("S.Crashed", ResultCode::Crash, "killed by SIGSEGV during this test"),
                               test("S.After", ResultCode::Pass, "", 2)});
  AttemptRecord resume;
  resume.number = 2;
  resume.kind = AttemptKind::Resume;
  e.attempts.push_back(resume);
  RetryDecision d = decide_retry(e, {}, infra(), 0);
  EXPECT_EQ(d.retry, 1);
  EntryResult retry = gtest_entry({test("S.Crashed", ResultCode::Crash, "killed by SIGSEGV again", 3)});
  retry.attempts[0].number = 3;
  retry.attempts[0].kind = AttemptKind::Retry;
  retry.attempts[0].retry = 1;
  merge_retry(e, retry, d);
  EXPECT_EQ(e.reason,
            "S.Crashed: killed by SIGSEGV again (1 PASS, 1 CRASH; resumed 1x after the binary died; "
            "retried 1x)");
  EXPECT_EQ(decide_retry(e, {}, infra(2), 1).retry, 2);
}

// The output tail that matters is the one of the attempt the worst failure
// ran in: a test the retry did not run keeps its attempt's tail, and the
// entry says which attempt it is.
TEST(BatcherRetry, TheOutputTailIsTheOneOfTheAttemptTheWorstFailureRanIn) {
  RetryPolicy crash_only;
  crash_only.on = {RetryOn::Crash};
  crash_only.max = 1;
  // Attempt 1: S.Hangs timed out (not retried: only crashes are), S.Crashed crashed (retried, fails again).
  EntryResult e = gtest_entry({test("S.Hangs", ResultCode::Timeout, "timed out"),
                               test("S.Crashed", ResultCode::Crash, "killed by SIGSEGV during this test", 2)});
  e.output_tail = "tail of attempt 1: the hang";
  e.output_log = "logs/x.log";
  e.output_attempt = 1;
  RetryDecision d = decide_retry(e, {}, crash_only, 0);
  ASSERT_EQ(d.targets.size(), 1u);
  EntryResult retry = gtest_entry({test("S.Crashed", ResultCode::Fail, "now a plain failure", 3)});
  retry.attempts[0].number = 3;
  retry.output_tail = "tail of attempt 3";
  retry.output_log = "logs/x.attempt-3.log";
  retry.output_attempt = 3;
  merge_retry(e, retry, d);
  EXPECT_EQ(e.code, ResultCode::Timeout);
  EXPECT_EQ(e.output_tail, "tail of attempt 1: the hang")
      << "the timeout is the worst failure, and it ran in attempt 1";
  EXPECT_EQ(e.output_attempt, 1);

  // The retried test is the worst failure: the retry's tail.
  EntryResult e2 =
      gtest_entry({test("S.Crashed", ResultCode::Crash, "killed"), test("S.Fails", ResultCode::Fail, "x")});
  e2.output_tail = "tail of attempt 1";
  e2.output_attempt = 1;
  RetryDecision d2 = decide_retry(e2, {}, crash_only, 0);
  EntryResult retry2 = gtest_entry({test("S.Crashed", ResultCode::Crash, "killed again", 2)});
  retry2.output_tail = "tail of attempt 2";
  retry2.output_log = "logs/x.attempt-2.log";
  retry2.output_attempt = 2;
  merge_retry(e2, retry2, d2);
  EXPECT_EQ(e2.output_tail, "tail of attempt 2");
  EXPECT_EQ(e2.output_log, "logs/x.attempt-2.log");
  EXPECT_EQ(e2.output_attempt, 2);
}

}  // namespace
}  // namespace livegui::batch
