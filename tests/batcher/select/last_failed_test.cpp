// --last-failed (batcher/select/last_failed): exactly the previous failures.
#include <gtest/gtest.h>

#include <csignal>
#include <fstream>

#include "batcher/report/json_report.hpp"
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
  EXPECT_EQ(f.at("a/mixed"), (std::vector<std::string>{"M.fail"})) << "the run's own result wins over a carried one";
  EXPECT_EQ(f.at("c/older"), (std::vector<std::string>{"O.hang"}));

  // This run selects only tier a (--tier a): b/cmd and c/older are not run.
  auto sel = select_last_failed({unit("a/mixed", true, {"M.ok", "M.fail"}), unit("a/passing", true, {"P.a"})}, f);
  ASSERT_EQ(sel.size(), 1u);
  auto carried = unselected_failures(prev, sel);
  ASSERT_EQ(carried.size(), 2u);
  EXPECT_EQ(carried[0].id, "b/cmd");
  EXPECT_EQ(carried[0].code, ResultCode::Crash);
  EXPECT_TRUE(carried[0].tests.empty());
  EXPECT_EQ(carried[1].id, "c/older");
  EXPECT_EQ(carried[1].tests, (std::vector<std::string>{"O.hang"}));

  // The new record: M.fail passed now; the carried failures survive the file.
  BatchResults now;
  now.entries = {entry("a/mixed", true, {t("M.fail", ResultCode::Pass)})};
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

}  // namespace
}  // namespace livegui::batch
