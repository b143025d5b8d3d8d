// pytest's errors (not assertions) end to end, through the real livegui-batch
// and the livegui_pytest plugin (issue 15 leftovers): a fixture that raises in
// set-up or tear-down, a test file pytest cannot collect, a conftest.py it
// cannot import. Each is said in pytest's terms, in every report.
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "harness/subprocess.hpp"
#include "tests/e2e/e2e_support.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_paths.hpp"

namespace livegui::test_support {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
namespace fs = std::filesystem;

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

/// A plan with one tier of pytest entries, each running `file` from the temp dir.
std::string plan_of(const std::vector<std::pair<std::string, std::string>>& entries) {
  std::string plan = "[[tiers]]\nname = \"py\"\nenv = { PYTHONPATH = \"" + source("python").string() +
                     "\", PYTHONDONTWRITEBYTECODE = \"1\" }\n";
  for (const auto& [name, file] : entries)
    plan += "[[tiers.entries]]\nname = \"" + name +
            "\"\nformat = \"pytest\"\ncwd = \".\"\ncommand = [\"" LIVEGUI_PYTHON3
            "\", \"-m\", \"pytest\", \"-q\", \"-p\", \"no:cacheprovider\", \"" +
            file + "\"]\n";
  return plan;
}

BatchRun run_plan(const TempDir& dir) {
  return run_livegui_batch({(dir / "plan.toml").string(), "--report-dir", (dir / "report").string()}, dir.path(), {},
                           120s);
}

/// The <testcase …>…</testcase> of junit.xml whose name is `name` ("" when none).
std::string junit_case(const std::string& xml, const std::string& name) {
  auto at = xml.find("name=\"" + name + "\"");
  if (at == std::string::npos) return {};
  auto end = xml.find("</testcase>", at);
  return xml.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

// A fixture that raises is pytest's *error*, not a failure: results.json's
// error_in, junit.xml's <error>, and "error in set-up" in the console and
// report.html. A body failure with a tear-down error says both.
TEST(PytestErrors, AFixtureThatRaisesIsAnErrorInItsPhaseInEveryReport) {
  TempDir dir("pytest-errors");
  write(dir / "tests" / "test_phases.py",
        "import pytest\n\n"
        "@pytest.fixture\ndef broken_setup():\n    raise RuntimeError('set-up exploded')\n\n"
        "@pytest.fixture\ndef broken_teardown():\n    yield 1\n    raise RuntimeError('tear-down exploded')\n\n"
        "def test_setup(broken_setup):\n    pass\n\n"
        "def test_teardown(broken_teardown):\n    pass\n\n"
        "def test_both(broken_teardown):\n    assert 1 == 2\n\n"
        "def test_passes():\n    pass\n");
  write(dir / "plan.toml", plan_of({{"phases", "tests/test_phases.py"}}));
  BatchRun r = run_plan(dir);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  ASSERT_TRUE(fs::exists(dir / "report" / "results.json")) << r.output;
  json doc = json::parse(read_text(dir / "report" / "results.json"));
  const json* e = find_entry(doc, "phases");
  ASSERT_NE(e, nullptr) << r.output;
  const json* setup = find_test(*e, "tests/test_phases.py::test_setup");
  const json* teardown = find_test(*e, "tests/test_phases.py::test_teardown");
  const json* both = find_test(*e, "tests/test_phases.py::test_both");
  ASSERT_TRUE(setup && teardown && both) << e->dump(1);
  EXPECT_EQ((*setup)["result"], "FAIL");
  EXPECT_EQ(setup->value("error_in", ""), "setup") << setup->dump(1);
  EXPECT_EQ(setup->value("message", ""), "error in set-up: RuntimeError: set-up exploded") << setup->dump(1);
  EXPECT_EQ(teardown->value("error_in", ""), "teardown") << teardown->dump(1);
  EXPECT_EQ(teardown->value("message", "").rfind("error in tear-down: RuntimeError: tear-down exploded", 0), 0u)
      << teardown->dump(1);
  EXPECT_EQ(both->value("error_in", ""), "call-and-teardown") << both->dump(1);
  EXPECT_EQ(both->value("message", "").rfind("failed, then errored in tear-down: assert 1 == 2", 0), 0u)
      << both->dump(1);
  EXPECT_NE(both->value("message", "").find("tear-down exploded"), std::string::npos) << both->dump(1);

  const std::string xml = read_text(dir / "report" / "junit.xml");
  EXPECT_NE(junit_case(xml, "tests/test_phases.py::test_setup").find("<error"), std::string::npos) << xml;
  EXPECT_EQ(junit_case(xml, "tests/test_phases.py::test_setup").find("<failure"), std::string::npos) << xml;
  EXPECT_NE(junit_case(xml, "tests/test_phases.py::test_teardown").find("<error"), std::string::npos) << xml;
  EXPECT_NE(junit_case(xml, "tests/test_phases.py::test_both").find("<failure"), std::string::npos) << xml;
  EXPECT_NE(junit_case(xml, "tests/test_phases.py::test_both").find("<error type=\"teardown\""), std::string::npos)
      << xml;

  EXPECT_NE(r.output.find("error in set-up: RuntimeError: set-up exploded"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("error in tear-down: RuntimeError: tear-down exploded"), std::string::npos) << r.output;
  const std::string html = read_text(dir / "report" / "report.html");
  EXPECT_NE(html.find("error in set-up: RuntimeError: set-up exploded"), std::string::npos);
}

// A test file with a SyntaxError is named by its file, and its reproduce
// line runs pytest on that file (it named "tests.bad", which pytest cannot
// find: "file or directory not found").
TEST(PytestErrors, ACollectionErrorIsNamedByItsFileAndItsReproduceLineRuns) {
  TempDir dir("pytest-collect");
  write(dir / "tests" / "bad.py", "def test_x(:\n    pass\n");
  write(dir / "plan.toml", plan_of({{"bad", "tests/bad.py"}}));
  BatchRun r = run_plan(dir);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  ASSERT_TRUE(fs::exists(dir / "report" / "results.json")) << r.output;
  json doc = json::parse(read_text(dir / "report" / "results.json"));
  const json* e = find_entry(doc, "bad");
  ASSERT_NE(e, nullptr) << r.output;
  const json* bad = find_test(*e, "tests/bad.py");
  ASSERT_NE(bad, nullptr) << e->dump(1);
  EXPECT_EQ((*bad)["result"], "FAIL");
  EXPECT_EQ(bad->value("error_in", ""), "collection") << bad->dump(1);
  EXPECT_EQ(bad->value("message", ""), "collection error in tests/bad.py: SyntaxError: invalid syntax") << bad->dump(1);
  EXPECT_EQ(find_test(*e, "tests.bad"), nullptr) << e->dump(1);
  EXPECT_NE(r.output.find("collection error in tests/bad.py: SyntaxError: invalid syntax"), std::string::npos)
      << r.output;
  EXPECT_NE(read_text(dir / "report" / "junit.xml").find("name=\"tests/bad.py\""), std::string::npos);

  // The line runs: pytest collects the file again and says the same.
  std::string repro = bad->value("reproduce", e->value("reproduce", ""));
  ASSERT_NE(repro.find("tests/bad.py"), std::string::npos) << repro;
  SpawnOptions opt;
  opt.executable = "/bin/sh";
  opt.args = {"-c", repro};
  opt.cwd = dir.path();
  opt.output_file = dir / "repro.log";
  Subprocess p = Subprocess::spawn(opt);
  auto status = p.wait_for(120s);
  if (!status) p.stop(2s, 2s);
  ASSERT_TRUE(status) << repro;
  const std::string said = read_text(dir / "repro.log");
  EXPECT_EQ(status->code, 2) << repro << "\n" << said;  // pytest: interrupted by a collection error
  EXPECT_NE(said.find("ERROR collecting tests/bad.py"), std::string::npos) << repro << "\n" << said;
  EXPECT_NE(said.find("SyntaxError"), std::string::npos) << said;
}

// The same file run with format = "junit" (pytest --junitxml={junit}, no
// event stream) says the same as format = "pytest", field by field: pytest's
// set-up and tear-down errors are errors in their phase, and its doubled
// testcase (a body's <failure>, then its tear-down's <error>) is one result
// saying both (trialm c/test_errs.py: plain FAILs "error: failed on setup
// with …", no error_in, and two results for the doubled test before).
TEST(PytestErrors, AJunitOnlyEntrySaysPytestsErrorsAsTheStreamDoes) {
  TempDir dir("pytest-junit-errors");
  write(dir / "test_errs.py",
        "import pytest\n\n"
        "@pytest.fixture\ndef bad_setup():\n    raise RuntimeError('setup boom')\n\n"
        "@pytest.fixture\ndef bad_teardown():\n    yield 1\n    raise RuntimeError('teardown boom')\n\n"
        "def test_setup_error(bad_setup):\n    pass\n\n"
        "def test_teardown_error(bad_teardown):\n    pass\n\n"
        "def test_fail_and_teardown_error(bad_teardown):\n    assert 1 == 2\n\n"
        "def test_plain_fail():\n    assert 3 == 4\n\n"
        "def test_pass():\n    pass\n");
  write(dir / "plan.toml", plan_of({{"as_pytest", "test_errs.py"}}) +
                               "[[tiers.entries]]\nname = \"as_junit\"\nformat = \"junit\"\ncwd = \".\"\n"
                               "command = [\"" LIVEGUI_PYTHON3
                               "\", \"-m\", \"pytest\", \"-q\", \"-p\", \"no:cacheprovider\", \"test_errs.py\", "
                               "\"--junitxml={junit}\"]\n");
  BatchRun r = run_plan(dir);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  ASSERT_TRUE(fs::exists(dir / "report" / "results.json")) << r.output;
  json doc = json::parse(read_text(dir / "report" / "results.json"));
  const json* streamed = find_entry(doc, "as_pytest");
  const json* junit = find_entry(doc, "as_junit");
  ASSERT_TRUE(streamed && junit) << r.output;
  EXPECT_EQ((*junit)["result"], (*streamed)["result"]);
  ASSERT_EQ((*junit)["tests"].size(), 5u) << junit->dump(1);
  ASSERT_EQ((*streamed)["tests"].size(), 5u) << streamed->dump(1);
  for (const char* test :
       {"test_setup_error", "test_teardown_error", "test_fail_and_teardown_error", "test_plain_fail", "test_pass"}) {
    const json* s = find_test(*streamed, std::string("test_errs.py::") + test);
    const json* j = find_test(*junit, std::string("test_errs.") + test);
    ASSERT_TRUE(s && j) << test << "\n" << junit->dump(1);
    for (const char* field : {"result", "is_failure", "error_in", "message", "aut_unhealthy", "attempt"})
      EXPECT_EQ(j->value(field, json()), s->value(field, json())) << test << " ." << field;
  }
  EXPECT_EQ(find_test(*junit, "test_errs.test_setup_error")->value("message", ""),
            "error in set-up: RuntimeError: setup boom");
  EXPECT_EQ(find_test(*junit, "test_errs.test_fail_and_teardown_error")->value("error_in", ""), "call-and-teardown");

  // junit.xml files the set-up error as an <error>, the console says "error in set-up".
  const std::string xml = read_text(dir / "report" / "junit.xml");
  const std::string setup_case = junit_case(xml, "test_errs.test_setup_error");
  EXPECT_NE(setup_case.find("<error"), std::string::npos) << xml;
  EXPECT_EQ(setup_case.find("<failure"), std::string::npos) << xml;
  EXPECT_NE(r.output.find("as_junit test_errs.test_setup_error — error in set-up: RuntimeError: setup boom"),
            std::string::npos)
      << r.output;
}

// A conftest.py pytest cannot import makes it exit 4, which it calls a
// "command line usage error": the result says so, with pytest's own line.
TEST(PytestErrors, ABrokenConftestIsSaidInPytestsWords) {
  TempDir dir("pytest-conftest");
  write(dir / "cf" / "conftest.py", "import no_such_module_xyz\n");
  write(dir / "cf" / "test_a.py", "def test_a():\n    pass\n");
  write(dir / "plan.toml", plan_of({{"cf", "cf/test_a.py"}}));
  BatchRun r = run_plan(dir);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  ASSERT_TRUE(fs::exists(dir / "report" / "results.json")) << r.output;
  json doc = json::parse(read_text(dir / "report" / "results.json"));
  const json* e = find_entry(doc, "cf");
  ASSERT_NE(e, nullptr) << r.output;
  EXPECT_EQ((*e)["result"], "UNRESOLVED") << e->dump(1);
  const std::string said =
      "exit code 4, in its words a \"command line usage error\" (an option it refused, or a "
      "conftest.py it could not import): ImportError while loading conftest '" +
      (dir / "cf" / "conftest.py").string() + "'. ModuleNotFoundError: No module named 'no_such_module_xyz'";
  EXPECT_NE(e->dump().find(json(said).dump().substr(1, json(said).dump().size() - 2)), std::string::npos) << e->dump(1);
  EXPECT_NE(r.output.find("ImportError while loading conftest"), std::string::npos) << r.output;
}

TEST(PytestErrors, APluginPythonCannotImportIsSaidInPythonsWords) {
  // Trial12a: a pytest entry without PYTHONPATH said only "the runner ended
  // (exit code 1) without a complete JUnit report"; why was in its log.
  TempDir dir("pytest-no-plugin");
  write(dir / "np" / "test_a.py", "def test_a():\n    pass\n");
  std::string plan = plan_of({{"np", "np/test_a.py"}});
  const std::string python_path = source("python").string();
  plan.replace(plan.find(python_path), python_path.size(), (dir / "empty").string());
  fs::create_directories(dir / "empty");
  write(dir / "plan.toml", plan);
  BatchRun r = run_plan(dir);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  json doc = json::parse(read_text(dir / "report" / "results.json"));
  const json* e = find_entry(doc, "np");
  ASSERT_NE(e, nullptr) << r.output;
  EXPECT_EQ((*e)["result"], "UNRESOLVED") << e->dump(1);
  const std::string said = "its output ends: ImportError: Error importing plugin \"livegui_pytest\": No module named "
                           "'livegui_pytest'";
  EXPECT_NE(r.output.find(said), std::string::npos) << r.output;
}

}  // namespace
}  // namespace livegui::test_support
