// End-to-end: the plan's `aut` table as the real livegui-batch reads it —
// once, into a validated AppSpec, so --list, --dry-run and a run refuse the
// same tables with the user's file:line:column, and the LIVEGUI_AUT_SPEC file
// given to test binaries is written in the plan's own syntax.
#include <fstream>

#include <gtest/gtest.h>

#include "harness/app_spec.hpp"
#include "tests/e2e/e2e_support.hpp"
#include "tests/support/temp_dir.hpp"

namespace livegui::test_support {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class PlanE2E : public ::testing::Test {
 protected:
  fs::path reports() const { return dir_ / "reports"; }

  BatchRun run(std::vector<std::string> args) {
    args.insert(args.end(), {"--report-dir", reports().string(), "--state-dir", (dir_ / "state").string()});
    return run_livegui_batch(args, dir_.path());
  }

  fs::path write_plan(const std::string& text) {
    std::ofstream(dir_ / "plan.toml") << text;
    return dir_ / "plan.toml";
  }

  TempDir dir_{"plan-e2e"};
};

// Line 7 of the user's file holds the bad value; every mode says so, and a
// run refuses it before anything starts.
TEST_F(PlanE2E, AnUnusableAutTableIsRefusedAlikeByListDryRunAndARun) {
  fs::path plan = write_plan(
      "[[tiers]]\n"
      "name = \"live\"\n"
      "uses_aut = true\n"
      "[tiers.aut]\n"
      "executable = \"/bin/true\"\n"
      "args = [\"--headless\"]\n"
      "term_grace = \"oops\"\n"
      "[[tiers.entries]]\n"
      "name = \"marker\"\n"
      "command = [\"touch\", \"" +
      (dir_ / "ran").string() + "\"]\n");
  const std::string expected =
      "plan.toml:7:14: tiers[0].aut.term_grace: is \"oops\"; expected a duration such as \"500ms\", \"1s\" or \"2min\"";
  for (const std::vector<std::string>& mode :
       {std::vector<std::string>{"--list"}, {"--dry-run"}, std::vector<std::string>{}}) {
    std::vector<std::string> args = {plan.string()};
    args.insert(args.end(), mode.begin(), mode.end());
    auto r = run(args);
    SCOPED_TRACE(mode.empty() ? "run" : mode[0]);
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_NE(r.output.find(expected), std::string::npos) << r.output;
  }
  EXPECT_FALSE(fs::exists(dir_ / "ran")) << "nothing runs on a plan error";
}

TEST_F(PlanE2E, ABareAutExecutableNameIsFoundOnPath) {
  fs::path plan = write_plan(
      "[[tiers]]\nname = \"live\"\nuses_aut = true\naut = { executable = \"sleep\", args = [\"30\"] }\n"
      "[[tiers.entries]]\nname = \"noop\"\ncommand = [\"true\"]\n");
  auto dry = run({plan.string(), "--dry-run"});
  EXPECT_EQ(dry.exit_code, 0) << dry.output;
  EXPECT_EQ(dry.output.find("does not exist"), std::string::npos) << dry.output;
  auto r = run({plan.string()});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  AppSpec spec = AppSpec::from_toml_file(reports() / "aut-spec-live.toml", "");
  EXPECT_TRUE(spec.executable.is_absolute());
  EXPECT_EQ(spec.executable.filename(), "sleep");
}

// A `command` entry whose bare program name PATH does not hold: --list and
// --dry-run say UNRESOLVED with the reason the run then reports.
TEST_F(PlanE2E, ACommandNotOnPathIsUnresolvedAlikeInListDryRunAndARun) {
  fs::path plan = write_plan(
      "[[tiers]]\nname = \"t\"\n[[tiers.entries]]\nname = \"lost\"\ncommand = [\"no_such_program_h14\"]\n"
      "[[tiers.entries]]\nname = \"found\"\ncommand = [\"true\"]\n");
  const std::string reason = "'no_such_program_h14' is not found in PATH";
  for (const char* mode : {"--list", "--dry-run"}) {
    auto r = run({plan.string(), mode});
    SCOPED_TRACE(mode);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("UNRESOLVED: " + reason), std::string::npos) << r.output;
  }
  auto r = run({plan.string()});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("UNRESOLVED t › lost"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(reason), std::string::npos) << r.output;
}

// Plans of earlier releases wrote durations as bare numbers of seconds: read,
// and one note printed for the whole plan.
TEST_F(PlanE2E, BareNumberDurationsGetOneDeprecationNote) {
  fs::path plan = write_plan(
      "[[tiers]]\nname = \"t\"\ntimeout = 60\n[[tiers.entries]]\nname = \"a\"\ncommand = [\"true\"]\ntimeout = 30\n"
      "[[tiers.entries]]\nname = \"b\"\ncommand = [\"true\"]\ntimeout = \"30s\"\n");
  auto r = run({plan.string()});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  const std::string note = "a bare number of seconds is deprecated";
  const auto first = r.output.find(note);
  ASSERT_NE(first, std::string::npos) << r.output;
  EXPECT_EQ(r.output.find(note, first + 1), std::string::npos) << "printed once:\n" << r.output;
  EXPECT_NE(r.output.find("plan.toml:3:11: tiers[0].timeout: " + note +
                          " and goes away in the next release: write timeout = \"1min\" (and 1 more: "),
            std::string::npos)
      << r.output;
}

// The file test binaries read (LIVEGUI_AUT_SPEC) uses the plan's duration
// syntax, holds no token, and a deprecated *_ms field is noted, not refused.
TEST_F(PlanE2E, TheAutSpecFileUsesThePlansSyntax) {
  fs::path plan = write_plan(
      "[[tiers]]\nname = \"live\"\nuses_aut = true\n"
      "aut = { executable = \"/bin/true\", term_grace_ms = 1000, ready_timeout = \"2min\", token = \"s3cret\" }\n"
      "[[tiers.entries]]\nname = \"reads_spec\"\n"
      "command = [\"sh\", \"-c\", \"grep -qx \\\"term_grace = '1s'\\\" \\\"$LIVEGUI_AUT_SPEC\\\" && "
      "grep -qx \\\"ready_timeout = '2min'\\\" \\\"$LIVEGUI_AUT_SPEC\\\" && ! grep -q s3cret \\\"$LIVEGUI_AUT_SPEC\\\" "
      "&& test \\\"$LIVEGUI_AUT_TOKEN\\\" = s3cret\"]\n");
  auto r = run({plan.string()});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("/plan.toml:4:51: tiers[0].aut: 'term_grace_ms' is deprecated and goes away in the "
                          "next release: write term_grace = \"1s\""),
            std::string::npos)
      << r.output;
  std::string text = read_text(reports() / "aut-spec-live.toml");
  EXPECT_EQ(text.find("_ms"), std::string::npos) << text;
  AppSpec spec = AppSpec::from_toml_file(reports() / "aut-spec-live.toml", "");
  EXPECT_EQ(spec.term_grace, 1s);
  EXPECT_EQ(spec.ready_timeout, 2min);
  EXPECT_TRUE(spec.token.empty());
}

}  // namespace
}  // namespace livegui::test_support
