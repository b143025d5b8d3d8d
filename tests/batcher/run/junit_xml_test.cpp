#include "batcher/run/junit_xml.hpp"

#include <gtest/gtest.h>

#include "batcher/run/junit_results.hpp"

namespace livegui::batch {
namespace {

// What pytest 7.2 --junitxml writes (xunit2), abridged.
const char* kPytestReport = R"(<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" errors="1" failures="1" skipped="2" tests="6" time="0.5">
<testcase classname="tests.test_x" name="test_pass" time="0.010" />
<testcase classname="tests.test_x" name="test_fail" time="0.020"><properties><property name="screenshot" value="/a/shot.png" /></properties><failure message="assert 1 == 2">def test_fail():
&gt;       assert 1 == 2
E       assert 1 == 2</failure></testcase>
<testcase classname="tests.test_x" name="test_skip" time="0.001"><skipped type="pytest.skip" message="no display">tests/test_x.py:9: no display</skipped></testcase>
<testcase classname="tests.test_x" name="test_xfail" time="0.001"><skipped type="pytest.xfail" message="known bug" /></testcase>
<testcase classname="tests.test_x.TestC" name="test_param[a/b::c]" time="1.5" />
<testcase classname="tests.test_x" name="test_setup_error" time="0"><error message="failed on setup with &quot;RuntimeError: no AUT&quot;">trace</error></testcase>
</testsuite></testsuites>)";

JunitReport parsed(const std::string& text) {
  auto r = parse_junit_xml(text);
  if (auto* e = std::get_if<JunitReadError>(&r)) ADD_FAILURE() << e->why;
  return std::get_if<JunitReport>(&r) ? std::get<JunitReport>(r) : JunitReport{};
}

TEST(BatcherJunitXml, ReadsEveryCaseOfAPytestReport) {
  JunitReport r = parsed(kPytestReport);
  ASSERT_EQ(r.cases.size(), 6u);
  EXPECT_EQ(r.cases[0].full_name(), "tests.test_x.test_pass");
  EXPECT_EQ(r.cases[0].outcome, JunitOutcome::Passed);
  EXPECT_EQ(r.cases[0].duration, std::chrono::milliseconds(10));
  EXPECT_EQ(r.cases[1].outcome, JunitOutcome::Failed);
  EXPECT_EQ(r.cases[1].message, "assert 1 == 2");
  EXPECT_EQ(r.cases[1].screenshot, "/a/shot.png");
  EXPECT_EQ(from_junit_case(r.cases[1], "x", 1).screenshot, "/a/shot.png");
  EXPECT_EQ(r.cases[2].outcome, JunitOutcome::Skipped);
  EXPECT_EQ(r.cases[3].type, "pytest.xfail");
  EXPECT_EQ(r.cases[4].full_name(), "tests.test_x.TestC.test_param[a/b::c]");
  EXPECT_EQ(r.cases[4].duration, std::chrono::milliseconds(1500));
  EXPECT_EQ(r.cases[5].outcome, JunitOutcome::Errored);
  EXPECT_EQ(r.cases[5].message, "failed on setup with \"RuntimeError: no AUT\"");
}

TEST(BatcherJunitXml, CodesByCase) {
  JunitReport r = parsed(kPytestReport);
  EXPECT_EQ(from_junit_case(r.cases[0], "a", 1).code, ResultCode::Pass);
  EXPECT_EQ(from_junit_case(r.cases[1], "a", 1).code, ResultCode::Fail);
  EXPECT_EQ(from_junit_case(r.cases[2], "a", 1).code, ResultCode::Skipped);
  EXPECT_EQ(from_junit_case(r.cases[2], "a", 1).message, "no display");
  EXPECT_EQ(from_junit_case(r.cases[3], "a", 1).code, ResultCode::XFail);
  EXPECT_EQ(from_junit_case(r.cases[5], "a", 1).code, ResultCode::Fail);
  EXPECT_EQ(from_junit_case(r.cases[5], "a", 1).message, "error in set-up: RuntimeError: no AUT");
  EXPECT_EQ(from_junit_case(r.cases[5], "a", 1).error_in, ErrorIn::Setup);
}

TEST(BatcherJunitXml, CtestAndCatch2Shapes) {
  // ctest --output-junit: a single <testsuite>, classname = name.
  JunitReport c =
      parsed(R"(<testsuite name="x" tests="2"><testcase name="unit.a" classname="unit.a" time="0.1" status="run"/>
<testcase name="unit.b" classname="unit.b" status="fail"><failure message="Failed"/></testcase></testsuite>)");
  ASSERT_EQ(c.cases.size(), 2u);
  EXPECT_EQ(c.cases[0].full_name(), "unit.a");
  EXPECT_EQ(c.cases[1].outcome, JunitOutcome::Failed);
  // Catch2 -r junit: nested suites, failure text without a message attribute.
  JunitReport k = parsed(R"(<testsuites><testsuite name="all"><testsuite name="inner">
<testcase classname="app.global" name="adds"><failure type="REQUIRE">x == 2</failure></testcase></testsuite></testsuite></testsuites>)");
  ASSERT_EQ(k.cases.size(), 1u);
  EXPECT_EQ(k.cases[0].full_name(), "app.global.adds");
  EXPECT_EQ(k.cases[0].message, "x == 2");
}

TEST(BatcherJunitXml, ATruncatedReportIsNoReport) {
  std::string text = kPytestReport;
  for (std::size_t cut : {text.size() - 14, text.size() / 2, std::size_t{60}}) {
    auto r = parse_junit_xml(text.substr(0, cut));
    ASSERT_TRUE(std::holds_alternative<JunitReadError>(r)) << "cut at " << cut;
    EXPECT_NE(std::get<JunitReadError>(r).why.find("not well-formed XML"), std::string::npos);
  }
  auto html = parse_junit_xml("<html><body/></html>");
  ASSERT_TRUE(std::holds_alternative<JunitReadError>(html));
  EXPECT_EQ(std::get<JunitReadError>(html).why, "root element is <html>, not <testsuites> or <testsuite>");
  auto missing = read_junit_xml("/nonexistent/livegui/junit.xml");
  ASSERT_TRUE(std::holds_alternative<JunitReadError>(missing));
  EXPECT_EQ(std::get<JunitReadError>(missing).why, "missing");
}

TEST(BatcherJunitResults, AMissingReportAfterASignalIsACrash) {
  JunitEvidence ev;
  ev.entry_name = "ctest_suite";
  ev.report_file = "/r/junit.xml";
  ev.status = ExitStatus::killed(9);
  auto out = interpret_junit_attempt(ev);
  EXPECT_TRUE(out.results.empty());
  ASSERT_TRUE(out.process_issue);
  EXPECT_EQ(out.process_issue->code, ResultCode::Crash);
  EXPECT_NE(out.process_issue->message.find("killed by SIGKILL"), std::string::npos);
  EXPECT_NE(out.process_issue->message.find("missing (/r/junit.xml)"), std::string::npos);
  EXPECT_FALSE(out.resume);
}

TEST(BatcherJunitResults, AnExitWithoutAReportIsUnresolved) {
  JunitEvidence ev;
  ev.entry_name = "e";
  ev.report = parse_junit_xml("<testsuites><testsuite><testcase name=\"a\"/>");
  ev.status = ExitStatus::exited(0);
  auto out = interpret_junit_attempt(ev);
  ASSERT_TRUE(out.process_issue);
  EXPECT_EQ(out.process_issue->code, ResultCode::Unresolved);
  EXPECT_NE(out.process_issue->message.find("without a complete JUnit report"), std::string::npos);
}

TEST(BatcherJunitResults, ACompleteReportSpeaksPerTest) {
  JunitEvidence ev;
  ev.entry_name = "e";
  ev.report = parse_junit_xml(kPytestReport);
  ev.status = ExitStatus::exited(1);
  auto out = interpret_junit_attempt(ev);
  EXPECT_EQ(out.results.size(), 6u);
  EXPECT_FALSE(out.process_issue) << out.process_issue->message;
  EXPECT_EQ(rollup(out.results), ResultCode::Fail);
  // xfail patterns match the reported names.
  apply_expectations(out.results, false, {"tests.test_x.test_fail"}, NamePatterns::Wildcard);
  EXPECT_EQ(out.results[1].code, ResultCode::XFail);
}

TEST(BatcherJunitResults, ANonZeroExitNoTestExplainsIsAFailure) {
  JunitEvidence ev;
  ev.entry_name = "e";
  ev.report = parse_junit_xml("<testsuite><testcase name=\"a\"/></testsuite>");
  ev.status = ExitStatus::exited(3);
  auto out = interpret_junit_attempt(ev);
  ASSERT_TRUE(out.process_issue);
  EXPECT_EQ(out.process_issue->code, ResultCode::Fail);
  EXPECT_NE(out.process_issue->message.find("exit code 3"), std::string::npos);
}

}  // namespace
}  // namespace livegui::batch
