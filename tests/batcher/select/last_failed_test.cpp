// --last-failed (batcher/select/last_failed): exactly the previous failures.
#include <gtest/gtest.h>

#include <csignal>
#include <fstream>

#include "batcher/report/json_report.hpp"
#include "batcher/report/merge.hpp"
#include "batcher/run/unit_run.hpp"
#include "batcher/select/last_failed.hpp"
#include "tests/support/temp_dir.hpp"

namespace livegui::batch {
namespace {

TestResult t(const std::string& name, ResultCode code, bool synthetic = false) {
  TestResult r;
  r.name = name;
  r.code = code;
  r.synthetic = synthetic;
  return r;
}

EntryResult entry(const std::string& id, bool gtest, std::vector<TestResult> tests) {
  EntryResult e;
  e.id = id;
  e.gtest = gtest;
  e.tests = std::move(tests);
  e.code = ResultCode::Pass;
  for (const auto& x : e.tests) e.code = worst(e.code, x.code);
  return e;
}

Unit unit(const std::string& id, bool gtest, std::vector<std::string> tests) {
  Unit u;
  u.id = id;
  u.gtest = gtest;
  u.listed = gtest;
  u.tests = std::move(tests);
  return u;
}

TEST(BatcherLastFailed, AnInterruptedRunsEntriesItNeverStartedOrFinishedAreRunAgain) {
  // Ctrl-C during b_slow: a_fail FAIL, b_slow UNRESOLVED with a test never
  // reached, c_never SKIPPED without a process. --last-failed runs all three.
  BatchResults prev;
  prev.interrupted = true;
  prev.interrupt_reason = "SIGINT";
  EntryResult a = entry("s/a_fail", false, {t("a_fail", ResultCode::Fail, true)});
  a.attempts.resize(1);
  EntryResult b = entry("s/b", true, {t("B.ran", ResultCode::Unresolved), t("B.later", ResultCode::Skipped)});
  b.attempts.resize(1);
  EntryResult c = entry("s/c_never", false, {t("c_never", ResultCode::Skipped, true)});
  c.code = ResultCode::Skipped;  // as UnitRun::not_run gives it
  EntryResult passed = entry("s/d_pass", true, {t("D.ok", ResultCode::Pass)});
  passed.attempts.resize(1);
  prev.entries = {a, b, c, passed};
  LastFailures f = last_failures(prev);
  ASSERT_EQ(f.size(), 3u);
  EXPECT_TRUE(f.count("s/c_never")) << "never started: not run, so run now";
  EXPECT_TRUE(f.at("s/b").empty()) << "B.later was never reached: the entry runs whole";
  EXPECT_FALSE(f.count("s/d_pass"));
  // The same record, not interrupted: a SKIPPED entry is a skip, not a failure.
  prev.interrupted = false;
  f = last_failures(prev);
  EXPECT_FALSE(f.count("s/c_never"));
  EXPECT_EQ(f.at("s/b"), std::vector<std::string>{"B.ran"});
}

TEST(BatcherLastFailed, SelectsExactlyTheFailingEntriesAndTests) {
  BatchResults prev;
  prev.entries = {
      entry("a/passing", true, {t("P.a", ResultCode::Pass), t("P.b", ResultCode::Pass)}),
      entry("a/mixed", true,
            {t("M.ok", ResultCode::Pass), t("M.fail", ResultCode::Fail), t("M.crash", ResultCode::Crash),
             t("M.timeout", ResultCode::Timeout), t("M.unresolved", ResultCode::Unresolved),
             t("M.flaky", ResultCode::Flaky), t("M.xfail", ResultCode::XFail), t("M.skip", ResultCode::Skipped)}),
      entry("a/cmd", false, {t("cmd", ResultCode::Fail, true)}),
      entry("a/setup", true, {t("S.a", ResultCode::Unresolved), t("setup (process)", ResultCode::Crash, true)}),
      entry("a/expected", true, {t("X.a", ResultCode::XFail)}),
  };
  LastFailures f = last_failures(prev);
  ASSERT_EQ(f.size(), 3u) << "mixed, cmd, setup";
  EXPECT_EQ(f.at("a/mixed"), (std::vector<std::string>{"M.fail", "M.crash", "M.timeout", "M.unresolved"}));
  EXPECT_TRUE(f.at("a/cmd").empty());
  EXPECT_TRUE(f.at("a/setup").empty());

  std::vector<Unit> units = {
      unit("a/passing", true, {"P.a", "P.b"}),
      unit("a/mixed", true, {"M.ok", "M.fail", "M.crash", "M.timeout", "M.unresolved", "M.flaky", "M.xfail", "M.skip"}),
      unit("a/cmd", false, {}),
      unit("a/setup", true, {"S.a"}),
      unit("a/new", true, {"N.a"}),
      unit("a/expected", true, {"X.a"})};
  auto sel = select_last_failed(units, f);
  ASSERT_EQ(sel.size(), 3u);
  EXPECT_EQ(sel[0].id, "a/mixed");
  EXPECT_EQ(sel[0].gtest_filter, "M.fail:M.crash:M.timeout:M.unresolved");
  EXPECT_EQ(sel[0].tests, (std::vector<std::string>{"M.fail", "M.crash", "M.timeout", "M.unresolved"}));
  EXPECT_EQ(sel[1].id, "a/cmd");
  EXPECT_EQ(sel[2].id, "a/setup");
  EXPECT_EQ(sel[2].gtest_filter, "") << "a process failure reruns the whole entry";
}

// A test --last-failed selected crashes again: the tests the binary's listing
// names besides it (the entry's earlier passes) are outside the unit's filter
// and are neither resumed nor reported (not as SKIPPED "not run" either).
TEST(BatcherLastFailed, ACrashUnderLastFailedResumesNothingOutsideItsFilter) {
  livegui::test_support::TempDir dir("last-failed-crash");
  BatchResults prev;
  prev.entries = {entry(
      "a/crashy", true,
      {t("Ok.Passes", ResultCode::Pass), t("Ok.After", ResultCode::Pass), t("Always.Crashes", ResultCode::Crash)})};
  Unit one_spawn = unit("a/crashy", true, {});
  one_spawn.listed = false;  // the usual case: not listed before its run
  one_spawn.name = "crashy";
  one_spawn.entry.executable = "/bin/false";
  auto sel = select_last_failed({one_spawn}, last_failures(prev));
  ASSERT_EQ(sel.size(), 1u);
  EXPECT_EQ(sel[0].gtest_filter, "Always.Crashes");
  RunContext ctx;
  ctx.log_dir = dir.path();
  UnitRun run(sel[0], ctx);
  AttemptSpec a = run.next_attempt();
  EXPECT_EQ(a.filter, "Always.Crashes");
  std::ofstream(a.log)
      << "[==========] Running 1 test from 1 test suite.\n[ RUN      ] Always.Crashes\nabout to segv\n";
  run.attempt_finished(ExitStatus::killed(SIGSEGV), StopCause::None, std::chrono::milliseconds(1), 1, "SIGINT", [] {
    return std::vector<std::string>{"Ok.Passes", "Ok.After", "Always.Crashes"};  // the entry's own args
  });
  EXPECT_FALSE(run.wants_another_attempt()) << "nothing of the unit's filter is left to resume";
  EntryResult e = run.finish(std::chrono::milliseconds(1), 0);
  ASSERT_EQ(e.tests.size(), 1u);
  EXPECT_EQ(e.tests[0].name, "Always.Crashes");
  EXPECT_EQ(e.tests[0].code, ResultCode::Crash);
  EXPECT_EQ(e.attempts.size(), 1u);
}

// --last-failed narrowed (--tier, --filter, a shard) runs some failures: the
// others are carried into the new record, so a second --last-failed still
// finds them; what it ran is judged by this run alone.
TEST(BatcherLastFailed, FailuresItDidNotSelectAreCarriedIntoTheNextRecord) {
  BatchResults prev;
  prev.entries = {entry("a/mixed", true, {t("M.ok", ResultCode::Pass), t("M.fail", ResultCode::Fail)}),
                  entry("a/passing", true, {t("P.a", ResultCode::Pass)}),
                  entry("b/cmd", false, {t("cmd", ResultCode::Crash, true)})};
  prev.not_selected = {{"c/older", ResultCode::Timeout, {"O.hang"}}, {"a/mixed", ResultCode::Fail, {"M.stale"}}};
  LastFailures f = last_failures(prev);
  ASSERT_EQ(f.size(), 3u) << "mixed, cmd and the carried older";
  // A failure carried for an entry that also ran is one of its tests that run
  // did not select (--filter): it stands beside the run's own failures.
  EXPECT_EQ(f.at("a/mixed"), (std::vector<std::string>{"M.fail", "M.stale"}));
  EXPECT_EQ(f.at("c/older"), (std::vector<std::string>{"O.hang"}));

  // This run selects only tier a (--tier a): b/cmd and c/older are not run.
  auto sel =
      select_last_failed({unit("a/mixed", true, {"M.ok", "M.fail", "M.stale"}), unit("a/passing", true, {"P.a"})}, f);
  ASSERT_EQ(sel.size(), 1u);
  EXPECT_EQ(sel[0].tests, (std::vector<std::string>{"M.fail", "M.stale"}));
  auto carried = unselected_failures(prev, sel);
  ASSERT_EQ(carried.size(), 2u);
  EXPECT_EQ(carried[0].id, "b/cmd");
  EXPECT_EQ(carried[0].code, ResultCode::Crash);
  EXPECT_TRUE(carried[0].tests.empty());
  EXPECT_EQ(carried[1].id, "c/older");
  EXPECT_EQ(carried[1].tests, (std::vector<std::string>{"O.hang"}));

  // The new record: M.fail passed now; the carried failures survive the file.
  BatchResults now;
  now.entries = {entry("a/mixed", true, {t("M.fail", ResultCode::Pass), t("M.stale", ResultCode::Pass)})};
  now.not_selected = carried;
  BatchResults read = results_from_json(nlohmann::json::parse(results_to_json(now).dump()));
  ASSERT_EQ(read.not_selected.size(), 2u);
  EXPECT_EQ(read.not_selected[0].code, ResultCode::Crash);
  EXPECT_EQ(read.entries.size(), 1u) << "carried failures are not results of this run";
  LastFailures next = last_failures(read);
  ASSERT_EQ(next.size(), 2u);
  EXPECT_TRUE(next.count("b/cmd"));
  EXPECT_TRUE(next.count("c/older"));
  // Once everything is selected, nothing is carried any more.
  EXPECT_TRUE(unselected_failures(read, {unit("b/cmd", false, {}), unit("c/older", true, {})}).empty());
}

// --last-failed --filter 'A\.Fail': the two selections intersect. Only the
// previous failures the filter selects run; the entry's other failures are
// carried (not_selected) for the next --last-failed, which runs them again.
TEST(BatcherLastFailed, WithAFilterOnlyTheFailuresItSelectsRunAndTheOthersAreCarried) {
  BatchResults prev;
  prev.entries = {entry("t/x", true,
                        {t("A.Pass", ResultCode::Pass), t("A.Fail", ResultCode::Fail), t("B.Crash", ResultCode::Crash),
                         t("B.Hang", ResultCode::Timeout)}),
                  entry("t/other", true, {t("O.Fail", ResultCode::Fail)})};
  // What --filter 'A\.Fail' left of the listed units: t/x with A.Fail only.
  Unit filtered = unit("t/x", true, {"A.Fail"});
  filtered.gtest_filter = "A.Fail";
  auto sel = select_last_failed({filtered}, last_failures(prev));
  ASSERT_EQ(sel.size(), 1u);
  EXPECT_EQ(sel[0].gtest_filter, "A.Fail");
  EXPECT_EQ(sel[0].tests, (std::vector<std::string>{"A.Fail"}));
  // A unit the filter narrowed to tests that did not fail runs nothing.
  EXPECT_TRUE(select_last_failed({unit("t/x", true, {"A.Pass"})}, last_failures(prev)).empty());

  auto carried = unselected_failures(prev, sel);
  ASSERT_EQ(carried.size(), 2u);
  EXPECT_EQ(carried[0].id, "t/x");
  EXPECT_EQ(carried[0].tests, (std::vector<std::string>{"B.Crash", "B.Hang"}));
  EXPECT_EQ(carried[0].code, ResultCode::Crash);
  EXPECT_EQ(carried[1].id, "t/other");
  EXPECT_EQ(describe_carried(carried[0], sel), "t/x B.Crash, B.Hang (CRASH)");
  EXPECT_EQ(describe_carried(carried[1], sel), "t/other (FAIL)");

  // The next record: A.Fail failed again; the carried ones are still failures.
  BatchResults now;
  now.entries = {entry("t/x", true, {t("A.Fail", ResultCode::Fail)})};
  now.not_selected = carried;
  BatchResults read = results_from_json(nlohmann::json::parse(results_to_json(now).dump()));
  LastFailures next = last_failures(read);
  EXPECT_EQ(next.at("t/x"), (std::vector<std::string>{"A.Fail", "B.Crash", "B.Hang"}));
  EXPECT_TRUE(next.count("t/other"));
  // A.Fail passed now: the carried ones alone.
  now.entries = {entry("t/x", true, {t("A.Fail", ResultCode::Pass)})};
  EXPECT_EQ(last_failures(now).at("t/x"), (std::vector<std::string>{"B.Crash", "B.Hang"}));
  // Everything of it selected at last: nothing of it is carried.
  auto all = select_last_failed({unit("t/x", true, {"A.Fail", "B.Crash", "B.Hang"})}, last_failures(read));
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].gtest_filter, "A.Fail:B.Crash:B.Hang");
  auto left = unselected_failures(read, all);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].id, "t/other");
}

// A suite split (split = "suite"), a failure in SetUpTestSuite and one in a
// global environment: their results ("SU.<suite set-up/tear-down>", the
// global one) are named by no listing, so matching failures against a unit's
// listed tests selected nothing, and --last-failed ran nothing and exited 0
// on a failing suite (trial18). Such a failure runs its unit's tests it
// covers (SU.*: the suite's; the global one: all), which run the set-up again.
TEST(BatcherLastFailed, ASuiteOrGlobalSetUpFailureRunsTheTestsItCovers) {
  BatchResults prev;
  EntryResult su = entry("s/suitefail/SU", true,
                         {t("SU.<suite set-up/tear-down>", ResultCode::Fail), t("SU.a", ResultCode::Skipped),
                          t("SU.b", ResultCode::Skipped)});
  EntryResult env = entry("s/envfail/EnvT", true, {t("<global set-up/tear-down>", ResultCode::Fail)});
  EntryResult ok = entry("s/suitefail/OK", true, {t("OK.x", ResultCode::Pass)});
  for (auto* e : {&su, &env, &ok}) e->attempts.resize(1);
  prev.entries = {su, env, ok};
  std::vector<Unit> units = {unit("s/suitefail/SU", true, {"SU.a", "SU.b"}),
                             unit("s/envfail/EnvT", true, {"EnvT.one", "EnvT.two"}),
                             unit("s/suitefail/OK", true, {"OK.x"})};
  auto picked = select_last_failed(units, last_failures(prev), "");
  ASSERT_EQ(picked.size(), 2u);
  EXPECT_EQ(picked[0].id, "s/suitefail/SU");
  EXPECT_EQ(picked[0].tests, (std::vector<std::string>{"SU.a", "SU.b"}));
  EXPECT_EQ(picked[0].gtest_filter, "SU.a:SU.b");
  EXPECT_EQ(picked[1].id, "s/envfail/EnvT");
  EXPECT_EQ(picked[1].tests, (std::vector<std::string>{"EnvT.one", "EnvT.two"}));
  EXPECT_TRUE(unselected_failures(prev, picked).empty());
}

TEST(BatcherLastFailed, AnUnlistedUnitsSuiteSetUpFailureRunsItsSuiteAndIsNoTestToExpectNorToCarry) {
  // Trial12c: the binary unlisted (one spawn), --last-failed expected a test
  // named "SF.<suite set-up/tear-down>": UNRESOLVED "not reported", and it
  // was carried into every later --last-failed.
  BatchResults prev;
  EntryResult e = entry("g/lf", true,
                        {t("SF.<suite set-up/tear-down>", ResultCode::Fail), t("SF.One", ResultCode::Skipped),
                         t("LF.FailB", ResultCode::Fail), t("LF.Ok", ResultCode::Pass)});
  e.attempts.resize(1);
  prev.entries = {e};
  Unit u = unit("g/lf", true, {});
  u.listed = false;
  auto picked = select_last_failed({u}, last_failures(prev), "");
  ASSERT_EQ(picked.size(), 1u);
  EXPECT_EQ(picked[0].gtest_filter, "SF.*:LF.FailB");
  EXPECT_EQ(picked[0].tests, (std::vector<std::string>{"LF.FailB"}));
  EXPECT_TRUE(unselected_failures(prev, picked).empty());
}

TEST(BatcherLastFailed, AUnitWhoseListingFailedRunsOnlyTheFailuresItsFilterSelects) {
  // Issue 18 leftover 1: --filter gave it "*One*" as its own --gtest_filter
  // (its tests are unknown); --last-failed must not widen it to every failure.
  BatchResults prev;
  prev.entries = {entry("t/counted", true, {t("Counted.One", ResultCode::Fail), t("Counted.Two", ResultCode::Fail)})};
  Unit u = unit("t/counted", true, {});
  u.listed = false;
  u.gtest_filter = "*One*";
  auto sel = select_last_failed({u}, last_failures(prev), "One");
  ASSERT_EQ(sel.size(), 1u);
  EXPECT_EQ(sel[0].gtest_filter, "Counted.One");
  EXPECT_EQ(sel[0].tests, (std::vector<std::string>{"Counted.One"}));
  auto carried = unselected_failures(prev, sel);
  ASSERT_EQ(carried.size(), 1u);
  EXPECT_EQ(carried[0].tests, (std::vector<std::string>{"Counted.Two"}));
  // None of its failures matches: nothing of it runs.
  EXPECT_TRUE(select_last_failed({u}, last_failures(prev), "Three").empty());
}

// `livegui-batch merge` of --last-failed --filter shards: one shard ran
// t/x's A.Fail and carries its B.Crash; the other ran nothing of t/x and
// carries all of its failures. The merged record carries B.Crash (not run by
// any shard), not A.Fail (run), and not nothing (t/x ran).
TEST(BatcherLastFailed, MergedShardsCarryTheFailingTestsNoShardRan) {
  BatchResults a;
  a.shard_index = 0;
  a.shard_count = 2;
  a.entries = {entry("t/x", true, {t("A.Fail", ResultCode::Fail)})};
  a.not_selected = {{"t/x", ResultCode::Crash, {"B.Crash"}}, {"t/y", ResultCode::Fail, {}}};
  BatchResults b;
  b.shard_index = 1;
  b.shard_count = 2;
  b.entries = {entry("t/y", false, {t("y", ResultCode::Pass, true)})};
  b.not_selected = {{"t/x", ResultCode::Crash, {"A.Fail", "B.Crash"}}, {"t/z", ResultCode::Fail, {"Z.a"}}};
  BatchResults m = merge_results({a, b});
  ASSERT_EQ(m.not_selected.size(), 2u);
  EXPECT_EQ(m.not_selected[0].id, "t/x");
  EXPECT_EQ(m.not_selected[0].tests, (std::vector<std::string>{"B.Crash"}));
  EXPECT_EQ(m.not_selected[1].id, "t/z");
  EXPECT_EQ(m.not_selected[1].tests, (std::vector<std::string>{"Z.a"}));
}

// The note's count says what its list names: an entry not run by its id, an
// entry that ran by its tests (newcomer trial item 3: "1 earlier failure"
// before a list of two tests), and the file that keeps them is the one this
// run writes — a shard's own (item 4: it said results.json).
TEST(BatcherLastFailed, TheNoteCountsWhatItListsAndNamesTheFileThatKeepsThem) {
  std::vector<Unit> sel = {unit("t/x", true, {"A.Fail"})};
  std::vector<CarriedFailure> carried = {{"t/x", ResultCode::Crash, {"B.Crash", "B.Hang"}},
                                         {"b/cmd", ResultCode::Fail, {}},
                                         {"c/gone", ResultCode::Timeout, {"C.Hang"}}};
  EXPECT_EQ(not_selected_note(carried, sel, "results.json", "results.json"),
            "--last-failed did not select 2 earlier failing entries and 2 earlier failing tests of 1 entry it ran, "
            "kept for the next --last-failed (results.json not_selected; not run, not counted): t/x B.Crash, B.Hang "
            "(CRASH); b/cmd (FAIL); c/gone (TIMEOUT)");
  EXPECT_EQ(not_selected_note({carried[0]}, sel, "results.json", "results.json"),
            "--last-failed did not select 2 earlier failing tests of 1 entry it ran, kept for the next --last-failed "
            "(results.json not_selected; not run, not counted): t/x B.Crash, B.Hang (CRASH)");
  EXPECT_EQ(not_selected_note({carried[1]}, sel, "results-shard-1-of-2.json", "results.json"),
            "--last-failed did not select 1 earlier failing entry, kept for the next --last-failed "
            "(results-shard-1-of-2.json not_selected — --last-failed reads results.json: merge the shards' files "
            "into it; not run, not counted): b/cmd (FAIL)");
  EXPECT_EQ(not_selected_note({}, sel, "results.json", "results.json"), "");
}

}  // namespace
}  // namespace livegui::batch
