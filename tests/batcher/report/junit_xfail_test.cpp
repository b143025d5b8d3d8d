// junit.xml files an expected failure by who expected it: the plan's `xfail`
// (a <skipped>, as pytest writes an xfail) or the GoogleTest binary's own
// main(), which exited 0 after the failure (a <failure>, counted as
// GoogleTest's own report counts it; issue 18).
#include <gtest/gtest.h>

#include "batcher/report/junit_report.hpp"

namespace livegui::batch {
namespace {

using namespace std::chrono_literals;

TestResult expected_failure(const std::string& name, ExpectedBy by, const std::string& message) {
  TestResult t;
  t.name = name;
  t.code = ResultCode::XFail;
  t.expected_by = by;
  t.message = message;
  return t;
}

BatchResults one_entry(std::vector<TestResult> tests) {
  BatchResults r;
  r.duration = 1s;
  TierResult tier;
  tier.name = "t";
  r.tiers.push_back(tier);
  EntryResult e;
  e.id = "t/bin";
  e.tier = "t";
  e.name = "bin";
  e.gtest = true;
  e.code = ResultCode::XFail;
  e.tests = std::move(tests);
  r.entries.push_back(e);
  return r;
}

TEST(BatcherJunitXfail, AFailureTheBinarysOwnMainAcceptedIsAFailureAsInGoogleTestsReport) {
  std::string xml = junit_xml(one_entry({expected_failure("S.Accepted", ExpectedBy::OwnMain, "accepted: boom")}));
  EXPECT_NE(xml.find("<testsuite name=\"t.bin\" tests=\"1\" failures=\"1\" errors=\"0\" skipped=\"0\""),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<failure type=\"XFAIL\" message=\"accepted: boom\">"), std::string::npos) << xml;
  EXPECT_EQ(xml.find("<skipped"), std::string::npos) << xml;
}

TEST(BatcherJunitXfail, AFailureThePlansXfailExpectsIsSkippedAsPytestWritesAnXfail) {
  std::string xml = junit_xml(one_entry({expected_failure("S.Known", ExpectedBy::Plan, "expected failure: boom")}));
  EXPECT_NE(xml.find("<testsuite name=\"t.bin\" tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"1\""),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<skipped message=\"expected failure: boom\"/>"), std::string::npos) << xml;
  EXPECT_EQ(xml.find("<failure"), std::string::npos) << xml;
}

TEST(BatcherJunitXfail, BothKindsInOneBatchAreCountedEachTheirOwnWayAtEveryLevel) {
  std::string xml = junit_xml(one_entry({expected_failure("S.Accepted", ExpectedBy::OwnMain, "accepted"),
                                         expected_failure("S.Known", ExpectedBy::Plan, "expected failure: known")}));
  EXPECT_NE(xml.find("<testsuites name=\"livegui-batch\" tests=\"2\" failures=\"1\" errors=\"0\" skipped=\"1\""),
            std::string::npos)
      << xml;
}

}  // namespace
}  // namespace livegui::batch
