// --last-failed (batcher/select/last_failed): exactly the previous failures.
#include <gtest/gtest.h>

#include "batcher/select/last_failed.hpp"

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

}  // namespace
}  // namespace livegui::batch
