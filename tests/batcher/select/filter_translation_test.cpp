// --filter as GoogleTest's own filter for a binary that cannot be listed
// (batcher/select/filter_translation).
#include "batcher/select/filter_translation.hpp"

#include <regex>

#include <gtest/gtest.h>

#include "batcher/run/gtest_output.hpp"

namespace livegui::batch {
namespace {

const std::vector<std::string> kNames = {"Counted.One", "Counted.Two", "Inst/P.T/0", "Inst/P.T/1",
                                         "A.b",         "Suite.Name",  "Work.Flow",  "Tcounted.One"};

TEST(BatcherFilterTranslation, SelectsExactlyWhatTheRegexSelectsFromAListing) {
  const std::string id = "t/counted";
  for (const std::string pattern : {"Counted",
                                    "Counted\\.One",
                                    "Counted.One$",
                                    "^t/counted/Counted",
                                    "counted/C",
                                    "ted/Count",
                                    "^t/",
                                    "t/counted",
                                    "One$",
                                    ".*Two",
                                    "d.+T",
                                    "P.T/0$",
                                    "e/Count",
                                    "unt.*ed.T",
                                    "^t/counted/$",
                                    "x-y",
                                    "^nope",
                                    "T/",
                                    "/",
                                    "\\.",
                                    "^t/counted/.*$",
                                    "Inst/P",
                                    "Flow|"}) {
    GtestFilterFor f = gtest_filter_for(pattern, id);
    if (std::string(pattern) == "Flow|") {
      EXPECT_FALSE(f.expressible);
      continue;
    }
    ASSERT_TRUE(f.expressible) << pattern << ": " << f.why_not;
    std::regex re(pattern, std::regex::ECMAScript);
    for (const auto& name : kNames) {
      bool wanted = std::regex_search(id + "/" + name, re);
      bool got = !f.filter.empty() && matches_gtest_filter(name, f.filter);
      EXPECT_EQ(got, wanted) << "pattern " << pattern << ", test " << name << ", --gtest_filter=" << f.filter;
    }
  }
}

TEST(BatcherFilterTranslation, APatternThatCannotMatchAnyTestNameGivesNoFilter) {
  EXPECT_EQ(gtest_filter_for("^nope", "t/counted").filter, "");
  EXPECT_EQ(gtest_filter_for("x-y", "t/counted").filter, "");  // no test name holds '-'
  EXPECT_TRUE(gtest_filter_for("^nope", "t/counted").expressible);
}

TEST(BatcherFilterTranslation, RefusesWhatAGtestFilterCannotSayAndSaysWhich) {
  for (const std::string pattern : {"A|B", "[AB]\\.x", "\\d", "One?", "(Counted)", "Co+unted", "a{2}", "x^y"}) {
    GtestFilterFor f = gtest_filter_for(pattern, "t/counted");
    EXPECT_FALSE(f.expressible) << pattern << " → " << f.filter;
    EXPECT_FALSE(f.why_not.empty()) << pattern;
  }
  EXPECT_NE(gtest_filter_for("A|B", "t/x").why_not.find("\"|\""), std::string::npos);
  EXPECT_NE(gtest_filter_for("\\d", "t/x").why_not.find("\\d"), std::string::npos);
}

}  // namespace
}  // namespace livegui::batch
