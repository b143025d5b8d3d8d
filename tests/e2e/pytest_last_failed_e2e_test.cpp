// --last-failed of a pytest entry, end to end (the real livegui-batch and
// pytest, no AUT): only the node ids that failed run — parametrized ids,
// ids with "[" and "::" inside, a class's test — never the whole file
// (issue 16: "run only the entries and tests that failed"; trial 12a ran
// 4 PASS + 1 FAIL again).
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/e2e/e2e_support.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_paths.hpp"

namespace livegui::test_support {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
namespace fs = std::filesystem;

/// name → result of entry "f" in results.json.
std::map<std::string, std::string> results_of(const fs::path& report, const std::string& output) {
  std::map<std::string, std::string> out;
  json doc = json::parse(read_text(report / "results.json"));
  const json* e = find_entry(doc, "f");
  if (!e) {
    ADD_FAILURE() << "no entry f: " << output;
    return out;
  }
  for (const auto& t : (*e)["tests"]) out[t["name"].get<std::string>()] = t["result"].get<std::string>();
  return out;
}

TEST(PytestLastFailed, RunsOnlyTheFailingNodeIdsOfTheFile) {
  TempDir dir("pytest-last-failed");
  std::ofstream(dir / "test_lf.py") << "import pytest\n"
                                       "def test_a(): pass\n"
                                       "def test_fail(): assert 1 == 2\n"
                                       "def test_fail_not(): pass\n"
                                       "@pytest.mark.parametrize('x', ['ok', 'a::b[c]'])\n"
                                       "def test_param(x): assert x == 'ok'\n"
                                       "class TestK:\n"
                                       "    def test_m(self): assert False\n"
                                       "    def test_n(self): pass\n";
  std::ofstream(dir / "plan.toml") << "[[tiers]]\nname = \"py\"\nenv = { PYTHONPATH = \"" << source("python").string()
                                   << "\", PYTHONDONTWRITEBYTECODE = \"1\" }\n[[tiers.entries]]\nname = \"f\"\n"
                                      "format = \"pytest\"\ncwd = \".\"\ncommand = [\"" LIVEGUI_PYTHON3
                                      "\", \"-m\", \"pytest\", \"-q\", \"-p\", \"no:cacheprovider\", \"test_lf.py\"]\n";
  const fs::path report = dir / "report";
  const std::vector<std::string> base = {(dir / "plan.toml").string(), "--report-dir", report.string()};
  BatchRun first = run_livegui_batch(base, dir.path(), {}, 120s);
  EXPECT_EQ(first.exit_code, 1) << first.output;
  const std::map<std::string, std::string> failures = {{"test_lf.py::test_fail", "FAIL"},
                                                       {"test_lf.py::test_param[a::b[c]]", "FAIL"},
                                                       {"test_lf.py::TestK::test_m", "FAIL"}};
  auto all = results_of(report, first.output);
  ASSERT_EQ(all.size(), 7u) << first.output;
  for (const auto& [name, result] : failures) EXPECT_EQ(all[name], result) << name << "\n" << first.output;

  std::vector<std::string> again = base;
  again.push_back("--last-failed");
  BatchRun rerun = run_livegui_batch(again, dir.path(), {}, 120s);
  EXPECT_EQ(rerun.exit_code, 1) << rerun.output;
  EXPECT_EQ(results_of(report, rerun.output), failures) << rerun.output;
}

TEST(PytestLastFailed, EarlierFailuresPytestNoLongerCollectsAreSkippedNotAnError) {
  // Trial12c: the failing tests deleted since, --last-failed said "pytest
  // collected no tests (exit code 5)", UNRESOLVED, exit 1.
  TempDir dir("pytest-last-failed-gone");
  std::ofstream(dir / "test_gone.py") << "def test_a(): pass\ndef test_fail(): assert 1 == 2\n";
  std::ofstream(dir / "plan.toml") << "[[tiers]]\nname = \"py\"\nenv = { PYTHONPATH = \"" << source("python").string()
                                   << "\", PYTHONDONTWRITEBYTECODE = \"1\" }\n[[tiers.entries]]\nname = \"f\"\n"
                                      "format = \"pytest\"\ncwd = \".\"\ncommand = [\"" LIVEGUI_PYTHON3
                                      "\", \"-m\", \"pytest\", \"-q\", \"-p\", \"no:cacheprovider\", \"test_gone.py\"]\n";
  const fs::path report = dir / "report";
  const std::vector<std::string> base = {(dir / "plan.toml").string(), "--report-dir", report.string()};
  BatchRun first = run_livegui_batch(base, dir.path(), {}, 120s);
  EXPECT_EQ(first.exit_code, 1) << first.output;
  std::ofstream(dir / "test_gone.py", std::ios::trunc) << "def test_a(): pass\n";  // the failing test deleted
  std::vector<std::string> again = base;
  again.push_back("--last-failed");
  BatchRun rerun = run_livegui_batch(again, dir.path(), {}, 120s);
  EXPECT_EQ(rerun.exit_code, 0) << rerun.output;
  EXPECT_EQ(results_of(report, rerun.output), (std::map<std::string, std::string>{{"test_gone.py::test_fail", "SKIPPED"}}))
      << rerun.output;
  json doc = json::parse(read_text(report / "results.json"));
  EXPECT_NE(doc.dump().find("not run: pytest no longer collects this earlier failure"), std::string::npos) << doc.dump(1);
}

}  // namespace
}  // namespace livegui::test_support
