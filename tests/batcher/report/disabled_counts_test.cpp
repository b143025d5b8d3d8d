// Disabled tests are counted one way in every report: apart from skipped
// ones, as GoogleTest counts them (its report's "disabled").
#include <regex>
#include <sstream>

#include <gtest/gtest.h>

#include "batcher/report/html_report.hpp"
#include "batcher/report/json_report.hpp"
#include "batcher/report/junit_report.hpp"
#include "batcher/report/summary.hpp"
#include "tests/support/temp_dir.hpp"

namespace livegui::batch {
namespace {

using namespace std::chrono_literals;

TestResult test(const std::string& name, ResultCode code, bool disabled = false) {
  TestResult t;
  t.name = name;
  t.code = code;
  t.disabled = disabled;
  if (disabled) t.message = "disabled";
  return t;
}

/// e2e_disabled's results: GoogleTest's own report says tests 6, failures 1,
/// disabled 3, and one test skipped by GTEST_SKIP().
BatchResults with_disabled_tests() {
  BatchResults r;
  r.duration = 1s;
  TierResult tier;
  tier.name = "t";
  r.tiers.push_back(tier);
  EntryResult e;
  e.id = "t/e2e_disabled";
  e.tier = "t";
  e.name = "e2e_disabled";
  e.gtest = true;
  e.code = ResultCode::Fail;
  e.tests = {test("Mixed.Passes", ResultCode::Pass),
             test("Mixed.DISABLED_Later", ResultCode::Skipped, true),
             test("Mixed.Skips", ResultCode::Skipped),
             test("Mixed.Fails", ResultCode::Fail),
             test("DISABLED_Whole.One", ResultCode::Skipped, true),
             test("DISABLED_Whole.Two", ResultCode::Skipped, true)};
  r.entries.push_back(e);
  r.exit_code = 1;
  return r;
}

/// The whitespace-separated words of the first line of `text` that starts with `prefix`.
std::vector<std::string> words_of_line(const std::string& text, const std::string& prefix) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(prefix, 0) != 0) continue;
    std::istringstream words(line);
    std::vector<std::string> out;
    for (std::string w; words >> w;) out.push_back(w);
    return out;
  }
  return {};
}

TEST(BatcherDisabledCounts, TheConsoleTableCountsDisabledTestsInTheirOwnColumn) {
  std::string text = summary_text(with_disabled_tests(), SummaryOptions{});
  EXPECT_EQ(words_of_line(text, "Summary"),
            (std::vector<std::string>{"Summary", "pass", "fail", "crash", "timeout", "unresolved", "skip", "disabled",
                                      "xfail", "xpass", "dirty", "respawns", "duration"}))
      << text;
  EXPECT_EQ(
      words_of_line(text, "  t (1 entry)"),
      (std::vector<std::string>{"t", "(1", "entry)", "1", "1", "0", "0", "0", "1", "3", "0", "0", "0", "0", "0", "ms"}))
      << text;
  EXPECT_NE(text.find("FAILED: 1 passed, 1 failed, 1 skipped, 3 disabled in "), std::string::npos) << text;
}

TEST(BatcherDisabledCounts, ReportHtmlCountsDisabledTestsApartInItsHeaderAndTable) {
  std::string html = html_report(with_disabled_tests(), HtmlReportOptions{});
  EXPECT_NE(html.find("1 passed, 1 failed, 1 skipped, 3 disabled in "), std::string::npos);
  EXPECT_NE(html.find("<th>skip</th><th>disabled</th>"), std::string::npos);
  // pass fail crash timeout unresolved skip disabled xfail xpass
  std::smatch m;
  ASSERT_TRUE(std::regex_search(html, m, std::regex(R"(<td class="l">t</td><td>1</td>((<td[^>]*>\d+</td>){9}))")));
  std::string cells = std::regex_replace(m[1].str(), std::regex(R"(<td[^>]*>(\d+)</td>)"), "$1 ");
  EXPECT_EQ(cells, "1 1 0 0 0 1 3 0 0 ");
}

TEST(BatcherDisabledCounts, JunitXmlAndTheEntryTallyCountDisabledTestsAsGoogleTestDoes) {
  std::string xml = junit_xml(with_disabled_tests());
  EXPECT_NE(xml.find("<testsuite name=\"t.e2e_disabled\" tests=\"6\" failures=\"1\" errors=\"0\" skipped=\"1\" "
                     "disabled=\"3\""),
            std::string::npos)
      << xml;
  EXPECT_EQ(tally_of(with_disabled_tests().entries[0].tests), "1 PASS, 1 FAIL, 1 SKIPPED, 3 disabled");
}

TEST(BatcherDisabledCounts, ResultsJsonsTierSaysHowManyOfItsSkippedTestsAreDisabled) {
  auto tier = results_to_json(with_disabled_tests())["tiers"][0];
  EXPECT_EQ(tier["tests"]["SKIPPED"], 4);  // per result code
  EXPECT_EQ(tier["disabled"], 3);
}

}  // namespace
}  // namespace livegui::batch
