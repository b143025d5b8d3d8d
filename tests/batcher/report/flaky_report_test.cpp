// FLAKY in every report: summary, results.json (round trip), junit.xml (a
// property and Surefire-style <flakyFailure>/<flakyError>), report.html; and
// a hang's stacks beside the failure.
#include <gtest/gtest.h>

#include <fstream>

#include "batcher/report/html_report.hpp"
#include "batcher/report/json_report.hpp"
#include "batcher/report/junit_report.hpp"
#include "batcher/report/summary.hpp"
#include "tests/support/temp_dir.hpp"

namespace livegui::batch {
namespace {

using namespace std::chrono_literals;

bool has(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

BatchResults flaky_run() {
  BatchResults r;
  r.started_unix_ms = 1'700'000'000'000;
  r.duration = 3s;
  TierResult tier;
  tier.name = "live";
  r.tiers.push_back(tier);
  EntryResult e;
  e.id = "live/test_retry";
  e.tier = "live";
  e.name = "test_retry";
  e.gtest = true;
  e.code = ResultCode::Flaky;
  TestResult flaky;
  flaky.name = "Retry.AutDiesOnce";
  flaky.code = ResultCode::Flaky;
  flaky.attempt = 2;
  flaky.message =
      "passed on attempt 2 after attempt 1: FAIL (retried for degraded): subprocess degraded: AUT pid 7 exited";
  flaky.tries.push_back({1, ResultCode::Fail, RetriedFor::Degraded, "subprocess degraded: AUT pid 7 exited"});
  TestResult crashy;
  crashy.name = "Retry.CrashesOnce";
  crashy.code = ResultCode::Flaky;
  crashy.attempt = 2;
  crashy.message = "passed on attempt 2 after attempt 1: CRASH (retried for crash)";
  crashy.tries.push_back({1, ResultCode::Crash, RetriedFor::Crash, "killed by SIGSEGV"});
  TestResult pass;
  pass.name = "Retry.Fine";
  e.tests = {flaky, crashy, pass};
  r.entries.push_back(e);
  EntryResult h;
  h.id = "live/test_hang";
  h.tier = "live";
  h.name = "test_hang";
  h.gtest = true;
  h.code = ResultCode::Timeout;
  TestResult hung;
  hung.name = "Hang.Forever";
  hung.code = ResultCode::Timeout;
  hung.message = "timed out: this test ran longer than test_timeout (2.00 s) and the binary was stopped";
  hung.stacks = "artifacts/live_test_hang/stacks-4242.txt";
  hung.other_stacks = {"artifacts/live_test_hang/stacks-4243.txt"};  // the test binary's, besides its AUT's
  h.tests = {hung};
  r.entries.push_back(h);
  r.exit_code = 1;
  return r;
}

TEST(BatcherFlakyReports, SummaryCountsFlakyAsPassedAndListsThemApart) {
  std::string s = summary_text(flaky_run(), SummaryOptions{});
  EXPECT_TRUE(has(s, "flaky")) << s;
  EXPECT_TRUE(has(s, "Flaky (2), passed on a retry:")) << s;
  EXPECT_TRUE(has(s,
                  "FLAKY      live › test_retry Retry.AutDiesOnce — passed on attempt 2 after attempt 1: FAIL "
                  "(retried for degraded)"))
      << s;
  EXPECT_TRUE(has(s, "3 passed (2 flaky), 1 timed out")) << s;
  // No flaky test, no flaky column.
  BatchResults plain = flaky_run();
  plain.entries.erase(plain.entries.begin());
  EXPECT_FALSE(has(summary_text(plain, SummaryOptions{}), "flaky")) << summary_text(plain, SummaryOptions{});
}

TEST(BatcherFlakyReports, ResultsJsonKeepsFlakyTriesAndStacks) {
  auto j = results_to_json(flaky_run());
  const auto& t = j["entries"][0]["tests"][0];
  EXPECT_EQ(t["result"], "FLAKY");
  EXPECT_EQ(t["tries"][0]["result"], "FAIL");
  EXPECT_EQ(t["tries"][0]["retried_for"], "degraded");
  EXPECT_EQ(j["entries"][1]["tests"][0]["stacks"], "artifacts/live_test_hang/stacks-4242.txt");
  BatchResults back = results_from_json(nlohmann::json::parse(j.dump()));
  ASSERT_EQ(back.entries[0].tests[1].tries.size(), 1u);
  EXPECT_EQ(back.entries[0].tests[1].code, ResultCode::Flaky);
  EXPECT_EQ(back.entries[0].tests[1].tries[0].code, ResultCode::Crash);
  EXPECT_EQ(back.entries[0].tests[1].tries[0].message, "killed by SIGSEGV");
  EXPECT_EQ(back.entries[0].tests[1].tries[0].retried_for, RetriedFor::Crash);
  // A reason outside the closed set (RetriedFor) is refused by field.
  auto bad = j;
  bad["entries"][0]["tests"][0]["tries"][0]["retried_for"] = "often";
  try {
    results_from_json(nlohmann::json::parse(bad.dump()));
    ADD_FAILURE() << "an unknown retry reason was read";
  } catch (const ReportError& e) {
    EXPECT_EQ(std::string(e.what()), "results.entries[0].tests[0].tries[0].retried_for: unknown reason \"often\"");
  }
  EXPECT_EQ(back.entries[0].code, ResultCode::Flaky);
  EXPECT_EQ(back.entries[1].tests[0].stacks, "artifacts/live_test_hang/stacks-4242.txt");
  EXPECT_EQ(j["entries"][1]["tests"][0]["other_stacks"][0], "artifacts/live_test_hang/stacks-4243.txt");
  EXPECT_EQ(back.entries[1].tests[0].other_stacks,
            (std::vector<std::string>{"artifacts/live_test_hang/stacks-4243.txt"}));
}

// A retry the batch's interrupt cut short is one of the test's tries in
// every report: results.json (interrupted, in attempt order, read back),
// junit.xml (a <rerunError>) and report.html's attempts (newcomer trial item 2).
TEST(BatcherFlakyReports, AnInterruptedRetryIsRecordedInEveryReport) {
  BatchResults r;
  r.interrupted = true;
  EntryResult e;
  e.id = "t/test_hang";
  e.tier = "t";
  e.name = "test_hang";
  e.gtest = true;
  TestResult t;
  t.name = "Hang.Forever";
  t.code = ResultCode::Timeout;
  t.message = "timed out: this test ran longer than test_timeout";
  t.attempt = 1;
  t.aut_unhealthy = "subprocess degraded: AUT pid 7 stopped advancing frames";
  t.tries = {{3, ResultCode::Unresolved, RetriedFor::Timeout, "interrupted by SIGTERM during this test", true}};
  e.tests = {t};
  e.code = ResultCode::Timeout;
  r.entries = {e};
  nlohmann::json j = results_to_json(r);
  const auto& tries = j["entries"][0]["tests"][0]["tries"];
  ASSERT_EQ(tries.size(), 1u) << j.dump(2);
  EXPECT_EQ(tries[0]["attempt"], 3);
  EXPECT_EQ(tries[0]["interrupted"], true);
  EXPECT_EQ(j["entries"][0]["tests"][0]["aut_unhealthy"], "subprocess degraded: AUT pid 7 stopped advancing frames");
  BatchResults back = results_from_json(nlohmann::json::parse(j.dump()));
  ASSERT_EQ(back.entries[0].tests[0].tries.size(), 1u);
  EXPECT_TRUE(back.entries[0].tests[0].tries[0].interrupted);
  EXPECT_EQ(back.entries[0].tests[0].aut_unhealthy, t.aut_unhealthy);
  std::string x = junit_xml(r);
  EXPECT_TRUE(has(x,
                  "<rerunError type=\"UNRESOLVED\" message=\"attempt 3: UNRESOLVED (its retry for timeout, "
                  "interrupted before it finished): interrupted by SIGTERM during this test\""))
      << x;
  HtmlReportOptions o;
  test_support::TempDir dir;
  o.report_dir = dir.path();
  std::string h = html_report(r, o);
  EXPECT_TRUE(has(h,
                  "attempt 1: TIMEOUT\nattempt 3: UNRESOLVED — its retry for timeout, interrupted before it "
                  "finished: interrupted by SIGTERM during this test"))
      << h;
}

// An earlier run that erred (pytest: a fixture raised in set-up) is an error
// in junit.xml, as Surefire names it: <flakyError> of a test that passed on a
// retry, the first run's <error> and a <rerunError> of one still failing — not
// <flakyFailure>/<rerunFailure>, which are assertions' (trialm item 2).
TEST(BatcherFlakyReports, AnAttemptThatErredIsAFlakyOrRerunErrorAndKeepsItsPhase) {
  BatchResults r;
  EntryResult e;
  e.id = "py/t";
  e.tier = "py";
  e.name = "t";
  TestResult flaky;
  flaky.name = "t.py::test_flaky";
  flaky.code = ResultCode::Flaky;
  flaky.attempt = 2;
  flaky.message = "passed on attempt 2 after attempt 1: FAIL (retried for fail): error in set-up: RuntimeError: boom";
  flaky.tries.push_back(
      {1, ResultCode::Fail, RetriedFor::Fail, "error in set-up: RuntimeError: boom", false, ErrorIn::Setup});
  TestResult still;  // erred first, then failed an assertion
  still.name = "t.py::test_still";
  still.code = ResultCode::Fail;
  still.attempt = 2;
  still.message = "assert 1 == 2";
  still.tries.push_back(
      {1, ResultCode::Fail, RetriedFor::Fail, "error in set-up: RuntimeError: boom", false, ErrorIn::Setup});
  TestResult later;  // failed an assertion first, then erred
  later.name = "t.py::test_later";
  later.code = ResultCode::Fail;
  later.attempt = 2;
  later.error_in = ErrorIn::Teardown;
  later.message = "error in tear-down: RuntimeError: boom";
  later.tries.push_back({1, ResultCode::Fail, RetriedFor::Fail, "assert 1 == 2"});
  e.tests = {flaky, still, later};
  r.entries.push_back(e);
  const std::string x = junit_xml(r);
  auto testcase = [&](const std::string& name) {
    auto at = x.find("name=\"" + name + "\"");
    return at == std::string::npos ? std::string() : x.substr(at, x.find("</testcase>", at) - at);
  };
  EXPECT_TRUE(has(testcase("t.py::test_flaky"), "<flakyError type=\"FAIL\"")) << x;
  EXPECT_FALSE(has(testcase("t.py::test_flaky"), "<flakyFailure")) << x;
  EXPECT_TRUE(has(testcase("t.py::test_still"), "<error type=\"FAIL\" message=\"attempt 1: FAIL")) << x;
  EXPECT_TRUE(has(testcase("t.py::test_still"), "<rerunFailure type=\"FAIL\" message=\"attempt 2: FAIL")) << x;
  EXPECT_FALSE(has(testcase("t.py::test_still"), "<failure")) << x;
  EXPECT_TRUE(has(testcase("t.py::test_later"), "<failure type=\"FAIL\" message=\"attempt 1: FAIL")) << x;
  EXPECT_TRUE(has(testcase("t.py::test_later"), "<rerunError type=\"FAIL\" message=\"attempt 2: FAIL")) << x;
  // Counted by the kind each still-failing test is filed under (its first run's).
  EXPECT_TRUE(has(x, "tests=\"3\" failures=\"1\" errors=\"1\"")) << x;
  // results.json keeps the try's phase and reads it back.
  auto doc = results_to_json(r);
  EXPECT_EQ(doc["entries"][0]["tests"][0]["tries"][0]["error_in"], "setup");
  EXPECT_FALSE(doc["entries"][0]["tests"][2]["tries"][0].contains("error_in")) << "an assertion's failure has none";
  BatchResults back = results_from_json(nlohmann::json::parse(doc.dump()));
  EXPECT_EQ(back.entries[0].tests[0].tries[0].error_in, ErrorIn::Setup);
  EXPECT_EQ(back.entries[0].tests[2].tries[0].error_in, ErrorIn::None);
}

TEST(BatcherFlakyReports, JunitHasAFlakyPropertyAndFlakyFailureRecords) {
  std::string x = junit_xml(flaky_run());
  EXPECT_TRUE(has(x, "<property name=\"livegui.flaky\" value=\"true\"/>")) << x;
  EXPECT_TRUE(
      has(x, "<flakyFailure type=\"FAIL\" message=\"attempt 1: FAIL (retried for degraded): subprocess degraded"))
      << x;
  EXPECT_TRUE(has(x, "<flakyError type=\"CRASH\" message=\"attempt 1: CRASH (retried for crash): killed by SIGSEGV\""))
      << x;
  EXPECT_TRUE(has(x, "<property name=\"livegui.stacks\" value=\"artifacts/live_test_hang/stacks-4242.txt\"/>")) << x;
  EXPECT_TRUE(has(x, "<property name=\"livegui.stacks\" value=\"artifacts/live_test_hang/stacks-4243.txt\"/>")) << x;
  // A flaky test is not a failure: no <failure>/<error> for it.
  auto at = x.find("name=\"AutDiesOnce\"");
  ASSERT_NE(at, std::string::npos);
  auto end = x.find("</testcase>", at);
  EXPECT_EQ(x.substr(at, end - at).find("<failure"), std::string::npos);
}

// Trial16 finding 3: a test that failed an assertion (not retried: "fail"
// is not listed) and passed when its whole entry ran again for another
// test stays FAIL; its passing run is a livegui.passing_rerun property and a
// system-out line — never a <rerunFailure>/<rerunError> (those are failing
// reruns in Surefire's format) — and results.json keeps it among its tries.
TEST(BatcherFlakyReports, APassingRerunOfATestThatStillFailsIsAPropertyAndASystemOutLine) {
  BatchResults r;
  r.started_unix_ms = 1'700'000'000'000;
  TierResult tier;
  tier.name = "live";
  r.tiers.push_back(tier);
  EntryResult e;
  e.id = "live/py";
  e.tier = "live";
  e.name = "py";
  e.code = ResultCode::Fail;
  TestResult t;
  t.name = "t.py::test_asserts_once";
  t.code = ResultCode::Fail;
  t.attempt = 1;
  t.message = "AssertionError: assert 1 == 2";
  t.tries.push_back({2, ResultCode::Pass, RetriedFor::WithItsEntry, ""});
  e.tests = {t};
  r.entries.push_back(e);
  std::string x = junit_xml(r);
  auto at = x.find("name=\"t.py::test_asserts_once\"");
  ASSERT_NE(at, std::string::npos) << x;
  std::string c = x.substr(at, x.find("</testcase>", at) - at);
  EXPECT_TRUE(has(c, "<failure type=\"FAIL\" message=\"AssertionError: assert 1 == 2\"")) << c;
  EXPECT_FALSE(has(c, "<rerunError")) << c;
  EXPECT_FALSE(has(c, "<rerunFailure")) << c;
  EXPECT_FALSE(has(c, "<flakyFailure")) << c;
  EXPECT_TRUE(has(c, "<property name=\"livegui.passing_rerun\" value=\"attempt 2: PASS (ran again with its entry)\"/>"))
      << c;
  EXPECT_TRUE(has(c,
                  "<system-out>[livegui] attempt 2: PASS (ran again with its entry); the test keeps its FAIL of "
                  "attempt 1\n"))
      << c;
  EXPECT_TRUE(has(x, "failures=\"1\"")) << x;
  test_support::TempDir dir("flaky-passing-rerun");
  write_results_json(dir / "results.json", r);
  BatchResults back = read_results_json(dir / "results.json");
  ASSERT_EQ(back.entries.size(), 1u);
  ASSERT_EQ(back.entries[0].tests[0].tries.size(), 1u);
  EXPECT_EQ(back.entries[0].tests[0].tries[0].code, ResultCode::Pass);
  EXPECT_EQ(back.entries[0].tests[0].tries[0].retried_for, RetriedFor::WithItsEntry);
}

TEST(BatcherFlakyReports, HtmlShowsFlakyApartWithAttemptsAndTheStacksBesideTheFailure) {
  test_support::TempDir dir;
  std::filesystem::create_directories(dir / "artifacts" / "live_test_hang");
  std::ofstream(dir / "artifacts" / "live_test_hang" / "stacks-4242.txt")
      << "TID 4242:\n#0  0x1 hang_main_loop_forever\n";
  std::ofstream(dir / "artifacts" / "live_test_hang" / "stacks-4243.txt") << "TID 4243:\n#0  0x2 wait_for_the_app\n";
  HtmlReportOptions o;
  o.report_dir = dir.path();
  std::string h = html_report(flaky_run(), o);
  EXPECT_TRUE(has(h, "Flaky: passed on a retry (2)")) << h;
  EXPECT_TRUE(has(h, "attempt 1: FAIL — retried for degraded: subprocess degraded: AUT pid 7 exited"));
  EXPECT_TRUE(has(h, "attempt 2: FLAKY"));
  EXPECT_TRUE(has(h, "3 passed (2 flaky)"));
  EXPECT_TRUE(has(h, "Stacks: <a href="));
  EXPECT_TRUE(has(h, "hang_main_loop_forever"));
  EXPECT_TRUE(has(h, ">artifacts/live_test_hang/stacks-4243.txt</a>")) << "every stacks file beside the failure";
  EXPECT_TRUE(has(h, "wait_for_the_app"));
}

}  // namespace
}  // namespace livegui::batch
