#include "batcher/plan/plan.hpp"

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>

#include <gtest/gtest.h>

#include "tests/support/temp_dir.hpp"

namespace livegui::batch {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using test_support::TempDir;

void make_exe(const fs::path& p) {
  std::ofstream(p) << "#!/bin/sh\nexit 0\n";
  fs::permissions(p, fs::perms::owner_all);
}

std::string plan_error(const std::string& text) {
  try {
    parse_plan(text, "p.toml", "/nonexistent");
  } catch (const PlanError& e) {
    return e.what();
  }
  return "<no error>";
}

TEST(BatcherPlan, ParsesTiersEntriesAndDefaults) {
  TempDir dir("plan");
  fs::create_directories(dir / "bin");
  make_exe(dir / "bin" / "test_a");
  make_exe(dir / "bin" / "test_b");
  std::ofstream(dir / "bin" / "test_c.cmake") << "not a test";
  std::string text = R"(
[[tiers]]
name = "unit"
timeout = "90s"
env = { A = "1", B = "tier" }
[[tiers.entries]]
executables = "bin/test_*"
args = ["--x"]
env = { B = "entry" }

[[tiers]]
name = "live_gui"
uses_aut = true
split = "suite"
aut = { executable = "/bin/true", args = ["--headless"] }
[[tiers.entries]]
name = "workflow"
executable = "bin/test_a"
timeout = 2.5
expect = "fail"
xfail = ["Suite.*"]
[[tiers.entries]]
name = "script"
command = ["sh", "-c", "exit 0"]
)";
  Plan plan = parse_plan(text, "p.toml", dir.path());
  ASSERT_EQ(plan.tiers.size(), 2u);
  const PlanTier& unit = plan.tiers[0];
  EXPECT_EQ(unit.name, "unit");
  ASSERT_EQ(unit.entries.size(), 2u) << "the glob matches two executables; the .cmake file is not one";
  EXPECT_EQ(unit.entries[0].name, "test_a");
  EXPECT_EQ(unit.entries[1].name, "test_b");
  EXPECT_EQ(unit.entries[0].executable, dir / "bin" / "test_a");
  EXPECT_EQ(unit.entries[0].args, std::vector<std::string>{"--x"});
  EXPECT_EQ(unit.entries[0].env.at("A"), "1");
  EXPECT_EQ(unit.entries[0].env.at("B"), "entry");
  EXPECT_EQ(unit.entries[0].timeout, std::chrono::milliseconds(90s));
  EXPECT_FALSE(unit.entries[0].uses_aut);
  EXPECT_EQ(unit.entries[0].where.str(), "p.toml:6:1");

  const PlanTier& live = plan.tiers[1];
  EXPECT_TRUE(live.uses_aut);
  ASSERT_TRUE(live.aut);
  EXPECT_EQ(live.aut->executable, fs::path("/bin/true"));
  EXPECT_EQ(live.aut->args, std::vector<std::string>{"--headless"});
  ASSERT_EQ(live.entries.size(), 2u);
  const PlanEntry& wf = live.entries[0];
  EXPECT_TRUE(wf.uses_aut);
  EXPECT_EQ(wf.split, SplitMode::Suite);
  EXPECT_TRUE(wf.expect_fail);
  EXPECT_EQ(wf.xfail, std::vector<std::string>{"Suite.*"});
  EXPECT_EQ(wf.timeout, std::chrono::milliseconds(2500));
  const PlanEntry& script = live.entries[1];
  EXPECT_EQ(script.format, EntryFormat::Command);
  EXPECT_EQ(script.split, SplitMode::Binary) << "a tier's suite split does not apply to commands";
  EXPECT_EQ(script.executable, fs::path("sh"));
  EXPECT_EQ(script.args, (std::vector<std::string>{"-c", "exit 0"}));
}

TEST(BatcherPlan, ExpandsVariablesWithDefaults) {
  ::setenv("LIVEGUI_PLAN_TEST_DIR", "/opt/x", 1);
  Plan plan = parse_plan(R"(
[[tiers]]
name = "t"
[[tiers.entries]]
executable = "${LIVEGUI_PLAN_TEST_DIR}/a"
args = ["${LIVEGUI_PLAN_TEST_UNSET:-fallback}", "$${literal}"]
)",
                         "p.toml", "/");
  ::unsetenv("LIVEGUI_PLAN_TEST_DIR");
  const PlanEntry& e = plan.tiers[0].entries[0];
  EXPECT_EQ(e.executable, fs::path("/opt/x/a"));
  EXPECT_EQ(e.args, (std::vector<std::string>{"fallback", "${literal}"}));
  // docs/plan.md: "$$" is a literal "$" in every string; any other "$" stays.
  Plan shell = parse_plan(R"(
[[tiers]]
name = "t"
[[tiers.entries]]
name = "sh"
command = ["/bin/sh", "-c", "kill -SEGV $$$$; echo $$HOME $HOME $1 costs $5"]
)",
                          "p.toml", "/");
  EXPECT_EQ(shell.tiers[0].entries[0].args.back(), "kill -SEGV $$; echo $HOME $HOME $1 costs $5");
  EXPECT_EQ(e.unresolved, "/opt/x/a does not exist");
}

TEST(BatcherPlan, MissingNonExecutableAndUnmatchedEntriesAreUnresolvedNotErrors) {
  TempDir dir("plan");
  std::ofstream(dir / "plain") << "data";
  Plan plan = parse_plan(R"(
[[tiers]]
name = "t"
[[tiers.entries]]
executable = "nowhere"
[[tiers.entries]]
executable = "plain"
[[tiers.entries]]
executables = "test_*"
)",
                         "p.toml", dir.path());
  auto& es = plan.tiers[0].entries;
  ASSERT_EQ(es.size(), 3u);
  EXPECT_NE(es[0].unresolved.find("does not exist"), std::string::npos) << es[0].unresolved;
  EXPECT_NE(es[1].unresolved.find("is not executable"), std::string::npos) << es[1].unresolved;
  EXPECT_NE(es[2].unresolved.find("no executable file matches"), std::string::npos) << es[2].unresolved;
}

// A bare program name is looked up in PATH when the entry runs; one PATH
// does not hold is UNRESOLVED when the plan is read (as a missing path is),
// so --dry-run and --list report what the run would.
TEST(BatcherPlan, ACommandEntryWhoseProgramIsNotOnPathIsUnresolved) {
  Plan plan = parse_plan(
      "[[tiers]]\nname = \"t\"\n[[tiers.entries]]\nname = \"found\"\ncommand = [\"sh\", \"-c\", \"true\"]\n"
      "[[tiers.entries]]\nname = \"lost\"\ncommand = [\"no_such_program_h14\", \"-x\"]\n",
      "p.toml", "/nonexistent");
  auto& es = plan.tiers[0].entries;
  ASSERT_EQ(es.size(), 2u);
  EXPECT_EQ(es[0].unresolved, "");
  EXPECT_EQ(es[0].executable, "sh") << "kept as written; the run looks it up";
  const char* path = std::getenv("PATH");
  EXPECT_EQ(es[1].unresolved,
            "'no_such_program_h14' is not found in PATH (" + std::string(path ? path : "unset") + ")");
}

TEST(BatcherPlan, ErrorsNameFileLineColumnAndField) {
  EXPECT_EQ(plan_error("[[tiers]]\nname = \"a\"\n[[tiers.entries]]\nexecutable = \"x\"\nuses_aut = \"yes\"\n"),
            "p.toml:5:12: tiers[0].entries[0].uses_aut: must be true or false, got a string");
  EXPECT_EQ(plan_error("[[tiers]]\nname = \"a\"\n[[tiers.entries]]\nexecutable = \"x\"\nexpect = \"maybe\"\n"),
            "p.toml:5:10: tiers[0].entries[0].expect: is 'maybe'; expected one of: pass, fail");
  EXPECT_EQ(plan_error("[[tiers]]\nname = \"a\"\n[[tiers.entries]]\nexecutable = \"x\"\nsplit = \"file\"\n"),
            "p.toml:5:9: tiers[0].entries[0].split: is 'file'; expected one of: binary, suite");
  EXPECT_EQ(plan_error("[[tiers]]\nname = \"a\"\n[[tiers.entries]]\nargs = []\n"),
            "p.toml:3:1: tiers[0].entries[0]: an entry needs `executables` (a path or glob) or `command` (an argv "
            "array)");
  EXPECT_EQ(plan_error("[[tiers]]\nname = \"a\"\n[[tiers.entries]]\ncommand = [\"ls\"]\n"),
            "p.toml:4:11: tiers[0].entries[0].name: a `command` entry needs a `name`");
  // Found by the plan fuzzer (an entry with neither a program nor an unresolved reason).
  EXPECT_EQ(plan_error("[[tiers]]\nname = \"a\"\n[[tiers.entries]]\nname = \"path\"\ncommand = [\"\"]\n"),
            "p.toml:5:12: tiers[0].entries[0].command[0]: is empty: no program to run");
  EXPECT_EQ(plan_error("[[tiers]]\nnme = \"a\"\n"),
            "p.toml:2:1: tiers[0].nme: is not a known field (did you mean 'name'?); known fields: name, uses_aut, "
            "timeout, split, env, aut, entries, retry, test_timeout");
  EXPECT_EQ(plan_error("[[tiers]]\nname = \"a\"\nenv = { X = 1 }\n[[tiers.entries]]\nexecutable = \"x\"\n"),
            "p.toml:3:13: tiers[0].env.X: must be a string, got an integer");
  EXPECT_EQ(plan_error("[[tiers]]\nname = \"a\"\n[[tiers.entries]]\nexecutable = \"x\"\nargs = [\"-v\", 3]\n"),
            "p.toml:5:15: tiers[0].entries[0].args[1]: must be a string, got an integer");
  EXPECT_EQ(plan_error("[[tiers]]\nname = \"a\"\n[[tiers.entries]]\nexecutable = \"x\"\n[[tiers.entries]]\n"
                       "executable = \"y/x\"\n")
                .rfind("p.toml:5:1: name: tier \"a\" has two entries named \"x\"", 0),
            0u);
  EXPECT_EQ(plan_error("tiers = 3\n"),
            "p.toml:1:9: tiers: expected [[tiers]] tables (an array keeps their order explicit)");
  EXPECT_EQ(plan_error("title = \"x\"\n"), "p.toml:1:1: title: is not a known field; known fields: tiers");
  EXPECT_EQ(plan_error("[[tiers]]\nname = \"a\"\n[[tiers.entries]]\nexecutable = \"x\"\ntimeout = \"0s\"\n"),
            "p.toml:5:11: tiers[0].entries[0].timeout: is \"0s\"; must be positive");
  EXPECT_EQ(plan_error("[[tiers]]\nname = \"a\"\n[[tiers.entries]]\nexecutable = \"x\"\ntimeout = true\n"),
            "p.toml:5:11: tiers[0].entries[0].timeout: must be a duration such as \"500ms\", \"1s\" or \"2min\", got "
            "a boolean");
  EXPECT_EQ(plan_error("a = [\n").rfind("p.toml:1:7: not valid TOML: ", 0), 0u) << plan_error("a = [\n");
}

// Plans of earlier releases wrote `timeout = 90` (seconds). Still read, with
// one note for the whole plan naming where each was written.
TEST(BatcherPlan, BareNumberDurationsAreReadWithOneDeprecationNote) {
  Plan plan = parse_plan(
      "[[tiers]]\nname = \"t\"\ntimeout = 90\ntest_timeout = 1.5\n[[tiers.entries]]\nexecutable = \"x\"\n"
      "timeout = \"2min\"\n[[tiers.entries]]\nexecutable = \"y\"\ntimeout = 600\n",
      "p.toml", "/nonexistent");
  EXPECT_EQ(plan.tiers[0].timeout, 90s);
  EXPECT_EQ(plan.tiers[0].test_timeout, 1500ms);
  EXPECT_EQ(plan.tiers[0].entries[0].timeout, 2min);
  EXPECT_EQ(plan.tiers[0].entries[1].timeout, 10min);
  ASSERT_EQ(plan.notes.size(), 1u);
  EXPECT_EQ(plan.notes[0],
            "p.toml:3:11: tiers[0].timeout: a bare number of seconds is deprecated and goes away in the next release: "
            "write timeout = \"90s\" (and 2 more: p.toml:4:16 tiers[0].test_timeout, p.toml:10:11 "
            "tiers[0].entries[1].timeout)");
  // Strings only otherwise; a negative number is refused as before.
  EXPECT_EQ(plan_error("[[tiers]]\nname = \"a\"\n[[tiers.entries]]\nexecutable = \"x\"\ntimeout = -1\n"),
            "p.toml:5:11: tiers[0].entries[0].timeout: is -1; must be positive, written as a duration such as "
            "\"500ms\", \"1s\" or \"2min\"");
  // A plan of strings gets no note.
  EXPECT_TRUE(parse_plan("[[tiers]]\nname = \"t\"\ntimeout = \"90s\"\n[[tiers.entries]]\nexecutable = \"x\"\n",
                         "p.toml", "/nonexistent")
                  .notes.empty());
}

// ${VAR} in the `aut` table is expanded in place; an unset variable is
// reported at the string that names it, not at the table.
TEST(BatcherPlan, AVariableErrorInsideTheAutTablePointsAtTheField) {
  const std::string entries = "[[tiers.entries]]\nexecutable = \"x\"\n";
  EXPECT_EQ(plan_error("[[tiers]]\nname = \"live\"\n[tiers.aut]\nexecutable = \"/bin/true\"\n"
                       "args = [\"--a\", \"${NO_SUCH_VAR_H14}\"]\n" +
                       entries),
            "p.toml:5:16: tiers[0].aut.args[1]: variable ${NO_SUCH_VAR_H14} is not set (write "
            "${NO_SUCH_VAR_H14:-default} to give a default)");
  EXPECT_EQ(plan_error("[[tiers]]\nname = \"live\"\naut = { env = { A = \"${NO_SUCH_VAR_H14}\" } }\n" + entries),
            "p.toml:3:21: tiers[0].aut.env.A: variable ${NO_SUCH_VAR_H14} is not set (write "
            "${NO_SUCH_VAR_H14:-default} to give a default)");
  // Outside the aut table too: the element, not the array.
  EXPECT_EQ(plan_error("[[tiers]]\nname = \"a\"\n[[tiers.entries]]\nexecutable = \"x\"\n"
                       "args = [\"-v\", \"${NO_SUCH_VAR_H14}\"]\n"),
            "p.toml:5:15: tiers[0].entries[0].args[1]: variable ${NO_SUCH_VAR_H14} is not set (write "
            "${NO_SUCH_VAR_H14:-default} to give a default)");
}

// The `aut` table is read once, by AppSpec::from_toml, straight from the
// plan's own table: positions are the user's, not those of re-printed text.
TEST(BatcherPlan, AutTableErrorsNameTheUsersFileLineAndColumn) {
  const std::string head =
      "[[tiers]]\nname = \"live\"\nuses_aut = true\n[tiers.aut]\nexecutable = \"/bin/true\"\n"
      "args = [\"--headless\"]\n";
  const std::string entries = "[[tiers.entries]]\nexecutable = \"x\"\n";
  EXPECT_EQ(plan_error(head + "readyness = \"port_file\"\n" + entries)
                .rfind("p.toml:7:1: tiers[0].aut.readyness: is not a known field (did you mean 'readiness'?); known "
                       "fields: executable, args, env, ",
                       0),
            0u);
  EXPECT_EQ(plan_error(head + "term_grace = \"oops\"\n" + entries),
            "p.toml:7:14: tiers[0].aut.term_grace: is \"oops\"; expected a duration such as \"500ms\", \"1s\" or "
            "\"2min\"");
  EXPECT_EQ(plan_error(head + "\nport = 70000\n" + entries),
            "p.toml:8:8: tiers[0].aut.port: must be in 0..65535, got 70000");
  // Inline tables too, after ${VAR} expansion (which keeps positions).
  EXPECT_EQ(plan_error("[[tiers]]\nname = \"live\"\n\naut = { executable = \"${NO_SUCH_DIR_X:-/nonexistent}/app\" }\n" +
                       entries),
            "p.toml:4:22: tiers[0].aut.executable: /nonexistent/app does not exist (No such file or directory); is "
            "it built?");
  EXPECT_EQ(plan_error("[[tiers]]\nname = \"live\"\naut = { args = [] }\n" + entries),
            "p.toml:3:7: tiers[0].aut.executable: is missing; give the path of the app to run");
}

TEST(BatcherPlan, AutExecutableBareNamesAreFoundOnPath) {
  // The issue's case: it used to fail with "<plan dir>/sleep does not exist".
  Plan plan = parse_plan(
      "[[tiers]]\nname = \"live\"\naut = { executable = \"sleep\" }\n[[tiers.entries]]\n"
      "executable = \"x\"\n",
      "p.toml", "/nonexistent");
  ASSERT_TRUE(plan.tiers[0].aut);
  EXPECT_TRUE(plan.tiers[0].aut->executable.is_absolute()) << plan.tiers[0].aut->executable;
  EXPECT_EQ(plan.tiers[0].aut->executable.filename(), "sleep");
  EXPECT_NE(plan.tiers[0].aut->executable.parent_path(), fs::path("/nonexistent"));
}

TEST(BatcherPlan, AutDurationsUseThePlansSyntaxAndOldFieldsGetANote) {
  Plan plan = parse_plan(
      "[[tiers]]\nname = \"live\"\n[tiers.aut]\nexecutable = \"/bin/true\"\nterm_grace = \"1s\"\n"
      "ready_timeout = \"2min\"\nheartbeat_threshold = \"500ms\"\nkill_wait_ms = 1500\n"
      "[[tiers.entries]]\nexecutable = \"x\"\n",
      "p.toml", "/nonexistent");
  ASSERT_TRUE(plan.tiers[0].aut);
  EXPECT_EQ(plan.tiers[0].aut->term_grace, 1s);
  EXPECT_EQ(plan.tiers[0].aut->ready_timeout, 2min);
  EXPECT_EQ(plan.tiers[0].aut->heartbeat_threshold, 500ms);
  EXPECT_EQ(plan.tiers[0].aut->kill_wait, 1500ms);
  ASSERT_EQ(plan.notes.size(), 1u);
  EXPECT_EQ(plan.notes[0],
            "p.toml:8:16: tiers[0].aut: 'kill_wait_ms' is deprecated and goes away in the next release: write "
            "kill_wait = \"1500ms\"");
}

TEST(BatcherPlan, LoadPlanResolvesPathsAgainstThePlanDirectory) {
  TempDir dir("plan");
  fs::create_directories(dir / "sub" / "bin");
  make_exe(dir / "sub" / "bin" / "t1");
  std::ofstream(dir / "sub" / "plan.toml") << "[[tiers]]\nname = \"a\"\n[[tiers.entries]]\nexecutables = \"bin/*\"\n";
  Plan plan = load_plan(dir / "sub" / "plan.toml");
  ASSERT_EQ(plan.tiers[0].entries.size(), 1u);
  EXPECT_EQ(plan.tiers[0].entries[0].executable, dir / "sub" / "bin" / "t1");
  EXPECT_TRUE(plan.tiers[0].entries[0].unresolved.empty());
  EXPECT_THROW(load_plan(dir / "missing.toml"), PlanError);
}

TEST(BatcherPlan, QuickFormSkipsDirectoriesAndNonExecutables) {
  TempDir dir("plan");
  make_exe(dir / "test_one");
  std::ofstream(dir / "CTestTestfile.cmake") << "x";
  fs::create_directories(dir / "CMakeFiles");
  QuickPlanOptions o;
  o.uses_aut = true;
  QuickPlan q = quick_plan({(dir / "test_one").string(), (dir / "CTestTestfile.cmake").string(),
                            (dir / "CMakeFiles").string(), (dir / "test_missing").string()},
                           o);
  ASSERT_EQ(q.plan.tiers.size(), 1u);
  auto& es = q.plan.tiers[0].entries;
  ASSERT_EQ(es.size(), 2u);
  EXPECT_EQ(es[0].name, "test_one");
  EXPECT_TRUE(es[0].uses_aut);
  EXPECT_EQ(es[1].name, "test_missing");
  EXPECT_NE(es[1].unresolved.find("does not exist"), std::string::npos);
  EXPECT_EQ(q.skipped.size(), 2u);
}

// The batcher appends --junitxml, -p livegui_pytest and --deselect to a
// pytest entry's argv; after "--" pytest takes them for file names. Refused
// when the plan is read (so --dry-run says it too), at the offending element.
TEST(BatcherPlan, APytestEntryWithEndOfOptionsIsRefusedAtItsElement) {
  const std::string head = "[[tiers]]\nname = \"t\"\n[[tiers.entries]]\nname = \"b\"\nformat = \"pytest\"\n";
  std::string e = plan_error(head + "command = [\"/usr/bin/python3\", \"-m\", \"pytest\", \"tests\", \"--\"]\n");
  EXPECT_EQ(
      e.rfind("p.toml:6:57: tiers[0].entries[0].command[4]: a format = \"pytest\" entry cannot have \"--\" in its argv",
              0),
      0u)
      << e;
  EXPECT_NE(e.find("--junitxml"), std::string::npos) << e;
  // Anywhere in the argv, not only at its end; on its own line in a multi-line array.
  e = plan_error(head + "command = [\n  \"/usr/bin/python3\",\n  \"-m\", \"pytest\",\n  \"--\",\n  \"tests\",\n]\n");
  EXPECT_EQ(e.rfind("p.toml:9:3: tiers[0].entries[0].command[3]: ", 0), 0u) << e;
  // From the entry's `args`, appended to the command.
  e = plan_error(head + "command = [\"/usr/bin/python3\", \"-m\", \"pytest\"]\nargs = [\"-q\", \"--\", \"tests\"]\n");
  EXPECT_EQ(e.rfind("p.toml:7:15: tiers[0].entries[0].args[1]: ", 0), 0u) << e;
  // Not a pytest entry: its argv is its own business.
  EXPECT_NO_THROW(
      parse_plan("[[tiers]]\nname = \"t\"\n[[tiers.entries]]\nname = \"b\"\ncommand = [\"/bin/echo\", \"--\"]\n",
                 "p.toml", "/nonexistent"));
  // "--x" or "--junitxml=…" are options, not the end of options.
  EXPECT_NO_THROW(parse_plan(head + "command = [\"/usr/bin/python3\", \"-m\", \"pytest\", \"--tb=short\", \"tests\"]\n",
                             "p.toml", "/nonexistent"));
}

// With --collect-only (and the like) pytest runs no test and exits 0: the
// entry would PASS having tested nothing. Refused when the plan is read (so
// --dry-run says it too), at the element that says it, with why.
TEST(BatcherPlan, APytestEntryThatWouldRunNoTestIsRefusedAtItsElement) {
  const std::string head = "[[tiers]]\nname = \"t\"\n[[tiers.entries]]\nname = \"b\"\nformat = \"pytest\"\n";
  const std::string python = "command = [\"/usr/bin/python3\", \"-m\", \"pytest\"";
  EXPECT_EQ(
      plan_error(head + python + ", \"tests\", \"--collect-only\"]\n"),
      "p.toml:6:57: tiers[0].entries[0].command[4]: a format = \"pytest\" entry cannot have \"--collect-only\" in "
      "its argv: pytest would only collect the tests, not run them; the entry would PASS with no test run. Run it "
      "outside the plan, or use livegui-batch --dry-run / --list to see what runs");
  EXPECT_EQ(plan_error(head + python + "]\nargs = [\"-q\", \"--co\"]\n"),
            "p.toml:7:15: tiers[0].entries[0].args[1]: a format = \"pytest\" entry cannot have \"--co\" in its argv: "
            "pytest would only collect the tests, not run them; the entry would PASS with no test run. Run it "
            "outside the plan, or use livegui-batch --dry-run / --list to see what runs");
  EXPECT_EQ(
      plan_error(head + python + ", \"--setup-plan\"]\n")
          .rfind(
              "p.toml:6:48: tiers[0].entries[0].command[3]: a format = \"pytest\" entry cannot have \"--setup-plan\" "
              "in its argv: pytest would only show the fixtures and tests it would set up, not run them; ",
              0),
      0u);
  EXPECT_EQ(plan_error(head + python + ", \"--fixtures\", \"tests\"]\n")
                .rfind("p.toml:6:48: tiers[0].entries[0].command[3]: a format = \"pytest\" entry cannot have "
                       "\"--fixtures\" in its argv: pytest would only list the fixtures, not run the tests; ",
                       0),
            0u);
  // Through $PYTEST_ADDOPTS, which pytest reads as more arguments.
  EXPECT_EQ(plan_error(head + python + "]\nenv = { PYTEST_ADDOPTS = \"-q '--co'\" }\n")
                .rfind("p.toml:7:26: tiers[0].entries[0].env.PYTEST_ADDOPTS: a format = \"pytest\" entry cannot have "
                       "\"--co\" in $PYTEST_ADDOPTS: pytest would only collect the tests, not run them; ",
                       0),
            0u);
  // Options that run the tests stay; a command entry's argv is its own business.
  EXPECT_NO_THROW(
      parse_plan(head + python + ", \"--collect-only-x\", \"-x\", \"--cov\", \"tests\"]\n", "p.toml", "/nonexistent"));
  EXPECT_NO_THROW(
      parse_plan("[[tiers]]\nname = \"t\"\n[[tiers.entries]]\nname = \"b\"\ncommand = [\"/usr/bin/python3\", \"-m\", "
                 "\"pytest\", \"--co\"]\n",
                 "p.toml", "/nonexistent"));
}

TEST(BatcherPlan, ParsesDurations) {
  EXPECT_EQ(parse_duration("90s"), std::chrono::milliseconds(90000));
  EXPECT_EQ(parse_duration("500ms"), std::chrono::milliseconds(500));
  EXPECT_EQ(parse_duration("2min"), std::chrono::milliseconds(120000));
  EXPECT_EQ(parse_duration("1.5"), std::chrono::milliseconds(1500));
  EXPECT_FALSE(parse_duration("soon"));
  EXPECT_FALSE(parse_duration("-3s"));
  EXPECT_FALSE(parse_duration("3 parsecs"));
}

}  // namespace
}  // namespace livegui::batch
