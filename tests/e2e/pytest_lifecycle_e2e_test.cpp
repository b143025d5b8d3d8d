// pytest entries whose AUT or pytest process the batcher has to deal with
// mid-file, end to end (the real livegui-batch, livegui-aut and the Python
// example app): the batcher's own stop of pytest (a timeout, Ctrl-C) takes
// livegui-aut with it without calling it an orphan; a guest that respawns
// several times names each cause; under respawn "never" the test that broke
// the AUT stays blamed.
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

using namespace std::chrono_literals;
using nlohmann::json;
namespace fs = std::filesystem;

void write(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }

/// A plan with one AUT tier (the Python example app) and the given entries
/// (TOML of [[tiers.entries]] tables); `tier_extra` goes into the tier table.
std::string live_plan(const TempDir& dir, const std::string& tier_extra, const std::string& entries) {
  return "[[tiers]]\nname = \"live\"\nuses_aut = true\n" + tier_extra + "env = { PYTHONPATH = \"" +
         source("python").string() + "\", PYTHONDONTWRITEBYTECODE = \"1\", MARKER = \"" + (dir / "marker").string() +
         "\" }\n"
         "aut = { executable = \"" LIVEGUI_PYTHON3 "\", args = [\"" +
         source("examples/python_app/hook_app.py").string() +
         "\", \"--enable-faults\"], display = \"none\", heartbeat_threshold = \"1s\", term_grace = \"1s\" }\n" +
         entries;
}

std::string pytest_entry(const std::string& name, const std::string& file, const std::string& extra = "") {
  return "[[tiers.entries]]\nname = \"" + name + "\"\nformat = \"pytest\"\ncwd = \".\"\n" + extra +
         "command = [\"" LIVEGUI_PYTHON3 "\", \"-m\", \"pytest\", \"-q\", \"-p\", \"no:cacheprovider\", \"" + file +
         "\"]\n";
}

/// A test that holds the AUT (so livegui-aut runs), says so in $MARKER, and sleeps.
const char* kSleepsOnTheAut =
    "import os, pathlib, time\n\n"
    "def test_sleeps(live_gui):\n"
    "    live_gui.click('increment')\n"
    "    pathlib.Path(os.environ['MARKER']).write_text('holding the AUT')\n"
    "    time.sleep(600)\n";

std::vector<std::string> args_for(const TempDir& dir, const std::string& scope) {
  return {(dir / "plan.toml").string(), "--aut-scope", scope, "--report-dir", (dir / "report").string(), "--state-dir",
          (dir / "state").string()};
}

class PytestStoppedByTheBatcher : public ::testing::TestWithParam<std::string> {};

// Issue 15: livegui-aut (its own process group, PDEATHSIG) dies with the
// pytest the batcher stopped, a moment after it; that is the batcher's stop,
// not an orphan the entry left behind.
TEST_P(PytestStoppedByTheBatcher, AtItsTimeoutLiveguiAutIsNotCalledAnOrphan) {
  TempDir dir("pytest-timeout");
  // A test after the one that times out is never reached: "not run", not lost.
  write(dir / "test_sleeps.py", std::string(kSleepsOnTheAut) + "\ndef test_never_reached():\n    pass\n");
  write(dir / "test_after.py", "def test_after(live_gui):\n    live_gui.click('increment')\n");
  // The entry's own timeout, long enough for pytest and the AUT to start on
  // a busy machine (the marker says the test got the AUT); "after" keeps the default.
  write(dir / "plan.toml", live_plan(dir, "",
                                     pytest_entry("sleeps", "test_sleeps.py", "timeout = \"15s\"\n") +
                                         pytest_entry("after", "test_after.py")));
  BatchRun r = run_livegui_batch(args_for(dir, GetParam()), dir.path(), {}, 120s);
  ASSERT_TRUE(fs::exists(dir / "report" / "results.json")) << r.output;
  json doc = json::parse(read_text(dir / "report" / "results.json"));
  const json* sleeps = find_entry(doc, "sleeps");
  ASSERT_NE(sleeps, nullptr) << r.output;
  EXPECT_EQ((*sleeps)["result"], "TIMEOUT") << sleeps->dump(1);
  bool never_reached_reported = false;
  for (const auto& t : (*sleeps)["tests"])
    if (t.value("name", "") == "test_sleeps.py::test_never_reached") {
      never_reached_reported = true;
      EXPECT_EQ(t["result"], "SKIPPED") << t.dump();
      EXPECT_EQ(t.value("message", ""), "not run: the entry timed out during test_sleeps.py::test_sleeps") << t.dump();
    }
  EXPECT_TRUE(never_reached_reported) << "issue 15: a test never reached is reported\n" << sleeps->dump(1);
  EXPECT_TRUE(fs::exists(dir / "marker")) << "the test never held the AUT: livegui-aut was not running\n" << r.output;
  EXPECT_EQ(r.output.find("(orphaned)"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("livegui-aut) running"), std::string::npos) << r.output;
  for (const auto& w : (*sleeps)["warnings"])
    EXPECT_EQ(w.get<std::string>().find(" left pid "), std::string::npos) << w;
  const json* after = find_entry(doc, "after");
  ASSERT_NE(after, nullptr) << r.output;
  EXPECT_EQ((*after)["result"], "PASS") << after->dump(1);
  // Issue 15: an AUT that went down with the pytest the batcher stopped is
  // that entry's business (it timed out), not a dirty start of the next file.
  EXPECT_TRUE((*after)["dirty_start"].is_null()) << after->dump(1);
  EXPECT_EQ(r.output.find("[dirty start"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("did not get to deal with the dirty state"), std::string::npos) << r.output;
  // What is said of the AUT is said on the entry that owned it, naming the test.
  for (const auto& w : (*sleeps)["warnings"])
    if (w.get<std::string>().find("went down with its owner") != std::string::npos)
      EXPECT_NE(w.get<std::string>().find("during test_sleeps.py::test_sleeps"), std::string::npos) << w;
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(leftover_processes().empty()) << describe_pids(leftover_processes());
}

// Issue 15: pytest itself dies (SIGKILL) during its last test, the AUT
// going down with it; the next file starts its own AUT on a clean slate:
// no dirty start, and what happened is said on the entry that crashed.
TEST_P(PytestStoppedByTheBatcher, APytestThatCrashedLeavesNoDirtyStartToTheNextFile) {
  TempDir dir("pytest-crash-next");
  write(dir / "test_dies.py",
        "import os, signal\n\n"
        "def test_dies(live_gui):\n"
        "    live_gui.click('increment')\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n");
  write(dir / "test_after.py", "def test_after(live_gui):\n    live_gui.click('increment')\n");
  write(dir / "plan.toml", live_plan(dir, "",
                                     pytest_entry("dies", "test_dies.py", "expect = \"fail\"\n") +
                                         pytest_entry("after", "test_after.py")));
  BatchRun r = run_livegui_batch(args_for(dir, GetParam()), dir.path(), {}, 120s);
  ASSERT_TRUE(fs::exists(dir / "report" / "results.json")) << r.output;
  json doc = json::parse(read_text(dir / "report" / "results.json"));
  const json* dies = find_entry(doc, "dies");
  ASSERT_NE(dies, nullptr) << r.output;
  EXPECT_EQ((*dies)["result"], "XFAIL") << dies->dump(1);
  const json* after = find_entry(doc, "after");
  ASSERT_NE(after, nullptr) << r.output;
  EXPECT_EQ((*after)["result"], "PASS") << after->dump(1);
  EXPECT_TRUE((*after)["dirty_start"].is_null()) << after->dump(1) << r.output;
  EXPECT_EQ(r.output.find("[dirty start"), std::string::npos) << r.output;
  bool said = false;
  for (const auto& w : (*dies)["warnings"])
    if (w.get<std::string>().find("went down with its owner") != std::string::npos) {
      said = true;
      EXPECT_NE(w.get<std::string>().find("during test_dies.py::test_dies"), std::string::npos) << w;
    }
  // File scope: pytest's livegui-aut owned the AUT, which went down with it.
  if (GetParam() == "file") EXPECT_TRUE(said) << dies->dump(1) << r.output;
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(leftover_processes().empty()) << describe_pids(leftover_processes());
}

TEST_P(PytestStoppedByTheBatcher, AtCtrlCLiveguiAutIsNotCalledAnOrphan) {
  TempDir dir("pytest-sigint");
  write(dir / "test_sleeps.py", kSleepsOnTheAut);
  write(dir / "plan.toml", live_plan(dir, "", pytest_entry("sleeps", "test_sleeps.py")));
  BatchProcess batch(args_for(dir, GetParam()), dir.path(), dir / "out.txt");
  ASSERT_TRUE(poll_for([&] { return fs::exists(dir / "marker"); }, 60s)) << read_text(dir / "out.txt");
  ASSERT_EQ(::kill(batch.pid(), SIGINT), 0);
  auto st = batch.wait(60s);
  ASSERT_TRUE(st.has_value()) << "the batcher did not stop after SIGINT\n" << read_text(dir / "out.txt");
  std::string out = read_text(dir / "out.txt");
  EXPECT_EQ(*st, ExitStatus::exited(130)) << out;
  EXPECT_NE(out.find("INTERRUPTED"), std::string::npos) << out;
  EXPECT_EQ(out.find("(orphaned)"), std::string::npos) << out;
  EXPECT_EQ(out.find("livegui-aut) running"), std::string::npos) << out;
  EXPECT_TRUE(leftover_processes().empty()) << describe_pids(leftover_processes());
}

INSTANTIATE_TEST_SUITE_P(Scopes, PytestStoppedByTheBatcher, ::testing::Values("file", "session"));

/// The line of `out` that contains `needle` (empty when none).
std::string line_with(const std::string& out, const std::string& needle) {
  auto at = out.find(needle);
  if (at == std::string::npos) return {};
  auto start = out.rfind('\n', at);
  start = start == std::string::npos ? 0 : start + 1;
  return out.substr(start, out.find('\n', at) - start);
}

// Issue 15: livegui-aut replaces the session AUT, then respawns its own AUT
// twice more in the same file; the batcher's warning names each respawn's own
// cause and test (not the last one's for all), in every report. And the
// harness's own log lines stay off the console (logs/aut/).
TEST(PytestGuestRespawns, EveryRespawnNamesItsOwnCauseAndTest) {
  TempDir dir("pytest-respawns");
  write(dir / "test_faults.py",
        "import pytest\n"
        "from livegui_pytest import SubprocessDegraded\n\n"
        "def test_a_degrades(live_gui):\n"
        "    live_gui.fault('assert')\n"
        "    with pytest.raises(SubprocessDegraded):\n"
        "        live_gui.click('new_project')\n\n"
        "def test_b_crashes(live_gui):\n    live_gui.fault('crash')\n\n"
        "def test_c_exits(live_gui):\n    live_gui.fault('exit', code=3)\n\n"
        "def test_d_last(live_gui):\n    live_gui.click('increment')\n");
  write(dir / "test_next.py", "def test_on_a_fresh_aut(live_gui):\n    live_gui.click('increment')\n");
  write(dir / "plan.toml",
        live_plan(dir, "", pytest_entry("faults", "test_faults.py") + pytest_entry("next", "test_next.py")));
  BatchRun r = run_livegui_batch(args_for(dir, "session"), dir.path(), {}, 180s);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  std::string line = line_with(r.output, "[BATCH-WARN] live: during faults, livegui-aut (pid ");
  ASSERT_FALSE(line.empty()) << r.output;
  EXPECT_NE(line.find(") replaced the session AUT (pid "), std::string::npos) << line;
  EXPECT_NE(line.find(" degraded during test_faults.py::test_a_degrades: "), std::string::npos) << line;
  EXPECT_NE(line.find("; then it respawned its own AUT 2 times: 1. AUT pid "), std::string::npos) << line;
  EXPECT_NE(line.find(" died during test_faults.py::test_b_crashes (killed by SIGABRT); 2. AUT pid "),
            std::string::npos)
      << line;
  EXPECT_NE(line.find(" died during test_faults.py::test_c_exits (exit code 3); it stopped pid "), std::string::npos)
      << line;
  EXPECT_EQ(line.find("test_d_last"), std::string::npos) << "no respawn happened in test_d_last: " << line;
  // Every report: results.json (the entry's warning), junit.xml, report.html.
  json doc = json::parse(read_text(dir / "report" / "results.json"));
  const json* faults = find_entry(doc, "faults");
  ASSERT_NE(faults, nullptr) << r.output;
  std::string warnings = (*faults)["warnings"].dump();
  EXPECT_NE(warnings.find("died during test_faults.py::test_b_crashes (killed by SIGABRT); 2. AUT pid"),
            std::string::npos)
      << warnings;
  for (const char* report : {"junit.xml", "report.html"}) {
    std::string text = read_text(dir / "report" / report);
    EXPECT_NE(text.find("died during test_faults.py::test_c_exits (exit code 3)"), std::string::npos) << report;
  }
  EXPECT_EQ(r.output.find("[harness]"), std::string::npos) << "harness log lines on the console:\n" << r.output;
  EXPECT_TRUE(fs::exists(dir / "report" / "logs" / "aut" / "harness.log"));
  EXPECT_TRUE(leftover_processes().empty()) << describe_pids(leftover_processes());
}

class PytestRespawnNever : public ::testing::TestWithParam<std::string> {};

// Issue 15: under respawn = "never", test_a breaks the AUT and the tests
// after it fail fast without one; they are not blamed for it: every message
// names test_a, however many tests fail after it.
TEST_P(PytestRespawnNever, TheBreakStaysWithTheTestThatCausedIt) {
  TempDir dir("pytest-never");
  write(dir / "test_never.py",
        "import pytest\n"
        "from livegui_pytest import SubprocessDegraded\n\n"
        "def test_a_asserts(live_gui):\n"
        "    live_gui.fault('assert')\n"
        "    with pytest.raises(SubprocessDegraded):\n"
        "        live_gui.click('new_project')\n\n"
        "def test_b_fails_fast(live_gui):\n    live_gui.click('increment')\n\n"
        "def test_c_fails_fast(live_gui):\n    live_gui.click('increment')\n\n"
        "def test_d_fails_fast(live_gui):\n    live_gui.click('increment')\n");
  std::string plan = live_plan(dir, "", pytest_entry("never", "test_never.py"));
  plan.replace(plan.find("term_grace = \"1s\""), 17, "term_grace = \"1s\", respawn = \"never\"");
  write(dir / "plan.toml", plan);
  BatchRun r = run_livegui_batch(args_for(dir, GetParam()), dir.path(), {}, 120s);
  ASSERT_TRUE(fs::exists(dir / "report" / "results.json")) << r.output;
  json doc = json::parse(read_text(dir / "report" / "results.json"));
  const json* e = find_entry(doc, "never");
  ASSERT_NE(e, nullptr) << r.output;
  int failed_fast = 0;
  for (const auto& t : (*e)["tests"]) {
    std::string name = t["name"];
    if (name.find("fails_fast") == std::string::npos) continue;
    ++failed_fast;
    EXPECT_EQ(t["result"], "FAIL") << t.dump();
    std::string message = t.value("message", "");
    EXPECT_NE(message.find("degraded during test_never.py::test_a_asserts"), std::string::npos) << message;
    EXPECT_EQ(message.find("during test_never.py::test_b"), std::string::npos) << message;
    EXPECT_EQ(message.find("during test_never.py::test_c"), std::string::npos) << message;
  }
  EXPECT_EQ(failed_fast, 3) << e->dump(1);
  EXPECT_EQ(r.output.find("during test_never.py::test_b"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("during test_never.py::test_c"), std::string::npos) << r.output;
  EXPECT_EQ(read_text(dir / "report" / "junit.xml").find("during test_never.py::test_c"), std::string::npos);
  EXPECT_TRUE(leftover_processes().empty()) << describe_pids(leftover_processes());
}

INSTANTIATE_TEST_SUITE_P(Scopes, PytestRespawnNever, ::testing::Values("file", "session"));

// Issue 16 leftover, the pytest counterpart of FeaturesE2E.
// ATestThatFailsOnAnAutAnEarlierTestDegradedIsRetriedToo: respawn "never",
// test_a leaves the AUT degraded the first time and passes; test_b then fails
// on it (the AUT broke before it started, not during it). The plugin records
// aut_unhealthy, so test_b is retried for "degraded" — the whole file, on a
// fresh AUT — and passes: FLAKY. It was a plain FAIL, never retried. A file
// whose test fails an assertion on a healthy AUT is not retried.
TEST(PytestRetry, ATestThatFailsOnAnAutAnEarlierTestBrokeIsRetriedOnAFreshAut) {
  TempDir dir("pytest-retry-degraded");
  write(dir / "test_breaks_once.py",
        "import os, pathlib, pytest\n"
        "from livegui_pytest import SubprocessDegraded\n\n"
        "def test_a_breaks_once(live_gui):\n"
        "    marker = pathlib.Path(os.environ['MARKER'])\n"
        "    if marker.exists():\n"
        "        live_gui.click('increment')\n"
        "        return\n"
        "    marker.write_text('the AUT was broken once')\n"
        "    live_gui.fault('assert')\n"
        "    with pytest.raises(SubprocessDegraded):\n"
        "        live_gui.click('new_project')\n\n"
        "def test_b_after(live_gui):\n    live_gui.click('increment')\n");
  write(dir / "test_asserts.py",
        "def test_asserts_on_a_healthy_aut(live_gui):\n    live_gui.click('increment')\n    assert 1 == 2\n");
  std::string plan =
      live_plan(dir, "retry = { on = [\"degraded\"], max = 1 }\n",
                pytest_entry("breaks", "test_breaks_once.py") + pytest_entry("asserts", "test_asserts.py"));
  plan.replace(plan.find("term_grace = \"1s\""), 17, "term_grace = \"1s\", respawn = \"never\"");
  write(dir / "plan.toml", plan);
  BatchRun r = run_livegui_batch(args_for(dir, "file"), dir.path(), {}, 180s);
  EXPECT_EQ(r.exit_code, 1) << "the healthy assertion failure stays a failure\n" << r.output;
  ASSERT_TRUE(fs::exists(dir / "report" / "results.json")) << r.output;
  json doc = json::parse(read_text(dir / "report" / "results.json"));
  const json* e = find_entry(doc, "breaks");
  ASSERT_NE(e, nullptr) << r.output;
  EXPECT_EQ((*e)["result"], "FLAKY") << e->dump(1);
  const json* b = find_test(*e, "test_breaks_once.py::test_b_after");
  ASSERT_NE(b, nullptr) << e->dump(1);
  EXPECT_EQ((*b)["result"], "FLAKY") << b->dump(1);
  ASSERT_TRUE(b->contains("tries")) << b->dump(1);
  ASSERT_EQ((*b)["tries"].size(), 1u) << b->dump(1);
  EXPECT_EQ((*b)["tries"][0]["result"], "FAIL") << b->dump(1);
  EXPECT_EQ((*b)["tries"][0]["retried_for"], "degraded") << b->dump(1);
  const json* a = find_test(*e, "test_breaks_once.py::test_a_breaks_once");
  ASSERT_NE(a, nullptr) << e->dump(1);
  EXPECT_EQ((*a)["result"], "PASS") << a->dump(1);
  ASSERT_EQ((*e)["attempts"].size(), 2u) << e->dump(1);
  EXPECT_EQ((*e)["attempts"][1]["kind"], "retry") << e->dump(1);
  const json* asserts = find_entry(doc, "asserts");
  ASSERT_NE(asserts, nullptr) << r.output;
  EXPECT_EQ((*asserts)["result"], "FAIL") << asserts->dump(1);
  EXPECT_EQ((*asserts)["attempts"].size(), 1u) << "an assertion failure on a healthy AUT is not retried\n"
                                               << asserts->dump(1);
  const json* t = find_test(*asserts, "test_asserts.py::test_asserts_on_a_healthy_aut");
  ASSERT_NE(t, nullptr) << asserts->dump(1);
  EXPECT_FALSE(t->contains("tries")) << t->dump(1);
  EXPECT_FALSE(t->contains("aut_unhealthy")) << t->dump(1);
  EXPECT_TRUE(leftover_processes().empty()) << describe_pids(leftover_processes());
}

/// How many times `needle` occurs in `text`.
std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++n;
  return n;
}

// Issue 15: under respawn = "never" in session scope, the entry after the
// one that crashed the AUT gets none from the batcher, and its livegui-aut
// starts its own, as the batcher says before it runs. Nothing was replaced:
// no "replaced the session AUT" warning at the tier's end, and what happens
// next is said once.
TEST(PytestRespawnNeverSession, AnAutTheNextEntryStartsItselfIsNoReplacement) {
  TempDir dir("pytest-never-next");
  write(dir / "test_breaks.py", "def test_crashes(live_gui):\n    live_gui.fault('crash')\n");
  write(dir / "test_next.py", "def test_on_its_own_aut(live_gui):\n    live_gui.click('increment')\n");
  std::string plan =
      live_plan(dir, "", pytest_entry("breaks", "test_breaks.py") + pytest_entry("next", "test_next.py"));
  plan.replace(plan.find("term_grace = \"1s\""), 17, "term_grace = \"1s\", respawn = \"never\"");
  write(dir / "plan.toml", plan);
  BatchRun r = run_livegui_batch(args_for(dir, "session"), dir.path(), {}, 120s);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output.find("replaced the session AUT"), std::string::npos) << r.output;
  EXPECT_EQ(count_of(r.output, "the test binary starts its own"), 1u) << r.output;
  EXPECT_NE(r.output.find("next gets no AUT from the batcher (respawn policy never); the test binary starts its "
                          "own."),
            std::string::npos)
      << r.output;
  std::string json_text = read_text(dir / "report" / "results.json");
  EXPECT_EQ(json_text.find("replaced the session AUT"), std::string::npos) << json_text;
  // Issue 15: next's livegui-aut starting its own AUT is its first start, not
  // a respawn (the tier's tally counted it as one).
  json doc = json::parse(json_text);
  const json* next = find_entry(doc, "next");
  ASSERT_NE(next, nullptr) << r.output;
  EXPECT_EQ((*next)["aut_spawns"], 1) << next->dump(1);
  EXPECT_EQ((*next)["aut_respawns"], 0) << next->dump(1);
  EXPECT_EQ(doc["tiers"][0]["aut_respawns"], 0) << doc["tiers"].dump(1);
  EXPECT_EQ(read_text(dir / "report" / "junit.xml").find("replaced the session AUT"), std::string::npos);
  EXPECT_TRUE(leftover_processes().empty()) << describe_pids(leftover_processes());
}

// Issue 15: under --aut-scope session the AUT is the batcher's child, not
// livegui-aut's: a test that crashes it is told how it ended, as the batcher
// recorded it (it said "the AUT died during this test (exited (status
// unknown: not our child))").
TEST(PytestSessionCrash, TheTestThatCrashedTheAutIsToldTheSignal) {
  TempDir dir("pytest-session-crash");
  write(dir / "test_crash.py",
        "def test_a_crashes(live_gui):\n    live_gui.fault('crash')\n\n"
        "def test_b_after(live_gui):\n    live_gui.click('increment')\n");
  write(dir / "plan.toml", live_plan(dir, "", pytest_entry("crash", "test_crash.py")));
  BatchRun r = run_livegui_batch(args_for(dir, "session"), dir.path(), {}, 120s);
  ASSERT_TRUE(fs::exists(dir / "report" / "results.json")) << r.output;
  json doc = json::parse(read_text(dir / "report" / "results.json"));
  const json* e = find_entry(doc, "crash");
  ASSERT_NE(e, nullptr) << r.output;
  const json* a = find_test(*e, "test_crash.py::test_a_crashes");
  ASSERT_NE(a, nullptr) << e->dump(1);
  EXPECT_EQ(a->value("message", ""), "the AUT died during this test (killed by SIGABRT)") << a->dump(1);
  const json* b = find_test(*e, "test_crash.py::test_b_after");
  ASSERT_NE(b, nullptr) << e->dump(1);
  EXPECT_EQ((*b)["result"], "PASS") << b->dump(1);
  EXPECT_EQ(doc.dump().find("status unknown"), std::string::npos) << doc.dump(1);
  EXPECT_EQ(r.output.find("status unknown"), std::string::npos) << r.output;
  EXPECT_TRUE(leftover_processes().empty()) << describe_pids(leftover_processes());
}

// Issue 15: an option that runs no test, from pytest's own ini file (which
// the plan reader cannot resolve), is refused by the plugin: the entry is
// UNRESOLVED with pytest's error in its output, not a PASS that tested nothing.
TEST(PytestIniAddopts, CollectOnlyFromPytestIniIsUnresolvedNotAPass) {
  TempDir dir("pytest-addopts");
  write(dir / "pytest.ini", "[pytest]\naddopts = --co\n");
  write(dir / "test_x.py", "def test_a():\n    assert False\n");
  write(dir / "plan.toml", "[[tiers]]\nname = \"py\"\nenv = { PYTHONPATH = \"" + source("python").string() +
                               "\", PYTHONDONTWRITEBYTECODE = \"1\" }\n" + pytest_entry("x", "test_x.py"));
  BatchRun r = run_livegui_batch({(dir / "plan.toml").string(), "--report-dir", (dir / "report").string()}, dir.path(),
                                 {}, 120s);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  ASSERT_TRUE(fs::exists(dir / "report" / "results.json")) << r.output;
  json doc = json::parse(read_text(dir / "report" / "results.json"));
  const json* e = find_entry(doc, "x");
  ASSERT_NE(e, nullptr) << r.output;
  EXPECT_EQ((*e)["result"], "UNRESOLVED") << e->dump(1);
  EXPECT_NE(e->dump().find("pytest stopped before running any test with exit code 4"), std::string::npos) << e->dump(1);
  EXPECT_NE(e->dump().find("ERROR: livegui_pytest: --co in the addopts of"), std::string::npos) << e->dump(1);
  EXPECT_NE(r.output.find("livegui_pytest: --co in the addopts of " + (dir / "pytest.ini").string() +
                          ": pytest would only collect the tests, not run them"),
            std::string::npos)
      << r.output;
}

}  // namespace
}  // namespace livegui::test_support
