// Two tests of one full name under the plan's retry (issue 18 #3 with issue
// 16's retry; newcomer trial 12a): a --gtest_filter cannot tell twins apart,
// so a retry runs them all, and the retry's results are matched to the twins
// by their order of appearance. Every twin keeps its own result; a twin that
// passed is never FLAKY.
#include <sys/prctl.h>

#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/e2e/e2e_support.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_paths.hpp"

namespace livegui::test_support {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

class TwinRetryE2E : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ::prctl(PR_SET_CHILD_SUBREAPER, 1); }

  void TearDown() override {
    auto left = leftover_processes();
    EXPECT_TRUE(left.empty()) << "left behind: " << describe_pids(left);
  }

  /// Runs a plan of one tier with `retry` and the one binary `fixture`.
  BatchRun run_plan(const std::string& fixture, const std::string& retry) {
    fs::path plan = dir_ / "plan.toml";
    std::ofstream(plan) << "[[tiers]]\nname = \"t\"\n"
                        << retry << "\n[[tiers.entries]]\nexecutable = \"" << exe(fixture) << "\"\n";
    return run_livegui_batch(
        {plan.string(), "--report-dir", (dir_ / "reports").string(), "--state-dir", (dir_ / "state").string()},
        dir_.path(), {}, 180s);
  }

  json results() { return json::parse(read_text(dir_ / "reports" / "results.json")); }

  TempDir dir_{"twin-retry-e2e"};
};

TEST_F(TwinRetryE2E, ARetryOfTheFailingTwinLeavesThePassingTwinPassAndRecordsTheRetryInTheFailingOnesTries) {
  // e2e_same_name: the first Mixed.Same passes, the second fails (GoogleTest's
  // "same test fixture class" error), every time.
  BatchRun r = run_plan("e2e_same_name", "retry = { on = [\"fail\"], max = 1 }");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  json doc = results();
  const json& e = doc["entries"][0];
  ASSERT_EQ(e["tests"].size(), 2u) << e.dump(2);
  const json& passing = e["tests"][0];
  const json& failing = e["tests"][1];
  EXPECT_EQ(passing["name"], "Mixed.Same");
  EXPECT_EQ(passing["result"], "PASS") << e.dump(2);
  EXPECT_FALSE(passing.contains("tries")) << e.dump(2);
  EXPECT_EQ(failing["result"], "FAIL") << e.dump(2);
  EXPECT_EQ(failing["attempt"], 2) << e.dump(2);  // the retry's run of it
  ASSERT_TRUE(failing.contains("tries")) << e.dump(2);
  ASSERT_EQ(failing["tries"].size(), 1u) << e.dump(2);
  EXPECT_EQ(failing["tries"][0]["attempt"], 1);
  EXPECT_EQ(failing["tries"][0]["result"], "FAIL");
  EXPECT_EQ(r.output.find("FLAKY"), std::string::npos) << r.output;
  std::string junit = read_text(dir_ / "reports" / "junit.xml");
  EXPECT_EQ(junit.find("flakyError"), std::string::npos) << junit;
  EXPECT_EQ(junit.find("type=\"PASS\""), std::string::npos) << junit;
}

TEST_F(TwinRetryE2E, ARetryOfACrashedTwinRunsBothAndEachGetsItsOwnResult) {
  // e2e_twin_crash_once: a::Dup.X crashes the first time; b::Dup.X passes.
  // The resume after the crash cannot select b::Dup.X alone; the retry
  // (--gtest_filter=Dup.X) runs both.
  BatchRun r = run_plan("e2e_twin_crash_once", "retry = { on = [\"crash\"], max = 1 }");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  json doc = results();
  const json& e = doc["entries"][0];
  ASSERT_EQ(e["tests"].size(), 3u) << e.dump(2);
  EXPECT_EQ(e["tests"][0]["name"], "Dup.X");
  EXPECT_EQ(e["tests"][0]["result"], "FLAKY") << e.dump(2);
  ASSERT_TRUE(e["tests"][0].contains("tries")) << e.dump(2);
  EXPECT_EQ(e["tests"][0]["tries"][0]["result"], "CRASH") << e.dump(2);
  EXPECT_EQ(e["tests"][1]["name"], "Dup.X");
  EXPECT_EQ(e["tests"][1]["result"], "PASS") << e.dump(2);
  const int retry_attempt = e["attempts"].back()["number"];
  EXPECT_EQ(e["attempts"].back()["kind"], "retry") << e.dump(2);
  EXPECT_EQ(e["tests"][1]["attempt"], retry_attempt) << e.dump(2);
  EXPECT_EQ(e["tests"][2]["name"], "After.Y");
  EXPECT_EQ(e["tests"][2]["result"], "PASS") << e.dump(2);
  EXPECT_EQ(e["result"], "FLAKY") << e.dump(2);
  EXPECT_EQ(r.output.find("UNRESOLVED"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace livegui::test_support
