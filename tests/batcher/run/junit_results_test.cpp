// format = "junit" results from a report's errors (batcher/run/junit_results.cpp):
// pytest's set-up, tear-down and collection errors are errors in their phase,
// as format = "pytest" says them; another runner's <error> is an error too.
#include "batcher/run/junit_results.hpp"

#include <csignal>

#include <gtest/gtest.h>

namespace livegui::batch {
namespace {

// What pytest 7.2 --junitxml writes for tests/test_errs.py (trialm c/own_errs.xml,
// tracebacks abridged): an error in set-up, one in tear-down, a body failure
// whose tear-down raised too (two testcases of one name), a plain failure, a pass.
const char* kPytestErrors =
    R"(<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" errors="3" failures="2" skipped="0" tests="6">
<testcase classname="test_errs" name="test_setup_error" time="0.001"><error message="failed on setup with &quot;RuntimeError: setup boom&quot;">E       RuntimeError: setup boom</error></testcase>
<testcase classname="test_errs" name="test_teardown_error" time="0.001"><error message="failed on teardown with &quot;RuntimeError: teardown boom&quot;">E       RuntimeError: teardown boom</error></testcase>
<testcase classname="test_errs" name="test_fail_and_teardown_error" time="0.000"><failure message="assert 1 == 2">E       assert 1 == 2</failure></testcase>
<testcase classname="test_errs" name="test_fail_and_teardown_error" time="0.000"><error message="failed on teardown with &quot;RuntimeError: teardown boom&quot;">E       RuntimeError: teardown boom</error></testcase>
<testcase classname="test_errs" name="test_plain_fail" time="0.000"><failure message="assert 3 == 4">E       assert 3 == 4</failure></testcase>
<testcase classname="test_errs" name="test_pass" time="0.000" />
</testsuite></testsuites>)";

AttemptOutcome interpreted(const std::string& xml, int exit_code = 1) {
  JunitEvidence ev;
  ev.entry_name = "errs";
  ev.report = parse_junit_xml(xml);
  ev.status = ExitStatus::exited(exit_code);
  return interpret_junit_attempt(ev);
}

const TestResult* find(const AttemptOutcome& out, const std::string& name) {
  for (const auto& r : out.results)
    if (r.name == name) return &r;
  return nullptr;
}

TEST(BatcherJunitResults, PytestsSetUpAndTearDownErrorsAreErrorsInTheirPhaseAndADoubledCaseIsOneResult) {
  AttemptOutcome out = interpreted(kPytestErrors);
  EXPECT_FALSE(out.process_issue) << out.process_issue->message;
  ASSERT_EQ(out.results.size(), 5u) << "one result per test: the doubled testcase is one";
  const TestResult* setup = find(out, "test_errs.test_setup_error");
  const TestResult* teardown = find(out, "test_errs.test_teardown_error");
  const TestResult* both = find(out, "test_errs.test_fail_and_teardown_error");
  const TestResult* plain = find(out, "test_errs.test_plain_fail");
  ASSERT_TRUE(setup && teardown && both && plain);
  EXPECT_EQ(setup->code, ResultCode::Fail);
  EXPECT_EQ(setup->error_in, ErrorIn::Setup);
  EXPECT_EQ(setup->message, "error in set-up: RuntimeError: setup boom");
  EXPECT_EQ(teardown->error_in, ErrorIn::Teardown);
  EXPECT_EQ(teardown->message, "error in tear-down: RuntimeError: teardown boom");
  EXPECT_EQ(both->code, ResultCode::Fail);
  EXPECT_EQ(both->error_in, ErrorIn::CallAndTeardown);
  EXPECT_EQ(both->message,
            "failed, then errored in tear-down: assert 1 == 2\nerror in tear-down: RuntimeError: teardown boom");
  EXPECT_EQ(plain->error_in, ErrorIn::None);
  EXPECT_EQ(plain->message, "assert 3 == 4");
  EXPECT_EQ(find(out, "test_errs.test_pass")->code, ResultCode::Pass);
}

// pytest's report of a file it could not collect: named by its module, the
// exception the last "E   " line of the element's text.
TEST(BatcherJunitResults, AFailingCaseKeepsItsOwnSystemOutAndSystemErr) {
  auto out = interpreted(R"(<testsuite><testcase classname="t" name="a"><failure message="boom"/>)"
                         R"(<system-out>A says</system-out><system-err>A warns</system-err></testcase>)"
                         R"(<testcase classname="t" name="b"><system-out>B passes</system-out></testcase></testsuite>)");
  const TestResult* a = find(out, "t.a");
  const TestResult* b = find(out, "t.b");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->output, "A says\nA warns");
  EXPECT_EQ(b->output, "") << "a passing case's output is not kept";
}

TEST(BatcherJunitResults, AReportCutOffKeepsTheCasesItWroteWholeBesideTheProcessResult) {
  // Trial12b/12d: a writer killed mid-report (cut inside its second case)
  // lost the complete first case; only "<entry> (process)" was left.
  const std::string whole = R"(<testsuites><testsuite name="suite"><testcase classname="S" name="a" time="0.1">)"
                            R"(<failure message="nested fail">boom</failure></testcase>)"
                            R"(<testcase classname="S" name="ok"/><testcase classname="S" name="b"><failure mess)";
  JunitEvidence ev;
  ev.entry_name = "w";
  ev.report = parse_junit_xml(whole);
  ASSERT_TRUE(std::holds_alternative<JunitReadError>(ev.report));
  EXPECT_EQ(std::get<JunitReadError>(ev.report).complete.size(), 2u) << "S.a and S.ok, not the cut S.b";
  ev.status = ExitStatus::killed(SIGKILL);
  AttemptOutcome out = interpret_junit_attempt(ev);
  const TestResult* a = find(out, "S.a");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->code, ResultCode::Fail);
  EXPECT_EQ(a->message, "nested fail");
  ASSERT_TRUE(find(out, "S.ok"));
  EXPECT_EQ(find(out, "S.ok")->code, ResultCode::Pass);
  EXPECT_FALSE(find(out, "S.b")) << "cut: not known";
  ASSERT_TRUE(out.process_issue.has_value());
  EXPECT_EQ(out.process_issue->code, ResultCode::Crash);
  EXPECT_NE(out.process_issue->message.find("not well-formed XML"), std::string::npos) << out.process_issue->message;
  // Cut right after a case's end tag: that case is whole.
  auto cut = parse_junit_xml(R"(<testsuite><testcase classname="S" name="a"></testcase><testc)");
  ASSERT_TRUE(std::holds_alternative<JunitReadError>(cut));
  EXPECT_EQ(std::get<JunitReadError>(cut).complete.size(), 1u);
}

TEST(BatcherJunitResults, PytestsCollectionFailureIsACollectionError) {
  AttemptOutcome out = interpreted(
      "<testsuites><testsuite><testcase classname=\"\" name=\"tests.bad\" time=\"0.000\"><error "
      "message=\"collection failure\">/usr/lib/python3.11/ast.py:50: in parse\n    return compile(source)\n"
      "E     File \"/t/tests/bad.py\", line 1\nE       def test_x(:\nE                  ^\n"
      "E   SyntaxError: invalid syntax</error></testcase></testsuite></testsuites>",
      2);
  ASSERT_EQ(out.results.size(), 1u);
  EXPECT_EQ(out.results[0].code, ResultCode::Fail);
  EXPECT_EQ(out.results[0].error_in, ErrorIn::Collection);
  EXPECT_EQ(out.results[0].message, "collection error in tests.bad: SyntaxError: invalid syntax");
}

// Another runner's <error> (Surefire: an unexpected exception, not an
// assertion; Catch2: an exception the test threw) says no phase: an error
// all the same ("unspecified"), never an assertion's failure.
TEST(BatcherJunitResults, AnErrorOfAnotherRunnerIsAnErrorOfUnspecifiedPhaseNotAnAssertion) {
  AttemptOutcome out = interpreted(
      "<testsuite name=\"com.acme.AppTest\"><testcase classname=\"com.acme.AppTest\" name=\"opens\">"
      "<error message=\"boom\" type=\"java.lang.IllegalStateException\">java.lang.IllegalStateException: boom\n"
      "\tat com.acme.AppTest.opens(AppTest.java:12)</error></testcase>"
      "<testcase classname=\"com.acme.AppTest\" name=\"closes\"><failure message=\"expected 1\" "
      "type=\"java.lang.AssertionError\"/></testcase></testsuite>");
  ASSERT_EQ(out.results.size(), 2u);
  EXPECT_EQ(out.results[0].code, ResultCode::Fail);
  EXPECT_EQ(out.results[0].error_in, ErrorIn::Unspecified);
  EXPECT_EQ(out.results[0].message, "error: boom");
  EXPECT_EQ(out.results[1].error_in, ErrorIn::None) << "an assertion's failure";
  EXPECT_EQ(std::string(to_string(ErrorIn::Unspecified)), "unspecified");
  EXPECT_EQ(error_in_from_name("unspecified"), ErrorIn::Unspecified);
}

}  // namespace
}  // namespace livegui::batch
