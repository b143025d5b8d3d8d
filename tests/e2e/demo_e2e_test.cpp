// The README's demo, end to end: the real livegui-batch runs
// examples/demo/demo.toml against the real sample_app under Xvfb, and the
// story must come out as told — the file after the crash passes on a fresh
// AUT with the dirty-state warning before it, the degraded diagnostic shows
// instead of a timeout, the crashed runner is resumed, and nothing is left.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "harness/xvfb.hpp"
#include "tests/e2e/e2e_support.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_paths.hpp"

namespace livegui::test_support {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

TEST(DemoPlan, TellsTheCrashThenContinueStory) {
  if (!XvfbServer::available()) GTEST_SKIP() << "Xvfb is not installed; the live_gui tier needs it";
  TempDir dir("demo");
  auto report = dir / "report";
  auto started = std::chrono::steady_clock::now();
  auto run = run_livegui_batch({source("examples/demo/demo.toml").string(), "--aut-scope", "session", "--report-dir",
                                report.string(), "--state-dir", (dir / "state").string()},
                               dir.path(), {{"LIVEGUI_BUILD_DIR", LIVEGUI_BUILD_DIR}}, 240s);
  auto took = std::chrono::steady_clock::now() - started;
  const std::string& out = run.output;
  ASSERT_EQ(run.exit_code, 0) << out;
  EXPECT_LT(took, 120s) << "the demo must show its story quickly";

  // The warning comes before the file that starts on the fresh AUT.
  auto warn = out.find("[BATCH-WARN] live_gui: test_extended_sims left the AUT");
  auto workflow = out.find("live_gui › test_live_workflow");
  ASSERT_NE(warn, std::string::npos) << out;
  ASSERT_NE(workflow, std::string::npos) << out;
  EXPECT_LT(warn, workflow);
  EXPECT_NE(out.find("test_live_workflow starts on a fresh AUT; it did not get to deal with the dirty state."),
            std::string::npos)
      << out;

  json results = json::parse(read_text(report / "results.json"));
  auto expect_result = [&](const std::string& entry, const std::string& result) {
    const json* e = find_entry(results, entry);
    ASSERT_NE(e, nullptr) << entry << " missing from results.json";
    EXPECT_EQ((*e)["result"], result) << entry << ": " << (*e)["reason"];
  };
  expect_result("test_io_pool", "PASS");
  expect_result("test_project_model", "PASS");
  expect_result("test_hook_protocol", "PASS");
  expect_result("test_extended_sims", "XFAIL");
  expect_result("test_live_workflow", "PASS");
  expect_result("test_degraded_diagnostic", "XFAIL");
  expect_result("test_runner_segfault", "XFAIL");
  expect_result("test_failure_screenshot", "XFAIL");
  expect_result("test_flaky_aut", "FLAKY");

  const json* workflow_entry = find_entry(results, "test_live_workflow");
  ASSERT_NE(workflow_entry, nullptr);
  EXPECT_FALSE((*workflow_entry)["dirty_start"].is_null()) << "the dirty start must be recorded";

  // The degraded diagnostic, within about a second, instead of 120 s.
  const json* degraded = find_entry(results, "test_degraded_diagnostic");
  ASSERT_NE(degraded, nullptr);
  const json* hung = find_test(*degraded, "DegradedDiagnostic.HungMainLoopFailsFast");
  ASSERT_NE(hung, nullptr);
  EXPECT_NE((*hung)["message"].get<std::string>().find("subprocess degraded"), std::string::npos) << *hung;
  EXPECT_LT((*hung)["duration_s"].get<double>(), 10.0) << "must fail fast, not after the 120 s timeout";
  // Respawn policy `never` holds under the batcher's session AUT too: the next test fails fast.
  const json* later = find_test(*degraded, "DegradedDiagnostic.LaterTestsFailFastToo");
  ASSERT_NE(later, nullptr);
  EXPECT_EQ((*later)["result"], "XFAIL") << *later;
  EXPECT_NE(out.find("left the AUT"), std::string::npos);
  EXPECT_NE(out.find("degraded during ExtendedSims.ExecutionSim"), std::string::npos) << out;

  // The crashed runner lost one test; the rest ran in a resumed process.
  const json* segv = find_entry(results, "test_runner_segfault");
  ASSERT_NE(segv, nullptr);
  for (const char* name : {"RunnerSegfault.AfterTheCrash", "RunnerSegfault.LastOne"}) {
    const json* t = find_test(*segv, name);
    ASSERT_NE(t, nullptr) << name;
    EXPECT_EQ((*t)["result"], "PASS") << name;
  }
  EXPECT_EQ((*find_test(*segv, "RunnerSegfault.CrashesTheTestBinary"))["result"], "XFAIL");

  // Retry on infrastructure failure: the AUT died under the test, the retry on
  // a fresh AUT passed: FLAKY, with the first attempt's reason.
  const json* flaky_entry = find_entry(results, "test_flaky_aut");
  ASSERT_NE(flaky_entry, nullptr);
  const json* flaky = find_test(*flaky_entry, "FlakyAut.SurvivesTheAutDyingUnderIt");
  ASSERT_NE(flaky, nullptr);
  EXPECT_EQ((*flaky)["result"], "FLAKY") << *flaky;
  ASSERT_TRUE(flaky->contains("tries")) << *flaky;
  EXPECT_EQ((*flaky)["tries"][0]["retried_for"], "degraded") << *flaky;
  EXPECT_NE(out.find("Flaky (1), passed on a retry:"), std::string::npos) << out;
  // The fresh AUT of the retry is the batcher's own doing: no dirty-state warning about it.
  EXPECT_EQ(out.find("test_flaky_aut left the AUT"), std::string::npos) << out;

  // Hang forensics: the stalled app's stacks, the hang function visible, in the report.
  ASSERT_TRUE(hung->contains("stacks")) << *hung;
  std::string stacks = read_text(report / (*hung)["stacks"].get<std::string>());
  EXPECT_NE(stacks.find("hang_main_loop_forever"), std::string::npos) << stacks;
  EXPECT_NE(read_text(report / "report.html").find("hang_main_loop_forever"), std::string::npos);

  auto left = leftover_processes();
  EXPECT_TRUE(left.empty()) << describe_pids(left);
}

}  // namespace
}  // namespace livegui::test_support
