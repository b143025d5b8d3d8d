// End-to-end (issue 16): retry on infrastructure failure with FLAKY in every
// report, the per-test timeout that resumes the rest with the hung binary's
// stacks captured, and --last-failed selecting exactly the failures. The
// real livegui-batch on tests/e2e/fixtures/e2e_flaky.cpp; nothing may be left.
#include <poll.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/backoff.hpp"
#include "harness/subprocess.hpp"
#include "tests/e2e/e2e_support.hpp"
#include "tests/support/batch_process.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_paths.hpp"

namespace livegui::test_support {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

/// Waits (bounded, the project's back-off) until `file` exists.
bool wait_for_file(const fs::path& file, std::chrono::seconds timeout) {
  return livegui::poll_for([&] { return fs::exists(file); }, timeout);
}

class FeaturesE2E : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ::prctl(PR_SET_CHILD_SUBREAPER, 1); }
  void TearDown() override {
    auto left = leftover_processes();
    EXPECT_TRUE(left.empty()) << "left behind: " << describe_pids(left);
  }

  fs::path reports() const { return dir_ / "reports"; }

  BatchRun run(std::vector<std::string> args) {
    args.insert(args.end(), {"--report-dir", reports().string(), "--state-dir", (dir_ / "state").string()});
    return run_livegui_batch(args, dir_.path(), {}, 180s);
  }

  fs::path write_plan(const std::string& retry) {
    fs::path p = dir_ / "plan.toml";
    std::ofstream(p) << "[[tiers]]\nname = \"t\"\ntest_timeout = \"2s\"\n"
                     << retry << "\n"
                     << "[[tiers.entries]]\nexecutables = \"" << built("tests/e2e/e2e_flaky") << "\"\n"
                     << "[[tiers.entries]]\nexecutables = \"" << built("tests/e2e/e2e_passing") << "\"\n";
    return p;
  }

  json results() { return json::parse(read_text(reports() / "results.json")); }

  TempDir dir_{"features-e2e"};
};

TEST_F(FeaturesE2E, CrashAndTimeoutAreRetriedIntoFlakyButTheAssertionFailureIsNot) {
  auto t0 = std::chrono::steady_clock::now();
  BatchRun r = run({write_plan("retry = { on = [\"crash\", \"timeout\", \"degraded\"], max = 1 }").string()});
  auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(r.exit_code, 1) << r.output;  // FailsAlways is a real failure
  json doc = results();
  const json* e = find_entry(doc, "e2e_flaky");
  ASSERT_NE(e, nullptr) << r.output;
  EXPECT_EQ((*e)["result"], "FAIL");
  const json* crash = find_test(*e, "Flaky.CrashesOnce");
  const json* fail = find_test(*e, "Flaky.FailsAlways");
  const json* hang = find_test(*e, "Flaky.HangsOnce");
  const json* pass = find_test(*e, "Flaky.Passes");
  ASSERT_TRUE(crash && fail && hang && pass) << e->dump(2);
  EXPECT_EQ((*crash)["result"], "FLAKY") << crash->dump(2);
  EXPECT_EQ((*crash)["tries"][0]["result"], "CRASH");
  EXPECT_EQ((*crash)["tries"][0]["retried_for"], "crash");
  EXPECT_EQ((*hang)["result"], "FLAKY") << hang->dump(2);
  EXPECT_EQ((*hang)["tries"][0]["result"], "TIMEOUT");
  EXPECT_EQ((*hang)["tries"][0]["retried_for"], "timeout");
  EXPECT_NE((*hang)["tries"][0]["message"].get<std::string>().find("ran longer than test_timeout (2.00 s)"),
            std::string::npos);
  EXPECT_EQ((*fail)["result"], "FAIL");
  EXPECT_FALSE(fail->contains("tries")) << "an assertion failure on a healthy run is never retried";
  // The per-test timeout resumed the rest: Passes ran after HangsOnce was stopped.
  EXPECT_EQ((*pass)["result"], "PASS");
  // Attempts: crash → resume → per-test timeout → resume → one retry of the two.
  EXPECT_EQ((*e)["attempts"].size(), 4u) << e->dump(2);
  EXPECT_EQ((*e)["attempts"][1]["stopped_for"], "test_timeout");
  EXPECT_EQ((*e)["attempts"][3]["filter"], "Flaky.CrashesOnce:Flaky.HangsOnce");
  // Each process says what it was: a resume is not a retry (issue 16 item 3).
  std::vector<std::string> kinds;
  for (const auto& a : (*e)["attempts"]) kinds.push_back(a["kind"]);
  EXPECT_EQ(kinds, (std::vector<std::string>{"first", "resume", "resume", "retry"})) << e->dump(2);
  EXPECT_EQ((*e)["attempts"][3]["retry"], 1);
  EXPECT_NE(r.output.find("  retry 1 of the failed tests, in a fresh process (attempt 4, "
                          "--gtest_filter=Flaky.CrashesOnce:Flaky.HangsOnce): exit code 0"),
            std::string::npos)
      << r.output;
  EXPECT_EQ(r.output.find("resumed in a fresh process (attempt 4"), std::string::npos) << r.output;
  // The hung binary's stacks, captured before it was stopped.
  bool found = false;
  for (const auto& f : fs::recursive_directory_iterator(reports() / "artifacts"))
    if (f.path().filename().string().rfind("stacks-", 0) == 0) {
      found = true;
      EXPECT_NE(read_text(f.path()).find("ran out of time"), std::string::npos);
    }
  EXPECT_TRUE(found) << "no stacks-<pid>.txt under " << (reports() / "artifacts");
  // FLAKY in every report.
  EXPECT_NE(r.output.find("Flaky (2), passed on a retry:"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("(2 flaky)"), std::string::npos) << r.output;
  std::string junit = read_text(reports() / "junit.xml");
  EXPECT_NE(junit.find("<flakyError type=\"CRASH\""), std::string::npos);
  EXPECT_NE(junit.find("<flakyError type=\"TIMEOUT\""), std::string::npos);
  EXPECT_NE(junit.find("livegui.flaky"), std::string::npos);
  std::string html = read_text(reports() / "report.html");
  EXPECT_NE(html.find("Flaky: passed on a retry (2)"), std::string::npos);
  // 2 s per-test timeout + stacks + retries: bounded well under the 600 s entry timeout.
  EXPECT_LT(took, 90s) << r.output;
}

TEST_F(FeaturesE2E, WithoutARetryPolicyTheFailuresStayAndTheTimeoutStillResumes) {
  BatchRun r = run({write_plan("").string()});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  json doc = results();
  const json* e = find_entry(doc, "e2e_flaky");
  ASSERT_NE(e, nullptr) << r.output;
  const json* crash = find_test(*e, "Flaky.CrashesOnce");
  const json* hang = find_test(*e, "Flaky.HangsOnce");
  const json* pass = find_test(*e, "Flaky.Passes");
  ASSERT_TRUE(crash && hang && pass) << e->dump(2);
  EXPECT_EQ((*crash)["result"], "CRASH");
  EXPECT_EQ((*hang)["result"], "TIMEOUT");
  EXPECT_EQ((*pass)["result"], "PASS");
  ASSERT_TRUE(hang->contains("stacks")) << hang->dump(2);
  EXPECT_NE((*hang)["stacks"].get<std::string>().find("stacks-"), std::string::npos);
  EXPECT_TRUE(fs::exists(reports() / (*hang)["stacks"].get<std::string>()));
  EXPECT_EQ(r.output.find("FLAKY"), std::string::npos);
}

TEST_F(FeaturesE2E, LastFailedRunsExactlyThePreviousFailures) {
  fs::path plan = write_plan("");
  BatchRun first = run({plan.string()});
  ASSERT_EQ(first.exit_code, 1) << first.output;
  // The markers now exist: the crash and the hang would pass; only what failed runs.
  BatchRun again = run({plan.string(), "--last-failed"});
  EXPECT_EQ(again.exit_code, 1) << again.output;
  json doc = results();
  ASSERT_EQ(doc["entries"].size(), 1u) << again.output;  // e2e_passing passed: not run
  const json& e = doc["entries"][0];
  EXPECT_EQ(e["name"], "e2e_flaky");
  std::vector<std::string> names;
  for (const auto& t : e["tests"]) names.push_back(t["name"]);
  EXPECT_EQ(names, (std::vector<std::string>{"Flaky.CrashesOnce", "Flaky.FailsAlways", "Flaky.HangsOnce"}));
  EXPECT_EQ((*find_test(e, "Flaky.CrashesOnce"))["result"], "PASS");
  EXPECT_EQ((*find_test(e, "Flaky.HangsOnce"))["result"], "PASS");
  EXPECT_EQ((*find_test(e, "Flaky.FailsAlways"))["result"], "FAIL");
  // Only FailsAlways failed now: the next --last-failed runs just that test.
  BatchRun third = run({plan.string(), "--last-failed"});
  json doc3 = results();
  ASSERT_EQ(doc3["entries"].size(), 1u);
  ASSERT_EQ(doc3["entries"][0]["tests"].size(), 1u) << third.output;
  EXPECT_EQ(doc3["entries"][0]["tests"][0]["name"], "Flaky.FailsAlways");
}

/// A pytest file whose middle test hangs the first time (a marker file), run
/// as a format = "pytest" entry with test_timeout = "2s".
class PytestTimeoutE2E : public FeaturesE2E {
 protected:
  void SetUp() override {
#ifndef LIVEGUI_PYTHON3
    GTEST_SKIP() << "no python3 found at configure time";
#endif
  }

  fs::path write_pytest_plan(const std::string& retry) {
    std::ofstream(dir_ / "test_hangs.py") << "import os, pathlib, time\n\n"
                                             "def test_before():\n    pass\n\n"
                                             "def test_hangs_once():\n"
                                             "    marker = pathlib.Path(os.environ['HANG_MARKER'])\n"
                                             "    if not marker.exists():\n"
                                             "        marker.write_text('1')\n"
                                             "        while True:\n            time.sleep(0.05)\n\n"
                                             "def test_after():\n    pass\n";
    fs::path p = dir_ / "pytest_plan.toml";
#ifdef LIVEGUI_PYTHON3
    std::ofstream(p) << "[[tiers]]\nname = \"py\"\ntest_timeout = \"2s\"\n"
                     << "env = { PYTHONPATH = \"" << source("python").string()
                     << "\", PYTHONDONTWRITEBYTECODE = \"1\", HANG_MARKER = \"" << (dir_ / "hang.happened").string()
                     << "\" }\n[[tiers.entries]]\nname = \"test_hangs\"\nformat = \"pytest\"\n"
                     << "command = [\"" << LIVEGUI_PYTHON3 << "\", \"-m\", \"pytest\", \"-q\", \"-p\", "
                     << "\"no:cacheprovider\", \"" << (dir_ / "test_hangs.py").string() << "\"]\n"
                     << retry << "\n";
#endif
    (void)retry;
    return p;
  }

  static const json* test_ending(const json& entry, const std::string& suffix) {
    for (const auto& t : entry["tests"]) {
      std::string n = t["name"];
      if (n.size() >= suffix.size() && n.compare(n.size() - suffix.size(), suffix.size(), suffix) == 0) return &t;
    }
    return nullptr;
  }
};

TEST_F(PytestTimeoutE2E, APytestTestRunningLongerThanTestTimeoutIsTimeoutWithStacksAndTheRestResumes) {
  auto t0 = std::chrono::steady_clock::now();
  BatchRun r = run({write_pytest_plan("").string()});
  auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(r.exit_code, 1) << r.output;
  json doc = results();
  const json* e = find_entry(doc, "test_hangs");
  ASSERT_NE(e, nullptr) << r.output;
  const json* before = test_ending(*e, "::test_before");
  const json* hang = test_ending(*e, "::test_hangs_once");
  const json* after = test_ending(*e, "::test_after");
  ASSERT_TRUE(before && hang && after) << e->dump(2);
  EXPECT_EQ((*before)["result"], "PASS");
  EXPECT_EQ((*hang)["result"], "TIMEOUT") << hang->dump(2);
  EXPECT_NE((*hang)["message"].get<std::string>().find("ran longer than test_timeout (2.00 s)"), std::string::npos)
      << hang->dump(2);
  EXPECT_EQ((*after)["result"], "PASS") << "the rest of the file is resumed after the per-test timeout";
  ASSERT_GE((*e)["attempts"].size(), 2u) << e->dump(2);
  EXPECT_EQ((*e)["attempts"][0]["stopped_for"], "test_timeout");
  ASSERT_TRUE(hang->contains("stacks")) << hang->dump(2);
  EXPECT_TRUE(fs::exists(reports() / (*hang)["stacks"].get<std::string>()));
  EXPECT_LT(took, 90s) << r.output;
}

// Trial16 finding 4: the stacks of a pytest test stopped at its timeout held
// only the interpreter's C frames. The plugin's faulthandler (SIGUSR1, sent
// by the batcher to the pytest it started) adds every thread's Python frames.
TEST_F(PytestTimeoutE2E, AStoppedPytestTestHasEveryThreadsPythonFramesBesideTheCStacks) {
  std::ofstream(dir_ / "test_py_hang.py") << "import threading, time\n\n"
                                             "def worker_thread_waits():\n"
                                             "    time.sleep(600)\n\n"
                                             "def helper_that_sleeps():\n"
                                             "    while True:\n        time.sleep(0.05)\n\n"
                                             "def test_hangs_in_python():\n"
                                             "    threading.Thread(target=worker_thread_waits, daemon=True).start()\n"
                                             "    helper_that_sleeps()\n";
  fs::path p = dir_ / "py_hang_plan.toml";
#ifdef LIVEGUI_PYTHON3
  std::ofstream(p) << "[[tiers]]\nname = \"py\"\ntest_timeout = \"2s\"\n"
                   << "env = { PYTHONPATH = \"" << source("python").string()
                   << "\", PYTHONDONTWRITEBYTECODE = \"1\" }\n[[tiers.entries]]\nname = \"py_hang\"\n"
                   << "format = \"pytest\"\ncommand = [\"" << LIVEGUI_PYTHON3
                   << "\", \"-m\", \"pytest\", \"-q\", \"-p\", \"no:cacheprovider\", \""
                   << (dir_ / "test_py_hang.py").string() << "\"]\n";
#endif
  BatchRun r = run({p.string()});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  json doc = results();
  const json* e = find_entry(doc, "py_hang");
  ASSERT_NE(e, nullptr) << r.output;
  const json* hang = test_ending(*e, "::test_hangs_in_python");
  ASSERT_NE(hang, nullptr) << e->dump(2);
  EXPECT_EQ((*hang)["result"], "TIMEOUT") << hang->dump(2);
  std::vector<std::string> files;
  if (hang->contains("stacks")) files.push_back((*hang)["stacks"]);
  for (const auto& f : hang->value("other_stacks", json::array())) files.push_back(f);
  std::string python_file;
  for (const auto& f : files)
    if (fs::path(f).filename().string().rfind("python-stacks-", 0) == 0) python_file = f;
  ASSERT_FALSE(python_file.empty()) << "no Python stacks beside the C stacks\n" << hang->dump(2) << r.output;
  EXPECT_EQ(files.front(), python_file) << "the Python frames say most: first" << hang->dump(2);
  std::string text = read_text(reports() / python_file);
  EXPECT_NE(text.find("in helper_that_sleeps"), std::string::npos) << text;
  EXPECT_NE(text.find("in test_hangs_in_python"), std::string::npos) << text;
  EXPECT_NE(text.find("in worker_thread_waits"), std::string::npos) << "every thread\n" << text;
  EXPECT_NE(r.output.find("its Python stacks: "), std::string::npos) << r.output;
  for (const auto& f : fs::recursive_directory_iterator(reports()))
    EXPECT_EQ(f.path().string().find(".python-stacks.txt"), std::string::npos)
        << "the plugin's file is not left behind: " << f.path();
}

TEST_F(PytestTimeoutE2E, AHungPytestTestIsRetriedWholeFileIntoFlaky) {
  BatchRun r = run({write_pytest_plan("retry = { on = [\"timeout\"], max = 1 }").string()});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  json doc = results();
  const json* e = find_entry(doc, "test_hangs");
  ASSERT_NE(e, nullptr) << r.output;
  const json* hang = test_ending(*e, "::test_hangs_once");
  ASSERT_TRUE(hang) << e->dump(2);
  EXPECT_EQ((*hang)["result"], "FLAKY") << hang->dump(2);
  ASSERT_TRUE(hang->contains("tries")) << hang->dump(2);
  EXPECT_EQ((*hang)["tries"][0]["result"], "TIMEOUT");
  EXPECT_EQ((*hang)["tries"][0]["retried_for"], "timeout");
  EXPECT_EQ((*test_ending(*e, "::test_after"))["result"], "PASS");
}

// A pytest entry retried (whole) and failing again: its failure block says
// the retry in pytest's terms; it said "resumed in a fresh process (attempt
// 2, --gtest_filter=)", a GoogleTest resume that never happened.
TEST_F(PytestTimeoutE2E, ARetriedPytestEntryIsSaidAsARetryNotAsAGtestFilter) {
  std::ofstream(dir_ / "test_fails.py") << "def test_ok():\n    pass\n\ndef test_fails():\n    assert 0\n";
  fs::path p = dir_ / "fails_plan.toml";
#ifdef LIVEGUI_PYTHON3
  std::ofstream(p) << "[[tiers]]\nname = \"py\"\n"
                   << "env = { PYTHONPATH = \"" << source("python").string()
                   << "\", PYTHONDONTWRITEBYTECODE = \"1\" }\n"
                   << "[[tiers.entries]]\nname = \"test_fails\"\nformat = \"pytest\"\n"
                   << "retry = { on = [\"fail\"], max = 1 }\n"
                   << "command = [\"" << LIVEGUI_PYTHON3 << "\", \"-m\", \"pytest\", \"-q\", \"-p\", "
                   << "\"no:cacheprovider\", \"" << (dir_ / "test_fails.py").string() << "\"]\n";
#endif
  BatchRun r = run({p.string()});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("\n  retry 1 of the whole entry, in a fresh process (attempt 2): exit code 1\n"),
            std::string::npos)
      << r.output;
  EXPECT_EQ(r.output.find("gtest_filter"), std::string::npos) << r.output;
  json doc = results();
  const json* e = find_entry(doc, "test_fails");
  ASSERT_NE(e, nullptr) << r.output;
  ASSERT_EQ((*e)["attempts"].size(), 2u) << e->dump(2);
  EXPECT_EQ((*e)["attempts"][0]["retry"], 0) << e->dump(2);
  EXPECT_EQ((*e)["attempts"][1]["retry"], 1) << e->dump(2);
  EXPECT_EQ((*e)["attempts"][1]["kind"], "retry") << e->dump(2);
  EXPECT_EQ((*e)["attempts"][1]["filter"], "") << e->dump(2);
}

TEST_F(FeaturesE2E, LastFailedWithoutAPreviousRunSaysSoAndRunsNothing) {
  BatchRun r = run({write_plan("").string(), "--last-failed"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--last-failed: no previous run in"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(reports() / "logs")) << "refused: nothing is created either";
}

// Respawn policy never: A stalls the AUT (a break during it), B starts on
// the stalled AUT and fails with "subprocess degraded". Both failed because
// the AUT broke, so both are retried on a fresh AUT, where both pass: FLAKY
// (issue 16, newcomer trial item 1).
TEST_F(FeaturesE2E, ATestThatFailsOnAnAutAnEarlierTestDegradedIsRetriedToo) {
  fs::path plan = dir_ / "degraded_plan.toml";
  std::ofstream(plan) << "[[tiers]]\nname = \"live\"\nuses_aut = true\n"
                      << "retry = { on = [\"degraded\"], max = 1 }\n"
                      << "[[tiers.entries]]\nexecutables = \"" << built("tests/e2e/e2e_degrades_once") << "\"\n";
  BatchRun r = run({plan.string()});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  json doc = results();
  const json* e = find_entry(doc, "e2e_degrades_once");
  ASSERT_NE(e, nullptr) << r.output;
  EXPECT_EQ((*e)["result"], "FLAKY") << e->dump(2);
  for (const char* name : {"DegradesOnce.A_StallsTheAut", "DegradesOnce.B_StartsOnTheStalledAut"}) {
    const json* t = find_test(*e, name);
    ASSERT_NE(t, nullptr) << e->dump(2);
    EXPECT_EQ((*t)["result"], "FLAKY") << t->dump(2);
    ASSERT_TRUE(t->contains("tries")) << t->dump(2);
    ASSERT_EQ((*t)["tries"].size(), 1u) << t->dump(2);
    EXPECT_EQ((*t)["tries"][0]["result"], "FAIL") << t->dump(2);
    EXPECT_EQ((*t)["tries"][0]["retried_for"], "degraded") << t->dump(2);
  }
  ASSERT_EQ((*e)["attempts"].size(), 2u) << e->dump(2);
  // B's first run found the AUT already degraded: the harness said so.
  EXPECT_NE(read_text((*e)["attempts"][0]["log"].get<std::string>())
                .find("[livegui] the AUT was not healthy when DegradesOnce.B_StartsOnTheStalledAut failed"),
            std::string::npos);
  EXPECT_EQ((*e)["attempts"][1]["kind"], "retry");
  EXPECT_EQ((*e)["attempts"][1]["filter"], "DegradesOnce.A_StallsTheAut:DegradesOnce.B_StartsOnTheStalledAut");
}

// SIGTERM while the retry of a timed-out test runs: the retry decided
// nothing, so the test stays TIMEOUT (never a pass), the entry fails, the
// batch exits 143, and --last-failed selects the test again.
TEST_F(FeaturesE2E, AnInterruptDuringARetryNeverTurnsTheFailureIntoAPass) {
  fs::path plan = dir_ / "hang_plan.toml";
  std::ofstream(plan) << "[[tiers]]\nname = \"t\"\ntest_timeout = \"2s\"\n"
                      << "retry = { on = [\"timeout\"], max = 1 }\n"
                      << "[[tiers.entries]]\nexecutables = \"" << built("tests/e2e/e2e_hang") << "\"\n";
  fs::path marker = dir_ / "marker";
  BatchProcess batch({plan.string(), "--report-dir", reports().string(), "--state-dir", (dir_ / "state").string()},
                     dir_.path(), dir_ / "out.txt", {{"E2E_MARKER_FILE", marker.string()}});
  // Hang.Forever writes the marker each time it starts: first run, then its retry
  // (test_timeout is 2 s: the marker is gone long before the retry starts).
  ASSERT_TRUE(wait_for_file(marker, 60s)) << read_text(dir_ / "out.txt");
  fs::remove(marker);
  ASSERT_TRUE(wait_for_file(marker, 60s)) << read_text(dir_ / "out.txt");
  ASSERT_EQ(::kill(batch.pid(), SIGTERM), 0);
  auto st = batch.wait(30s);
  ASSERT_TRUE(st.has_value()) << "the batcher did not stop after SIGTERM";
  std::string out = read_text(dir_ / "out.txt");
  EXPECT_EQ(*st, ExitStatus::exited(128 + SIGTERM)) << out;
  json doc = results();
  EXPECT_TRUE(doc["interrupted"].get<bool>());
  const json* e = find_entry(doc, "e2e_hang");
  ASSERT_NE(e, nullptr) << out;
  EXPECT_EQ((*e)["result"], "TIMEOUT") << e->dump(2);
  const json* hang = find_test(*e, "Hang.Forever");
  ASSERT_NE(hang, nullptr) << e->dump(2);
  EXPECT_EQ((*hang)["result"], "TIMEOUT") << hang->dump(2);
  EXPECT_NE((*hang)["message"].get<std::string>().find("was interrupted by SIGTERM before it finished"),
            std::string::npos)
      << hang->dump(2);
  // Every attempt of the test is recorded, the interrupted retry as such
  // (issue 16, newcomer trial item 2): the test keeps attempt 1's TIMEOUT,
  // and its tries hold the retry the signal cut short.
  EXPECT_EQ((*hang)["attempt"], 1) << hang->dump(2);
  ASSERT_TRUE(hang->contains("tries")) << hang->dump(2);
  ASSERT_EQ((*hang)["tries"].size(), 1u) << hang->dump(2);
  EXPECT_EQ((*hang)["tries"][0]["attempt"], 3) << hang->dump(2);
  EXPECT_EQ((*hang)["tries"][0]["retried_for"], "timeout") << hang->dump(2);
  EXPECT_EQ((*hang)["tries"][0]["interrupted"], true) << hang->dump(2);
  EXPECT_FALSE((*hang)["tries"][0]["message"].get<std::string>().empty()) << hang->dump(2);
  ASSERT_EQ((*e)["attempts"].size(), 3u) << "the hang, the resumed rest, the interrupted retry: " << e->dump(2);
  EXPECT_EQ((*e)["attempts"][2]["filter"], "Hang.Forever");
  EXPECT_EQ((*e)["attempts"][2]["stopped_for"], "interrupt");
  EXPECT_EQ((*e)["attempts"][2]["kind"], "retry");
  // The retry ran once and was interrupted: the entry's line says so (issue 16 item 2)…
  EXPECT_NE((*e)["reason"].get<std::string>().find("; retried 1x, interrupted by SIGTERM)"), std::string::npos)
      << (*e)["reason"];
  EXPECT_NE(out.find("retried 1x, interrupted by SIGTERM"), std::string::npos) << out;
  EXPECT_EQ(out.find("retried 0x"), std::string::npos) << out;
  // … and an interrupted listing is no listing failure (issue 16 item 5).
  EXPECT_EQ(out.find("listing its tests"), std::string::npos) << out;
  for (const auto& w : (*e)["warnings"])
    EXPECT_EQ(w.get<std::string>().find("listing its tests"), std::string::npos) << w;
  EXPECT_NE(read_text(reports() / "junit.xml").find("Forever"), std::string::npos);
  // --last-failed selects it (what it would run: its filter).
  BatchRun again = run({plan.string(), "--last-failed", "--dry-run"});
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("--gtest_filter=Hang.Forever"), std::string::npos) << again.output;
}

// The entry's timeout is a total over its attempts: a hang stopped by it
// leaves no time for a retry, which is not started (and a warning says so).
TEST_F(FeaturesE2E, TheEntryTimeoutIsATotalOverItsAttemptsRetriesIncluded) {
  fs::path plan = dir_ / "timeout_plan.toml";
  std::ofstream(plan) << "[[tiers]]\nname = \"t\"\ntimeout = \"3s\"\n"
                      << "retry = { on = [\"timeout\"], max = 2 }\n"
                      << "[[tiers.entries]]\nexecutables = \"" << built("tests/e2e/e2e_hang") << "\"\n";
  auto t0 = std::chrono::steady_clock::now();
  BatchRun r = run({plan.string()});
  auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(r.exit_code, 1) << r.output;
  json doc = results();
  const json* e = find_entry(doc, "e2e_hang");
  ASSERT_NE(e, nullptr) << r.output;
  EXPECT_EQ((*e)["result"], "TIMEOUT");
  EXPECT_EQ((*e)["attempts"].size(), 1u) << e->dump(2);
  EXPECT_EQ((*find_test(*e, "Hang.Forever"))["result"], "TIMEOUT");
  EXPECT_NE(r.output.find("e2e_hang was not retried (Hang.Forever (timeout)): its timeout (3.00 s) is for all its "
                          "attempts together and was spent"),
            std::string::npos)
      << r.output;
  EXPECT_LT(took, 60s) << r.output;
}

// --last-failed narrowed by --tier runs only some failures; the others are
// carried in results.json (not_selected), so the next --last-failed still
// runs them; nothing it did not run is reported as a result.
TEST_F(FeaturesE2E, LastFailedKeepsTheFailuresItDidNotSelectForTheNextOne) {
  fs::path plan = dir_ / "two_tiers.toml";
  std::ofstream(plan) << "[[tiers]]\nname = \"a\"\n[[tiers.entries]]\nname = \"fails_a\"\ncommand = [\"/bin/false\"]\n"
                      << "[[tiers.entries]]\nname = \"passes_a\"\ncommand = [\"/bin/true\"]\n"
                      << "[[tiers]]\nname = \"b\"\n[[tiers.entries]]\nname = \"fails_b\"\ncommand = [\"/bin/false\"]\n";
  BatchRun first = run({plan.string()});
  ASSERT_EQ(first.exit_code, 1) << first.output;
  BatchRun only_a = run({plan.string(), "--last-failed", "--tier", "a"});
  EXPECT_EQ(only_a.exit_code, 1) << only_a.output;
  json doc = results();
  ASSERT_EQ(doc["entries"].size(), 1u) << only_a.output;
  EXPECT_EQ(doc["entries"][0]["id"], "a/fails_a");
  ASSERT_EQ(doc["not_selected"].size(), 1u) << doc.dump(2);
  EXPECT_EQ(doc["not_selected"][0]["id"], "b/fails_b");
  EXPECT_EQ(doc["not_selected"][0]["result"], "FAIL");
  EXPECT_NE(only_a.output.find("--last-failed did not select 1 earlier failing entry, kept for the next --last-failed "
                               "(results.json not_selected; not run, not counted): b/fails_b (FAIL)"),
            std::string::npos)
      << only_a.output;
  EXPECT_EQ(only_a.output.find("SKIPPED"), std::string::npos) << only_a.output;
  // The next --last-failed still finds b's failure.
  BatchRun again = run({plan.string(), "--last-failed"});
  EXPECT_EQ(again.exit_code, 1) << again.output;
  json doc2 = results();
  std::vector<std::string> ids;
  for (const auto& e : doc2["entries"]) ids.push_back(e["id"]);
  EXPECT_EQ(ids, (std::vector<std::string>{"a/fails_a", "b/fails_b"})) << again.output;
  EXPECT_TRUE(doc2["not_selected"].empty()) << doc2.dump(2);
}

// --last-failed --shard 1/2 reads results.json and writes the shard's own
// results-shard-1-of-2.json: the note names the file that keeps what it
// carried, never a results.json it did not write (issue 16, newcomer trial item 4).
TEST_F(FeaturesE2E, LastFailedWithAShardNamesTheShardsOwnResultsFile) {
  fs::path plan = dir_ / "two_fail.toml";
  std::ofstream(plan) << "[[tiers]]\nname = \"a\"\n[[tiers.entries]]\nname = \"fails_1\"\ncommand = [\"/bin/false\"]\n"
                      << "[[tiers.entries]]\nname = \"fails_2\"\ncommand = [\"/bin/false\"]\n";
  BatchRun first = run({plan.string()});
  ASSERT_EQ(first.exit_code, 1) << first.output;
  BatchRun shard = run({plan.string(), "--last-failed", "--shard", "1/2"});
  EXPECT_EQ(shard.exit_code, 1) << shard.output;
  ASSERT_TRUE(fs::exists(reports() / "results-shard-1-of-2.json")) << shard.output;
  json doc = json::parse(read_text(reports() / "results-shard-1-of-2.json"));
  ASSERT_EQ(doc["entries"].size(), 1u) << shard.output;
  ASSERT_EQ(doc["not_selected"].size(), 1u) << doc.dump(2);
  const std::string other = doc["not_selected"][0]["id"];
  EXPECT_NE(shard.output.find("--last-failed did not select 1 earlier failing entry, kept for the next --last-failed "
                              "(results-shard-1-of-2.json not_selected — --last-failed reads results.json: merge the "
                              "shards' files into it; not run, not counted): " +
                              other + " (FAIL)"),
            std::string::npos)
      << shard.output;
  EXPECT_EQ(shard.output.find("(results.json not_selected"), std::string::npos) << shard.output;
}

// --last-failed --filter: the two selections intersect. Only the previous
// failures the filter selects run; the entry's other failures are carried
// (not_selected) and the next --last-failed runs them (issue 16 item 1).
TEST_F(FeaturesE2E, LastFailedWithAFilterRunsOnlyTheFailuresTheFilterSelects) {
  fs::path plan = write_plan("");
  BatchRun first = run({plan.string()});
  ASSERT_EQ(first.exit_code, 1) << first.output;
  BatchRun one = run({plan.string(), "--last-failed", "--filter", "Flaky\\.FailsAlways"});
  EXPECT_EQ(one.exit_code, 1) << one.output;
  json doc = results();
  ASSERT_EQ(doc["entries"].size(), 1u) << one.output;
  std::vector<std::string> names;
  for (const auto& t : doc["entries"][0]["tests"]) names.push_back(t["name"]);
  EXPECT_EQ(names, (std::vector<std::string>{"Flaky.FailsAlways"})) << one.output;
  ASSERT_EQ(doc["entries"][0]["attempts"].size(), 1u);
  EXPECT_EQ(doc["entries"][0]["attempts"][0]["filter"], "Flaky.FailsAlways");
  ASSERT_EQ(doc["not_selected"].size(), 1u) << doc.dump(2);
  EXPECT_EQ(doc["not_selected"][0]["id"], "t/e2e_flaky");
  EXPECT_EQ(doc["not_selected"][0]["tests"], (std::vector<std::string>{"Flaky.CrashesOnce", "Flaky.HangsOnce"}));
  EXPECT_EQ(doc["not_selected"][0]["result"], "CRASH");
  // The count says what the list names: two tests of one entry (issue 16, newcomer trial item 3).
  EXPECT_NE(one.output.find("--last-failed did not select 2 earlier failing tests of 1 entry it ran, kept for the "
                            "next --last-failed (results.json not_selected; not run, not counted): t/e2e_flaky "
                            "Flaky.CrashesOnce, Flaky.HangsOnce (CRASH)"),
            std::string::npos)
      << one.output;
  // The next --last-failed runs every failure: the one that ran and the carried ones.
  BatchRun all = run({plan.string(), "--last-failed"});
  EXPECT_EQ(all.exit_code, 1) << all.output;
  json doc2 = results();
  ASSERT_EQ(doc2["entries"].size(), 1u) << all.output;
  names.clear();
  for (const auto& t : doc2["entries"][0]["tests"]) names.push_back(t["name"]);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"Flaky.CrashesOnce", "Flaky.FailsAlways", "Flaky.HangsOnce"}))
      << all.output;
  EXPECT_TRUE(doc2["not_selected"].empty()) << doc2.dump(2);
}

// SIGTERM while the batcher lists the binary's tests after its retry was
// stopped (e2e_hang_listing: its 2nd listing hangs): an interrupted listing
// is an interruption, not a listing failure — no "listing its tests … failed
// … ran as one unit" warning — and nothing starts after it (issue 16 item 5).
TEST_F(FeaturesE2E, AnInterruptDuringTheListingAfterARetryIsNoListingFailure) {
  fs::path plan = dir_ / "listing_plan.toml";
  std::ofstream(plan) << "[[tiers]]\nname = \"t\"\ntest_timeout = \"2s\"\n"
                      << "retry = { on = [\"timeout\"], max = 1 }\n"
                      << "[[tiers.entries]]\nexecutables = \"" << built("tests/e2e/e2e_hang_listing") << "\"\n";
  fs::path lists = dir_ / "lists";
  fs::create_directories(lists);
  BatchProcess batch({plan.string(), "--report-dir", reports().string(), "--state-dir", (dir_ / "state").string()},
                     dir_.path(), dir_ / "out.txt", {{"E2E_LIST_DIR", lists.string()}});
  // listing-1: after the first run's hang (it lists); listing-2: after the retry's (it hangs).
  ASSERT_TRUE(wait_for_file(lists / "listing-2", 90s)) << read_text(dir_ / "out.txt");
  ASSERT_EQ(::kill(batch.pid(), SIGTERM), 0);
  auto st = batch.wait(30s);
  ASSERT_TRUE(st.has_value()) << "the batcher did not stop after SIGTERM";
  std::string out = read_text(dir_ / "out.txt");
  EXPECT_EQ(*st, ExitStatus::exited(128 + SIGTERM)) << out;
  EXPECT_EQ(out.find("listing its tests"), std::string::npos) << out;
  json doc = results();
  EXPECT_TRUE(doc["interrupted"].get<bool>());
  const json* e = find_entry(doc, "e2e_hang_listing");
  ASSERT_NE(e, nullptr) << out;
  for (const auto& w : (*e)["warnings"])
    EXPECT_EQ(w.get<std::string>().find("listing its tests"), std::string::npos) << w;
  std::vector<std::string> kinds;
  for (const auto& a : (*e)["attempts"]) kinds.push_back(a["kind"]);
  EXPECT_EQ(kinds, (std::vector<std::string>{"first", "resume", "retry"})) << e->dump(2);
  const json* hang = find_test(*e, "Hang.Forever");
  ASSERT_NE(hang, nullptr) << e->dump(2);
  EXPECT_EQ((*hang)["result"], "TIMEOUT") << hang->dump(2);
  EXPECT_EQ((*e)["result"], "TIMEOUT");
  EXPECT_FALSE(fs::exists(lists / "listing-3")) << "a listing started after the interrupt";
}

// A --gtest_list_tests that hangs (e2e_hang_listing hangs from its 2nd
// listing on; listing-1 is made beforehand) under split = "suite": the
// listing is given up after its own short limit (kListTimeout), not the
// entry's timeout, the binary runs unsplit saying why, and is not listed
// again after its hang (issue 18 follow-up).
TEST_F(FeaturesE2E, AHangingListingIsGivenUpAfterItsOwnShortLimitAndTheBinaryRunsUnsplit) {
  fs::path plan = dir_ / "hanging_listing_plan.toml";
  std::ofstream(plan) << "[[tiers]]\nname = \"t\"\ntimeout = \"170s\"\ntest_timeout = \"2s\"\nsplit = \"suite\"\n"
                      << "[[tiers.entries]]\nexecutables = \"" << built("tests/e2e/e2e_hang_listing") << "\"\n";
  fs::path lists = dir_ / "lists";
  fs::create_directories(lists);
  std::ofstream(lists / "listing-1") << "1\n";
  auto t0 = std::chrono::steady_clock::now();
  BatchProcess batch({plan.string(), "--report-dir", reports().string(), "--state-dir", (dir_ / "state").string()},
                     dir_.path(), dir_ / "out.txt", {{"E2E_LIST_DIR", lists.string()}});
  auto st = batch.wait(200s);
  auto took = std::chrono::steady_clock::now() - t0;
  ASSERT_TRUE(st.has_value()) << read_text(dir_ / "out.txt");
  std::string out = read_text(dir_ / "out.txt");
  EXPECT_EQ(*st, ExitStatus::exited(1)) << out;
  EXPECT_LT(took, 60s) << "the hanging listing used more than its own limit\n" << out;
  json doc = results();
  ASSERT_EQ(doc["entries"].size(), 1u) << out;  // unsplit: one entry, not one per suite
  const json& e = doc["entries"][0];
  EXPECT_EQ(e["name"], "e2e_hang_listing");
  std::string warnings = e["warnings"].dump();
  EXPECT_NE(warnings.find("did not finish within 10.00 s"), std::string::npos) << warnings;
  EXPECT_NE(warnings.find("ran as one unit"), std::string::npos) << warnings;
  const json* hang = find_test(e, "Hang.Forever");
  ASSERT_NE(hang, nullptr) << e.dump(2);
  EXPECT_EQ((*hang)["result"], "TIMEOUT");
  const json* after = find_test(e, "Hang.After");
  ASSERT_NE(after, nullptr) << e.dump(2);
  EXPECT_EQ((*after)["result"], "PASS");
  EXPECT_FALSE(fs::exists(lists / "listing-3")) << "listed again after its hang";
}

}  // namespace
}  // namespace livegui::test_support
