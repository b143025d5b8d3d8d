#include "batcher/run/classify.hpp"

#include <csignal>
#include <sstream>

#include <gtest/gtest.h>

#include "batcher/run/unit_run.hpp"

namespace livegui::batch {
namespace {

GtestProgress progress(const std::string& text) {
  std::istringstream in(text);
  return parse_gtest_progress(in);
}

const TestResult* find(const std::vector<TestResult>& rs, const std::string& name) {
  for (const auto& r : rs)
    if (r.name == name) return &r;
  return nullptr;
}

AttemptEvidence crash_in_second() {
  AttemptEvidence ev;
  ev.expected_tests = {"C.First", "C.Second", "C.Third", "C.Fourth"};
  ev.progress = progress("[ RUN      ] C.First\n[       OK ] C.First (0 ms)\n[ RUN      ] C.Second\nabout to crash\n");
  ev.status = ExitStatus::killed(SIGSEGV);
  return ev;
}

TEST(BatcherClassify, ACrashBlamesTheRunningTestAndResumesTheRest) {
  auto out = interpret_gtest_attempt(crash_in_second());
  EXPECT_TRUE(out.abnormal);
  EXPECT_TRUE(out.resume);
  EXPECT_EQ(out.remaining, (std::vector<std::string>{"C.Third", "C.Fourth"}));
  ASSERT_TRUE(find(out.results, "C.Second"));
  EXPECT_EQ(find(out.results, "C.Second")->code, ResultCode::Crash);
  EXPECT_NE(find(out.results, "C.Second")->message.find("killed by SIGSEGV during this test"), std::string::npos);
  EXPECT_NE(find(out.results, "C.Second")->message.find("about to crash"), std::string::npos);
  EXPECT_EQ(find(out.results, "C.First")->code, ResultCode::Pass);
  EXPECT_FALSE(out.process_issue.has_value());
}

TEST(BatcherClassify, WithoutATestListACrashStillResumes) {
  AttemptEvidence ev = crash_in_second();
  ev.expected_tests.clear();
  ev.tests_known = false;
  auto out = interpret_gtest_attempt(ev);
  EXPECT_TRUE(out.resume);
  EXPECT_EQ(out.results.size(), 2u);
}

TEST(BatcherClassify, ACrashBeforeAnyTestLeavesTheRestUnresolved) {
  AttemptEvidence ev;
  ev.expected_tests = {"C.First", "C.Second"};
  ev.status = ExitStatus::killed(SIGABRT);
  auto out = interpret_gtest_attempt(ev);
  EXPECT_FALSE(out.resume) << "resuming would only crash again";
  ASSERT_TRUE(out.process_issue.has_value());
  EXPECT_EQ(out.process_issue->code, ResultCode::Crash);
  EXPECT_NE(out.process_issue->message.find("before running any test"), std::string::npos);
  ASSERT_EQ(out.results.size(), 2u);
  EXPECT_EQ(out.results[0].code, ResultCode::Unresolved);
}

TEST(BatcherClassify, ATimeoutNamesTheRunningTestAndSkipsTheRest) {
  AttemptEvidence ev;
  ev.expected_tests = {"H.Before", "H.Forever", "H.After"};
  ev.progress = progress("[ RUN      ] H.Before\n[       OK ] H.Before (0 ms)\n[ RUN      ] H.Forever\nhanging\n");
  ev.status = ExitStatus::killed(SIGTERM);
  ev.stopped_for = StopCause::Timeout;
  ev.timeout = std::chrono::seconds(5);
  auto out = interpret_gtest_attempt(ev);
  EXPECT_FALSE(out.resume);
  EXPECT_EQ(find(out.results, "H.Forever")->code, ResultCode::Timeout);
  EXPECT_NE(find(out.results, "H.Forever")->message.find("longer than 5.00 s"), std::string::npos);
  EXPECT_EQ(find(out.results, "H.After")->code, ResultCode::Skipped);
  EXPECT_EQ(find(out.results, "H.After")->message, "not run: the entry timed out during H.Forever");
}

TEST(BatcherClassify, AnInterruptSkipsTheRunningAndRemainingTests) {
  AttemptEvidence ev;
  ev.expected_tests = {"H.Before", "H.Forever"};
  ev.progress = progress("[ RUN      ] H.Before\n");
  ev.status = ExitStatus::killed(SIGTERM);
  ev.stopped_for = StopCause::Interrupt;
  ev.interrupt_signal = "SIGINT";
  auto out = interpret_gtest_attempt(ev);
  EXPECT_EQ(find(out.results, "H.Before")->code, ResultCode::Skipped);
  EXPECT_EQ(find(out.results, "H.Forever")->message, "not run: interrupted by SIGINT");
}

TEST(BatcherClassify, TheJsonReportWinsAndAFailingExitWithoutFailuresIsReported) {
  AttemptEvidence ev;
  ev.expected_tests = {"A.a", "A.b", "A.gone"};
  std::map<std::string, JsonTestResult> json;
  JsonTestResult fail;
  fail.failed = true;
  fail.failure = "t.cpp:9\nwrong";
  json["A.a"] = JsonTestResult{};
  json["A.b"] = fail;
  ev.json = json;
  ev.status = ExitStatus::exited(1);
  auto out = interpret_gtest_attempt(ev);
  EXPECT_FALSE(out.abnormal);
  EXPECT_EQ(find(out.results, "A.b")->code, ResultCode::Fail);
  EXPECT_EQ(find(out.results, "A.b")->message, "t.cpp:9: wrong");
  EXPECT_EQ(find(out.results, "A.gone")->code, ResultCode::Unresolved);
  EXPECT_FALSE(out.process_issue.has_value());

  json.erase("A.b");
  ev.json = json;
  ev.expected_tests = {"A.a"};
  auto clean = interpret_gtest_attempt(ev);
  ASSERT_TRUE(clean.process_issue.has_value());
  EXPECT_EQ(clean.process_issue->code, ResultCode::Fail);
  EXPECT_NE(clean.process_issue->message.find("exit code 1 although no test failed"), std::string::npos);
}

TEST(BatcherClassify, APrematureExitFailsTheRunningTest) {
  AttemptEvidence ev;
  ev.expected_tests = {"E.a", "E.b"};
  ev.progress = progress("[ RUN      ] E.a\n");
  ev.status = ExitStatus::exited(0);
  ev.premature_exit = true;
  auto out = interpret_gtest_attempt(ev);
  EXPECT_TRUE(out.abnormal);
  EXPECT_EQ(find(out.results, "E.a")->code, ResultCode::Fail);
  EXPECT_NE(find(out.results, "E.a")->message.find("exited with exit code 0 during this test"), std::string::npos);
  EXPECT_TRUE(out.resume);
}

TEST(BatcherClassify, CommandsAreJudgedByExitStatus) {
  using std::chrono::seconds;
  EXPECT_EQ(interpret_command("c", ExitStatus::exited(0), StopCause::None, seconds(1), "").code, ResultCode::Pass);
  EXPECT_EQ(interpret_command("c", ExitStatus::exited(3), StopCause::None, seconds(1), "").code, ResultCode::Fail);
  EXPECT_EQ(interpret_command("c", ExitStatus::exited(77), StopCause::None, seconds(1), "").code,
            ResultCode::Skipped);
  EXPECT_EQ(interpret_command("c", ExitStatus::killed(SIGSEGV), StopCause::None, seconds(1), "").code,
            ResultCode::Crash);
  EXPECT_EQ(interpret_command("c", ExitStatus::killed(SIGTERM), StopCause::Timeout, seconds(1), "").code,
            ResultCode::Timeout);
  EXPECT_EQ(interpret_command("c", ExitStatus::killed(SIGTERM), StopCause::Interrupt, seconds(1), "SIGINT").code,
            ResultCode::Skipped);
}

std::vector<TestResult> tests(std::initializer_list<std::pair<const char*, ResultCode>> list) {
  std::vector<TestResult> out;
  for (const auto& [n, c] : list) {
    TestResult t;
    t.name = n;
    t.code = c;
    out.push_back(t);
  }
  return out;
}

TEST(BatcherClassify, ExpectationsTurnFailuresIntoXfailAndPassesIntoXpass) {
  auto listed = tests({{"S.known", ResultCode::Fail}, {"S.fixed", ResultCode::Pass}, {"S.other", ResultCode::Pass}});
  apply_expectations(listed, false, {"S.known", "S.fixed"});
  EXPECT_EQ(listed[0].code, ResultCode::XFail);
  EXPECT_EQ(listed[1].code, ResultCode::XPass);
  EXPECT_EQ(listed[2].code, ResultCode::Pass);
  EXPECT_EQ(rollup(listed), ResultCode::XPass);

  auto whole = tests({{"S.a", ResultCode::Pass}, {"S.b", ResultCode::Crash}, {"S.c", ResultCode::Unresolved}});
  apply_expectations(whole, true, {});
  EXPECT_EQ(whole[0].code, ResultCode::Pass);
  EXPECT_EQ(whole[1].code, ResultCode::XFail);
  EXPECT_EQ(whole[2].code, ResultCode::Unresolved) << "could-not-tell stays could-not-tell";

  auto all_pass = tests({{"S.a", ResultCode::Pass}, {"S.b", ResultCode::Skipped}});
  apply_expectations(all_pass, true, {});
  EXPECT_EQ(all_pass[0].code, ResultCode::XPass);
  EXPECT_EQ(all_pass[1].code, ResultCode::Skipped);
}

TEST(BatcherClassify, ResultCodesAndRollup) {
  EXPECT_FALSE(is_failure(ResultCode::Pass));
  EXPECT_FALSE(is_failure(ResultCode::XFail));
  EXPECT_FALSE(is_failure(ResultCode::Skipped));
  for (ResultCode c : {ResultCode::Fail, ResultCode::Crash, ResultCode::Timeout, ResultCode::Unresolved,
                       ResultCode::XPass})
    EXPECT_TRUE(is_failure(c)) << name(c);
  for (ResultCode c : kAllResultCodes) EXPECT_EQ(result_code_from_name(name(c)), c);
  EXPECT_EQ(rollup({}), ResultCode::Pass);
  EXPECT_EQ(rollup(tests({{"a", ResultCode::Pass}, {"b", ResultCode::Crash}, {"c", ResultCode::Fail}})),
            ResultCode::Crash);
  EXPECT_EQ(rollup(tests({{"a", ResultCode::Skipped}})), ResultCode::Skipped);
  EXPECT_EQ(rollup(tests({{"a", ResultCode::Skipped}, {"b", ResultCode::Pass}})), ResultCode::Pass);
}

TEST(BatcherClassify, ResumeFiltersExcludeWhatIsDecided) {
  EXPECT_EQ(exclude_from_filter("", {"A.a", "A.b"}), "*-A.a:A.b");
  EXPECT_EQ(exclude_from_filter("A.*-A.x", {"A.a"}), "A.*-A.x:A.a");
  EXPECT_EQ(exclude_from_filter("A.*", {}), "A.*");
}

}  // namespace
}  // namespace livegui::batch
