// The --last-failed record across runs that do not select every earlier
// failure (issue 16; newcomer trial 12a): a plain run narrowed by --filter
// or --tier carries the failures it did not run (results.json
// not_selected), as pytest's lastfailed cache does, so the next
// --last-failed still runs them; and a --last-failed whose earlier failures
// are all outside the plan says which they are. The real livegui-batch on
// tests/e2e/fixtures/e2e_flaky.cpp; nothing may be left.
#include <sys/prctl.h>

#include <algorithm>
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

class LastFailedCarryE2E : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ::prctl(PR_SET_CHILD_SUBREAPER, 1); }
  void TearDown() override {
    auto left = leftover_processes();
    EXPECT_TRUE(left.empty()) << "left behind: " << describe_pids(left);
  }

  fs::path reports() const { return dir_ / "reports"; }

  BatchRun run(std::vector<std::string> args) {
    args.insert(args.end(), {"--report-dir", reports().string(), "--state-dir", (dir_ / "state").string()});
    return run_livegui_batch(args, dir_.path(), {}, 180s);
  }

  /// A plan of tier "t" with e2e_flaky (its first run: CrashesOnce CRASH,
  /// FailsAlways FAIL, HangsOnce TIMEOUT, Passes PASS) and, with
  /// `with_passing`, a tier "u" with e2e_passing.
  fs::path write_plan(const std::string& file, bool with_flaky = true, bool with_passing = true) {
    fs::path p = dir_ / file;
    std::ofstream out(p);
    if (with_flaky)
      out << "[[tiers]]\nname = \"t\"\ntest_timeout = \"2s\"\n[[tiers.entries]]\nexecutables = \""
          << built("tests/e2e/e2e_flaky") << "\"\n";
    if (with_passing)
      out << "[[tiers]]\nname = \"u\"\n[[tiers.entries]]\nexecutables = \"" << built("tests/e2e/e2e_passing") << "\"\n";
    return p;
  }

  json results() { return json::parse(read_text(reports() / "results.json")); }

  /// The names of the tests of entry `name` in results.json, sorted.
  std::vector<std::string> tests_of(const std::string& name) {
    json doc = results();
    const json* e = find_entry(doc, name);
    std::vector<std::string> out;
    if (e)
      for (const auto& t : (*e)["tests"]) out.push_back(t["name"]);
    std::sort(out.begin(), out.end());
    return out;
  }

  TempDir dir_{"last-failed-carry-e2e"};
};

TEST_F(LastFailedCarryE2E, APlainFilteredRunKeepsTheFailuresItDidNotRunForTheNextLastFailed) {
  fs::path plan = write_plan("plan.toml");
  BatchRun first = run({plan.string()});
  ASSERT_EQ(first.exit_code, 1) << first.output;
  // A plain run (no --last-failed) of one of the three failures.
  BatchRun one = run({plan.string(), "--filter", "Flaky\\.FailsAlways"});
  EXPECT_EQ(one.exit_code, 1) << one.output;
  json doc = results();
  ASSERT_TRUE(doc.contains("not_selected")) << doc.dump(2);
  ASSERT_EQ(doc["not_selected"].size(), 1u) << doc.dump(2);
  EXPECT_EQ(doc["not_selected"][0]["id"], "t/e2e_flaky");
  EXPECT_EQ(doc["not_selected"][0]["tests"], (std::vector<std::string>{"Flaky.CrashesOnce", "Flaky.HangsOnce"}));
  EXPECT_NE(one.output.find("this run did not select 2 earlier failing tests of 1 entry it ran, kept for the next "
                            "--last-failed"),
            std::string::npos)
      << one.output;
  // The next --last-failed runs all three: none was re-tested in between.
  BatchRun all = run({plan.string(), "--last-failed"});
  EXPECT_EQ(all.exit_code, 1) << all.output;
  EXPECT_EQ(tests_of("e2e_flaky"),
            (std::vector<std::string>{"Flaky.CrashesOnce", "Flaky.FailsAlways", "Flaky.HangsOnce"}))
      << all.output;
}

TEST_F(LastFailedCarryE2E, APlainRunOfAnotherTierKeepsTheEarlierFailingEntry) {
  fs::path plan = write_plan("plan.toml");
  BatchRun first = run({plan.string()});
  ASSERT_EQ(first.exit_code, 1) << first.output;
  BatchRun other = run({plan.string(), "--tier", "u"});
  EXPECT_EQ(other.exit_code, 0) << other.output;
  json doc = results();
  ASSERT_TRUE(doc.contains("not_selected")) << doc.dump(2);
  ASSERT_EQ(doc["not_selected"].size(), 1u) << doc.dump(2);
  EXPECT_EQ(doc["not_selected"][0]["id"], "t/e2e_flaky");
  BatchRun again = run({plan.string(), "--last-failed"});
  EXPECT_EQ(again.exit_code, 1) << again.output;
  EXPECT_EQ(tests_of("e2e_flaky"),
            (std::vector<std::string>{"Flaky.CrashesOnce", "Flaky.FailsAlways", "Flaky.HangsOnce"}))
      << again.output;
}

TEST_F(LastFailedCarryE2E, LastFailedWithNoEarlierFailureInThePlanNamesThemAndKeepsThem) {
  BatchRun first = run({write_plan("plan.toml").string()});
  ASSERT_EQ(first.exit_code, 1) << first.output;
  const std::string before = read_text(reports() / "results.json");
  BatchRun none = run({write_plan("other.toml", false, true).string(), "--last-failed"});
  EXPECT_EQ(none.exit_code, 0) << none.output;
  EXPECT_NE(none.output.find("t/e2e_flaky Flaky.CrashesOnce, Flaky.FailsAlways, Flaky.HangsOnce (CRASH)"),
            std::string::npos)
      << none.output;
  EXPECT_NE(none.output.find("not in this run's selection"), std::string::npos) << none.output;
  EXPECT_EQ(read_text(reports() / "results.json"), before);  // kept for the next --last-failed
}

}  // namespace
}  // namespace livegui::test_support
