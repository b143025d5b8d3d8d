// The pytest demo (examples/pytest_demo) end to end: the real livegui-batch
// runs three tiers of pytest files (format = "pytest") against the Python
// example app with --aut-scope session, and every promise of docs/pytest.md
// is checked on the results: per-test results by node id, the test that
// broke the AUT named in the next file's warning, the hang diagnosed in about
// a second, a respawn mid-file with its reason, a pytest process killed
// mid-test resumed without the finished tests and the crashed one, and
// nothing left running. Plus format = "junit" with a report, a torn report
// and none.
#include <sys/wait.h>

#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/e2e/e2e_support.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_paths.hpp"

namespace livegui::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

struct PlanRun {
  BatchRun run;
  json results;
};

PlanRun run_plan(const TempDir& dir, const std::filesystem::path& plan, const std::vector<std::string>& extra = {}) {
  auto report = dir / "report";
  std::vector<std::string> args = {plan.string(), "--report-dir", report.string(), "--state-dir",
                                   (dir / "state").string()};
  args.insert(args.end(), extra.begin(), extra.end());
  PlanRun r;
  r.run = run_livegui_batch(args, dir.path(),
                            {{"LIVEGUI_SOURCE_DIR", LIVEGUI_SOURCE_DIR}, {"LIVEGUI_PYTHON", LIVEGUI_PYTHON3}}, 240s);
  auto file = report / "results.json";
  if (std::filesystem::exists(file)) r.results = json::parse(read_text(file));
  return r;
}

/// The test of `entry` whose node id ends in "::<name>".
const json* test_named(const json& entry, const std::string& name) {
  for (const auto& t : entry["tests"]) {
    std::string n = t["name"];
    if (n.size() >= name.size() + 2 && n.compare(n.size() - name.size() - 2, std::string::npos, "::" + name) == 0)
      return &t;
  }
  return nullptr;
}

class PytestDemo : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir("pytest-demo");
    run_ = new PlanRun(run_plan(*dir_, source("examples/pytest_demo/pytest_demo.toml"), {"--aut-scope", "session"}));
  }
  static void TearDownTestSuite() {
    delete run_;
    delete dir_;
  }
  const json& entry(const std::string& name) {
    const json* e = find_entry(run_->results, name);
    if (!e) throw std::runtime_error(name + " missing from results.json\n" + run_->run.output);
    return *e;
  }
  const json& test(const std::string& entry_name, const std::string& name) {
    const json* t = test_named(entry(entry_name), name);
    if (!t) throw std::runtime_error(entry_name + "::" + name + " missing\n" + entry(entry_name).dump(1));
    return *t;
  }
  static TempDir* dir_;
  static PlanRun* run_;
};
TempDir* PytestDemo::dir_ = nullptr;
PlanRun* PytestDemo::run_ = nullptr;

TEST_F(PytestDemo, ExitsZeroWithEveryIntentionalFailureExpected) {
  EXPECT_EQ(run_->run.exit_code, 0) << run_->run.output;
  ASSERT_TRUE(run_->results.is_object()) << run_->run.output;
}

TEST_F(PytestDemo, PerTestResultsByNodeId) {
  const json& unit = entry("test_project_model");
  EXPECT_EQ(unit["result"], "PASS") << unit.dump(1);
  EXPECT_EQ(unit["tests"].size(), 3u) << unit.dump(1);
  for (const auto& t : unit["tests"]) {
    EXPECT_EQ(t["result"], "PASS") << t.dump();
    EXPECT_NE(t["name"].get<std::string>().find("test_project_model.py::"), std::string::npos) << t.dump();
  }
  EXPECT_EQ(entry("test_hook_protocol")["tests"].size(), 3u) << entry("test_hook_protocol").dump(1);
  EXPECT_EQ(test("test_extended_sims", "test_sim_basic")["result"], "PASS");
  const json& sim = test("test_extended_sims", "test_execution_sim");
  EXPECT_EQ(sim["result"], "XFAIL") << sim.dump();
  EXPECT_NE(sim.value("message", "").find("subprocess degraded"), std::string::npos) << sim.dump();
  EXPECT_NE(sim.value("message", "").find("cannot schedule new futures after shutdown"), std::string::npos)
      << sim.dump();
}

TEST_F(PytestDemo, TheNextFileIsWarnedWhichTestBrokeTheAutAndPassesOnAFreshOne) {
  const json& workflow = entry("test_live_workflow");
  EXPECT_EQ(workflow["result"], "PASS") << workflow.dump(1);
  ASSERT_FALSE(workflow["dirty_start"].is_null()) << run_->run.output;
  EXPECT_EQ(workflow["dirty_start"]["previous_entry"], "test_extended_sims");
  const std::string& out = run_->run.output;
  auto warn = out.find("[BATCH-WARN] live_gui: test_extended_sims left the AUT");
  ASSERT_NE(warn, std::string::npos) << out;
  std::string line = out.substr(warn, out.find('\n', warn) - warn);
  EXPECT_NE(line.find("test_execution_sim"), std::string::npos) << "the warning must name the test: " << line;
}

TEST_F(PytestDemo, AHangIsDiagnosedInAboutASecondAndTheNextTestGetsAFreshAut) {
  const json& hung = test("test_degraded_diagnostic", "test_hung_main_loop_fails_fast");
  EXPECT_EQ(hung["result"], "XFAIL") << hung.dump();
  EXPECT_NE(hung.value("message", "").find("subprocess degraded"), std::string::npos) << hung.dump();
  // The wait allows 120 s; the heartbeat threshold is 1 s. Generous bound for a loaded machine.
  EXPECT_LT(hung["duration_s"].get<double>(), 10.0) << hung.dump();
  auto log = entry("test_degraded_diagnostic")["attempts"][0]["log"].get<std::string>();
  std::string text = read_text(log);
  auto at = text.find("[livegui-demo] hang → diagnostic in ");
  ASSERT_NE(at, std::string::npos) << text;
  int ms = std::stoi(text.substr(at + std::string("[livegui-demo] hang → diagnostic in ").size()));
  std::printf("[measured] hang → SubprocessDegraded inside the pytest test: %d ms\n", ms);
  EXPECT_LT(ms, 5000);
  const json& next = test("test_degraded_diagnostic", "test_next_test_gets_a_fresh_aut");
  EXPECT_EQ(next["result"], "PASS") << next.dump();
  EXPECT_EQ(next.value("message", "").rfind("fresh AUT: ", 0), 0u) << next.dump();
}

TEST_F(PytestDemo, APytestProcessKilledMidTestIsResumedWithoutTheDecidedTests) {
  const json& e = entry("test_runner_crash");
  EXPECT_EQ(e["attempts"].size(), 2u) << e.dump(1);
  const json& killed = test("test_runner_crash", "test_kills_pytest");
  EXPECT_EQ(killed["result"], "XFAIL") << killed.dump();
  EXPECT_NE(killed.value("message", "").find("killed by SIGKILL during this test"), std::string::npos) << killed.dump();
  EXPECT_EQ(test("test_runner_crash", "test_before_the_crash")["attempt"], 1);
  const json& after = test("test_runner_crash", "test_after_the_crash");
  EXPECT_EQ(after["result"], "PASS") << after.dump();
  EXPECT_EQ(after["attempt"], 2);
  EXPECT_EQ(e["tests"].size(), 3u) << "each test decided once\n" << e.dump(1);
}

TEST_F(PytestDemo, NothingIsLeftRunning) {
  EXPECT_TRUE(leftover_processes().empty()) << describe_pids(leftover_processes());
}

void write(const std::filesystem::path& p, const std::string& text) {
  std::ofstream(p) << text;
}

TEST(JunitFormat, ReportsPerTestAndATornOrMissingReportMeansTheRunnerDied) {
  TempDir dir("junit-format");
  write(dir / "report.xml",
        "<testsuites><testsuite><testcase classname=\"s\" name=\"ok\"/>"
        "<testcase classname=\"s\" name=\"bad\"><failure message=\"boom\"/></testcase></testsuite></testsuites>");
  write(dir / "plan.toml",
        "[[tiers]]\nname = \"t\"\n"
        "[[tiers.entries]]\nname = \"full\"\nformat = \"junit\"\nxfail = [\"s.bad\"]\n"
        "command = [\"/bin/sh\", \"-c\", \"cp report.xml \\\"$LIVEGUI_JUNIT_FILE\\\"; exit 1\"]\ncwd = \".\"\n"
        // A plan writes "$$" for a literal "$": "$$$$" is the shell's own pid.
        "[[tiers.entries]]\nname = \"torn\"\nformat = \"junit\"\n"
        "command = [\"/bin/sh\", \"-c\", \"head -c 60 report.xml > \\\"$1\\\"; kill -9 $$$$\", \"sh\", \"{junit}\"]\n"
        "cwd = \".\"\n"
        "[[tiers.entries]]\nname = \"none\"\nformat = \"junit\"\ncommand = [\"/bin/true\"]\n");
  PlanRun r = run_plan(dir, dir / "plan.toml");
  ASSERT_TRUE(r.results.is_object()) << r.run.output;
  const json* full = find_entry(r.results, "full");
  ASSERT_NE(full, nullptr);
  EXPECT_EQ((*full)["result"], "XFAIL") << full->dump(1);
  ASSERT_EQ((*full)["tests"].size(), 2u) << full->dump(1);
  EXPECT_EQ((*full)["tests"][0]["name"], "s.ok");
  EXPECT_EQ((*full)["tests"][1]["result"], "XFAIL");
  const json* torn = find_entry(r.results, "torn");
  ASSERT_NE(torn, nullptr);
  EXPECT_EQ((*torn)["result"], "CRASH") << torn->dump(1);
  EXPECT_NE((*torn)["reason"].get<std::string>().find("not well-formed XML"), std::string::npos) << torn->dump(1);
  const json* none = find_entry(r.results, "none");
  ASSERT_NE(none, nullptr);
  EXPECT_EQ((*none)["result"], "UNRESOLVED") << none->dump(1);
  EXPECT_NE((*none)["reason"].get<std::string>().find("missing"), std::string::npos) << none->dump(1);
  EXPECT_EQ(r.run.exit_code, 1);
  EXPECT_TRUE(leftover_processes().empty()) << describe_pids(leftover_processes());
}

}  // namespace
}  // namespace livegui::testing
