#include "batcher/select/gtest_flags.hpp"

#include <gtest/gtest.h>

namespace livegui::batch {
namespace {

PlanEntry at_line_12() {
  PlanEntry e;
  e.where = {"plan.toml", 12};
  return e;
}

TEST(BatcherGtestFlags, RepeatAndForeignOutputFlagsAreNamedWithTheirPlace) {
  PlanEntry e = at_line_12();
  e.args = {"--gtest_repeat=2"};
  EXPECT_EQ(unsupported_gtest_flag(e).rfind("plan.toml:12: args: --gtest_repeat=2 is not supported", 0), 0u)
      << unsupported_gtest_flag(e);
  e.args = {"--gtest_repeat=1", "--gtest_filter=A.*"};
  EXPECT_EQ(unsupported_gtest_flag(e), "");
  e.args = {"--gtest_output=xml:out.xml"};
  EXPECT_NE(unsupported_gtest_flag(e).find("--gtest_output=xml:out.xml is not supported"), std::string::npos);
  e.args.clear();
  e.env = {{"GTEST_REPEAT", "5"}};
  EXPECT_NE(unsupported_gtest_flag(e).find("env: GTEST_REPEAT=5 is not supported"), std::string::npos);
}

TEST(BatcherGtestFlags, ARefusedFlagIsNamedWhereItWasWrittenNotWhereItsEntryBegins) {
  // Trial12a: a refused --gtest_repeat on plan line 29 was blamed on line 26
  // (the [[tiers.entries]] header); a tier's GTEST_REPEAT on the entry.
  PlanEntry e = at_line_12();
  e.args = {"--gtest_filter=A.*", "--gtest_repeat=3"};
  e.args_source = {{{"plan.toml", 14, 9}, "tiers[0].entries[0].args[0]"},
                   {{"plan.toml", 15, 3}, "tiers[0].entries[0].args[1]"}};
  EXPECT_EQ(unsupported_gtest_flag(e).rfind(
                "plan.toml:15:3: tiers[0].entries[0].args[1]: --gtest_repeat=3 is not supported", 0),
            0u)
      << unsupported_gtest_flag(e);
  e.args.clear();
  e.args_source.clear();
  e.env = {{"GTEST_REPEAT", "2"}};
  e.env_source = {{"GTEST_REPEAT", {{"plan.toml", 5, 7}, "tiers[0].env.GTEST_REPEAT"}}};
  EXPECT_EQ(unsupported_gtest_flag(e).rfind("plan.toml:5:7: tiers[0].env.GTEST_REPEAT: GTEST_REPEAT=2 is not supported",
                                            0),
            0u)
      << unsupported_gtest_flag(e);
}

TEST(BatcherGtestFlags, FlagsThatDefeatTheMarkersOrTheRunAreRefusedInArgs) {
  // Each input the newcomer tried (issue 18), with the place and the field.
  for (const char* arg :
       {"--gtest_brief=1", "--gtest_brief", "--gtest_color=yes", "--gtest_color=TRUE", "--gtest_list_tests",
        "--gtest_list_tests=1", "--gtest_flagfile=/tmp/flags.txt", "-gtest_brief=1", "/gtest_color=yes"}) {
    PlanEntry e = at_line_12();
    e.args = {"--gtest_filter=A.*", arg};
    EXPECT_EQ(unsupported_gtest_flag(e).rfind("plan.toml:12: args: " + std::string(arg) + " is not supported: ", 0), 0u)
        << arg << " → " << unsupported_gtest_flag(e);
  }
  EXPECT_NE(unsupported_gtest_flag([] {
              PlanEntry e = at_line_12();
              e.args = {"--gtest_brief=1"};
              return e;
            }())
                .find("[ RUN      ]"),
            std::string::npos)
      << "says why: the markers";
}

TEST(BatcherGtestFlags, ValuesThatChangeNothingAreAccepted) {
  // GoogleTest's own reading: "0"/"f…" is false; colour only when forced.
  for (const char* arg :
       {"--gtest_brief=0", "--gtest_brief=false", "--gtest_color=no", "--gtest_color=auto", "--gtest_list_tests=0",
        "--gtest_shuffle", "--gtest_also_run_disabled_tests", "--gtest_colorful=1", "--gtest_brief_x=1"}) {
    PlanEntry e = at_line_12();
    e.args = {arg};
    EXPECT_EQ(unsupported_gtest_flag(e), "") << arg;
  }
  PlanEntry e = at_line_12();
  e.env = {{"GTEST_BRIEF", "0"}, {"GTEST_COLOR", "no"}, {"GTEST_LIST_TESTS", "0"}, {"GTEST_REPEAT", "1"}};
  EXPECT_EQ(unsupported_gtest_flag(e), "");
}

TEST(BatcherGtestFlags, VariablesThatDefeatTheReadingAreRefusedInEnv) {
  const std::pair<const char*, const char*> cases[] = {{"GTEST_OUTPUT", "xml:/tmp/out.xml"},
                                                       {"GTEST_BRIEF", "1"},
                                                       {"GTEST_COLOR", "yes"},
                                                       {"GTEST_LIST_TESTS", "1"},
                                                       {"GTEST_FLAGFILE", "/tmp/flags.txt"}};
  for (const auto& [name, value] : cases) {
    PlanEntry e = at_line_12();
    e.env = {{name, value}};
    EXPECT_EQ(unsupported_gtest_flag(e).rfind(
                  "plan.toml:12: env: " + std::string(name) + "=" + value + " is not supported: ", 0),
              0u)
        << name << " → " << unsupported_gtest_flag(e);
  }
}

}  // namespace
}  // namespace livegui::batch
