// The resume of a pytest file after its process died, end to end (the real
// livegui-batch and pytest, no AUT): the decided tests are left out exactly —
// pytest's own --deselect matches node ids by prefix, so it took test_ab
// along with test_a — and a test that stops pytest itself (pytest.exit(),
// KeyboardInterrupt) is neither a nameless PASS nor resumed past.
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/e2e/e2e_support.hpp"
#include "tests/support/batch_process.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_paths.hpp"

namespace livegui::test_support {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
namespace fs = std::filesystem;

void write(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }

std::string plan_of(const std::string& file, const std::string& extra = "") {
  return "[[tiers]]\nname = \"py\"\nenv = { PYTHONPATH = \"" + source("python").string() +
         "\", PYTHONDONTWRITEBYTECODE = \"1\" }\n[[tiers.entries]]\nname = \"f\"\nformat = \"pytest\"\ncwd = \".\"\n" +
         extra + "command = [\"" LIVEGUI_PYTHON3 "\", \"-m\", \"pytest\", \"-q\", \"-p\", \"no:cacheprovider\", \"" +
         file + "\"]\n";
}

/// name → result of entry "f" in results.json; every test once.
std::map<std::string, std::string> results_of(const TempDir& dir, const std::string& output) {
  std::map<std::string, std::string> out;
  json doc = json::parse(read_text(dir / "report" / "results.json"));
  const json* e = find_entry(doc, "f");
  if (!e) {
    ADD_FAILURE() << "no entry f: " << output;
    return out;
  }
  for (const auto& t : (*e)["tests"]) {
    const std::string name = t["name"].get<std::string>();
    EXPECT_TRUE(out.emplace(name, t["result"].get<std::string>()).second) << "twice: " << name;
  }
  return out;
}

TEST(PytestResume, ATestWhoseIdStartsWithADecidedOnesStillRuns) {
  TempDir dir("pytest-resume-prefix");
  write(dir / "test_p.py",
        "import os, signal\n"
        "def test_a(): pass\n"
        "def test_kill(): os.kill(os.getpid(), signal.SIGKILL)\n"
        "def test_ab(): pass\n"
        "def test_killer(): pass\n"
        "def test_z(): pass\n");
  write(dir / "plan.toml", plan_of("test_p.py"));
  BatchRun r = run_livegui_batch({(dir / "plan.toml").string(), "--report-dir", (dir / "report").string()}, dir.path(),
                                 {}, 120s);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_EQ(results_of(dir, r.output), (std::map<std::string, std::string>{{"test_p.py::test_a", "PASS"},
                                                                           {"test_p.py::test_kill", "CRASH"},
                                                                           {"test_p.py::test_ab", "PASS"},
                                                                           {"test_p.py::test_killer", "PASS"},
                                                                           {"test_p.py::test_z", "PASS"}}))
      << r.output;
}

class PytestStopsItself : public ::testing::TestWithParam<std::string> {};

TEST_P(PytestStopsItself, TheTestIsUnresolvedAndTheRestNotRunNeverANamelessPass) {
  TempDir dir("pytest-stops-itself");
  write(dir / "test_s.py",
        "import pytest\n"
        "def test_a(): pass\n"
        "def test_b(): " +
            GetParam() +
            "\n"
            "def test_c(): pass\n");
  write(dir / "plan.toml", plan_of("test_s.py"));
  BatchRun r = run_livegui_batch({(dir / "plan.toml").string(), "--report-dir", (dir / "report").string()}, dir.path(),
                                 {}, 120s);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_EQ(results_of(dir, r.output),
            (std::map<std::string, std::string>{
                {"test_s.py::test_a", "PASS"}, {"test_s.py::test_b", "UNRESOLVED"}, {"test_s.py::test_c", "SKIPPED"}}))
      << r.output;
  EXPECT_NE(r.output.find("pytest stopped itself during this test"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("attempt 2"), std::string::npos) << "no resume past a deliberate stop:\n" << r.output;
}

INSTANTIATE_TEST_SUITE_P(Ways, PytestStopsItself,
                         ::testing::Values("pytest.exit('enough', returncode=0)", "raise KeyboardInterrupt"),
                         [](const auto& info) { return info.index == 0 ? "PytestExit" : "KeyboardInterrupt"; });

// Trial15c: under pytest-xdist (Debian's python3-pytest-xdist) the
// controller interleaves its workers' starts and ends; test_timeout timed
// only the last test started, so a hung one ran to the entry's timeout and
// was reported "not run".
TEST(PytestResume, UnderXdistAHungTestIsStoppedAtTestTimeoutAndTheRestResumed) {
  TempDir dir("pytest-xdist-timeout");
  write(dir / "test_x.py",
        "import time, pytest\n"
        "@pytest.mark.parametrize('i', range(4))\n"
        "def test_t(i):\n"
        "    if i == 1:\n"
        "        time.sleep(100)\n");
  std::string plan = plan_of("test_x.py", "test_timeout = \"3s\"\ntimeout = \"90s\"\n");
  plan.replace(plan.find("\"test_x.py\"]"), std::string("\"test_x.py\"]").size(), "\"-n\", \"2\", \"test_x.py\"]");
  write(dir / "plan.toml", plan);
  auto t0 = std::chrono::steady_clock::now();
  BatchRun r = run_livegui_batch({(dir / "plan.toml").string(), "--report-dir", (dir / "report").string()}, dir.path(),
                                 {}, 120s);
  auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_LT(took, 60s) << "stopped at test_timeout (3 s), not at the entry's 90 s\n" << r.output;
  EXPECT_EQ(results_of(dir, r.output), (std::map<std::string, std::string>{{"test_x.py::test_t[0]", "PASS"},
                                                                           {"test_x.py::test_t[1]", "TIMEOUT"},
                                                                           {"test_x.py::test_t[2]", "PASS"},
                                                                           {"test_x.py::test_t[3]", "PASS"}}))
      << r.output;
}

}  // namespace
}  // namespace livegui::test_support
