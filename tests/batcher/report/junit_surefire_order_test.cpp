// junit.xml's retried tests in the shape of Maven Surefire's report schema
// (surefire-test-report-3.0.xsd): a <testcase>'s children in the order
// failure*, rerunFailure*, flakyFailure*, skipped?, error?, rerunError*,
// flakyError*, system-out?, system-err? — after GoogleTest's <properties>,
// the one child Surefire does not name — and each flaky/rerun element with a
// `type`, a `message` and the children stackTrace, system-out?, system-err?
// (no text of its own). Checked with pugixml, element by element.
#include <gtest/gtest.h>
#include <pugixml.hpp>

#include "batcher/report/junit_report.hpp"

namespace livegui::batch {
namespace {

/// Where each child may stand in a Surefire <testcase>; -1 = not allowed.
int surefire_slot(const std::string& child) {
  static const char* const kOrder[] = {"properties", "failure",    "rerunFailure", "flakyFailure", "skipped",
                                       "error",      "rerunError", "flakyError",   "system-out",   "system-err"};
  for (int i = 0; i < static_cast<int>(std::size(kOrder)); ++i)
    if (child == kOrder[i]) return i;
  return -1;
}

bool at_most_once(const std::string& child) {
  return child == "properties" || child == "skipped" || child == "error" || child == "system-out" ||
         child == "system-err";
}

/// Every way `testcase` departs from the schema, one line each ("" = none).
std::string schema_violations(const pugi::xml_node& testcase) {
  std::string out;
  const std::string where = std::string(testcase.attribute("name").value()) + ": ";
  int last = -1;
  std::string previous;
  for (const auto& child : testcase.children()) {
    if (child.type() != pugi::node_element) {
      if (child.type() == pugi::node_pcdata && std::string(child.value()).find_first_not_of(" \n") != std::string::npos)
        out += where + "text directly in <testcase>\n";
      continue;
    }
    const std::string name = child.name();
    const int slot = surefire_slot(name);
    if (slot < 0) {
      out += where + "<" + name + "> is not a child of <testcase>\n";
      continue;
    }
    if (slot < last || (slot == last && at_most_once(name))) out += where + "<" + name + "> after <" + previous + ">\n";
    last = slot;
    previous = name;
    const bool rerun_or_flaky = name.rfind("rerun", 0) == 0 || name.rfind("flaky", 0) == 0;
    if (!rerun_or_flaky) continue;
    if (child.attribute("type").empty()) out += where + "<" + name + "> without type\n";
    if (child.attribute("message").empty()) out += where + "<" + name + "> without message\n";
    std::vector<std::string> inner;
    for (const auto& c : child.children()) {
      if (c.type() == pugi::node_element)
        inner.push_back(c.name());
      else if (std::string(c.value()).find_first_not_of(" \n") != std::string::npos)
        out += where + "<" + name + "> has text of its own (it belongs in <stackTrace>)\n";
    }
    const bool shape = !inner.empty() && inner[0] == "stackTrace" && inner.size() <= 3 &&
                       (inner.size() < 2 || inner[1] == "system-out" || inner[1] == "system-err") &&
                       (inner.size() < 3 || (inner[1] == "system-out" && inner[2] == "system-err"));
    if (!shape) out += where + "<" + name + "> children are not stackTrace, system-out?, system-err?\n";
  }
  return out;
}

std::vector<std::string> children(const pugi::xml_node& testcase) {
  std::vector<std::string> out;
  for (const auto& c : testcase.children())
    if (c.type() == pugi::node_element) out.push_back(c.name());
  return out;
}

TestResult retried(const std::string& name, ResultCode now, std::vector<TryRecord> tries) {
  TestResult t;
  t.name = name;
  t.code = now;
  t.message = std::string(livegui::batch::name(now)) + " now";
  t.attempt = static_cast<int>(tries.size()) + 1;
  t.tries = std::move(tries);
  if (is_failure(now)) t.output = "its output\n";
  return t;
}

BatchResults retried_tests() {
  BatchResults r;
  TierResult tier;
  tier.name = "live";
  r.tiers.push_back(tier);
  EntryResult e;
  e.id = "live/test_retry";
  e.tier = "live";
  e.name = "test_retry";
  e.gtest = true;
  e.code = ResultCode::Crash;
  const TryRecord crash{1, ResultCode::Crash, RetriedFor::Crash, "killed by SIGSEGV"};
  const TryRecord fail{1, ResultCode::Fail, RetriedFor::Degraded, "subprocess degraded: AUT pid 7 exited"};
  TryRecord crash2 = crash;
  crash2.attempt = 2;
  TryRecord fail2 = fail;
  fail2.attempt = 2;
  e.tests = {retried("R.CrashThenFailThenPass", ResultCode::Flaky, {crash, fail2}),
             retried("R.FailThenCrash", ResultCode::Crash, {fail}),
             retried("R.CrashThenFail", ResultCode::Fail, {crash}),
             retried("R.FailThenCrashThenFail", ResultCode::Fail, {fail, crash2})};
  e.tests[0].stacks = "artifacts/live_test_retry/stacks-1.txt";
  r.entries.push_back(e);
  return r;
}

TEST(BatcherJunitSurefireOrder, RetriedTestsFollowSurefiresSchemaOrderAndShape) {
  const std::string xml = junit_xml(retried_tests());
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(xml.c_str())) << xml;
  int cases = 0;
  for (const auto& tc : doc.select_nodes("//testcase")) {
    ++cases;
    EXPECT_EQ(schema_violations(tc.node()), "") << xml;
  }
  EXPECT_EQ(cases, 4);
  auto testcase = [&](const char* name) {
    return doc.find_node([&](const pugi::xml_node& n) {
      return std::string(n.name()) == "testcase" && std::string(n.attribute("name").value()) == name;
    });
  };
  // FLAKY after a crash, then a failure: the failures first, whatever the attempts' order.
  EXPECT_EQ(children(testcase("CrashThenFailThenPass")),
            (std::vector<std::string>{"properties", "flakyFailure", "flakyError"}));
  // Still failing: the first run is the <failure>/<error> (Surefire's), the
  // later ones <rerunFailure>/<rerunError>, the last run's output inside its own.
  EXPECT_EQ(children(testcase("FailThenCrash")), (std::vector<std::string>{"properties", "failure", "rerunError"}));
  EXPECT_EQ(children(testcase("CrashThenFail")), (std::vector<std::string>{"properties", "rerunFailure", "error"}));
  EXPECT_EQ(children(testcase("FailThenCrashThenFail")),
            (std::vector<std::string>{"properties", "failure", "rerunFailure", "rerunError"}));
  pugi::xml_node flaky = testcase("CrashThenFailThenPass").child("flakyError");
  EXPECT_STREQ(flaky.attribute("type").value(), "CRASH");
  EXPECT_STREQ(flaky.attribute("message").value(), "attempt 1: CRASH (retried for crash): killed by SIGSEGV");
  EXPECT_STREQ(flaky.child("stackTrace").text().get(), "attempt 1: CRASH (retried for crash): killed by SIGSEGV");
}

// A test that still fails after its retries: as in Surefire's rerun report
// (apache/maven-surefire, StatelessXmlReporter.serializeTestClassWithRerun)
// its FIRST run is the <failure>/<error> — the kind of the first failure
// decides which, and the counts follow — and each later run, the last
// included, a <rerunFailure>/<rerunError> with its own message, type,
// <stackTrace> and <system-out>. It had the last run as the <failure>.
TEST(BatcherJunitSurefireOrder, AStillFailingTestHasItsFirstRunAsTheFailureAndTheLaterOnesAsReruns) {
  const std::string xml = junit_xml(retried_tests());
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(xml.c_str())) << xml;
  auto testcase = [&](const char* name) {
    return doc.find_node([&](const pugi::xml_node& n) {
      return std::string(n.name()) == "testcase" && std::string(n.attribute("name").value()) == name;
    });
  };
  // FAIL (attempt 1, retried for degraded), then CRASH (attempt 2, the test's result).
  pugi::xml_node tc = testcase("FailThenCrash");
  pugi::xml_node first = tc.child("failure");
  EXPECT_STREQ(first.attribute("type").value(), "FAIL") << xml;
  EXPECT_STREQ(first.attribute("message").value(),
               "attempt 1: FAIL (retried for degraded): subprocess degraded: AUT pid 7 exited")
      << xml;
  EXPECT_EQ(std::string(first.text().get()).rfind("attempt 1: FAIL (retried for degraded): subprocess degraded", 0), 0u)
      << xml;
  EXPECT_NE(std::string(first.text().get()).find("reproduce: "), std::string::npos) << xml;
  pugi::xml_node last = tc.child("rerunError");
  EXPECT_STREQ(last.attribute("type").value(), "CRASH") << xml;
  EXPECT_STREQ(last.attribute("message").value(), "attempt 2: CRASH: CRASH now") << xml;
  EXPECT_EQ(std::string(last.child("stackTrace").text().get()).rfind("CRASH now", 0), 0u) << xml;
  EXPECT_STREQ(last.child("system-out").text().get(), "its output\n") << xml;
  EXPECT_TRUE(tc.child("error").empty()) << xml;
  // FAIL, CRASH, FAIL: attempt 1 the failure, 3 (the last) and 2 the reruns.
  tc = testcase("FailThenCrashThenFail");
  EXPECT_NE(std::string(tc.child("failure").attribute("message").value()).find("attempt 1: FAIL"), std::string::npos)
      << xml;
  EXPECT_STREQ(tc.child("rerunFailure").attribute("message").value(), "attempt 3: FAIL: FAIL now") << xml;
  EXPECT_STREQ(tc.child("rerunFailure").child("system-out").text().get(), "its output\n") << xml;
  EXPECT_NE(std::string(tc.child("rerunError").attribute("message").value()).find("attempt 2: CRASH"),
            std::string::npos)
      << xml;
  // Counted by the first failure's kind, as the elements say: FailThenCrash
  // and FailThenCrashThenFail are failures, CrashThenFail an error.
  pugi::xml_node suite = doc.child("testsuites").child("testsuite");
  EXPECT_STREQ(suite.attribute("failures").value(), "2") << xml;
  EXPECT_STREQ(suite.attribute("errors").value(), "1") << xml;
  EXPECT_STREQ(doc.child("testsuites").attribute("failures").value(), "2") << xml;
  EXPECT_STREQ(doc.child("testsuites").attribute("errors").value(), "1") << xml;
}

// The checker itself: it rejects what the reports wrote before (text in a
// flaky element, an error's rerun record before the error).
TEST(BatcherJunitSurefireOrder, TheCheckerRejectsOutOfOrderAndShapelessRecords) {
  pugi::xml_document doc;
  ASSERT_TRUE(
      doc.load_string("<testcase name=\"x\"><rerunError type=\"CRASH\" message=\"m\">m</rerunError>"
                      "<failure type=\"FAIL\" message=\"f\">f</failure></testcase>"));
  EXPECT_EQ(schema_violations(doc.child("testcase")),
            "x: <rerunError> has text of its own (it belongs in <stackTrace>)\n"
            "x: <rerunError> children are not stackTrace, system-out?, system-err?\n"
            "x: <failure> after <rerunError>\n");
}

}  // namespace
}  // namespace livegui::batch
